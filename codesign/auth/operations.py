"""Service functions for people: the only code that creates or changes users and tokens.

They flush, never commit: the request (or the CLI command) commits once.
"""
from __future__ import annotations

import datetime as dt
import secrets
import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.auth.models import ApiToken, OneTimeLink, User
from codesign.auth.passwords import MIN_PASSWORD_LENGTH, check_password, hash_password
from codesign.core import audit, notifications
from codesign.core import privacy as privacy_notice
from codesign.core.enums import OrgKind, Position, Role
from codesign.core.errors import Conflict, Forbidden, GuardFailed, Invalid, NotFound
from codesign.core.notifications import Recipient, Words
from codesign.core.notifications import written as _written
from codesign.core.validation import email_address
from codesign.db import db, utcnow
from codesign.organizations.models import Membership, Organization

SYSTEM_EMAIL = "system@codesign.invalid"


def normalize_email(email: str) -> str:
    return email_address(email)


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def get_user_by_email(email: str) -> User | None:
    email = (email or "").strip().lower()
    if not email or len(email) > 254 or _has_control(email):
        return None  # no such address can be stored (and PostgreSQL refuses NUL in a query)
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()


def create_user(*, email: str, name: str, password: str | None, verified: bool, actor=None) -> User:
    """A new account. `verified`: whether the address is known to be the person's (an operator's or a demo's
    account); a self-registered or invited person proves it by opening a link mailed to it."""
    errors = {}
    try:
        email = normalize_email(email)
    except ValueError as exc:
        errors["email"] = str(exc)
    if not name or not name.strip():
        errors["name"] = "campo obbligatorio"
    elif _has_control(name):
        errors["name"] = "il nome contiene caratteri non ammessi (caratteri di controllo)"
    elif len(name.strip()) > 200:
        errors["name"] = "al massimo 200 caratteri"
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"la password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri"
    if errors:
        raise Invalid(errors)
    if get_user_by_email(email):
        raise Invalid({"email": "esiste già un utente con questo indirizzo e-mail"})
    user = User(email=email, name=name.strip(), password_hash=hash_password(password) if password else None,
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    audit.record(actor=actor or user, entity_type="user", entity_id=user.id, trigger="create_user")
    return user


def _position_of_new(role: Role, organization: Organization | None) -> Position:
    """A body's first member is its legal representative (the registrant, as they declare); later ones are members."""
    if role != Role.applicant or organization is None:
        return Position.member
    represented = db.session.execute(sa.select(Membership.id).where(
        Membership.organization_id == organization.id, Membership.role == Role.applicant,
        Membership.position == Position.legal_representative).limit(1)).first()
    return Position.member if represented else Position.legal_representative


def grant_role(user: User, role: Role, organization: Organization | None = None, actor=None) -> Membership:
    if role == Role.admin and (organization is None or organization.kind != OrgKind.pa):
        raise Invalid({"organization": "un amministratore deve indicare l'amministrazione per cui lavora"})
    for m in user.memberships:
        if m.role == role and m.organization_id == (organization.id if organization else None):
            return m
    m = Membership(user=user, role=role, organization=organization, position=_position_of_new(role, organization))
    db.session.add(m)
    db.session.flush()
    audit.record(actor=actor or user, entity_type="user", entity_id=user.id, trigger="grant_role",
                 data={"role": role.value, "organization_id": organization.id if organization else None,
                       "position": m.position.value})
    return m


def authenticate(email: str, password: str) -> User | None:
    user = get_user_by_email(email or "")
    if user is None or not user.is_active:
        # Spend the same time as a real check, so that timing does not reveal which e-mails exist.
        check_password(_DUMMY_HASH(), password or "")
        return None
    return user if check_password(user.password_hash, password or "") else None


_dummy = None


def _DUMMY_HASH() -> str:
    global _dummy
    if _dummy is None:
        _dummy = hash_password("not-a-real-password")
    return _dummy


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user.password_hash, current):
        raise Invalid({"current_password": "la password attuale non è corretta"})
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise Invalid({"new_password": f"la password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri"})
    user.password_hash = hash_password(new)
    end_sessions(user)  # every other session ends; the view gives the current one the new version
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="change_password")


def end_sessions(user: User) -> None:
    """End every session of this user: the session cookies carry the old version, which no longer loads."""
    user.session_version = (user.session_version or 0) + 1


