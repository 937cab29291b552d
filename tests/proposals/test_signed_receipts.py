"""Receipts that carry their proof: each submission receipt is signed with the administration's Ed25519 key
(core/receipts.py), published keys keep old receipts verifiable after a rotation, and a receipt is checked
offline by `codesign receipts verify` and by the standalone codesign/core/verify_receipt.py."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.cli import main
from codesign.core import receipts
from codesign.core import verify_receipt as script
from codesign.db import db
from codesign.proposals.models import Proposal
from tests.helpers import PDF, World, run_alone, stdlib_imports_only

SCRIPT = Path(script.__file__)


# --- the standalone Ed25519 check agrees with the cryptography package ----------------------------------------
def test_rfc_8032_test_vector():
    public = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    signature = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
                              "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert script.ed25519_verify(public, b"", signature)
    assert not script.ed25519_verify(public, b"x", signature)


@settings(max_examples=25, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=200), flip=st.integers(0, 511))
def test_the_standalone_check_agrees_with_cryptography(seed, message, flip):
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = key.sign(message)
    assert script.ed25519_verify(public, message, signature)
    broken = bytearray(signature)
    broken[flip // 8] ^= 1 << (flip % 8)
    assert not script.ed25519_verify(public, message, bytes(broken))
    assert not script.ed25519_verify(public, message + b"!", signature)


def test_the_script_imports_nothing_but_the_standard_library():
    assert stdlib_imports_only(SCRIPT) == set()


# --- a receipt issued at submission ------------------------------------------------------------------------
@pytest.fixture()
def submitted(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft(0)
    r = client.post(f"/api/v1/proposals/{pid}/attachments", headers=w.headers[0], content_type="multipart/form-data",
                    data={"kind": "progetto", "file": (io.BytesIO(PDF), "progetto.pdf")})
    assert r.status_code == 201, r.json
    r = w.submit(pid)
    assert r.status_code == 200, r.json
    return w, pid


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_alone(SCRIPT, cwd, *args)


def test_the_receipt_is_signed_at_submission_and_verifies_offline(submitted, client, tmp_path):
    w, pid = submitted
    r = client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[0])
    assert r.status_code == 200 and r.mimetype == "application/json"
    proposal = db.session.get(Proposal, pid)
    assert proposal.receipt is not None and r.data == proposal.receipt.encode("utf-8")   # kept as issued
    document = json.loads(r.data)
    receipt = document["receipt"]
    assert receipt["protocol_number"] == proposal.protocol_number == 1
    assert receipt["content_sha256"] == proposal.content_sha256
    assert receipt["organization"]["tax_code"] == proposal.organization.tax_code
    assert [a["sha256"] for a in receipt["attachments"]] == [a.sha256 for a in proposal.attachments]
    assert receipt["proposal"]["requested_amount"] == "90000.00"
    assert document["signature"]["alg"] == "Ed25519"
    assert document["signature"]["key_id"] == receipts.current_key()["key_id"]

    keys = client.get("/ricevute/chiavi-pubbliche.json")
    assert keys.status_code == 200 and keys.json == client.get("/api/v1/receipt-keys").json
    page = client.get(f"/proposte/{pid}/ricevuta.json")
    assert page.status_code == 302                                          # to the login page
    (tmp_path / "ricevuta.json").write_bytes(r.data)
    (tmp_path / "chiavi.json").write_bytes(keys.data)
    done = _run(tmp_path, "ricevuta.json", "--keys", "chiavi.json")
    assert done.returncode == 0, done.stderr
    assert "Authentic: receipt n. 1" in done.stdout
    done = _run(tmp_path, "ricevuta.json", "--public-key", receipts.current_key()["public_key"])
    assert done.returncode == 0, done.stderr


def test_a_changed_receipt_fails_and_says_why(submitted, client, tmp_path):
    w, pid = submitted
    raw = client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[0]).data
    (tmp_path / "chiavi.json").write_bytes(client.get("/api/v1/receipt-keys").data)
    # one byte: the amount, the file still in canonical form
    changed = raw.replace(b'"90000.00"', b'"99000.00"')
    assert changed != raw
    (tmp_path / "ricevuta.json").write_bytes(changed)
    done = _run(tmp_path, "ricevuta.json", "--keys", "chiavi.json")
    assert done.returncode == 1
    assert "the signature does not match the receipt" in done.stderr
    # one space more: the content is the same, the file is not the one issued
    (tmp_path / "ricevuta.json").write_bytes(raw.replace(b'{\n', b'{ \n', 1))
    done = _run(tmp_path, "ricevuta.json", "--keys", "chiavi.json")
    assert done.returncode == 1 and "not in the form it was issued in" in done.stderr
    # another key
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    (tmp_path / "ricevuta.json").write_bytes(raw)
    done = _run(tmp_path, "ricevuta.json", "--public-key", other.hex())
    assert done.returncode == 1 and "not among the administration's keys" in done.stderr
    # not a receipt at all
    (tmp_path / "ricevuta.json").write_bytes(b"\xff\xfe")
    done = _run(tmp_path, "ricevuta.json", "--keys", "chiavi.json")
    assert done.returncode == 1 and "not a JSON file" in done.stderr
    done = _run(tmp_path, "assente.json", "--keys", "chiavi.json")
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_codesign_receipts_verify(submitted, client, tmp_path, monkeypatch, database_url):
    w, pid = submitted
    raw = client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[0]).data
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", os.environ["CODESIGN_INSTANCE_PATH"])  # the same key folder
    monkeypatch.setenv("CODESIGN_DATABASE_URL", database_url)
    good, bad = tmp_path / "buona.json", tmp_path / "cattiva.json"
    good.write_bytes(raw)
    bad.write_bytes(raw.replace(b'"protocol_number": 1', b'"protocol_number": 7'))
    result = CliRunner().invoke(main, ["receipts", "verify", str(good)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Ricevuta autentica: n. 1" in result.output
    result = CliRunner().invoke(main, ["receipts", "verify", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Ricevuta NON autentica" in result.output and "signature does not match" in result.output


def test_after_a_rotation_old_receipts_still_verify(submitted, client, make_user, token_for, app):
    w, pid = submitted
    old_raw = client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[0]).data
    old_key = receipts.current_key()
    saved = dict(current_app.config)
    try:
        current_app.config["RECEIPT_KEY"] = "11" * 32
        current_app.config["RECEIPT_RETIRED_KEYS"] = [old_key["public_key"]]
        published = client.get("/api/v1/receipt-keys").json["keys"]
        assert [k["status"] for k in published] == ["current", "retired"]
        assert published[1]["key_id"] == old_key["key_id"]
        assert receipts.verify(old_raw) == []
        second = w.draft(1)
        assert w.submit(second, 1).status_code == 200
        new_raw = client.get(f"/api/v1/proposals/{second}/receipt", headers=w.headers[1]).data
        assert json.loads(new_raw)["signature"]["key_id"] == published[0]["key_id"] != old_key["key_id"]
        assert receipts.verify(new_raw) == []
        current_app.config["RECEIPT_RETIRED_KEYS"] = []                       # the old key withdrawn
        assert any("not among the administration's keys" in p for p in receipts.verify(old_raw))
    finally:
        current_app.config.update(saved)


def test_rotate_key_writes_a_new_key_and_keeps_the_old_one_published(tmp_path, monkeypatch):
    monkeypatch.delenv("CODESIGN_RECEIPT_KEY", raising=False)
    monkeypatch.delenv("CODESIGN_RECEIPT_RETIRED_KEYS", raising=False)
    (tmp_path / receipts.KEY_FILE).write_text("22" * 32)
    old_public = receipts.public_of("22" * 32).hex()
    old, new = receipts.rotate(tmp_path, dt.datetime(2026, 12, 6, tzinfo=dt.timezone.utc))
    assert old != new and (tmp_path / receipts.KEY_FILE).read_text() != "22" * 32
    assert receipts.retired_keys(tmp_path) == [old_public]
    monkeypatch.setenv("CODESIGN_RECEIPT_KEY", "33" * 32)
    with pytest.raises(RuntimeError, match="CODESIGN_RECEIPT_KEY"):
        receipts.rotate(tmp_path, dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc))


def test_who_may_have_the_receipt(submitted, client, make_user, token_for, login):
    w, pid = submitted
    assert client.get(f"/api/v1/proposals/{pid}/receipt").status_code == 401
    assert client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[1]).status_code == 404  # another body
    assert client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.admin_h).status_code == 200
    draft = w.draft(1)
    r = client.get(f"/api/v1/proposals/{draft}/receipt", headers=w.headers[1])
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    login(w.applicants[0])
    r = client.get(f"/proposte/{pid}/ricevuta.json")
    assert r.status_code == 200 and r.data == db.session.get(Proposal, pid).receipt.encode("utf-8")
    assert "ricevuta-avviso-" in r.headers["Content-Disposition"]
    html = client.get(f"/proposte/{pid}/ricevuta").get_data(as_text=True)
    assert receipts.current_key()["public_key"] in html and "/ricevute/verifica_ricevuta.py" in html
    link = f'href="/proposte/{pid}/ricevuta"'
    assert link in client.get(f"/proposte/{pid}").get_data(as_text=True)   # the page links it to the parties
    login(w.applicants[1])
    page = client.get(f"/proposte/{draft}").get_data(as_text=True)
    assert "Invia la proposta" in page and f'href="/proposte/{draft}/ricevuta"' not in page   # a draft: no receipt


def test_a_receipt_submitted_before_signing_is_signed_on_request(submitted, client):
    w, pid = submitted
    proposal = db.session.get(Proposal, pid)
    issued = proposal.receipt
    proposal.receipt = None
    db.session.commit()
    r = client.get(f"/api/v1/proposals/{pid}/receipt", headers=w.headers[0])
    assert r.status_code == 200 and receipts.verify(r.data) == []
    assert r.get_data(as_text=True) == issued          # the same statement, the same key: the same receipt


def test_the_verifier_is_downloadable(client):
    r = client.get("/ricevute/verifica_ricevuta.py")
    assert r.status_code == 200 and r.data == SCRIPT.read_bytes()
