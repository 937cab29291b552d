"""Service functions for organisations, their members and the requests to join them.

A body's members are its people with the applicant role there; the first is its legal representative
(auth.operations.grant_role). Any member answers a request to join; a legal representative edits the body, names
other representatives and removes members; anyone may leave, except the last legal representative."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from codesign.auth.models import User
from codesign.auth.operations import get_user_by_email, grant_role, invite
from codesign.core import audit, notifications
from codesign.core.enums import LegalForm, OrgKind, Position, Role
from codesign.core.errors import Conflict, Forbidden, Invalid, NotFound
from codesign.core.notifications import Recipient
from codesign.core.schemas import parse
from codesign.db import db, utcnow
from codesign.organizations.models import JoinRequest, Membership, Organization
from codesign.organizations.schemas import InviteIn, JoinRequestIn, MemberPatch, OrganizationIn, OrganizationPatch
from codesign.organizations.taxcode import normalize_tax_code


def find_by_tax_code(tax_code: str) -> Organization | None:
    return db.session.execute(sa.select(Organization).where(Organization.tax_code == tax_code)).scalar_one_or_none()


def registered_with(tax_code_text: str) -> Organization | None:
    """The body registered with this tax code as a person typed it (None for a code that is not valid)."""
    try:
        return find_by_tax_code(normalize_tax_code(tax_code_text))
    except ValueError:
        return None


ALREADY_REGISTERED = ("un'organizzazione con questo codice fiscale è già registrata: se ne fai parte, chiedi di "
                      "unirti da «Chiedi di unirti a un ente»")


def create_organization(actor: User, data) -> Organization:
    """An applicant registers a body (or an administration that applies, kind `pa`) and becomes its legal
    representative. A tax code already registered is refused, pointing to the request to join it."""
    if not actor.is_applicant:
        raise Forbidden("solo un richiedente può registrare un ente")
    clean = parse(OrganizationIn, data)
    if find_by_tax_code(clean.tax_code):
        raise Invalid({"tax_code": ALREADY_REGISTERED})
    values = clean.model_dump()
    org = Organization(**values | {"kind": OrgKind(clean.kind),
                                   "legal_form": LegalForm(clean.legal_form) if clean.legal_form else None})
    try:  # another person registered the same code a moment earlier
        with db.session.begin_nested():
            db.session.add(org)
    except IntegrityError:
        raise Invalid({"tax_code": ALREADY_REGISTERED}) from None
    audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="create_organization")
    grant_role(actor, Role.applicant, org, actor=actor)
    return org


def _body_member(user: User, org: Organization) -> Membership | None:
    return next((m for m in user.memberships if m.role == Role.applicant and m.organization_id == org.id), None)


def _require_member(user: User, org: Organization) -> Membership:
    m = _body_member(user, org)
    if m is None:
        raise Forbidden("non fai parte di questo ente")
    return m


def _require_representative(user: User, org: Organization, what: str) -> None:
    if _require_member(user, org).position != Position.legal_representative:
        raise Forbidden(f"solo un legale rappresentante dell'ente può {what}")


def is_representative(user: User, org: Organization) -> bool:
    m = _body_member(user, org)
    return m is not None and m.position == Position.legal_representative


def details(org: Organization) -> dict:
    """The details a legal representative may change, as plain values (an enum as its value)."""
    values = {field: getattr(org, field) for field in OrganizationPatch.model_fields}
    return {field: getattr(value, "value", value) for field, value in values.items()}


def update_organization(actor: User, org: Organization, data) -> Organization:
    """A legal representative changes the body's details (not its tax code); the audit keeps old and new values."""
    _require_representative(actor, org, "modificarne i dati")
    clean = parse(OrganizationPatch, data)
    changed = {}
    stored = details(org)
    for field in sorted(clean.model_fields_set):
        value = getattr(clean, field)
        if stored[field] != value:
            changed[field] = [stored[field], value]
            setattr(org, field, LegalForm(value) if field == "legal_form" and value else value)
    if changed:
        audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="update_organization",
                     data=changed)
    return org


# --- members -------------------------------------------------------------------------------------------------------
def members(org: Organization, role: Role = Role.applicant) -> list[Membership]:
    """The body's members (an administration's admins: role admin), legal representatives first, by name (one
    query)."""
    return list(db.session.execute(
        sa.select(Membership).join(User, User.id == Membership.user_id)
        .options(contains_eager(Membership.user).lazyload(User.memberships))
        .where(Membership.organization_id == org.id, Membership.role == role)
        .order_by(Membership.position != Position.legal_representative, User.name, User.id)).scalars())


def _lock(org: Organization) -> None:
    """Hold the body's row while its members change, so that two representatives cannot each remove the other."""
    db.session.execute(sa.select(Organization.id).where(Organization.id == org.id).with_for_update())


def _member_to_change(org: Organization, user_id: int) -> tuple[Membership, list[Membership]]:
    _lock(org)
    everyone = members(org)
    target = next((m for m in everyone if m.user_id == user_id), None)
    if target is None:
        raise NotFound("questa persona non fa parte dell'ente")
    return target, everyone


