"""Who may see and do what at a co-design table: one place, asked by the operations, the API and the pages.

The parties of a table are the body that proposed the project (its members) and the administration that
published the call (its admins); evaluators have no part in co-design."""
from __future__ import annotations

from codesign.core.errors import Forbidden, GuardFailed, NotFound
from codesign.proposals import operations as proposals


def is_admin(user, proposal) -> bool:
    return proposals.is_admin(user, proposal)


def is_party(user, proposal) -> bool:
    return proposals.is_member(user, proposal) or proposals.is_admin(user, proposal)


def can_edit_versions(user, proposal) -> bool:
    return is_party(user, proposal) and proposal.state == "in_codesign"


def can_record_meetings(user, proposal) -> bool:
    return is_admin(user, proposal) and proposal.state == "in_codesign"


def require_party(user, proposal) -> None:
    """Someone who can see the proposal but is not a party (an evaluator) is told 403; anyone else 404."""
    if is_party(user, proposal):
        return
    if user is not None and proposals.can_view(user, proposal):
        raise Forbidden("solo l'amministrazione e l'ente proponente partecipano al tavolo di co-progettazione")
    raise NotFound("proposta non trovata")


def require_admin(user, proposal) -> None:
    require_party(user, proposal)
    if not is_admin(user, proposal):
        raise Forbidden("solo l'amministrazione può registrare gli incontri del tavolo")


def require_procedure_admin(user, procedure) -> None:
    if user is None or procedure.administration_id not in user.administration_ids:
        raise Forbidden("solo un amministratore dell'ente che ha pubblicato l'avviso può farlo")


SHARED_DOCUMENT = "codesign_document"
SHARED_DOCUMENTS_LIMIT = 100   # per proposal: the table's working papers


def shared_document_rule(actor, proposal, kind):
    """Upload rule (proposals.register_attachment_rule): the table's shared documents, by either party,
    while the table is open."""
    if kind != SHARED_DOCUMENT:
        return None
    if not is_party(actor, proposal):
        return Forbidden("solo le parti del tavolo possono condividere documenti")
    if proposal.state != "in_codesign":
        return GuardFailed("i documenti del tavolo si condividono mentre il tavolo di co-progettazione è aperto")
    return True
