"""The application machine (DOMAIN.md, "Funding opportunities"), declared once as a table: the office records that
a municipality or a body is `interested` in an opportunity, that it `submitted` its application (with its
partners), and the funder's answer — `funded`, when the application becomes an external project of the
observatory with its CUP, or `not_funded`."""
from __future__ import annotations

from codesign.core import territory
from codesign.core.enums import N_
from codesign.core.schemas import money_text
from codesign.core.workflow import Context, Transition, Workflow
from codesign.db import db
from codesign.observatory import operations as observatory
from codesign.opportunities.schemas import FundParams
from codesign.organizations.models import Organization

STATES = {
    "interested": N_("interessato"),
    "submitted": N_("candidatura presentata"),
    "funded": N_("finanziata"),
    "not_funded": N_("non finanziata"),
}

OFFICE = frozenset({"admin"})


def lead_identity(a) -> tuple[str, str | None, str | None]:
    """The lead's name, tax code and municipality (ISTAT code): a municipality's own, or a body's seat."""
    if a.lead_municipality:
        return f"Comune di {territory.name_of(a.lead_municipality)}", None, a.lead_municipality
    body = db.session.get(Organization, a.lead_organization_id)
    return body.name, body.tax_code, territory.resolve(body.municipality)


def place_of(a) -> str | None:
    """Where the funded project will be: the lead's municipality, else the first partner municipality."""
    return lead_identity(a)[2] or next(iter(a.partner_municipalities or []), None)


# --- guards ----------------------------------------------------------------------------------------------
def has_place(ctx: Context):
    """The project has a municipality of the territory: the lead's (a body's seat) or a partner's."""
    if place_of(ctx.row) is None:
        return ("il capofila è un ente senza sede nel territorio e non ci sono comuni partner: il progetto "
                "finanziato non avrebbe un comune")
    return None


# --- effects ---------------------------------------------------------------------------------------------
def on_fund(ctx: Context) -> None:
    """The application becomes an external project of the observatory (its CUP, the grant, the dates; programme and
    theme from the opportunity), which keeps the link to it."""
    a, p = ctx.row, ctx.params
    o = a.opportunity
    name, tax_code, _town = lead_identity(a)
    project = observatory.create_project(ctx.user, {
        "cup": p["cup"], "title": a.title, "programme": o.programme[:300],
        "description": f"Finanziato dal bando «{o.title}» ({o.funder}).",
        "theme": p.get("theme") or o.themes[0], "municipality": place_of(a),
        "beneficiary": {"name": name, **({"tax_code": tax_code} if tax_code else {})},
        "public_funding": money_text(p["public_funding"]), "planned_start": p["planned_start"].isoformat(),
        "planned_end": p["planned_end"].isoformat(), "state": "planned"}, now=ctx.now)
    a.project_id = project.id


TABLE = [
    Transition("submit", ("interested",), "submitted", OFFICE, label=N_("Candidatura presentata")),
    Transition("fund", ("submitted",), "funded", OFFICE, (has_place,),
               needs=("cup", "public_funding", "planned_start", "planned_end"), label=N_("Finanziata"),
               effect=on_fund, params=FundParams),
    Transition("reject", ("submitted",), "not_funded", OFFICE, label=N_("Non finanziata"), style="danger"),
]


def relation(user, application) -> set[str]:
    return {"admin"} if user.is_admin else set()


def audit_data(application) -> dict:
    return {"opportunity_id": application.opportunity_id}


def touched(ctx: Context) -> None:
    ctx.row.updated_at = ctx.now


workflow = Workflow(N_("candidatura a un bando"), "application", STATES, TABLE, relation, initial="interested",
                    audit_data=audit_data, on_move=touched)
