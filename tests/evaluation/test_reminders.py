"""The admin reminds the committee members who still owe final reviews: each is told how many, once per reminder,
by mail and on their notifications; a member who has finished is not; refused when nothing is owed or outside
the evaluation, within a day of the last reminder, and by anyone but the call's admins."""
import datetime as dt

import sqlalchemy as sa

from codesign.core.audit import AuditRecord
from codesign.core.notifications import Notification
from codesign.db import db, utcnow
from codesign.evaluation import operations as ev
from codesign.procedures.models import Procedure
from tests.conftest import csrf_token_from
from tests.helpers import SCENARIO, Scenario

API = "/api/v1"


def _reminders(user) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.subject.startswith("Valutazioni da completare"))).scalars())


def test_the_members_who_owe_reviews_are_reminded(client, make_user, token_for, login):
    s = Scenario(client, make_user, token_for)
    drafted = next(rv["proposal"] for rv in SCENARIO["reviews"] if rv["evaluator"] == "e2")
    for rv in SCENARIO["reviews"]:  # e1 finishes everything, e2 leaves one as a draft, e3 has not started
        if rv["evaluator"] != "e3":
            final = not (rv["evaluator"] == "e2" and rv["proposal"] == drafted)
            assert s.review(rv["evaluator"], rv["proposal"], rv["scores"], final=final).status_code == 200
    admissible = sum(1 for p in SCENARIO["proposals"] if p["admissible"])

    assert client.post(f"{API}/procedures/{s.pid}/committee/reminders", headers=s.ev_h["e1"]).status_code == 403
    r = client.post(f"{API}/procedures/{s.pid}/committee/reminders", headers=s.admin_h)
    assert r.status_code == 200, r.json
    assert r.json == {"reminded": 2, "reviews_missing": 1 + admissible}
    assert _reminders(s.ev["e1"]) == []
    (e2,) = _reminders(s.ev["e2"])
    assert e2.body.startswith("1 proposta dell'avviso") and e2.link == "/valutazioni"
    (e3,) = _reminders(s.ev["e3"])
    assert e3.body.startswith(f"{admissible} proposte dell'avviso")
    audit = db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "remind_evaluators")).scalar_one()
    assert audit.entity_id == s.pid

    # at most once a day: the page says when the next one may go, the button is gone, a press is refused
    login(s.admin)
    page = client.get(f"/gestione/avvisi/{s.pid}/valutazione").get_data(as_text=True)
    assert "2 valutatori devono ancora concludere delle valutazioni." in page
    assert "Il prossimo si può inviare dal" in page and "Sollecita i valutatori" not in page
    r = client.post(f"/gestione/avvisi/{s.pid}/valutazione/sollecito", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 409 and "già stato inviato" in r.get_data(as_text=True)
    r = client.post(f"{API}/procedures/{s.pid}/committee/reminders", headers=s.admin_h)
    assert r.status_code == 409 and "il prossimo si può inviare dal" in r.json["error"]["message"]
    assert len(_reminders(s.ev["e3"])) == 1
    # a day later, a second reminder
    proc = db.session.get(Procedure, s.pid)
    ev.remind_evaluators(s.admin, proc, now=utcnow() + ev.REMIND_EVERY + dt.timedelta(minutes=1))
    db.session.commit()
    assert len(_reminders(s.ev["e3"])) == 2

    # once every review is final: nothing owed, no button, refused
    for rv in SCENARIO["reviews"]:
        if rv["evaluator"] == "e3" or (rv["evaluator"] == "e2" and rv["proposal"] == drafted):
            assert s.review(rv["evaluator"], rv["proposal"], rv["scores"]).status_code == 200
    page = client.get(f"/gestione/avvisi/{s.pid}/valutazione").get_data(as_text=True)
    assert "Sollecita i valutatori" not in page
    r = client.post(f"/gestione/avvisi/{s.pid}/valutazione/sollecito", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 409
    assert "Il sollecito non è stato inviato" in r.get_data(as_text=True)
    r = client.post(f"{API}/procedures/{s.pid}/committee/reminders", headers=s.admin_h)
    assert r.status_code == 409 and "nessun valutatore" in r.json["error"]["message"]
    assert len(_reminders(s.ev["e3"])) == 2
