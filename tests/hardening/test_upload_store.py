"""Uploads that cannot linger: a file enters the store only when the transaction naming it commits (written under
.incoming/, moved into place by the commit, removed by a rollback or a session closed without commit); what a
killed process left there is settled by the tick (moved when a committed row names it, removed otherwise); the
backup never copies it. And how many documents a proposal, a call and a report may carry, refused with nothing
stored beyond it."""
import hashlib
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from codesign.core import audit, backup, files
from codesign.core.errors import GuardFailed
from codesign.core.tick import run_tick
from codesign.db import db, utcnow
from codesign.procedures import documents
from codesign.procedures.models import CallDocument
from codesign.proposals import messages
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment
from tests.api.test_proposals_api import upload
from tests.helpers import PDF, World
from tests.procedures.test_documents_questions import _add

API = "/api/v1"


@pytest.fixture()
def store(app_ctx, tmp_path, monkeypatch):
    """A store of its own, so that what is in it is this test's alone."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app_ctx.config, "UPLOAD_DIR", str(root))
    return root


@pytest.fixture()
def drafted(store, client, make_user, token_for):
    """A published call and one body's draft: (the world, the draft's id)."""
    w = World(client, make_user, token_for)
    w.publish()
    return w, w.draft()


def everything(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def a_row_naming(digest: str, w: World, pid: int) -> Attachment:
    att = Attachment(proposal_id=pid, kind="progetto", name="a.pdf", size=1, sha256=digest,
                     content_type="application/pdf", uploaded_by_id=w.admin.id)
    db.session.add(att)
    return att


def test_a_file_enters_the_store_when_its_transaction_commits(store, client, drafted):
    w, pid = drafted
    kept = files.store(PDF + b"% kept\n")
    a_row_naming(kept, w, pid)
    assert everything(store) == [f".incoming/{name}" for name in os.listdir(store / ".incoming")]
    assert not files.path_of(kept).exists()                       # nobody reads it before the commit
    db.session.commit()
    assert everything(store) == [f"{kept[:2]}/{kept}"] and files.path_of(kept).read_bytes() == PDF + b"% kept\n"

    dropped = files.store(PDF + b"% rolled back\n")
    db.session.rollback()
    closed = files.store(PDF + b"% closed\n")
    db.session.remove()                                           # a request that ended without committing
    assert everything(store) == [f"{kept[:2]}/{kept}"]
    assert not files.path_of(dropped).exists() and not files.path_of(closed).exists()


def test_the_same_bytes_stored_again_stay_one_file(store, client, drafted):
    w, pid = drafted
    for _ in range(2):
        assert upload(client, pid, w.headers[0]).status_code == 201
    digest = digest_of(PDF)
    assert everything(store) == [f"{digest[:2]}/{digest}"]


def test_a_refused_upload_leaves_no_file(store, client, drafted, monkeypatch):
    w, pid = drafted

    def refuse(**_kwargs):   # a refusal after the bytes were handed to the store (the audit comes last)
        raise GuardFailed("rifiutato dopo la scrittura")

    monkeypatch.setattr(audit, "record", refuse)
    r = upload(client, pid, w.headers[0])
    assert r.status_code == 409 and "rifiutato dopo la scrittura" in r.json["error"]["message"]
    assert everything(store) == []
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 0


def _age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_tick_settles_what_a_killed_process_left(store, client, drafted):
    w, pid = drafted
    committed = files.store(PDF + b"% committed, not moved\n")
    a_row_naming(committed, w, pid)
    db.session.info.pop(files._PENDING)   # the process dies between the commit and the move
    db.session.commit()
    orphan = files.store(PDF + b"% never committed\n")
    db.session.info.pop(files._PENDING)   # … or before its commit
    db.session.commit()
    recent = files.store(PDF + b"% a request still running\n")
    recent_pending = db.session.info.pop(files._PENDING)[0][0]
    left = sorted((store / ".incoming").iterdir())
    assert len(left) == 3 and not files.path_of(committed).exists()
    for path in left:
        if path != recent_pending:
            _age(path, files.SETTLE_AFTER_SECONDS + 60)

    report = run_tick(utcnow())
    assert "Documenti in sospeso: 1 messi al loro posto, 1 rimossi (nessuna riga li nominava)." in report
    assert files.path_of(committed).read_bytes() == PDF + b"% committed, not moved\n"
    assert not files.path_of(orphan).exists() and not files.path_of(recent).exists()
    assert list((store / ".incoming").iterdir()) == [recent_pending]   # an hour's grace for running requests
    assert "Documenti in sospeso" not in " ".join(run_tick(utcnow()))


def test_the_backup_copies_the_store_without_incoming(store, client, drafted, tmp_path):
    w, pid = drafted
    assert upload(client, pid, w.headers[0]).status_code == 201
    files.store(PDF + b"% half-way\n")
    db.session.info.pop(files._PENDING)
    manifest = backup.backup(client.application, tmp_path / "copy")
    digest = digest_of(PDF)
    assert [name for name in manifest["files"] if name.startswith("uploads/")] == [f"uploads/{digest[:2]}/{digest}"]


def test_a_proposal_carries_at_most_its_documents(store, client, drafted, monkeypatch):
    w, pid = drafted
    monkeypatch.setattr(props, "OWN_DOCUMENTS_LIMIT", 2)
    for i in range(2):
        assert upload(client, pid, w.headers[0], data=PDF + f"% {i}\n".encode(), kind=f"k{i}").status_code == 201
    before = everything(store)
    r = upload(client, pid, w.headers[0], data=PDF + b"% one more\n", kind="altro")
    assert r.status_code == 409
    assert r.json["error"]["message"] == ("la proposta ha già 2 documenti, il massimo ammesso: "
                                          "riunisci più documenti in un solo PDF o togline uno prima di aggiungerne")
    assert everything(store) == before
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 2
    first = db.session.execute(sa.select(Attachment.id).order_by(Attachment.id)).scalars().first()
    assert client.delete(f"{API}/proposals/{pid}/attachments/{first}", headers=w.headers[0]).status_code == 204
    assert upload(client, pid, w.headers[0], data=PDF + b"% one more\n").status_code == 201


def test_each_declared_kind_has_its_own_count(store, client, drafted, monkeypatch):
    """A message's documents are counted apart from the proposal's own (full of its own, it still takes one)."""
    w, pid = drafted
    assert props.DOCUMENT_LIMITS[messages.KIND] == messages.DOCUMENTS_LIMIT
    monkeypatch.setattr(props, "OWN_DOCUMENTS_LIMIT", 1)
    monkeypatch.setitem(props.DOCUMENT_LIMITS, messages.KIND, 1)
    assert upload(client, pid, w.headers[0]).status_code == 201
    proposal, actor = db.session.get(props.Proposal, pid), w.applicants[0]
    att = props.new_attachment(actor, proposal, kind=messages.KIND, name="m.pdf", data=PDF + b"% m\n",
                               content_type="application/pdf")
    assert att.id
    with pytest.raises(GuardFailed):
        props.new_attachment(actor, proposal, kind=messages.KIND, name="n.pdf", data=PDF + b"% n\n",
                             content_type="application/pdf")
    with pytest.raises(GuardFailed):
        props.new_attachment(actor, proposal, kind="progetto", name="p.pdf", data=PDF + b"% p\n",
                             content_type="application/pdf")
    db.session.rollback()


def test_a_call_carries_at_most_its_documents(store, client, make_user, token_for, monkeypatch):
    w = World(client, make_user, token_for, bodies=1)
    monkeypatch.setattr(documents, "MAX_DOCUMENTS", 2)
    assert _add(client, w.procedure_id, w.admin_h).status_code == 201
    assert _add(client, w.procedure_id, w.admin_h, kind="form", title="Modulo", data=PDF + b"% form\n").status_code == 201
    before = everything(store)
    r = _add(client, w.procedure_id, w.admin_h, kind="annex", title="Allegato", data=PDF + b"% annex\n")
    assert r.status_code == 409 and "l'avviso ha già 2 documenti, il massimo ammesso" in r.json["error"]["message"]
    assert everything(store) == before
    assert db.session.execute(sa.select(sa.func.count(CallDocument.id))).scalar_one() == 2
