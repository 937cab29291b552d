"""The call's documents and its questions: documents (PDF, checked by content) added by the call's administration
and public with the call, removed only from a draft; questions asked by signed-in applicants until the question
deadline (the call's own, else five days before the submission deadline), answered by the administration as dated
clarifications, public without the asker's name; the office and contact shown. Through the API and the pages."""
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from codesign.core import files
from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification
from codesign.db import db
from codesign.procedures.models import CallDocument, CallQuestion, Procedure
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment
from tests.api.test_proposals_api import upload
from tests.conftest import csrf_token_from
from tests.helpers import PDF, World, transition

API = "/api/v1"
ROME = ZoneInfo("Europe/Rome")


def _add(client, proc_id, headers, *, kind="call", title="Avviso pubblico", data=PDF, name="avviso.pdf"):
    form = {"kind": kind, "title": title}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(f"{API}/procedures/{proc_id}/documents", headers=headers, data=form,
                       content_type="multipart/form-data")


def _ask(client, proc_id, headers, text="Il cofinanziamento può essere in beni e servizi?"):
    return client.post(f"{API}/procedures/{proc_id}/questions", headers=headers, json={"question": text})


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_documents_of_a_draft_then_public_and_on_file(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    pid = w.procedure_id
    r = _add(client, pid, w.admin_h)
    assert r.status_code == 201, r.json
    first = r.json
    assert first["kind"] == "call" and first["name"] == "avviso.pdf"
    assert first["url"] == f"/avvisi/{pid}/documenti/{first['id']}"
    second = _add(client, pid, w.admin_h, kind="annex", title="Allegato A - Modulo di domanda",
                  data=PDF + b"%A\n%%EOF\n", name="allegato-a.pdf").json
    # a draft's documents: its administration only
    assert client.get(f"{API}/procedures/{pid}/documents").status_code == 404
    assert client.get(first["url"]).status_code == 404
    assert client.get(f"{API}/procedures/{pid}/documents", headers=w.admin_h).headers["X-Total-Count"] == "2"
    # removed from the draft: the row and, once committed, the file
    assert client.delete(f"{API}/procedures/{pid}/documents/{second['id']}", headers=w.admin_h).status_code == 204
    assert not files.path_of(second["sha256"]).exists()
    w.publish()
    listed = client.get(f"{API}/procedures/{pid}/documents")
    assert listed.status_code == 200 and [d["title"] for d in listed.json] == ["Avviso pubblico"]
    got = client.get(first["url"])
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    # once published it stays on file; a new one (an act) may still be added
    r = client.delete(f"{API}/procedures/{pid}/documents/{first['id']}", headers=w.admin_h)
    assert r.status_code == 409 and "restano agli atti" in r.json["error"]["message"]
    assert _add(client, pid, w.admin_h, kind="act", title="Determina di approvazione").status_code == 201
    assert [d["kind"] for d in client.get(f"{API}/procedures/{pid}/documents").json] == ["call", "act"]
    triggers = db.session.execute(sa.select(AuditRecord.trigger).where(
        AuditRecord.entity_type == "procedure", AuditRecord.entity_id == pid,
        AuditRecord.trigger.in_(("add_document", "remove_document"))).order_by(AuditRecord.seq)).scalars().all()
    assert triggers == ["add_document", "add_document", "remove_document", "add_document"]


def test_documents_refused_change_nothing(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    pid = w.procedure_id
    before = _count(CallDocument)
    r = _add(client, pid, w.admin_h, data=b"<html>not a pdf</html>", name="avviso.pdf")
    assert r.status_code == 422 and "PDF" in r.json["error"]["fields"]["file"]
    r = _add(client, pid, w.admin_h, kind="bando", title="")
    assert r.status_code == 422 and set(r.json["error"]["fields"]) >= {"kind", "title"}
    assert _add(client, pid, w.admin_h, data=None).status_code == 422
    r = _add(client, pid, w.admin_h, title="Avviso\x00")                # a NUL is never stored
    assert r.status_code == 422 and "NUL" in r.json["error"]["fields"]["title"]
    r = client.patch(f"{API}/procedures/{pid}", headers=w.admin_h, json={"office": "Ufficio\x00", "rup": "\ud800"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"office", "rup"}
    assert _add(client, pid, w.headers[0]).status_code == 404          # an applicant does not see a draft
    w.publish()
    assert _add(client, pid, w.headers[0]).status_code == 403          # nor adds to a published call
    assert _add(client, pid, {}).status_code == 401
    other = make_user("admin", org="Comune di Sesto San Giovanni")
    assert _add(client, pid, token_for(other)).status_code == 403      # another administration
    assert _count(CallDocument) == before


def test_a_file_named_by_a_call_and_a_proposal_stays_while_either_names_it(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    doc = _add(client, w.procedure_id, w.admin_h).json
    proposal = w.draft(0)
    att = upload(client, proposal, w.headers[0], data=PDF).json   # the same bytes, as the body's attachment
    assert att["sha256"] == doc["sha256"]
    props.forget_attachment(db.session.get(Attachment, att["id"]))
    db.session.commit()
    assert files.path_of(doc["sha256"]).exists()                  # the call's avviso still names it
    assert client.get(doc["url"]).data == PDF


def test_question_answered_becomes_a_public_clarification(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    pid = w.procedure_id
    r = _ask(client, pid, w.headers[0], "Siamo l'APS Il Quartiere: il cofinanziamento può essere in beni?")
    assert r.status_code == 201, r.json
    qid = r.json["id"]
    assert r.json["answer"] is None and "asked_by_id" not in r.json
    told = db.session.execute(sa.select(Notification).where(Notification.user_id == w.admin.id)).scalar_one()
    assert told.subject.startswith("Nuova domanda di chiarimento")
    assert told.link == f"/gestione/avvisi/{pid}#chiarimenti"
    # nothing public yet; the asker sees their own question waiting, another body does not
    assert client.get(f"{API}/procedures/{pid}/questions").json == []
    mine = client.get(f"{API}/procedures/{pid}/questions?pending=1", headers=w.headers[0]).json
    assert [q["id"] for q in mine] == [qid]
    assert client.get(f"{API}/procedures/{pid}/questions?pending=1", headers=w.headers[1]).json == []
    waiting = client.get(f"{API}/procedures/{pid}/questions?pending=1", headers=w.admin_h).json
    assert waiting[0]["asked_by_id"] == w.applicants[0].id
    # only the administration answers
    body = {"answer": "Sì, se valorizzato e documentato.", "question": "Il cofinanziamento può essere in beni?"}
    r = client.post(f"{API}/procedures/{pid}/questions/{qid}/answer", headers=w.headers[1], json=body)
    assert r.status_code == 403
    r = client.post(f"{API}/procedures/{pid}/questions/{qid}/answer", headers=w.admin_h, json=body)
    assert r.status_code == 200, r.json
    assert r.json["question"] == "Il cofinanziamento può essere in beni?" and r.json["answered_at"]
    public = client.get(f"{API}/procedures/{pid}/questions")
    assert public.headers["X-Total-Count"] == "1"
    assert public.json[0]["answer"] == "Sì, se valorizzato e documentato." and "asked_by_id" not in public.json[0]
    assert "Il Quartiere" not in public.json[0]["question"]
    mailed = db.session.execute(sa.select(OutboxMessage).where(
        OutboxMessage.to == w.applicants[0].email, OutboxMessage.subject.startswith("Risposta"))).scalar_one()
    assert "Sì, se valorizzato e documentato." in mailed.body and f"/avvisi/{pid}#chiarimenti" in mailed.body
    # the original wording stays in the audit, not in public
    record = db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "answer_question")).scalar_one()
    assert json.loads(record.data)["reworded"] is True and "Il Quartiere" in json.loads(record.data)["original"]
    # answered once
    r = client.post(f"{API}/procedures/{pid}/questions/{qid}/answer", headers=w.admin_h, json=body)
    assert r.status_code == 409
    # a clarification of the administration's own
    r = client.post(f"{API}/procedures/{pid}/questions", headers=w.admin_h,
                    json={"question": "Errata corrige: il lotto B", "answer": "Il budget del lotto B è confermato."})
    assert r.status_code == 201 and r.json["asked_by_id"] is None and r.json["answered_at"]
    assert client.get(f"{API}/procedures/{pid}/questions").headers["X-Total-Count"] == "2"


def test_questions_refused_change_nothing(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    pid = w.procedure_id
    assert _ask(client, pid, w.headers[0]).status_code == 404          # a draft is not seen
    w.publish()
    before = _count(CallQuestion)
    assert _ask(client, pid, {}).status_code == 401
    r = _ask(client, pid, w.headers[0], "")
    assert r.status_code == 422 and "question" in r.json["error"]["fields"]
    r = client.post(f"{API}/procedures/{pid}/questions", headers=w.headers[0], json={"question": "Q", "answer": "A"})
    assert r.status_code == 422 and "answer" in r.json["error"]["fields"]    # only the administration answers
    assert _ask(client, pid, w.headers[0], "x" * 2001).status_code == 422
    assert _ask(client, pid, w.headers[0], "Una domanda\x00").status_code == 422
    evaluator = make_user("evaluator")
    assert _ask(client, pid, token_for(evaluator)).status_code == 403
    user = w.applicants[0]
    user.email_verified_at = None
    db.session.commit()
    r = _ask(client, pid, w.headers[0])
    assert r.status_code == 409 and "conferma" in r.json["error"]["message"]
    assert _count(CallQuestion) == before


def test_the_question_deadline(client, make_user, token_for):
    # default: five days before the submission deadline, the same hour in Rome (across the change of time)
    deadline = dt.datetime(2099, 4, 2, 12, 0, tzinfo=ROME)
    w = World(client, make_user, token_for, bodies=1, deadline=deadline)
    w.publish()
    proc = db.session.get(Procedure, w.procedure_id)
    assert proc.question_deadline.astimezone(ROME) == dt.datetime(2099, 3, 28, 12, 0, tzinfo=ROME)
    got = client.get(f"{API}/procedures/{w.procedure_id}").json
    assert got["questions_until"] is None and got["question_deadline"].startswith("2099-03-28T11:00")
    # past it: refused, with the date
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    db.session.commit()
    r = _ask(client, w.procedure_id, w.headers[0])
    assert r.status_code == 409 and "termine per le domande di chiarimento è scaduto" in r.json["error"]["message"]
    # the call's own term, which must come before the submission deadline
    w2 = World(client, make_user, token_for, bodies=0, deadline=deadline,
               questions_until="2099-04-03T10:00:00+02:00")
    r = transition(client, "procedures", w2.procedure_id, w2.admin_h, "publish")
    assert r.status_code == 409 and any("domande di chiarimento" in m for m in r.json["error"]["reasons"])
    r = client.patch(f"{API}/procedures/{w2.procedure_id}", headers=w2.admin_h,
                     json={"questions_until": "2099-03-20T17:00:00+01:00", "contact_email": "Sociali@Comune.Milano.it",
                           "contact_phone": "02 884 12345"})
    assert r.status_code == 200, r.json
    assert r.json["question_deadline"].startswith("2099-03-20T16:00")
    assert r.json["contact_email"] == "sociali@comune.milano.it"
    r = client.patch(f"{API}/procedures/{w2.procedure_id}", headers=w2.admin_h,
                     json={"contact_email": "non-una-mail", "contact_phone": "chiamate"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"contact_email", "contact_phone"}


def test_pages_documents_contacts_questions(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1, contact_email="politiche.sociali@comune.milano.it",
              contact_phone="02 884 12345", office="Area Sviluppo del Welfare")
    pid = w.procedure_id
    login(w.admin)
    manage = client.get(f"/gestione/avvisi/{pid}").get_data(as_text=True)
    assert "Aggiungi un documento" in manage
    r = client.post(f"/gestione/avvisi/{pid}/documenti", data={
        "csrf_token": csrf_token_from(manage), "doc-kind": "call", "doc-title": "Avviso pubblico",
        "doc-file": (io.BytesIO(PDF), "avviso.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/gestione/avvisi/{pid}#documenti")
    r = client.post(f"/gestione/avvisi/{pid}/documenti", data={
        "csrf_token": csrf_token_from(manage), "doc-kind": "annex", "doc-title": "Allegato",
        "doc-file": (io.BytesIO(b"GIF89a"), "allegato.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "non è un documento PDF" in r.get_data(as_text=True)
    assert _count(CallDocument) == 1
    w.publish()
    client.post("/esci", data={"csrf_token": csrf_token_from(manage)})

    # anyone reads the documents, the contacts, the term; signing in is offered to ask
    page = client.get(f"/avvisi/{pid}").get_data(as_text=True)
    assert "Avviso pubblico" in page and f"/avvisi/{pid}/documenti/" in page
    assert "mailto:politiche.sociali@comune.milano.it" in page and "tel:0288412345" in page
    assert "Area Sviluppo del Welfare" in page and "Domande di chiarimento fino al" in page
    assert "Accedi con l&#39;account del tuo ente" in page or "Accedi con l'account del tuo ente" in page

    # the applicant asks from the page
    login(w.applicants[0])
    page = client.get(f"/avvisi/{pid}").get_data(as_text=True)
    assert "Invia la domanda" in page
    r = client.post(f"/avvisi/{pid}/domande", data={"csrf_token": csrf_token_from(page), "question": ""})
    assert r.status_code == 422 and "Campo obbligatorio." in r.get_data(as_text=True)
    r = client.post(f"/avvisi/{pid}/domande", data={"csrf_token": csrf_token_from(page),
                                                  "question": "Le spese di progettazione sono ammesse?"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/avvisi/{pid}#chiarimenti")
    page = client.get(f"/avvisi/{pid}").get_data(as_text=True)
    assert "Le tue domande in attesa di risposta" in page and "Le spese di progettazione sono ammesse?" in page
    qid = db.session.execute(sa.select(CallQuestion.id)).scalar_one()
    client.post("/esci", data={"csrf_token": csrf_token_from(page)})

    # the administration answers from its page: an empty answer is refused beside the field
    login(w.admin)
    manage = client.get(f"/gestione/avvisi/{pid}").get_data(as_text=True)
    assert "Domande in attesa di risposta" in manage and "Le spese di progettazione sono ammesse?" in manage
    r = client.post(f"/gestione/avvisi/{pid}/domande/{qid}/risposta", data={
        "csrf_token": csrf_token_from(manage), f"q{qid}-question": "Le spese di progettazione sono ammesse?",
        f"q{qid}-answer": ""})
    assert r.status_code == 422 and db.session.get(CallQuestion, qid).answered_at is None
    r = client.post(f"/gestione/avvisi/{pid}/domande/{qid}/risposta", data={
        "csrf_token": csrf_token_from(manage), f"q{qid}-question": "Le spese di progettazione sono ammesse?",
        f"q{qid}-answer": "Sì, fino al 10% del costo complessivo."})
    assert r.status_code == 303
    r = client.post(f"/gestione/avvisi/{pid}/chiarimenti", data={
        "csrf_token": csrf_token_from(manage), "clar-question": "Orari dello sportello",
        "clar-answer": "Lo sportello riceve il martedì dalle 9 alle 12."})
    assert r.status_code == 303
    manage = client.get(f"/gestione/avvisi/{pid}").get_data(as_text=True)
    assert "Nessuna domanda in attesa." in manage and "Chiarimento n. 2" in manage
    # a published call's document cannot be removed: the page offers no button
    assert "Togli" not in manage
    page = client.get(f"/avvisi/{pid}").get_data(as_text=True)
    assert "Chiarimento n. 1" in page and "Sì, fino al 10% del costo complessivo." in page
