"""Faults on PostgreSQL: a real server (`codesign run`, gunicorn) whose workers are killed with SIGKILL while bodies
upload documents and submit their proposals over HTTP. Whatever the kills interrupted, every proposal is either
submitted whole (a receipt number, a submission time, its digest, its audit record) or still an untouched draft;
the receipt numbers run 1..n without a gap or a repeat; every document row has its file and, once the tick has
settled what the killed requests left, the store holds no file that no row names. The mail queued by the
submissions survives the restarts in the outbox and is sent once."""
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from codesign.core import audit, files
from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db, utcnow
from codesign.proposals.models import Attachment, Proposal
from tests.evaluation.test_notifications import smtp_server  # noqa: F401  (the fixture)
from tests.helpers import PDF, World, declarations_for
from tests.proposals.test_concurrency import postgres  # noqa: F401  (the fixture)

BODIES, DRAFTS_EACH, KILLS = 4, 8, 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(master: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.fixture()
def server(postgres, database_url, tmp_path, monkeypatch):  # noqa: F811
    """`codesign run` with two workers on the tests' database and instance, and a store of this test's own (the
    session's holds the files of the tests before it, whose rows are gone)."""
    store = tmp_path / "uploads"
    monkeypatch.setitem(postgres.config, "UPLOAD_DIR", str(store))
    port = _free_port()
    env = {**os.environ, "CODESIGN_DATABASE_URL": database_url, "CODESIGN_UPLOAD_DIR": str(store)}
    process = subprocess.Popen([sys.executable, "-c", "from codesign.cli import main; main()", "run",
                                "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/api/v1/procedures", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(20)


def _stored(root: Path) -> set[str]:
    return {p.name for p in files.stored_files(root)}


def test_killed_workers_leave_whole_submissions_numbered_without_gaps_and_no_orphan_file(
        server, client, make_user, token_for, smtp_server, monkeypatch):  # noqa: F811
    base, master = server
    w = World(client, make_user, token_for, bodies=BODIES)
    w.publish()
    drafts = [[w.draft(i, title=f"Proposta {i}-{k}") for k in range(DRAFTS_EACH)] for i in range(BODIES)]
    before_mail = db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one()
    declarations = declarations_for(w.call)
    done, interrupted, lock = [0], [0], threading.Lock()

    def body(i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = w.headers[i]["Authorization"]
        for k, pid in enumerate(drafts[i]):
            try:   # a document of its own (distinct bytes: a file each), then the submission
                pdf = PDF + f"% {i}-{k}\n".encode() + os.urandom(2048).hex().encode() + b"\n%%EOF\n"
                http.post(f"{base}/api/v1/proposals/{pid}/attachments", data={"kind": "progetto"},
                          files={"file": ("progetto.pdf", pdf, "application/pdf")}, timeout=30)
                http.post(f"{base}/api/v1/proposals/{pid}/transitions", timeout=30,
                          json={"trigger": "submit", "declarations": declarations})
            except requests.RequestException:   # the worker died under this request: the body moves on
                with lock:
                    interrupted[0] += 1
            with lock:
                done[0] += 1

    def killer() -> None:
        total, give_up = BODIES * DRAFTS_EACH, time.monotonic() + 120
        for n in range(KILLS):
            while done[0] < total * (n + 1) // (KILLS + 2):
                if time.monotonic() > give_up:
                    return
                time.sleep(0.005)
            victims = _workers(master)
            if victims:
                os.kill(victims[n % len(victims)], signal.SIGKILL)
                kills.append(victims[n % len(victims)])

    kills: list[int] = []
    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(BODIES)]
    threads.append(threading.Thread(target=killer, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert len(kills) == KILLS

    db.session.expire_all()
    proposals = db.session.execute(sa.select(Proposal).where(Proposal.procedure_id == w.procedure_id)
                                   .order_by(Proposal.protocol_number)).scalars().all()
    submitted = [p for p in proposals if p.state == "submitted"]
    untouched = [p for p in proposals if p.state == "draft"]
    assert len(submitted) + len(untouched) == BODIES * DRAFTS_EACH
    assert submitted, "no submission went through"
    # whole submissions, numbered 1..n without a gap or a repeat
    assert [p.protocol_number for p in submitted] == list(range(1, len(submitted) + 1))
    assert all(p.submitted_at and p.content_sha256 and p.receipt for p in submitted)
    assert all(p.protocol_number is None and p.submitted_at is None and p.content_sha256 is None for p in untouched)
    audited = db.session.execute(sa.select(AuditRecord.entity_id).where(
        AuditRecord.entity_type == "proposal", AuditRecord.trigger == "submit")).scalars().all()
    assert sorted(audited) == sorted(p.id for p in submitted)
    assert audit.verify()[0]

    # every document row has its file; once the tick settles what the killed requests left, no file is unnamed
    root = Path(client.application.config["UPLOAD_DIR"])
    monkeypatch.setattr(files, "SETTLE_AFTER_SECONDS", -1)
    sink, url = smtp_server
    monkeypatch.setitem(client.application.config, "SMTP_URL", url)
    settled = [line for line in run_tick(utcnow()) if line.startswith("Documenti in sospeso")]
    named = set(db.session.execute(sa.select(Attachment.sha256)).scalars())
    assert named <= _stored(root) and _stored(root) <= named
    assert not any((root / files.INCOMING).iterdir()) if (root / files.INCOMING).exists() else True

    # the mail the submissions queued survived the restarts and leaves once
    queued = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert len(queued) > before_mail and all(m.sent_at for m in queued)
    assert len(sink.messages) == len(queued)
    run_tick(utcnow() + dt.timedelta(minutes=5))
    assert len(sink.messages) == len(queued)
    print(f"\n{len(submitted)} submitted, {len(untouched)} drafts, {interrupted[0]} requests cut by {KILLS} kills; "
          f"{settled or 'nothing left half-stored'}")
