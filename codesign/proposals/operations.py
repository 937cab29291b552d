"""Service functions for proposals: drafting, attachments, submission, admissibility."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from codesign.core import audit, files, receipts, search
from codesign.core import validation as v
from codesign.core.errors import Forbidden, GuardFailed, Invalid, NotFound
from codesign.core.schemas import parse
from codesign.db import count_rows, db, utcnow
from codesign.organizations.models import Organization
from codesign.procedures.models import Procedure
from codesign.proposals.effects import content_digest, receipt_of, submission_problems  # noqa: F401  (part of this API)
from codesign.proposals.models import Attachment, Proposal
from codesign.proposals.schemas import ProposalCreate, ProposalPatch
from codesign.proposals.workflow import rome_today, workflow

# --- parsing ---------------------------------------------------------------------------------------------
def parse_content(proc: Procedure, data: dict, *, partial: bool) -> dict:
    """The proposal's fields present in `data`, clean (the lot as the call's Lot, partners as dicts, `null`
    partners as none), or Invalid naming every field (proposals.schemas)."""
    body = parse(ProposalPatch if partial else ProposalCreate, data, context={"procedure": proc})
    clean = {name: getattr(body, name) for name in body.model_fields_set if name != "organization_id"}
    if "lot" in clean:
        clean["lot"] = proc.lot_by_code(clean["lot"])
    if "partners" in clean:
        clean["partners"] = [p.model_dump() for p in clean["partners"] or []]
    return clean


# --- visibility -----------------------------------------------------------------------------------------
def is_member(user, proposal: Proposal) -> bool:
    return user is not None and proposal.organization_id in user.body_ids


def is_admin(user, proposal: Proposal) -> bool:
    return user is not None and proposal.procedure.administration_id in user.administration_ids


# Later modules that let more people see a call's proposals (the evaluation committee) register a pair
# (can_view(user, proposal) -> bool, condition(user, procedure) -> SQL condition or None) at init_app.
VIEWERS: list[tuple] = []


def register_viewer(can_view_one, condition) -> None:
    if (can_view_one, condition) not in VIEWERS:
        VIEWERS.append((can_view_one, condition))


# Later modules that show a proposal differently to their people (an evaluator sees only title, body and
# partners before declaring on conflicts) register a redactor (user, proposal, data) -> data at init_app.
REDACTORS: list = []


def register_redactor(redact) -> None:
    if redact not in REDACTORS:
        REDACTORS.append(redact)


def as_seen_by(user, p: Proposal, *, now=None) -> dict:
    """The proposal as this user may see it: to_dict, then every registered redactor."""
    data = to_dict(p, user, now=now)
    for redact in REDACTORS:
        data = redact(user, p, data)
    return data


def can_view(user, proposal: Proposal) -> bool:
    return (is_member(user, proposal) or is_admin(user, proposal)
            or any(one(user, proposal) for one, _ in VIEWERS))


def get_visible(user, proposal_id: int) -> Proposal:
    proposal = db.session.execute(sa.select(Proposal).where(Proposal.id == proposal_id)).unique().scalar_one_or_none()
    if proposal is None or not can_view(user, proposal):
        raise NotFound("proposta non trovata")
    return proposal


def visible_query(user, procedure: Procedure):
    q = sa.select(Proposal).where(Proposal.procedure_id == procedure.id)
    if user is not None and procedure.administration_id in user.administration_ids:
        return q
    conds = []
    if user is not None and user.body_ids:
        conds.append(Proposal.organization_id.in_(user.body_ids))
    for _, condition in VIEWERS:
        cond = condition(user, procedure)
        if cond is not None:
            conds.append(cond)
    if not conds:
        return q.where(sa.false())
    return q.where(sa.or_(*conds))


# How a list of proposals may be sorted: by receipt number (the default), newest submission first, largest
# contribution asked first, by body, by title, by lot and position in the ranking; ties always by receipt number,
# then id.
SORTS = {
    "number": (),
    "recent": (Proposal.submitted_at.desc().nulls_last(),),
    "amount": (Proposal.requested_amount.desc(),),
    "body": (sa.func.lower(Organization.name),),
    "title": (sa.func.lower(Proposal.title),),
    "ranking": (Proposal.lot_id, Proposal.ranking_total.desc().nulls_last()),
}


def list_query(user, procedure: Procedure, *, received: bool = False, states=None, lot: str | None = None,
               text: str | None = None, sort: str = "number"):
    """The proposals of a call `user` may see, filtered (`received`: submitted once, so numbered; states, a lot's
    code, a text: core.search over the title,
    the summary, the body's name and tax code, and the receipt number) and sorted (SORTS). An unknown lot or
    sort is a 422, never an empty list that looks like an answer."""
    chosen_lot = procedure.lot_by_code(lot) if lot is not None else None
    if lot is not None and chosen_lot is None:
        raise Invalid({"lot": f"l'avviso non ha un lotto «{lot}»"})
    if sort not in SORTS:
        raise Invalid({"sort": "ordinamento non previsto: " + ", ".join(SORTS)})
    if states and not set(states) <= set(workflow.states):
        raise Invalid({"state": "stato non previsto: " + ", ".join(workflow.states)})
    q = (visible_query(user, procedure).join(Organization, Organization.id == Proposal.organization_id)
         .options(contains_eager(Proposal.organization)))
    if received:
        q = q.where(Proposal.protocol_number.isnot(None))
    if states:
        q = q.where(Proposal.state.in_(states))
    if chosen_lot is not None:
        q = q.where(Proposal.lot_id == chosen_lot.id)
    found = search.condition(text, (Proposal.title, Proposal.summary, Organization.name, Organization.tax_code),
                             (Proposal.protocol_number,))
    if found is not None:
        q = q.where(found)
    return q.order_by(*SORTS[sort], Proposal.protocol_number.asc().nulls_last(), Proposal.id)


def list_visible(user, procedure: Procedure, *, limit=100, offset=0, **filters):
    """One page of list_query (its filters), and how many proposals it holds in all."""
    q = list_query(user, procedure, **filters)
    total = count_rows(q.order_by(None))
    rows = db.session.execute(q.limit(limit).offset(offset)).unique().scalars().all()
    return list(rows), total


def proposals_of_user(user, *, limit=200):
    if not user.body_ids:
        return []
    return list(db.session.execute(
        sa.select(Proposal).where(Proposal.organization_id.in_(user.body_ids))
        .order_by(Proposal.created_at.desc()).limit(limit)).unique().scalars())


# --- drafting -----------------------------------------------------------------------------------------
def create_proposal(actor, proc: Procedure, data: dict, *, now=None) -> Proposal:
    now = now or utcnow()
    if not actor.is_applicant:
        raise Forbidden("solo un ente richiedente può presentare una proposta")
    clean = parse_content(proc, data, partial=False)
    org_id = data["organization_id"]
    if org_id not in actor.body_ids:
        raise Forbidden("puoi presentare proposte solo per gli enti di cui fai parte")
    if proc.state != "published" or proc.deadline_passed(now):
        raise GuardFailed("l'avviso non accetta proposte: non è pubblicato o la scadenza è passata")
    org = db.session.get(Organization, org_id)
    proposal = Proposal(procedure=proc, organization=org, lot=clean.pop("lot"), state="draft", created_by_id=actor.id,
                        partners=clean.pop("partners", []), summary=clean.pop("summary", None),
                        declarations={}, **clean)
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="create", to_state="draft")
    return proposal


def update_proposal(actor, proposal: Proposal, data: dict) -> Proposal:
    if not is_member(actor, proposal):
        raise Forbidden("solo l'ente che ha redatto la proposta può modificarla")
    if proposal.state != "draft":
        raise GuardFailed("la proposta è già stata inviata: il contenuto non si può più modificare")
    clean = parse_content(proposal.procedure, data, partial=True)
    for k, value in clean.items():
        setattr(proposal, k, value)
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="update",
                 data={"fields": sorted(clean)})
    return proposal


# --- attachments ----------------------------------------------------------------------------------------
def document_summary(att: Attachment) -> dict:
    """What the JSON says of a document: id, name, size, SHA-256 (its download is `/allegati/{id}`)."""
    return {"id": att.id, "name": att.name, "size": att.size, "sha256": att.sha256}


# Later modules allow more uploads (the co-design table's shared documents, the signed agreement): a rule
# (actor, proposal, kind) -> None when the kind is not its own, True when it allows the upload, or the
# DomainError to raise. Registered at init_app; the first rule that answers decides.
ATTACHMENT_RULES: list = []


def register_attachment_rule(rule) -> None:
    if rule not in ATTACHMENT_RULES:
        ATTACHMENT_RULES.append(rule)


def _upload_verdict(actor, proposal: Proposal, kind: str):
    for rule in ATTACHMENT_RULES:
        verdict = rule(actor, proposal, kind)
        if verdict is not None:
            return verdict
    return None


def new_attachment(actor, proposal: Proposal, *, kind: str, name: str, data: bytes, content_type: str,
                   integration=None) -> Attachment:
    """Keep checked bytes as a document of the proposal (the caller checked who, when and what), within the
    number of documents its kind allows (409 beyond it)."""
    _require_room(proposal, kind)
    digest = files.store(data)
    att = Attachment(proposal=proposal, kind=kind, name=name, size=len(data), sha256=digest,
                     content_type=content_type, uploaded_by_id=actor.id,
                     for_integration_id=integration.id if integration else None)
    db.session.add(att)
    db.session.flush()
    return att


def _require_room(proposal: Proposal, kind: str) -> None:
    """A proposal carries at most OWN_DOCUMENTS_LIMIT documents of its own (every kind the body uploads while
    drafting or answering an integration, together), and of a later module's kind what it declared."""
    declared = kind in DOCUMENT_READERS
    limit = DOCUMENT_LIMITS.get(kind) if declared else OWN_DOCUMENTS_LIMIT
    if limit is None:
        return
    same = Attachment.kind == kind if declared else Attachment.kind.not_in(sorted(DOCUMENT_READERS))
    held = count_rows(sa.select(Attachment.id).where(Attachment.proposal_id == proposal.id, same))
    if held >= limit:
        of_kind = " di questo tipo" if declared else ""
        raise GuardFailed(f"la proposta ha già {held} documenti{of_kind}, il massimo ammesso: riunisci più documenti "
                          "in un solo PDF o togline uno prima di aggiungerne")


def forget_attachment(att: Attachment) -> None:
    """Delete a document nothing needs any more (the caller decided): its row now, its file once this commits,
    unless another document holds the same bytes."""
    db.session.delete(att)
    db.session.flush()
    files.release(att.sha256)


def _require_draft_of_member(actor, proposal: Proposal, refusal: str) -> None:
    if not is_member(actor, proposal):
        raise Forbidden("solo l'ente che ha redatto la proposta può farlo")
    if proposal.state != "draft":
        raise GuardFailed(refusal)


def remove_attachment(actor, proposal: Proposal, attachment_id: int) -> Attachment:
    """The body removes a document from its draft; once the proposal is sent what it carried stays on file."""
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.proposal_id != proposal.id:
        raise NotFound("documento non trovato")
    _require_draft_of_member(actor, proposal, "la proposta è stata inviata: i suoi documenti restano agli atti")
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="remove_attachment",
                 data={"attachment_id": att.id, "kind": att.kind, "sha256": att.sha256})
    forget_attachment(att)
    return att


