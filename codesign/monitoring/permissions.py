"""Who may see and do what in monitoring: the parties of the agreement see the reports, the dashboards and the
payments (the body's members and the call's admins); the body writes and submits its reports; only the
administration approves, returns and records payments. Evaluators have no part in it (403), others 404."""
from __future__ import annotations

from codesign.core.errors import Forbidden, GuardFailed
from codesign.proposals.operations import is_member
from codesign.tables.permissions import is_admin, is_party, require_party, require_procedure_admin  # noqa: F401

EDITABLE = ("due", "returned")


def is_owner(user, report) -> bool:
    return is_member(user, report.proposal)


def can_edit(user, report) -> bool:
    return is_owner(user, report) and report.state in EDITABLE and report.proposal.state == "started"


def require_owner(user, report) -> None:
    require_party(user, report.proposal)
    if not is_owner(user, report):
        raise Forbidden("solo l'ente beneficiario compila le proprie relazioni")


def require_editable(user, report) -> None:
    require_owner(user, report)
    if report.proposal.state != "started":
        raise GuardFailed("le relazioni si compilano mentre il progetto è avviato")
    if report.state not in EDITABLE:
        raise GuardFailed("la relazione è già stata presentata: si modifica solo se l'amministrazione la restituisce")


def require_admin(user, proposal) -> None:
    require_party(user, proposal)
    if not is_admin(user, proposal):
        raise Forbidden("solo l'amministrazione registra i pagamenti")