# --- one-time links (password reset) -----------------------------------------------------------------
RESET_HOURS = 2


def issue_link(user: User, purpose: str, *, hours: int = RESET_HOURS, now=None) -> str:
    """A one-time link's secret, in clear for the e-mail; the earlier open links of the same purpose end."""
    now = now or utcnow()
    db.session.execute(sa.update(OneTimeLink).where(OneTimeLink.user_id == user.id, OneTimeLink.purpose == purpose,
                                                     OneTimeLink.used_at.is_(None)).values(used_at=now))
    secret = secrets.token_urlsafe(32)
    db.session.add(OneTimeLink(user_id=user.id, purpose=purpose, token_hash=ApiToken.hash(secret), created_at=now,
                               expires_at=now + dt.timedelta(hours=hours)))
    db.session.flush()
    return secret


def open_link(secret: str, purpose: str, *, now=None) -> OneTimeLink | None:
    """The link if it exists, is of this purpose, unused and not expired; else None (the page says why not)."""
    now = now or utcnow()
    if not secret or len(secret) > 100:
        return None
    link = db.session.execute(sa.select(OneTimeLink).where(OneTimeLink.token_hash == ApiToken.hash(secret))
                              ).scalar_one_or_none()
    if link is None or link.purpose != purpose or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def request_password_reset(email: str, reset_url, *, now=None) -> None:
    """Send a reset link if the address belongs to an active account; the caller says the same either way."""
    user = get_user_by_email(email or "")
    if user is None or not user.active:
        return
    secret = issue_link(user, "reset", now=now)
    url = reset_url(secret)
    notifications.mail_only(
        Recipient.of(user), lambda: _("Reimposta la password di codesign"),
        lambda: _("Per scegliere una nuova password apri questo collegamento entro %(hours)s ore:", hours=RESET_HOURS)
        + f"\n{url}\n\n" + _("Il collegamento vale una volta sola. Se non hai chiesto tu di reimpostare la "
                               "password, ignora questo messaggio: la password attuale resta valida.") + "\n")
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="request_password_reset")


def _set_password_through(secret: str, purpose: str, new: str, trigger: str, refusal: str, now=None) -> User:
    """Choose a password through a one-time link: the link is used up and every session of the user ends."""
    now = now or utcnow()
    link = open_link(secret, purpose, now=now)
    if link is None:
        raise GuardFailed(refusal)
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise Invalid({"new_password": f"la password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri"})
    user = link.user
    user.password_hash = hash_password(new)
    user.email_verified_at = user.email_verified_at or now  # the link came to the address
    link.used_at = now
    end_sessions(user)
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger=trigger)
    return user


def reset_password(secret: str, new: str, *, now=None) -> User:
    return _set_password_through(secret, "reset", new, "reset_password", "il collegamento non è valido, è già "
                                 "stato usato o è scaduto: chiedine uno nuovo", now)


INVITE_HOURS = 72
VERIFY_HOURS = 72


def register(*, email: str, name: str, password: str, privacy: bool, verify_url, locale: str | None = None,
             now=None) -> User:
    """A person registers as an applicant: the account (in the language they registered in), the consent to the
    privacy notice (its version and the time), and a link mailed to the address, which they open to confirm it
    before a body of theirs can submit."""
    if privacy is not True:
        raise Invalid({"privacy": "per registrarti dichiara di aver letto l'informativa sulla privacy"})
    now = now or utcnow()
    user = create_user(email=email, name=name, password=password, verified=False)
    grant_role(user, Role.applicant, None)
    user.locale = locale
    user.privacy_version, user.privacy_accepted_at = privacy_notice.NOTICE_VERSION, now
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="accept_privacy",
                 data={"version": privacy_notice.NOTICE_VERSION}, at=now)
    send_verification(user, verify_url, now=now)
    return user


