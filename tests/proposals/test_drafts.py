"""Drafts people may take back: a document removed from a draft proposal, a draft proposal deleted, a call never
published deleted; each asked once on the page, audited, with its files; refused once sent or published (what was
sent or published stays on file)."""
import io

import sqlalchemy as sa

from codesign.core import files
from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.procedures.models import CallDocument, Lot, Procedure
from codesign.proposals.models import Attachment, Proposal
from tests.api.test_proposals_api import upload
from tests.conftest import csrf_token_from
from tests.helpers import PDF, World

API = "/api/v1"
OTHER_PDF = PDF + b"%other\n%%EOF\n"


def _audited(trigger: str) -> int:
    return db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(AuditRecord.trigger == trigger)
                              ).scalar_one()


def test_a_draft_proposal_loses_a_document_then_is_deleted(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    pid = w.draft(0)
    att = upload(client, pid, w.headers[0], data=OTHER_PDF).json
    kept = upload(client, pid, w.headers[0], data=PDF, kind="budget").json
    url = f"{API}/proposals/{pid}/attachments/{att['id']}"
    assert client.delete(url, headers=w.headers[1]).status_code == 404        # another body does not see it
    assert client.delete(url, headers=w.admin_h).status_code == 403           # the administration reads, not removes
    assert client.delete(url, headers=w.headers[0]).status_code == 204
    assert db.session.get(Attachment, att["id"]) is None and not files.path_of(att["sha256"]).exists()
    assert client.delete(url, headers=w.headers[0]).status_code == 404
    assert _audited("remove_attachment") == 1

    assert client.delete(f"{API}/proposals/{pid}", headers=w.headers[0]).status_code == 204
    assert db.session.get(Proposal, pid) is None and db.session.get(Attachment, kept["id"]) is None
    assert not files.path_of(kept["sha256"]).exists()
    record = db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "delete_draft")).scalar_one()
    assert record.entity_id == pid and "Proposta 0" in record.data


def test_once_sent_a_proposal_and_its_documents_stay(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0)
    att = upload(client, pid, w.headers[0]).json
    assert w.submit(pid, 0).status_code == 200
    r = client.delete(f"{API}/proposals/{pid}/attachments/{att['id']}", headers=w.headers[0])
    assert r.status_code == 409 and "restano agli atti" in r.json["error"]["message"]
    r = client.delete(f"{API}/proposals/{pid}", headers=w.headers[0])
    assert r.status_code == 409 and "ritirare" in r.json["error"]["message"]
    assert client.delete(f"{API}/proposals/{pid}", headers=w.admin_h).status_code == 403
    assert db.session.get(Proposal, pid) is not None and files.path_of(att["sha256"]).exists()


def test_the_draft_page_removes_and_deletes_asking_first(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0, title="Bozza da buttare")
    att = upload(client, pid, w.headers[0]).json
    login(w.applicants[0])
    page = client.get(f"/proposte/{pid}").get_data(as_text=True)
    assert "Elimina la bozza" in page and f"/proposte/{pid}/allegati/{att['id']}/togli" in page
    token = csrf_token_from(page)
    r = client.post(f"/proposte/{pid}/allegati/{att['id']}/togli", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/proposte/{pid}#allegati")
    assert db.session.get(Attachment, att["id"]) is None
    r = client.post(f"/proposte/{pid}/elimina", data={"csrf_token": token})
    asked = r.get_data(as_text=True)
    assert r.status_code == 200 and "Conferma: Elimina la bozza" in asked and "Bozza da buttare" in asked
    assert db.session.get(Proposal, pid) is not None
    r = client.post(f"/proposte/{pid}/elimina", data={"csrf_token": token, "confirmed": "yes"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/le-mie-proposte")
    assert db.session.get(Proposal, pid) is None
    assert "Bozza «Bozza da buttare» eliminata." in client.get("/le-mie-proposte").get_data(as_text=True)


def test_a_call_never_published_is_deleted_a_published_one_stays(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=0)
    pid = w.procedure_id
    doc = client.post(f"{API}/procedures/{pid}/documents", headers=w.admin_h, content_type="multipart/form-data",
                      data={"kind": "call", "title": "Avviso", "file": (io.BytesIO(OTHER_PDF), "avviso.pdf")}).json
    other = make_user("admin", org="Comune di Sesto San Giovanni")
    assert client.delete(f"{API}/procedures/{pid}", headers=token_for(other)).status_code == 404

    login(w.admin)
    page = client.get(f"/gestione/avvisi/{pid}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert "Elimina la bozza" in page
    r = client.post(f"/gestione/avvisi/{pid}/elimina", data={"csrf_token": token})
    assert r.status_code == 200 and "Conferma: Elimina la bozza" in r.get_data(as_text=True)
    assert db.session.get(Procedure, pid) is not None
    r = client.post(f"/gestione/avvisi/{pid}/elimina", data={"csrf_token": token, "confirmed": "yes"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/gestione/avvisi")
    db.session.expire_all()
    assert db.session.get(Procedure, pid) is None
    assert db.session.execute(sa.select(sa.func.count(Lot.id)).where(Lot.procedure_id == pid)).scalar_one() == 0
    assert db.session.get(CallDocument, doc["id"]) is None and not files.path_of(doc["sha256"]).exists()
    assert _audited("delete_draft") == 1

    w2 = World(client, make_user, token_for, bodies=0)
    w2.publish()
    r = client.delete(f"{API}/procedures/{w2.procedure_id}", headers=w2.admin_h)
    assert r.status_code == 409 and "revocare in autotutela" in r.json["error"]["message"]
    assert "Elimina la bozza" not in client.get(f"/gestione/avvisi/{w2.procedure_id}").get_data(as_text=True)
