"""Every notification goes out by mail once and stays on the person's page "Notifiche", unread first until they
open it; the API lists and marks them the same way; nobody reads or marks another person's."""
import re

import sqlalchemy as sa

from codesign.core import notifications
from codesign.core.mail import OutboxMessage
from codesign.core.notifications import Notification, Recipient
from codesign.db import db
from tests.conftest import csrf_token_from

API = "/api/v1"


def _body(client, founder, token_for) -> int:
    r = client.post(f"{API}/organizations", headers=token_for(founder),
                    json={"name": "APS Il Cortile", "kind": "ets", "tax_code": "97735020584", "municipality": "Milano"})
    assert r.status_code == 201, r.json
    return r.json["id"]


def _unread(user_id) -> int:
    return db.session.execute(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))).scalar_one()


def test_a_request_to_join_reaches_the_members_page_and_mail_once(client, make_user, token_for, login):
    founder = make_user("applicant", name="Marta Rossi")
    org_id = _body(client, founder, token_for)
    second = make_user("applicant", name="Luca Bianchi")
    r = client.post(f"{API}/join-requests", headers=token_for(second),
                    json={"tax_code": "97735020584", "message": "Seguo il doposcuola."})
    assert r.status_code == 201, r.json
    request_id = r.json["id"]

    mails = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert [m.to for m in mails] == [founder.email]
    assert mails[0].body.rstrip().endswith(f"http://localhost/enti/{org_id}")  # the link, absolute, in the mail
    login(founder)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/notifiche">Notifiche <span class="badge[^"]*">1<', home)
    page = client.get("/notifiche").get_data(as_text=True)
    assert "1 notifica non letta" in page and "Richiesta di unirsi a APS Il Cortile" in page
    assert "Seguo il doposcuola." in page and "Nuova" in page
    n = db.session.execute(sa.select(Notification)).scalar_one()
    assert n.user_id == founder.id and n.link == f"/enti/{org_id}"

    r = client.post(f"/notifiche/{n.id}", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 303 and r.headers["Location"] == f"/enti/{org_id}"
    assert _unread(founder.id) == 0
    page = client.get("/notifiche").get_data(as_text=True)
    assert "0 notifiche non lette" in page and "Nuova" not in page and f'href="/enti/{org_id}"' in page
    assert 'class="badge' not in client.get("/").get_data(as_text=True).split("Notifiche", 1)[1][:60]

    # the answer reaches the person who asked, once
    r = client.post(f"{API}/join-requests/{request_id}/approve", headers=token_for(founder))
    assert r.status_code == 200, r.json
    told = db.session.execute(sa.select(Notification).where(Notification.user_id == second.id)).scalar_one()
    assert "accettata" in told.subject and told.link == f"/enti/{org_id}"


def test_unread_first_then_newest_on_the_page_and_in_the_api(client, make_user, token_for, login, statements):
    person = make_user("applicant")
    me = Recipient(person.id, person.email)
    for n in range(5):
        notifications.notify([me], f"Avviso {n}", f"Testo {n}")
    db.session.commit()
    first, second = db.session.execute(sa.select(Notification.id).order_by(Notification.id).limit(2)).scalars()
    h = token_for(person)
    assert client.post(f"{API}/notifications/{second}/read", headers=h).json["read_at"]
    again = client.post(f"{API}/notifications/{second}/read", headers=h)  # reading again changes nothing
    assert again.status_code == 200
    listed = client.get(f"{API}/notifications?limit=3", headers=h)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "5"
    assert [n["subject"] for n in listed.json] == ["Avviso 4", "Avviso 3", "Avviso 2"]
    rest = client.get(f"{API}/notifications?limit=3&offset=3", headers=h).json
    assert [(n["subject"], n["read_at"] is None) for n in rest] == [("Avviso 0", True), ("Avviso 1", False)]

    login(person)
    page = client.get("/notifiche").get_data(as_text=True)
    assert page.index("Avviso 4") < page.index("Avviso 0") < page.index("Avviso 1")
    few = statements(["/notifiche"])
    for n in range(30):
        notifications.notify([me], f"Altro {n}", "…")
    db.session.commit()
    assert statements(["/notifiche"]) == few
    assert "Pagina 1 di 2" in client.get("/notifiche").get_data(as_text=True)

    r = client.post(f"{API}/notifications/read", headers=h)
    assert r.status_code == 200 and r.json == {"read": 34}
    assert _unread(person.id) == 0


def test_nobody_reads_or_marks_another_persons(client, make_user, token_for, login):
    owner, other = make_user("applicant"), make_user("evaluator")
    notifications.notify([Recipient(owner.id, owner.email)], "Solo per te", "Riservato")
    db.session.commit()
    nid = db.session.execute(sa.select(Notification.id)).scalar_one()
    assert client.get("/notifiche").status_code == 302  # to the login
    assert client.get(f"{API}/notifications").status_code == 401
    assert client.post(f"{API}/notifications/{nid}/read", headers=token_for(other)).status_code == 404
    assert client.get(f"{API}/notifications", headers=token_for(other)).json == []
    login(other)
    page = client.get("/notifiche").get_data(as_text=True)
    assert "Solo per te" not in page and "Nessuna notifica, per ora." in page
    r = client.post(f"/notifiche/{nid}", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 404
    assert client.post(f"/notifiche/{nid}", data={}).status_code == 400  # no CSRF token
    r = client.post("/notifiche/lette", data={"csrf_token": csrf_token_from(page)})
    assert r.status_code == 303
    assert _unread(owner.id) == 1


def test_a_person_named_twice_is_told_once_and_links_work_without_a_request(app_ctx, make_user):
    person = make_user("applicant")
    me = Recipient(person.id, person.email)
    saved = app_ctx.config["SERVER_NAME"]
    app_ctx.config["SERVER_NAME"] = None  # as `codesign tick` runs: no request, no server name
    try:
        link = notifications.path("proposals.edit", proposal_id=7)
        assert link == "/proposte/7"
        assert notifications.notify([me, me], "Una volta", "Testo", link=link) == 1
    finally:
        app_ctx.config["SERVER_NAME"] = saved
    db.session.commit()
    mails = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert len(mails) == 1 and mails[0].body == "Testo\n\n/proposte/7\n"
    assert _unread(person.id) == 1
