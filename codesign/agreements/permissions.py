"""Who may see and do what with an agreement: the parties see it and may upload the signed copy; only the
administration drafts it and records the signature and the start."""
from __future__ import annotations

from codesign.core.errors import Forbidden, GuardFailed
from codesign.tables.permissions import is_admin, is_party, require_party  # noqa: F401  (the same parties)

SIGNED_AGREEMENT = "signed_agreement"
HANDOVER_MINUTES = "premises_handover"     # the signed minutes of a premises' hand-over
COPIES_LIMIT = 10   # per proposal, of each kind: a signed copy (or minutes) uploaded again after a mistake


def require_admin(user, proposal) -> None:
    require_party(user, proposal)
    if not is_admin(user, proposal):
        raise Forbidden("solo l'amministrazione predispone la convenzione")


def signed_copy_rule(actor, proposal, kind):
    """Upload rule (proposals.register_attachment_rule): the signed agreement, by the body or the admin, once
    the final project is approved and before the signature is recorded."""
    if kind != SIGNED_AGREEMENT:
        return None
    if not is_party(actor, proposal):
        return Forbidden("solo le parti della convenzione possono caricarne la copia firmata")
    if proposal.state != "finalized":
        return GuardFailed("la copia firmata della convenzione si carica dopo l'approvazione del progetto definitivo "
                           "e prima di registrare la sottoscrizione")
    return True


def handover_rule(actor, proposal, kind):
    """Upload rule: the hand-over minutes come with their record (agreements.operations.record_handover)."""
    if kind != HANDOVER_MINUTES:
        return None
    return GuardFailed("il verbale di consegna dei locali si carica registrando la consegna, nella pagina della "
                       "convenzione")
