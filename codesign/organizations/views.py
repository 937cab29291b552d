"""An applicant's bodies: list and registration."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core.errors import DomainError
from codesign.core.forms import apply_errors
from codesign.db import db
from codesign.organizations import operations as ops
from codesign.organizations.forms import OrganizationForm

bp = Blueprint("organizations", __name__, url_prefix="/enti")


@bp.route("/")
@login_required
def mine():
    return render_template("organizations/mine.html", organizations=ops.organizations_of(current_user))


@bp.route("/nuovo", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.is_applicant:
        abort(403)
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = ops.create_organization(current_user, {k: form[k].data for k in
                                                         ("name", "kind", "tax_code", "runts_id", "pec", "municipality")})
        except DomainError as exc:
            db.session.rollback()
            message = apply_errors(form, exc)
            if message:
                flash(message, "danger")
            return render_template("organizations/new.html", form=form), 422
        flash(_("Ente «%(name)s» registrato.", name=org.name), "success")
        return redirect(url_for("organizations.mine"))
    return render_template("organizations/new.html", form=form), 422 if form.errors else 200
