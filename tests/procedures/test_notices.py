"""Errata (avvisi di rettifica) and extensions of the deadline (proroghe) as dated notices on a published call: public
on its page and in the API, told to every body working on the call (a draft included) and to those who asked a
question; refused with nothing stored on a draft, by an applicant, without a text."""
import datetime as dt
import html as html_lib

import sqlalchemy as sa

from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.db import db
from codesign.procedures.models import CallNotice
from tests.conftest import csrf_token_from
from tests.helpers import World

API = "/api/v1"
ERRATUM = {"title": "Art. 6 – Budget del lotto B", "text": "Il budget del lotto B è di 180.000,00 euro, non 18.000."}


def _mails(subject_start: str) -> dict[str, str]:
    rows = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.subject.startswith(subject_start)))
    return {m.to: m.body for m in rows.scalars()}


def test_an_erratum_is_dated_public_and_told_to_those_working_on_the_call(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    pid = w.procedure_id
    r = client.post(f"{API}/procedures/{pid}/errata", headers=w.admin_h, json=ERRATUM)
    assert r.status_code == 409 and db.session.query(CallNotice).count() == 0  # not on a draft
    w.publish()
    w.draft(0)  # the first body has a draft; the second asked a question
    r = client.post(f"{API}/procedures/{pid}/questions", headers=w.headers[1], json={"question": "Il budget di B?"})
    assert r.status_code == 201, r.json
    # refused, nothing stored: an applicant; no text; unknown fields
    assert client.post(f"{API}/procedures/{pid}/errata", headers=w.headers[0], json=ERRATUM).status_code == 403
    r = client.post(f"{API}/procedures/{pid}/errata", headers=w.admin_h, json={**ERRATUM, "text": " "})
    assert r.status_code == 422 and "text" in r.json["error"]["fields"]
    assert client.post(f"{API}/procedures/{pid}/errata", headers=w.admin_h,
                       json={**ERRATUM, "extra": 1}).status_code == 422
    assert db.session.query(CallNotice).count() == 0

    r = client.post(f"{API}/procedures/{pid}/errata", headers=w.admin_h, json=ERRATUM)
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "erratum" and r.json["title"] == ERRATUM["title"] and r.json["new_deadline"] is None
    listed = client.get(f"{API}/procedures/{pid}/notices")  # public, no token
    assert listed.status_code == 200 and [n["id"] for n in listed.json] == [r.json["id"]]
    mailed = _mails("Rettifica all'avviso")
    assert set(mailed) == {w.applicants[0].email, w.applicants[1].email}
    assert ERRATUM["text"] in mailed[w.applicants[0].email] and f"/avvisi/{pid}#rettifiche" in mailed[w.applicants[0].email]
    assert db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "publish_erratum")).scalar_one()


def test_an_extension_is_a_dated_notice_in_words(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    w.draft(0)
    pid = w.procedure_id
    old = dt.datetime.fromisoformat(client.get(f"{API}/procedures/{pid}").json["submission_deadline"])
    new = (old + dt.timedelta(days=7)).isoformat()
    r = client.patch(f"{API}/procedures/{pid}", headers=w.admin_h, json={"submission_deadline": new})
    assert r.status_code == 200, r.json
    notice = client.get(f"{API}/procedures/{pid}/notices").json[0]
    assert notice["kind"] == "extension" and notice["title"] is None
    assert dt.datetime.fromisoformat(notice["previous_deadline"]) == old
    assert dt.datetime.fromisoformat(notice["new_deadline"]) == dt.datetime.fromisoformat(new)
    assert "è prorogata dal" in _mails("Scadenza prorogata")[w.applicants[0].email]
    page = html_lib.unescape(client.get(f"/avvisi/{pid}").get_data(as_text=True))
    assert 'id="rettifiche"' in page and "Proroga della scadenza" in page
    assert "La scadenza per presentare le proposte passa dal" in page


def test_the_manage_page_asks_once_then_publishes(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.procedure_id
    login(w.admin)
    manage = f"/gestione/avvisi/{pid}"
    html = html_lib.unescape(client.get(manage).get_data(as_text=True))
    assert 'id="erratum-form-title"' in html and 'id="rettifiche"' not in html  # nothing published yet

    def post(data):
        token = csrf_token_from(client.get(manage).get_data(as_text=True))
        return client.post(f"{manage}/rettifiche", data={"csrf_token": token, **data})

    r = post({"erratum-title": "", "erratum-text": "x"})
    assert r.status_code == 422 and 'id="erratum-title-error"' in r.get_data(as_text=True)
    fields = {"erratum-title": ERRATUM["title"], "erratum-text": ERRATUM["text"]}
    r = post(fields)
    asked = html_lib.unescape(r.get_data(as_text=True))
    assert r.status_code == 200 and 'id="consequence"' in asked and "non si può ritirare" in asked
    assert db.session.query(CallNotice).count() == 0
    r = post({**fields, "confirmed": "yes"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{manage}#rettifiche")
    public = html_lib.unescape(client.get(f"/avvisi/{pid}").get_data(as_text=True))
    box = public[public.index('id="rettifiche"'):]
    assert f"Rettifica: {ERRATUM['title']}" in box and ERRATUM["text"] in box
    assert public.index('id="rettifiche"') < public.index("Presenta una proposta")  # before anything else