def delete_draft(actor, proposal: Proposal) -> None:
    """The body deletes a proposal it never sent, with its documents; the audit keeps that it existed."""
    _require_draft_of_member(actor, proposal, "la proposta è stata inviata: non si elimina, si può solo ritirare "
                                              "finché l'avviso è aperto")
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="delete_draft",
                 data={"title": proposal.title, "procedure_id": proposal.procedure_id,
                       "organization_id": proposal.organization_id})
    for att in list(proposal.attachments):
        forget_attachment(att)
    db.session.delete(proposal)
    db.session.flush()


def add_attachment(actor, proposal: Proposal, *, kind: str, filename: str, stream) -> Attachment:
    """Store a PDF by content hash; allowed to the body while drafting or answering an integration, and
    to whoever the later modules' rules allow (ATTACHMENT_RULES)."""
    c = v.Collector()
    kind = c("kind", v.text, kind, max_length=40)
    name = files.upload_name(c, filename)
    integration = None
    verdict = _upload_verdict(actor, proposal, kind) if kind else None
    if verdict is None:
        if not is_member(actor, proposal):
            raise Forbidden("solo l'ente che ha redatto la proposta può allegare documenti")
        if proposal.state == "integration_requested":
            integration = proposal.open_integration
        elif proposal.state != "draft":
            raise GuardFailed("si possono allegare documenti solo in bozza o in risposta a una richiesta di "
                              "integrazione")
    elif verdict is not True:
        raise verdict
    c.raise_if_any()
    data = files.read_pdf(stream)
    att = new_attachment(actor, proposal, kind=kind, name=name, data=data, content_type="application/pdf",
                         integration=integration)
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="add_attachment",
                 data={"attachment_id": att.id, "kind": kind, "sha256": att.sha256})
    return att