def send_verification(user: User, verify_url, *, now=None) -> None:
    """Mail a link that confirms the address (a new one ends the earlier); nothing for an address confirmed."""
    if user.email_verified:
        return
    secret = issue_link(user, "verify", hours=VERIFY_HOURS, now=now)
    url = verify_url(secret)
    notifications.mail_only(
        Recipient.of(user), lambda: _("Conferma il tuo indirizzo e-mail su codesign"),
        lambda: _("Per confermare che questo indirizzo è tuo apri il collegamento entro %(hours)s ore:",
                  hours=VERIFY_HOURS)
        + f"\n{url}\n\n" + _("Finché non lo confermi, gli enti di cui fai parte non possono inviare proposte a "
                               "tuo nome. Se non ti sei registrato tu su codesign, ignora questo messaggio.") + "\n")


def confirm_email(secret: str, *, now=None) -> User:
    now = now or utcnow()
    link = open_link(secret, "verify", now=now)
    if link is None:
        raise GuardFailed("il collegamento non è valido, è già stato usato o è scaduto: chiedine uno nuovo "
                          "dalla tua area personale")
    link.used_at = now
    user = link.user
    user.email_verified_at = user.email_verified_at or now
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="verify_email", at=now)
    return user


def invite(actor: User, email: str, name: str, role: Role, organization: Organization | None, invite_url, *,
           subject: Words, lead: Words, trigger: str, now=None) -> User:
    """Invite a person by e-mail to a role (in `organization`; None: the role anywhere will do): the account is
    created without a password (or, if the person is already registered, the role is added unless held) and a
    one-time link, valid INVITE_HOURS, lets them choose one. The answer is the same whether the address had an
    account or not."""
    user = get_user_by_email(email or "")
    if user is None:
        user = create_user(email=email, name=name, password=None, verified=False, actor=actor)
    if not any(m.role == role and (organization is None or m.organization_id == organization.id)
               for m in user.memberships):
        grant_role(user, role, organization, actor=actor)
    secret = issue_link(user, "invite", hours=INVITE_HOURS, now=now)
    url = invite_url(secret)
    notifications.mail_only(
        Recipient.of(user), subject,
        lambda: _written(lead) + "\n" + _("Per attivare l'account e scegliere la password apri questo collegamento "
                                          "entro %(hours)s ore:", hours=INVITE_HOURS)
        + f"\n{url}\n\n" + _("Il collegamento vale una volta sola.") + "\n")
    audit.record(actor=actor, entity_type="user", entity_id=user.id, trigger=trigger,
                 data={"organization_id": organization.id} if organization else None)
    return user


def invite_evaluator(actor: User, email: str, name: str, invite_url, *, now=None) -> User:
    """An admin invites an evaluator by e-mail (a person who already evaluates keeps the role they have)."""
    if not actor.is_admin:
        raise Forbidden("solo un amministratore può invitare un valutatore")
    return invite(actor, email, name, Role.evaluator, None, invite_url,
                  subject=lambda: _("Invito a valutare su codesign"),
                  lead=lambda: _("%(person)s ti ha invitato come componente di commissioni di valutazione su "
                                 "codesign.", person=actor.name),
                  trigger="invite_evaluator", now=now)


def accept_invitation(secret: str, new: str, *, now=None) -> User:
    """Choose the password through an invitation link; the view then logs the person in."""
    return _set_password_through(secret, "invite", new, "accept_invitation", "l'invito non è valido, è già "
                                 "stato usato o è scaduto: chiedine uno nuovo", now)


def issue_token(user: User) -> str:
    """Create a token and return it in clear; only its hash is stored."""
    token = "cds_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token)))
    db.session.flush()
    audit.record(actor=user, entity_type="user", entity_id=user.id, trigger="issue_token")
    return token


def user_for_token(token: str) -> User | None:
    """One indexed query: the token's hash, joined to its user."""
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None or not row.user.is_active:
        return None
    return row.user


def revoke_tokens(user: User) -> int:
    rows = db.session.execute(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalars().all()
    for r in rows:
        r.revoked_at = utcnow()
    return len(rows)


def system_user() -> User:
    """The user `codesign tick` acts as (created on first use)."""
    user = get_user_by_email(SYSTEM_EMAIL)
    if user is None:
        user = User(email=SYSTEM_EMAIL, name="Sistema (operazioni pianificate)", is_system=True, active=True)
        db.session.add(user)
        db.session.flush()
    return user


def require_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("utente non trovato")
    return user


__all__ = [
    "Conflict", "authenticate", "change_password", "create_user", "end_sessions", "grant_role", "issue_token",
    "user_for_token", "system_user", "get_user_by_email",
]
