"""Messages about a proposal between the administration and the body: a thread on file (author, time, text, a PDF
if any, checked by content), read and written only by the two parties, each message audited and copied by mail
to the other party. The integration requests and their answers stand in the same thread, in their order."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.core import audit, files, notifications
from codesign.core import validation as v
from codesign.core.errors import Forbidden, GuardFailed
from codesign.db import db, utcnow
from codesign.proposals.models import Attachment, Proposal, ProposalMessage
from codesign.proposals.notify import notify_admins, notify_body, numbered
from codesign.proposals.operations import ADMIN, BODY, document_summary, is_admin, is_member, new_attachment

KIND = "message"  # the attachments of messages: read by the body and the administration only
DOCUMENTS_LIMIT = 100  # per proposal, over its whole thread
MAX_TEXT = 5000


def side_of(user, proposal: Proposal) -> str | None:
    """The party this person is in the proposal's thread (None: not a party)."""
    if is_member(user, proposal):
        return BODY
    if is_admin(user, proposal):
        return ADMIN
    return None


def _require_party(user, proposal: Proposal) -> str:
    side = side_of(user, proposal)
    if side is None:
        raise Forbidden("i messaggi di una proposta sono solo tra l'ente e l'amministrazione che ha pubblicato l'avviso")
    return side


def open_for_messages(proposal: Proposal) -> bool:
    """Messages are written from the submission on, not on a draft nor once withdrawn (the thread stays readable)."""
    return proposal.state not in ("draft", "withdrawn")


def post(actor, proposal: Proposal, text, *, filename: str | None = None, stream=None, now=None) -> ProposalMessage:
    """A party writes in the thread, with a PDF if given; the other party is told (the text in the mail)."""
    side = _require_party(actor, proposal)
    if not open_for_messages(proposal):
        raise GuardFailed("i messaggi con l'amministrazione si scambiano dopo l'invio della proposta, finché non "
                          "è ritirata")
    c = v.Collector()
    text = c("text", v.text, text, max_length=MAX_TEXT)
    name = files.checked_upload_name(filename) if stream is not None else None
    c.raise_if_any()
    now = now or utcnow()
    att = None
    if stream is not None:
        att = new_attachment(actor, proposal, kind=KIND, name=name, data=files.read_pdf(stream),
                             content_type="application/pdf")
    msg = ProposalMessage(proposal_id=proposal.id, author_id=actor.id, side=side, text=text, attachment=att,
                          created_at=now)
    db.session.add(msg)
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="post_message", at=now,
                 data={"message_id": msg.id, "attachment_sha256": att.sha256 if att else None})
    writer = proposal.organization.name if side == BODY else proposal.procedure.administration.name
    tell = notify_admins if side == BODY else notify_body
    tell(proposal, lambda: _("Nuovo messaggio sulla proposta: %(title)s", title=proposal.title),
         lambda: _("%(person)s (%(writer)s) ha scritto sulla proposta %(proposal)s dell'avviso «%(call)s»:",
                   person=actor.name, writer=writer, proposal=numbered(proposal), call=proposal.procedure.title)
         + f"\n\n{text}" + ("\n\n" + _("Allegato: %(name)s", name=att.name) if att else "")
         + "\n\n" + _("Rispondi dalla pagina della proposta."),
         link=notifications.path("proposals.edit", proposal_id=proposal.id, anchor="messaggi"))
    return msg


def thread(user, proposal: Proposal) -> list[dict]:
    """The thread in order, for a party: messages, integration requests and their answers (with the documents
    added for them). Two statements, whatever the thread's length."""
    _require_party(user, proposal)
    messages = db.session.execute(sa.select(ProposalMessage).where(ProposalMessage.proposal_id == proposal.id)
                                  .order_by(ProposalMessage.id)).unique().scalars().all()
    answers = {}
    for att in db.session.execute(sa.select(Attachment).where(Attachment.proposal_id == proposal.id,
                                                              Attachment.for_integration_id.is_not(None))
                                  .order_by(Attachment.id)).scalars():
        answers.setdefault(att.for_integration_id, []).append(att)
    entries = [{"type": "message", "at": m.created_at, "side": m.side, "author": m.author.name, "text": m.text,
                "attachments": [m.attachment] if m.attachment else []} for m in messages]
    for req in proposal.integrations:
        entries.append({"type": "integration_request", "at": req.requested_at, "side": ADMIN, "author": None,
                        "text": req.reason, "due": req.due, "attachments": []})
        if req.answered_at:
            entries.append({"type": "integration_answer", "at": req.answered_at, "side": BODY, "author": None,
                            "text": req.answer_note or "", "attachments": answers.get(req.id, [])})
    return sorted(entries, key=lambda e: e["at"])


def message_dict(m: ProposalMessage) -> dict:
    return {"id": m.id, "proposal_id": m.proposal_id, "side": m.side, "author": m.author.name, "text": m.text,
            "created_at": m.created_at.isoformat(),
            "attachment": document_summary(m.attachment) if m.attachment else None}


def visible_thread(user, proposal: Proposal) -> list[dict] | None:
    """The thread as the proposal's page shows it: to a party, once the proposal is sent (None otherwise)."""
    if side_of(user, proposal) is None or proposal.state == "draft":
        return None
    return thread(user, proposal)


def entry_dict(e: dict) -> dict:
    return {"type": e["type"], "at": e["at"].isoformat(), "side": e["side"], "author": e["author"], "text": e["text"],
            "due": e["due"].isoformat() if e.get("due") else None,
            "attachments": [document_summary(a) for a in e["attachments"]]}