def attachment_path(att: Attachment) -> Path:
    return files.path_of(att.sha256)


# --- who may read which document, declared once ----------------------------------------------------------
# The parties a document of a proposal may be read by: the body that wrote the proposal, the call's administration,
# the evaluation committee. A proposal's own documents (its attachments and the answers to an integration request)
# are read by all three; a kind that a later module declares (the co-design table's shared documents, the signed
# agreement) by the readers it declares. The committee's reading is the evaluation module's to decide (an
# evaluator assigned to the proposal, who declared no conflict, while the call is being evaluated: nothing after
# the ranking), registered at its init_app. The download route, the JSON and the pages all ask `can_read`.
BODY, ADMIN, COMMITTEE = "body", "admin", "committee"
PROPOSAL_DOCUMENT_READERS = (BODY, ADMIN, COMMITTEE)
OWN_DOCUMENTS_LIMIT = 40   # the proposal's own documents, every kind together (new_attachment refuses the next)
DOCUMENT_READERS: dict[str, tuple[str, ...]] = {}
DOCUMENT_LIMITS: dict[str, int | None] = {}
UNLISTED_KINDS: set[str] = set()
COMMITTEE_READERS: list = []


def declare_document_kind(kind: str, readers: tuple[str, ...], *, limit: int | None, listed: bool = True) -> None:
    """A later module's kind of document, the parties that may read it and how many a proposal may carry (None:
    the module counts them itself), at its init_app; `listed=False` for documents that their own page shows (the
    receipts of a report's expenses), not the proposal's list."""
    unknown = set(readers) - set(PROPOSAL_DOCUMENT_READERS)
    if unknown:
        raise ValueError(f"unknown readers {sorted(unknown)} for {kind}")
    DOCUMENT_READERS[kind] = tuple(readers)
    DOCUMENT_LIMITS[kind] = limit
    if not listed:
        UNLISTED_KINDS.add(kind)


