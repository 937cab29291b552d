"""The keyed audit chain: a modified, deleted, reordered, truncated or re-hashed record is detected.

The attacker here can write to the database (an insider, a stolen dump restored with changes). Without
the key every change is caught by the chain alone; with the key (stolen from the server) the rewritten
history is caught by a checkpoint kept outside.
"""
import hashlib
import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from codesign.cli import main
from codesign.core import audit
from codesign.core.audit import AuditHead, AuditRecord
from codesign.db import db


@pytest.fixture()
def chain(app_ctx, make_user):
    for role in ("applicant", "evaluator", "applicant"):
        make_user(role)
    ok, n, problem = audit.verify()
    assert ok and n >= 6, problem
    return n


def _records():
    return db.session.execute(sa.select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()


def _head():
    return db.session.get(AuditHead, 1)


def _reseal(key):
    """What an attacker holding `key` (None: the old plain SHA-256) does after a change: recompute every
    hash from the first record on, and the head."""
    prev = audit.GENESIS
    for rec in _records():
        rec.prev_hash = prev
        rec.hash = rec.digest(key)
        prev = rec.hash
    head = _head()
    head.last_hash, head.count = prev, len(_records())
    head.mac = audit.head_mac(key, head.count, prev) if key else hashlib.sha256(prev.encode()).hexdigest()
    db.session.commit()


def test_hashes_are_keyed(chain):
    rec = _records()[0]
    assert rec.hash == rec.digest(audit.audit_key())
    assert rec.hash != rec.digest(None) and rec.hash != rec.digest(b"another key")


def test_modified_record_is_detected(chain):
    _records()[2].reason = "manomesso"
    db.session.commit()
    ok, _, problem = audit.verify()
    assert not ok and "content altered" in problem


def test_deleted_record_is_detected(chain):
    db.session.delete(_records()[2])
    db.session.commit()
    ok, _, problem = audit.verify()
    assert not ok and "sequence" in problem


def test_reordered_records_are_detected(chain):
    a, b = _records()[1:3]
    sa_, sb = a.seq, b.seq
    a.seq = -1
    db.session.flush()
    b.seq = sa_
    db.session.flush()
    a.seq = sb
    db.session.commit()
    ok, _, problem = audit.verify()
    assert not ok and "previous hash" in problem


def test_truncation_without_the_key_is_detected(chain):
    records = _records()
    db.session.delete(records[-1])
    head = _head()
    head.count, head.last_hash = records[-2].seq, records[-2].hash  # the head moved back, as before the key
    db.session.commit()
    ok, _, problem = audit.verify()
    assert not ok and "not sealed" in problem


def test_truncation_with_the_key_is_detected_by_a_checkpoint(chain):
    mark = audit.checkpoint()
    assert mark["seq"] == chain
    records = _records()
    db.session.delete(records[-1])
    db.session.commit()
    _reseal(audit.audit_key())
    assert audit.verify()[0]  # the key holder's truncation passes the chain alone…
    ok, _, problem = audit.verify([mark])
    assert not ok and "newest records were removed" in problem  # …but not the checkpoint


def test_rehashing_without_the_key_is_detected(chain):
    _records()[1].reason = "riscritto"
    db.session.commit()
    _reseal(None)  # recomputed as the unkeyed chain was
    ok, _, problem = audit.verify()
    assert not ok and "content altered" in problem
    _reseal(b"a guessed key")
    assert not audit.verify()[0]


def test_rehashing_with_the_key_is_detected_by_a_checkpoint(chain):
    mark = audit.checkpoint()
    _records()[1].reason = "riscritto"
    db.session.commit()
    _reseal(audit.audit_key())
    ok, _, problem = audit.verify([mark])
    assert not ok and "differs from the checkpoint" in problem


def test_records_after_a_checkpoint_verify(chain, make_user):
    mark = audit.checkpoint()
    make_user("applicant")
    ok, n, problem = audit.verify([mark])
    assert ok and n > mark["seq"], problem


def test_no_checkpoint_of_a_broken_chain(chain):
    _records()[0].reason = "manomesso"
    db.session.commit()
    with pytest.raises(ValueError):
        audit.checkpoint()


def test_rekey_seals_an_unkeyed_chain(chain):
    _reseal(None)  # a chain as written before the key existed
    ok, _, problem = audit.verify()
    assert not ok and "rekey --from-unkeyed" in problem
    assert audit.rekey(audit.UNKEYED) == chain
    db.session.commit()
    assert audit.verify()[0]


def test_rekey_seals_a_chain_with_keyed_records_after_unkeyed_ones(chain, make_user):
    _reseal(None)
    make_user("applicant")  # written after the upgrade, with the key
    ok, _, problem = audit.verify()
    assert not ok and "rekey --from-unkeyed" in problem
    assert audit.rekey(audit.UNKEYED) == chain + 2
    db.session.commit()
    assert audit.verify()[0]


def test_rekey_refuses_a_chain_that_does_not_verify(chain):
    _reseal(None)
    _records()[1].reason = "manomesso"
    db.session.commit()
    with pytest.raises(ValueError):
        audit.rekey(audit.UNKEYED)


# --- the command line ---------------------------------------------------------------------------------------------
@pytest.fixture()
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("CODESIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path / "instance"))

    def run(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    assert run("init").exit_code == 0
    for i in range(3):
        assert run("users", "add", f"u{i}@example.org", "--name", f"U {i}", "--role", "applicant",
                   "--password", "una-password-lunga").exit_code == 0
    return run


def test_cli_checkpoint_and_verify(cli, tmp_path):
    marks = tmp_path / "audit-checkpoints.jsonl"
    r = cli("audit", "checkpoint", "--file", str(marks))
    assert r.exit_code == 0
    first = json.loads(r.output)
    assert first["seq"] == 6 and len(first["hash"]) == 64
    cli("users", "add", "u9@example.org", "--name", "U 9", "--role", "applicant", "--password", "una-password-lunga")
    cli("audit", "checkpoint", "--file", str(marks))
    assert len(marks.read_text().splitlines()) == 2  # appended
    r = cli("audit", "verify", "--checkpoint", str(marks))
    assert r.exit_code == 0 and "8 record verificati, 2 punti di controllo" in r.output

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    with engine.begin() as conn:  # the newest record removed, and the head moved back without the key
        last = conn.execute(sa.text("SELECT seq, prev_hash FROM audit_records ORDER BY seq DESC LIMIT 1")).one()
        conn.execute(sa.text("DELETE FROM audit_records WHERE seq = :s"), {"s": last.seq})
        conn.execute(sa.text("UPDATE audit_head SET count = :c, last_hash = :h"), {"c": last.seq - 1, "h": last.prev_hash})
    engine.dispose()
    r = CliRunner().invoke(main, ["audit", "verify", "--checkpoint", str(marks)])
    assert r.exit_code == 1 and "NON integro" in r.stderr


def test_cli_verify_refuses_an_unreadable_checkpoint_file(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("non json\n")
    r = CliRunner().invoke(main, ["audit", "verify", "--checkpoint", str(bad)])
    assert r.exit_code == 1 and "riga 1" in r.output
