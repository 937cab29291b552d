"""Messages about a proposal between the body and the administration: a thread on file with PDFs checked by
content, read and written only by the two parties, each message audited and copied by mail to the other party,
the integration request and its answer in their place."""
import io

import sqlalchemy as sa

from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.db import db
from codesign.proposals.models import ProposalMessage
from tests.api.test_proposals_api import _to_admissibility, upload
from tests.conftest import csrf_token_from
from tests.helpers import PDF, World, transition

API = "/api/v1"


def _post(client, pid, headers, text, data=None, name="lettera.pdf"):
    form = {"text": text}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(f"{API}/proposals/{pid}/messages", headers=headers, data=form,
                       content_type="multipart/form-data")


def _submitted(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    pid = w.draft(0)
    assert w.submit(pid, 0).status_code == 200
    return w, pid


def test_the_two_parties_write_and_the_other_is_told(client, make_user, token_for, login):
    w, pid = _submitted(client, make_user, token_for)
    r = _post(client, pid, w.headers[0], "Possiamo spostare l'avvio a ottobre?", PDF)
    assert r.status_code == 201, r.json
    assert r.json["side"] == "body" and r.json["attachment"]["name"] == "lettera.pdf"
    told = db.session.execute(sa.select(Notification).where(Notification.user_id == w.admin.id,
                                                            Notification.subject.startswith("Nuovo messaggio"))
                              ).scalar_one()
    assert "Possiamo spostare l'avvio a ottobre?" in told.body and told.link == f"/proposte/{pid}#messaggi"
    mailed = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to == w.admin.email,
                                                               OutboxMessage.subject.startswith("Nuovo messaggio"))
                                ).scalar_one()
    assert "Possiamo spostare l'avvio a ottobre?" in mailed.body and "Allegato: lettera.pdf" in mailed.body

    # the administration answers from the page; the body is told
    login(w.admin)
    page = client.get(f"/proposte/{pid}").get_data(as_text=True)
    assert "Possiamo spostare l&#39;avvio a ottobre?" in page and "Scrivi all'ente" in page
    r = client.post(f"/proposte/{pid}/messaggi", data={"csrf_token": csrf_token_from(page),
                                                       "text": "Sì, con una nota al progetto."})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/proposte/{pid}#messaggi")
    assert db.session.execute(sa.select(Notification).where(
        Notification.user_id == w.applicants[0].id, Notification.subject.startswith("Nuovo messaggio"))
    ).scalar_one().body.endswith("Rispondi dalla pagina della proposta.")

    # the integration request and its answer stand in the thread, in order
    _to_admissibility(w)
    r = transition(client, "proposals", pid, w.admin_h, "request_integration", reason="manca il DURC",
                   due="2099-01-10")
    assert r.status_code == 200, r.json
    assert upload(client, pid, w.headers[0], kind="durc").status_code == 201
    r = transition(client, "proposals", pid, w.headers[0], "provide_integration", note="ecco il DURC")
    assert r.status_code == 200, r.json
    thread = client.get(f"{API}/proposals/{pid}/messages", headers=w.headers[0])
    assert thread.status_code == 200 and thread.headers["X-Total-Count"] == "4"
    assert [(e["type"], e["side"]) for e in thread.json] == [
        ("message", "body"), ("message", "admin"), ("integration_request", "admin"), ("integration_answer", "body")]
    assert thread.json[2]["due"] == "2099-01-10" and thread.json[3]["attachments"][0]["name"] == "proposta.pdf"
    assert db.session.execute(sa.select(sa.func.count(AuditRecord.id)).where(
        AuditRecord.trigger == "post_message")).scalar_one() == 2


def test_only_the_two_parties_read_or_write(client, make_user, token_for, login):
    w, pid = _submitted(client, make_user, token_for)
    att = _post(client, pid, w.headers[0], "Una nota riservata", PDF).json["attachment"]
    evaluator = make_user("evaluator")
    other_admin = make_user("admin", org="Comune di Rho")
    for headers, status in ((w.headers[1], 404), (token_for(other_admin), 404)):
        assert client.get(f"{API}/proposals/{pid}/messages", headers=headers).status_code == status
        assert _post(client, pid, headers, "ciao").status_code == status
    assert _post(client, pid, token_for(evaluator), "ciao").status_code in (403, 404)
    login(w.applicants[0])
    assert client.get(f"/allegati/{att['id']}").status_code == 200
    login(evaluator)
    assert client.get(f"/allegati/{att['id']}").status_code in (403, 404)
    assert db.session.execute(sa.select(sa.func.count(ProposalMessage.id))).scalar_one() == 1


def test_bad_messages_change_nothing(client, make_user, token_for, statements):
    w, pid = _submitted(client, make_user, token_for)
    draft = w.draft(1)
    r = _post(client, draft, w.headers[1], "Una domanda")
    assert r.status_code == 409 and "dopo l'invio" in r.json["error"]["message"]
    r = _post(client, pid, w.headers[0], "   ")
    assert r.status_code == 422 and "text" in r.json["error"]["fields"]
    r = _post(client, pid, w.headers[0], "x" * 5001)
    assert r.status_code == 422 and "text" in r.json["error"]["fields"]
    r = _post(client, pid, w.headers[0], "Con un falso PDF", b"<html>non un pdf</html>", "falso.pdf")
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    assert db.session.execute(sa.select(sa.func.count(ProposalMessage.id))).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count(Notification.id)).where(
        Notification.subject.startswith("Nuovo messaggio"))).scalar_one() == 0

    assert _post(client, pid, w.headers[0], "Primo", PDF).status_code == 201
    one = statements([f"{API}/proposals/{pid}/messages"], headers=w.headers[0])
    for n in range(5):
        assert _post(client, pid, w.admin_h if n % 2 else w.headers[0], f"Messaggio {n}", PDF).status_code == 201
    assert statements([f"{API}/proposals/{pid}/messages"], headers=w.headers[0]) == one


def test_a_withdrawn_proposal_keeps_its_thread_readable_and_closed(client, make_user, token_for, login):
    w, pid = _submitted(client, make_user, token_for)
    assert _post(client, pid, w.headers[0], "Ritiriamo la proposta: il partner ha rinunciato.").status_code == 201
    assert transition(client, "proposals", pid, w.headers[0], "withdraw").status_code == 200
    r = _post(client, pid, w.admin_h, "Preso atto.")
    assert r.status_code == 409 and "ritirata" in r.json["error"]["message"]
    assert client.get(f"{API}/proposals/{pid}/messages", headers=w.admin_h).headers["X-Total-Count"] == "1"
    login(w.admin)
    page = client.get(f"/proposte/{pid}").get_data(as_text=True)
    assert "il partner ha rinunciato" in page and "Invia il messaggio" not in page