def register_committee_reader(reads) -> None:
    """(user, proposal) -> bool: whether this person reads the proposal's documents as the committee now."""
    if reads not in COMMITTEE_READERS:
        COMMITTEE_READERS.append(reads)


def readers_of(kind: str) -> tuple[str, ...]:
    return DOCUMENT_READERS.get(kind, PROPOSAL_DOCUMENT_READERS)


def reader_roles(user, proposal: Proposal) -> frozenset[str]:
    """The parties this person is for this proposal's documents."""
    if user is None:
        return frozenset()
    roles = {role for role, holds in ((BODY, is_member(user, proposal)), (ADMIN, is_admin(user, proposal))) if holds}
    if not roles and any(reads(user, proposal) for reads in COMMITTEE_READERS):
        roles.add(COMMITTEE)
    return frozenset(roles)


def can_read(user, att: Attachment, *, roles: frozenset[str] | None = None) -> bool:
    roles = reader_roles(user, att.proposal) if roles is None else roles
    return bool(roles & set(readers_of(att.kind)))


def readable_attachments(user, proposal: Proposal) -> list[Attachment]:
    """The proposal's documents this person may read, in their order (not those another page lists)."""
    roles = reader_roles(user, proposal)
    return [a for a in proposal.attachments if a.kind not in UNLISTED_KINDS and can_read(user, a, roles=roles)]


def get_attachment(user, attachment_id: int) -> Attachment:
    """A document this person may read (404 for any other: a stranger learns nothing of it)."""
    att = db.session.get(Attachment, attachment_id)
    if att is None or not can_read(user, att):
        raise NotFound("allegato non trovato")
    return att


# --- submission: the rules and effects live in effects.py (the machine's table names them) ----------


def may_read_receipt(user, proposal: Proposal) -> bool:
    """The submission receipt is the body's and the administration's (a committee member never reads it)."""
    return is_member(user, proposal) or is_admin(user, proposal)


def signed_receipt(user, proposal_id: int) -> tuple[Proposal, str]:
    """The submission receipt signed with the administration's key, for the body and the administration: the
    one issued at submission, or (a proposal submitted before receipts were signed) signed now from what it
    records. 404 before the proposal is submitted."""
    proposal = get_visible(user, proposal_id)
    if not may_read_receipt(user, proposal):
        raise Forbidden("la ricevuta è dell'ente proponente e dell'amministrazione")
    if proposal.protocol_number is None:
        raise NotFound("la proposta non è stata presentata: non ha ricevuta")
    return proposal, receipt_text(proposal)


def receipt_text(proposal: Proposal) -> str:
    """The signed receipt of a submitted proposal: as issued, or signed now for one submitted before receipts
    were signed (from what it records: the same statement, so the same signature under the same key)."""
    return proposal.receipt or receipts.sign(receipt_of(proposal))


def to_dict(p: Proposal, user=None, *, now=None) -> dict:
    req = p.open_integration
    return {
        "id": p.id,
        "procedure_id": p.procedure_id,
        "organization_id": p.organization_id,
        "organization": p.organization.name,
        "state": p.state,
        "state_label": workflow.states[p.state],
        "allowed_triggers": workflow.allowed_triggers(p, user, now=now),
        "lot": p.lot.code,
        "title": p.title,
        "summary": p.summary,
        "requested_amount": f"{p.requested_amount:.2f}",
        "cofinancing_amount": f"{p.cofinancing_amount:.2f}",
        "partners": p.partners or [],
        "protocol_number": p.protocol_number,
        "submitted_at": p.submitted_at.isoformat() if p.submitted_at else None,
        "content_sha256": p.content_sha256,
        "declarations": p.declarations or {},
        "attachments": [{**document_summary(a), "kind": a.kind} for a in readable_attachments(user, p)],
        "integration_request": None if req is None else {"reason": req.reason, "due": req.due.isoformat()},
        "outcome_reason": p.outcome_reason,
    }


def rome_date(now: dt.datetime) -> dt.date:
    return rome_today(now)
