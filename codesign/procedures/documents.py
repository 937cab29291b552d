"""The call's documents (the avviso, its annexes, the forms, the acts that approve it): added by the call's
administration at any time, public with the call, removed only while it is a draft. Each one checked by content
(a PDF), kept once by its SHA-256, audited."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.core import audit, files
from codesign.core import validation as v
from codesign.core.errors import GuardFailed, NotFound
from codesign.db import count_rows, db, utcnow
from codesign.procedures.models import DOCUMENT_KINDS, CallDocument, Procedure
from codesign.procedures.operations import require_admin

MAX_DOCUMENTS = 50   # per call: the avviso, its annexes and forms, the acts that approve it


def of_call(proc: Procedure) -> list[CallDocument]:
    """The call's documents: the avviso first, then annexes, forms and acts, each kind in the order added."""
    rows = db.session.execute(sa.select(CallDocument).where(CallDocument.procedure_id == proc.id)
                              .order_by(CallDocument.id)).scalars().all()
    return sorted(rows, key=lambda d: DOCUMENT_KINDS.index(d.kind))


def get(proc: Procedure, document_id: int) -> CallDocument:
    doc = db.session.get(CallDocument, document_id)
    if doc is None or doc.procedure_id != proc.id:
        raise NotFound("documento non trovato")
    return doc


def _kind(value):
    value = v.text(value, max_length=10)
    if value not in DOCUMENT_KINDS:
        raise ValueError("tipo di documento non valido: usare " + ", ".join(DOCUMENT_KINDS))
    return value


def add(actor, proc: Procedure, *, kind, title, filename: str | None, stream, now=None) -> CallDocument:
    """The administration adds a document (a PDF) to its call; refused, nothing stored, on any bad field."""
    require_admin(actor, proc)
    if proc.state == "cancelled":
        raise GuardFailed("l'avviso è stato annullato: non si aggiungono documenti")
    if count_rows(sa.select(CallDocument.id).where(CallDocument.procedure_id == proc.id)) >= MAX_DOCUMENTS:
        raise GuardFailed(f"l'avviso ha già {MAX_DOCUMENTS} documenti, il massimo ammesso: riunisci gli allegati "
                          "minori in un solo PDF")
    c = v.Collector()
    kind = c("kind", _kind, kind)
    title = c("title", v.text, title, max_length=300)
    name = files.upload_name(c, filename)
    if stream is None:
        c.add("file", "allegare il documento (PDF)")
    c.raise_if_any()
    data = files.read_pdf(stream)
    doc = CallDocument(procedure_id=proc.id, kind=kind, title=title, name=name or f"{kind}.pdf", size=len(data),
                       sha256=files.store(data), uploaded_by_id=actor.id, uploaded_at=now or utcnow())
    db.session.add(doc)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="add_document", at=doc.uploaded_at,
                 data={"document_id": doc.id, "kind": kind, "sha256": doc.sha256})
    return doc


def remove(actor, proc: Procedure, doc: CallDocument) -> None:
    """Only a draft's documents are removed: once the call is public what it published stays on file."""
    require_admin(actor, proc)
    if proc.state != "draft":
        raise GuardFailed("i documenti di un avviso pubblicato restano agli atti: se ne può aggiungere uno nuovo, "
                          "non toglierlo")
    digest = doc.sha256
    db.session.delete(doc)
    db.session.flush()
    audit.record(actor=actor, entity_type="procedure", entity_id=proc.id, trigger="remove_document",
                 data={"document_id": doc.id, "sha256": digest})
    files.release(digest)


def path(doc: CallDocument):
    return files.path_of(doc.sha256)


def to_dict(doc: CallDocument) -> dict:
    return {"id": doc.id, "kind": doc.kind, "title": doc.title, "name": doc.name, "size": doc.size,
            "sha256": doc.sha256, "uploaded_at": doc.uploaded_at.isoformat(),
            "url": f"/avvisi/{doc.procedure_id}/documenti/{doc.id}"}
