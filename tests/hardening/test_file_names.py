"""A file's name as a browser sends it is cleaned before anything is stored (core.files.clean_name): no NUL or
other control character, no bidirectional override that makes "gpj.exe" read "exe.jpg", no path, NFC, at most
255 characters with the extension kept; the download of a name stored before this cleaning still answers."""
import io

import pytest
import sqlalchemy as sa

from codesign.core.files import NAME_LIMIT, clean_name
from codesign.db import db
from codesign.proposals.models import Attachment
from tests.api.test_proposals_api import PDF, World, upload


@pytest.mark.parametrize("raw, clean", [
    ("proposta.pdf", "proposta.pdf"),
    ("pro\x00posta.pdf", "proposta.pdf"),
    ("fattura\u202efdp.exe", "fatturafdp.exe"),                 # right-to-left override
    ("a\u2066b\u2069\u200b.pdf", "ab.pdf"),                     # isolates and a zero-width space
    ("C:\\Users\\anna\\Documenti\\bilancio.pdf", "bilancio.pdf"),
    ("../../etc/passwd", "passwd"),
    ("Relazione  finale\t2026 .pdf", "Relazione finale 2026 .pdf"),
    ("cafe\u0301.pdf", "caf\u00e9.pdf"),                        # NFC
    ("  .nascosto.pdf. ", "nascosto.pdf"),
    ("\x00\u202e", ""),
    (None, ""),
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_a_long_name_keeps_its_extension():
    name = clean_name("x" * 400 + ".pdf")
    assert len(name) == NAME_LIMIT and name.endswith(".pdf")
    assert len(clean_name("y" * 400)) == NAME_LIMIT


def test_uploaded_names_are_stored_clean_and_always_download(client, make_user, token_for, login):
    w = World(client, make_user, token_for)
    w.publish()
    pid = w.draft(0)
    r = upload(client, pid, w.headers[0], name="pro\x00getto\u202efdp.pdf")
    assert r.status_code == 201, r.json
    att = db.session.get(Attachment, r.json["id"])
    assert att.name == "progettofdp.pdf"
    r = client.post(f"/api/v1/proposals/{pid}/attachments", headers=w.headers[0], content_type="multipart/form-data",
                    data={"kind": "progetto", "file": (io.BytesIO(PDF), "\u202e\x00")})
    assert r.status_code == 422 and "nome del file" in r.json["error"]["fields"]["file"]
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 1

    att.name = "vecchio\u202e\u0007nome.pdf"    # stored before names were cleaned (PostgreSQL refuses a NUL)
    db.session.commit()
    login(w.applicants[0])
    r = client.get(f"/allegati/{att.id}")
    assert r.status_code == 200 and r.data == PDF
    assert "vecchionome.pdf" in r.headers["Content-Disposition"] and "\u202e" not in r.headers["Content-Disposition"]
