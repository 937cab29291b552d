"""Service functions for organisations and memberships."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.core import audit
from codesign.core.enums import OrgKind, Role
from codesign.core.errors import Forbidden, Invalid, NotFound
from codesign.core.validation import Collector, text
from codesign.db import db
from codesign.organizations.models import Membership, Organization
from codesign.organizations.taxcode import normalize_tax_code


def _kind(value) -> OrgKind:
    try:
        return OrgKind(value)
    except ValueError as exc:
        raise ValueError("tipo non valido: usare ets, pa oppure other") from exc


def _pec(value):
    value = text(value, required=False, max_length=254)
    if value and "@" not in value:
        raise ValueError("indirizzo PEC non valido")
    return value


def validate_organization(data: dict) -> dict:
    """Check the fields of an organisation; raise Invalid naming every bad field."""
    if not isinstance(data, dict):
        raise Invalid({"body": "atteso un oggetto JSON"})
    c = Collector()
    clean = {
        "name": c("name", text, data.get("name"), max_length=300),
        "kind": c("kind", _kind, data.get("kind", "ets")),
        "tax_code": c("tax_code", normalize_tax_code, data.get("tax_code") if isinstance(data.get("tax_code"), str) else ""),
        "runts_id": c("runts_id", text, data.get("runts_id"), required=False, max_length=50),
        "pec": c("pec", _pec, data.get("pec")),
        "municipality": c("municipality", text, data.get("municipality"), required=False, max_length=120),
    }
    c.raise_if_any()
    return clean


def find_by_tax_code(tax_code: str) -> Organization | None:
    return db.session.execute(sa.select(Organization).where(Organization.tax_code == tax_code)).scalar_one_or_none()


def create_organization(actor: User, data: dict) -> Organization:
    """An applicant registers a body and becomes its member."""
    if not actor.is_applicant:
        raise Forbidden("solo un richiedente può registrare un ente")
    clean = validate_organization(data)
    if find_by_tax_code(clean["tax_code"]):
        raise Invalid({"tax_code": "un'organizzazione con questo codice fiscale è già registrata"})
    if clean["kind"] == OrgKind.pa:
        # Bodies that apply are Third Sector bodies or others; an administration is created by the operators.
        raise Invalid({"kind": "un richiedente non può registrare una pubblica amministrazione"})
    org = Organization(**clean)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user=actor, organization=org, role=Role.applicant))
    db.session.flush()
    audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="create_organization")
    return org


def get_or_create_administration(name: str, actor=None) -> Organization:
    name = (name or "").strip()
    if not name:
        raise Invalid({"organization": "indicare l'amministrazione"})
    org = db.session.execute(
        sa.select(Organization).where(Organization.name == name, Organization.kind == OrgKind.pa)
    ).scalar_one_or_none()
    if org is None:
        org = Organization(name=name, kind=OrgKind.pa)
        db.session.add(org)
        db.session.flush()
        audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="create_organization")
    return org


def get_visible_organization(user: User, org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None or not can_view(user, org):
        raise NotFound("organizzazione non trovata")
    return org


def can_view(user: User, org: Organization) -> bool:
    return org.id in user.body_ids or org.id in user.administration_ids


def organizations_of(user: User) -> list[Organization]:
    ids = user.body_ids
    if not ids:
        return []
    return list(db.session.execute(sa.select(Organization).where(Organization.id.in_(ids)).order_by(Organization.name)).scalars())


def registered_bodies() -> list[Organization]:
    """Every body registered (not an administration), by name: those the office can name in a network."""
    return list(db.session.execute(sa.select(Organization).where(Organization.kind != OrgKind.pa)
                                   .order_by(Organization.name, Organization.id)).scalars())


def to_dict(org: Organization) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind.value,
        "tax_code": org.tax_code,
        "runts_id": org.runts_id,
        "pec": org.pec,
        "municipality": org.municipality,
    }


def member_emails(org_ids, role: Role) -> dict[int, list[str]]:
    """The active members' addresses of each organisation, for notifications (one query)."""
    out: dict[int, list[str]] = {}
    ids = set(org_ids)
    if not ids:
        return out
    rows = db.session.execute(sa.select(Membership.organization_id, User.email).join(User, User.id == Membership.user_id)
                              .where(Membership.organization_id.in_(ids), Membership.role == role,
                                     User.active.is_(True)).order_by(User.email))
    for org_id, email in rows:
        out.setdefault(org_id, []).append(email)
    return out
