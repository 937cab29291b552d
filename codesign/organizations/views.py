"""An applicant's bodies: the list, registration, the request to join a registered body, a body's page with its
members and the requests waiting, and its details; an administration's colleagues, and the invitation of another."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.auth.forms import InviteForm
from codesign.core.enums import Role
from codesign.core.errors import DomainError
from codesign.core.forms import apply_errors
from codesign.db import db
from codesign.organizations import operations as ops
from codesign.organizations.forms import DetailsForm, JoinForm, OrganizationForm, PositionForm

bp = Blueprint("organizations", __name__, url_prefix="/enti")


@bp.route("/")
@login_required
def mine():
    return render_template("organizations/mine.html", organizations=ops.organizations_of(current_user),
                           requests=ops.requests_of(current_user))


def _form_page(template: str, form, exc: DomainError | None = None, **context):
    """A form shown again after a refusal: every field's message on its field, nothing stored."""
    status = 200
    if exc is not None:
        db.session.rollback()
        message = apply_errors(form, exc)
        if message:
            flash(message, "danger")
        status = exc.status
    elif form.errors:
        status = 422
    return render_template(template, form=form, **context), status


@bp.route("/nuovo", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.is_applicant:
        abort(403)
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = ops.create_organization(current_user, form.to_body())
        except DomainError as exc:
            registered = ops.registered_with(form.tax_code.data) if "tax_code" in getattr(exc, "fields", {}) else None
            return _form_page("organizations/new.html", form, exc, registered=registered)
        flash(_("Ente «%(name)s» registrato: ne sei il legale rappresentante.", name=org.name), "success")
        return redirect(url_for("organizations.page", org_id=org.id))
    return _form_page("organizations/new.html", form)


@bp.route("/unisciti", methods=["GET", "POST"])
@login_required
def join():
    if not current_user.is_applicant:
        abort(403)
    form = JoinForm(data={"tax_code": request.args.get("codice_fiscale", "")[:40]} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            req = ops.request_to_join(current_user, form.to_body())
        except DomainError as exc:
            return _form_page("organizations/join.html", form, exc)
        flash(_("Richiesta inviata ai membri di «%(name)s»: riceverai un'e-mail quando risponderanno.",
                name=req.organization.name), "success")
        return redirect(url_for("organizations.mine"))
    return _form_page("organizations/join.html", form)


@bp.route("/<int:org_id>")
@login_required
def page(org_id: int):
    org = ops.get_member_organization(current_user, org_id)
    members = ops.members(org)
    forms = {m.user_id: PositionForm(prefix=f"m{m.user_id}", data={"position": m.position.value}) for m in members}
    return render_template("organizations/page.html", org=org, members=members, forms=forms,
                           requests=ops.pending_requests(org), representative=ops.is_representative(current_user, org),
                           staying=ops.last_representative(members, current_user.id))


@bp.route("/<int:org_id>/modifica", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    org = ops.get_member_organization(current_user, org_id)
    if not ops.is_representative(current_user, org):
        abort(403)
    form = DetailsForm(data=ops.details(org) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            ops.update_organization(current_user, org, form.to_body())
        except DomainError as exc:
            return _form_page("organizations/edit.html", form, exc, org=org)
        flash(_("Dati dell'ente aggiornati."), "success")
        return redirect(url_for("organizations.page", org_id=org.id))
    return _form_page("organizations/edit.html", form, org=org)


def _done(org_id: int, action, success: str, then: str | None = None):
    """Run one change of a body's members from its page: a refusal is the page's message, and nothing changes;
    done, the person goes to `then` (the body's page by default)."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        then = None
    else:
        flash(success, "success")
    return redirect(then or url_for("organizations.page", org_id=org_id))


@bp.route("/<int:org_id>/membri/<int:user_id>/rimuovi", methods=["POST"])
@login_required
def remove_member(org_id: int, user_id: int):
    org = ops.get_member_organization(current_user, org_id)
    if user_id == current_user.id:
        return _done(org.id, lambda: ops.remove_member(current_user, org, user_id),
                     _("Hai lasciato l'ente «%(name)s».", name=org.name), then=url_for("organizations.mine"))
    return _done(org.id, lambda: ops.remove_member(current_user, org, user_id), _("Membro rimosso dall'ente."))


@bp.route("/<int:org_id>/membri/<int:user_id>/ruolo", methods=["POST"])
@login_required
def set_position(org_id: int, user_id: int):
    org = ops.get_member_organization(current_user, org_id)
    form = PositionForm(prefix=f"m{user_id}")
    return _done(org.id, lambda: ops.set_position(current_user, org, user_id, {"position": form.position.data or ""}),
                 _("Ruolo aggiornato."))


@bp.route("/<int:org_id>/richieste/<int:request_id>/<any(accetta, rifiuta):decision>", methods=["POST"])
@login_required
def decide(org_id: int, request_id: int, decision: str):
    org = ops.get_member_organization(current_user, org_id)
    approve = decision == "accetta"
    return _done(org.id, lambda: ops.decide_join(current_user, request_id, approve, organization=org),
                 _("Richiesta accettata: ora fa parte dell'ente.") if approve else _("Richiesta rifiutata."))


@bp.route("/<int:org_id>/colleghi", methods=["GET", "POST"])
@login_required
def colleagues(org_id: int):
    """The admins of an administration, and the form that invites a colleague to work for it."""
    org = ops.get_administration(current_user, org_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            m = ops.invite_colleague(current_user, org, {"email": form.email.data or "", "name": form.name.data or ""},
                                     lambda secret: url_for("auth.invitation", secret=secret, _external=True))
        except DomainError as exc:
            return _form_page("organizations/colleagues.html", form, exc, org=org, admins=ops.members(org, Role.admin))
        flash(_("Invito inviato a %(email)s: lavorerà per %(name)s appena avrà scelto la password.",
                email=m.user.email, name=org.name), "success")
        return redirect(url_for("organizations.colleagues", org_id=org.id), 303)
    return _form_page("organizations/colleagues.html", form, org=org, admins=ops.members(org, Role.admin))
