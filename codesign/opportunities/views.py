"""Pages of the funding opportunities: the open calls by deadline with filters, a page per call with its
countdown, and the admins' form to write one. The operations do the work; a refused form is shown again with each
message beside its field (422), nothing stored."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core import territory
from codesign.core.errors import DomainError
from codesign.core.forms import apply_errors
from codesign.db import db
from codesign.observatory import operations as observatory
from codesign.opportunities import operations as opportunities
from codesign.opportunities.forms import OpportunityForm

bp = Blueprint("opportunities", __name__)
FILTER_ARGS = {"tema": "theme", "richiedente": "eligible", "livello": "funder_level", "comune": "municipality"}


def municipality_section(code: str) -> dict | None:
    """The municipality page's section (observatory.views.register_municipality_section): the open opportunities
    that match it, by deadline."""
    rows = opportunities.list_open(municipality=code)
    return {"template": "opportunities/_municipality.html", "opportunities": rows,
            "levels": opportunities.LEVEL_LABELS, "applicants": opportunities.APPLICANT_LABELS} if rows else None


@bp.route("/opportunita")
def public_list():
    filters = {key: (request.args.get(arg) or "").strip()[:200] for arg, key in FILTER_ARGS.items()}
    filters = {k: v for k, v in filters.items() if v}
    rows = opportunities.list_open(**filters)
    return render_template("opportunities/list.html", rows=rows, filters=filters, facets=opportunities.facets(),
                           levels=opportunities.LEVEL_LABELS, applicants=opportunities.APPLICANT_LABELS,
                           municipalities=territory.choices(),
                           can_write=current_user.is_authenticated and current_user.is_admin)


@bp.route("/opportunita/<int:opportunity_id>")
def detail(opportunity_id: int):
    o = opportunities.to_dict(opportunities.get(opportunity_id))
    names = [territory.name_of(code) for code in o["territory"]] if o["territory"] != "all" else None
    return render_template("opportunities/detail.html", o=o, territory_names=names,
                           levels=opportunities.LEVEL_LABELS, applicants=opportunities.APPLICANT_LABELS)


@bp.route("/opportunita/nuova", methods=["GET", "POST"])
@login_required
def new():
    observatory.require_admin(current_user)
    form = OpportunityForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                o = opportunities.create(current_user, form.to_body())
            except DomainError as exc:
                db.session.rollback()
                message = apply_errors(form, exc)
                return render_template("opportunities/form.html", form=form, message=message), exc.status
            flash(_("Bando pubblicato tra le opportunità."), "success")
            return redirect(url_for("opportunities.detail", opportunity_id=o.id))
        return render_template("opportunities/form.html", form=form, message=None), 422
    return render_template("opportunities/form.html", form=form, message=None)