def last_representative(everyone: list[Membership], user_id: int) -> bool:
    """Whether this person is the body's only legal representative (who can neither leave nor stop being one)."""
    representatives = [m.user_id for m in everyone if m.position == Position.legal_representative]
    return representatives == [user_id]


LAST_REPRESENTATIVE = ("l'ente deve avere almeno un legale rappresentante: prima nomina legale rappresentante un altro "
                       "membro")


def remove_member(actor: User, org: Organization, user_id: int) -> None:
    """A member leaves the body, or a legal representative removes a member; never its last legal representative."""
    _require_member(actor, org)
    if user_id != actor.id:
        _require_representative(actor, org, "rimuovere un membro")
    target, everyone = _member_to_change(org, user_id)
    if last_representative(everyone, user_id):
        raise Conflict(LAST_REPRESENTATIVE)
    db.session.delete(target)
    db.session.flush()
    audit.record(actor=actor, entity_type="organization", entity_id=org.id,
                 trigger="leave_organization" if user_id == actor.id else "remove_member", data={"user_id": user_id})


def set_position(actor: User, org: Organization, user_id: int, data) -> Membership:
    """A legal representative names a member legal representative, or a representative a member again."""
    _require_representative(actor, org, "cambiare il ruolo di un membro")
    position = Position(parse(MemberPatch, data).position)
    target, everyone = _member_to_change(org, user_id)
    if target.position == position:
        return target
    if position == Position.member and last_representative(everyone, user_id):
        raise Conflict(LAST_REPRESENTATIVE)
    before, target.position = target.position, position
    audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="set_position",
                 data={"user_id": user_id, "from": before.value, "to": position.value})
    return target


def member_dict(m: Membership) -> dict:
    return {"user_id": m.user_id, "name": m.user.name, "email": m.user.email, "position": m.position.value,
            "since": m.created_at.isoformat()}


# --- requests to join ----------------------------------------------------------------------------------------------
def request_to_join(actor: User, data, *, now=None) -> JoinRequest:
    """A registered applicant asks to join the body with this tax code; its members are told by mail."""
    if not actor.is_applicant:
        raise Forbidden("solo un richiedente può chiedere di unirsi a un ente")
    clean = parse(JoinRequestIn, data)
    org = find_by_tax_code(clean.tax_code)
    if org is None:
        raise Invalid({"tax_code": "nessun ente registrato con questo codice fiscale: puoi registrarlo tu"})
    if _body_member(actor, org):
        raise Conflict("fai già parte di questo ente")
    now = now or utcnow()
    req = db.session.execute(sa.select(JoinRequest).where(JoinRequest.organization_id == org.id,
                                                          JoinRequest.user_id == actor.id)
                             .with_for_update(of=JoinRequest)
                             ).scalar_one_or_none()
    if req is not None and req.state == "pending":
        raise Conflict("hai già chiesto di unirti a questo ente: la richiesta attende la risposta di un membro")
    if req is None:
        req = JoinRequest(organization_id=org.id, user_id=actor.id)
        try:  # the same request sent twice at once
            with db.session.begin_nested():
                db.session.add(req)
        except IntegrityError:
            raise Conflict("hai già chiesto di unirti a questo ente") from None
    req.state, req.message, req.created_at = "pending", clean.message, now
    req.decided_at = req.decided_by_id = None
    notify_members(org.id, Role.applicant, lambda: _("Richiesta di unirsi a %(body)s", body=org.name[:200]),
                   lambda: _("%(person)s (%(email)s) chiede di unirsi all'ente «%(body)s» su codesign.",
                             person=actor.name, email=actor.email, body=org.name) + "\n"
                   + ("\n" + _("Il suo messaggio: %(text)s", text=clean.message) + "\n" if clean.message else "")
                   + "\n" + _("Puoi accettare o rifiutare la richiesta dalla pagina dei membri dell'ente. Chi entra "
                              "potrà lavorare alle proposte dell'ente."),
                   link=notifications.path("organizations.page", org_id=org.id))
    audit.record(actor=actor, entity_type="organization", entity_id=org.id, trigger="request_to_join",
                 data={"request_id": req.id}, at=now)
    return req


def pending_requests(org: Organization) -> list[JoinRequest]:
    return list(db.session.execute(
        sa.select(JoinRequest).options(joinedload(JoinRequest.user).lazyload(User.memberships))
        .where(JoinRequest.organization_id == org.id, JoinRequest.state == "pending")
        .order_by(JoinRequest.created_at, JoinRequest.id)).scalars())


def requests_of(user: User) -> list[JoinRequest]:
    """The requests this person sent that still wait, or were refused (a person sees their own answer)."""
    return list(db.session.execute(sa.select(JoinRequest).where(
        JoinRequest.user_id == user.id, JoinRequest.state != "approved").order_by(JoinRequest.id)).scalars())


def decide_join(actor: User, request_id: int, approve: bool, *, organization: Organization | None = None,
                now=None) -> JoinRequest:
    """A member of the body approves (the person becomes a member) or refuses a pending request; the person is told.
    `organization`, where given, is the body the request must be for (a page's address names it)."""
    req = db.session.execute(sa.select(JoinRequest).where(JoinRequest.id == request_id).with_for_update(of=JoinRequest)
                             ).scalar_one_or_none()
    if (req is None or _body_member(actor, req.organization) is None
            or (organization is not None and req.organization_id != organization.id)):
        raise NotFound("richiesta non trovata")
    if req.state != "pending":
        raise Conflict("la richiesta ha già avuto risposta")
    now = now or utcnow()
    req.state, req.decided_at, req.decided_by_id = ("approved" if approve else "refused"), now, actor.id
    org = req.organization
    if approve:
        grant_role(req.user, Role.applicant, org, actor=actor)

    def subject():
        if approve:
            return _("Richiesta di unirti a %(body)s: accettata", body=org.name[:200])
        return _("Richiesta di unirti a %(body)s: non accolta", body=org.name[:200])

    def text():
        if approve:
            return _("%(person)s ha accettato la tua richiesta: ora fai parte dell'ente «%(body)s» su codesign e "
                     "puoi lavorare alle sue proposte.", person=actor.name, body=org.name)
        return _("La tua richiesta di unirti all'ente «%(body)s» su codesign non è stata accolta. Per chiarimenti "
                 "rivolgiti direttamente all'ente.", body=org.name)

    notifications.notify([Recipient.of(req.user)], subject, text, link=notifications.path("organizations.page", org_id=org.id) if approve else None)
    audit.record(actor=actor, entity_type="organization", entity_id=org.id,
                 trigger="approve_join" if approve else "refuse_join",
                 data={"request_id": req.id, "user_id": req.user_id}, at=now)
    return req


def join_request_dict(req: JoinRequest) -> dict:
    return {"id": req.id, "organization_id": req.organization_id, "organization": req.organization.name,
            "user_id": req.user_id, "name": req.user.name, "email": req.user.email, "state": req.state,
            "message": req.message, "created_at": req.created_at.isoformat(),
            "decided_at": req.decided_at.isoformat() if req.decided_at else None}


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


def get_member_organization(user: User, org_id: int) -> Organization:
    """A body the user is a member of (404 otherwise: who belongs to a body is its members' business)."""
    org = db.session.get(Organization, org_id)
    if org is None or org.id not in user.body_ids:
        raise NotFound("organizzazione non trovata")
    return org


def get_administration(user: User, org_id: int) -> Organization:
    """An administration the user works for as an admin (404 otherwise)."""
    org = db.session.get(Organization, org_id)
    if org is None or org.id not in user.administration_ids:
        raise NotFound("amministrazione non trovata")
    return org


def administrations_of(user: User) -> list[Organization]:
    return sorted((m.organization for m in user.memberships if m.role == Role.admin), key=lambda o: (o.name, o.id))


def invite_colleague(actor: User, administration: Organization, data, invite_url, *, now=None) -> Membership:
    """An admin invites a colleague to work for the same administration (an account made for them if they have
    none); a person who already works for it is refused (409), nothing sent."""
    if administration.id not in actor.administration_ids:
        raise NotFound("amministrazione non trovata")
    clean = parse(InviteIn, data)
    known = get_user_by_email(clean.email)
    if known is not None and administration.id in known.administration_ids:
        raise Conflict(f"{clean.email} lavora già per {administration.name}")
    user = invite(actor, clean.email, clean.name, Role.admin, administration, invite_url,
                  subject=lambda: _("Invito a lavorare per %(administration)s su codesign",
                                    administration=administration.name[:200]),
                  lead=lambda: _("%(person)s ti ha invitato a gestire gli avvisi di %(administration)s su codesign.",
                                 person=actor.name, administration=administration.name),
                  trigger="invite_admin", now=now)
    return next(m for m in user.memberships if m.role == Role.admin and m.organization_id == administration.id)


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
        "legal_form": org.legal_form.value if org.legal_form else None,
        "address": org.address,
    }


def recipients(org_ids, role: Role) -> dict[int, list[Recipient]]:
    """The active members of each organisation in a role, as people to notify (one query)."""
    out: dict[int, list[Recipient]] = {}
    ids = set(org_ids)
    if not ids:
        return out
    rows = db.session.execute(sa.select(Membership.organization_id, User.id, User.email, User.locale)
                              .join(User, User.id == Membership.user_id)
                              .where(Membership.organization_id.in_(ids), Membership.role == role,
                                     User.active.is_(True)).order_by(User.email))
    for org_id, user_id, email, locale in rows:
        out.setdefault(org_id, []).append(Recipient(user_id, email, locale))
    return out


def notify_members(org_id: int, role: Role, subject: notifications.Words, body: notifications.Words, *,
                   link: str | None = None) -> None:
    """Tell every active member of an organisation in a role (a body's members, an administration's admins)."""
    notifications.notify(recipients({org_id}, role).get(org_id, []), subject, body, link=link)
