"""Funding opportunities for a Third Sector body and for whoever follows them: the open calls matching a body
(open to bodies or partnerships, covering its seat or its projects' municipalities, sharing a theme with its
projects or those of the calls it answered) through the API and on its dashboard; following a call (API and
pages), the reminders 15 and 3 days before its deadline, once each, through the outbox and a real SMTP server;
the calendar feed of the calls one follows."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine
from icalendar import Calendar

from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.observatory.models import Project
from codesign.opportunities.models import Follow
from codesign.organizations.models import Organization
from tests.conftest import csrf_token_from
from tests.evaluation.test_notifications import smtp_server  # noqa: F401 (the fixture)
from tests.helpers import World
from tests.opportunities.test_opportunities_api import body

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)   # 11:00 in Rome


@pytest.fixture()
def admin_h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def opportunity(client, h, **over):
    r = client.post(f"{API}/opportunities", headers=h, json=body(**over))
    assert r.status_code == 201, r.json
    return r.json["id"]


def outbox() -> list[OutboxMessage]:
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@pytest.fixture()
def world(client, make_user, token_for, admin_h):
    """Two bodies of one call: the first seated in Milano, beneficiary of an external project in Rho on social
    inclusion; the second's proposal became a project on culture (so the first answered a call on culture)."""
    with time_machine.travel(TODAY, tick=False):
        w = World(client, make_user, token_for, bodies=2)
        w.publish()
        first, second = w.draft(0), w.draft(1)
    seat = db.session.get(Organization, w.orgs[0])
    seat.municipality = "Milano"
    r = client.post(f"{API}/projects", headers=admin_h, json={
        "cup": "D47H18001230001", "title": "Casa di quartiere", "programme": "PNRR", "theme": "Inclusione sociale",
        "municipality": "015182", "beneficiary": {"name": seat.name, "tax_code": seat.tax_code},
        "public_funding": "1000.00", "planned_start": "2024-01-01", "planned_end": "2027-12-31",
        "state": "in_progress"})
    assert r.status_code == 201, r.json
    db.session.add(Project(origin="procedure", proposal_id=second, theme="Cultura", municipality="015209"))
    db.session.commit()
    w.proposals = (first, second)
    return w


@time_machine.travel(TODAY, tick=False)
def test_calls_matching_a_body(client, admin_h, world, make_user, token_for):
    made = {name: opportunity(client, admin_h, **b) for name, b in {
        "rho": {"title": "Rho inclusiva", "eligible": ["ets"], "territory": ["015182"], "deadline": "2027-01-20"},
        "seat": {"title": "Milano", "eligible": ["partnership"], "territory": ["015146"], "deadline": "2027-01-10"},
        "culture": {"title": "Cultura ovunque", "themes": ["CULTURA"], "deadline": "2027-02-01"},
        "sesto": {"title": "Solo Sesto", "eligible": ["ets"], "territory": ["015209"]},   # the other body's town
        "towns": {"title": "Solo comuni", "eligible": ["municipality"]},
        "theme": {"title": "Altro tema", "themes": ["Ambiente"]},
        "closed": {"title": "Scaduto", "opens_on": "2026-01-01", "deadline": "2026-12-03"},
    }.items()}
    mine = world.headers[0]
    r = client.get(f"{API}/opportunities?organization={world.orgs[0]}", headers=mine)
    assert r.status_code == 200, r.json
    assert [(o["title"], o["match"]["reasons"]) for o in r.json] == [
        ("Milano", "tema in comune: Inclusione sociale; aperto ai partenariati"),
        ("Rho inclusiva", "tema in comune: Inclusione sociale; aperto agli enti del Terzo settore"),
        ("Cultura ovunque", "tema in comune: CULTURA; aperto agli enti del Terzo settore; aperto ai partenariati")]
    assert r.headers["X-Total-Count"] == "3" and made
    # the other body: its project's theme and town, no external project
    r = client.get(f"{API}/opportunities?organization={world.orgs[1]}", headers=world.headers[1])
    assert [o["title"] for o in r.json] == ["Cultura ovunque"]
    # an admin reads any body's; a stranger, another body's member or nobody do not
    assert len(client.get(f"{API}/opportunities?organization={world.orgs[0]}", headers=admin_h).json) == 3
    assert client.get(f"{API}/opportunities?organization={world.orgs[0]}").status_code == 401
    assert client.get(f"{API}/opportunities?organization={world.orgs[0]}",
                      headers=world.headers[1]).status_code == 404
    assert client.get(f"{API}/opportunities?organization={world.orgs[0]}",
                      headers=token_for(make_user("evaluator"))).status_code == 404
    for bad in ("uno", "-1", "99999999999", "١"):
        r = client.get(f"{API}/opportunities?organization={bad}", headers=mine)
        assert r.status_code == 422 and "organization" in r.json["error"]["fields"], bad
    assert client.get(f"{API}/opportunities?organization=999999", headers=mine).status_code == 404


@time_machine.travel(TODAY, tick=False)
def test_the_dashboard_shows_them_and_follows_one(client, admin_h, world, login, statements):
    oid = opportunity(client, admin_h, title="Rho inclusiva", eligible=["ets"], territory=["015182"])
    login(world.applicants[0])
    html = client.get("/le-mie-proposte").get_data(as_text=True)
    assert "Bandi di finanziamento adatti ai tuoi enti" in html and "Rho inclusiva" in html
    assert "tema in comune: Inclusione sociale; aperto agli enti del Terzo settore" in html
    assert f'action="/opportunita/{oid}/segui"' in html
    r = client.post(f"/opportunita/{oid}/segui", data={"next": "/le-mie-proposte"})
    assert r.status_code == 400                                   # no CSRF token: refused, nothing stored
    assert db.session.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one() == 0
    token = csrf_token_from(html)
    r = client.post(f"/opportunita/{oid}/segui", data={"csrf_token": token, "next": "/le-mie-proposte"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/le-mie-proposte")
    html = client.get("/le-mie-proposte").get_data(as_text=True)
    assert "Ora segui questo bando" in html and f'action="/opportunita/{oid}/non-seguire"' in html
    r = client.post(f"/opportunita/{oid}/segui", data={"csrf_token": token, "next": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/opportunita/{oid}")   # no open redirect
    assert db.session.execute(sa.select(sa.func.count()).select_from(Follow)).scalar_one() == 1
    html = client.get("/opportunita/seguiti").get_data(as_text=True)
    assert "1 bando seguito" in html and "Rho inclusiva" in html and ".ics" in html
    # the dashboard's statements do not grow with the calls
    before = statements(["/le-mie-proposte"])
    for n in range(4):
        opportunity(client, admin_h, title=f"Altro {n}", eligible=["ets"])
    assert statements(["/le-mie-proposte"]) == before
    client.post(f"/opportunita/{oid}/non-seguire", data={"csrf_token": token})
    assert "Non segui ancora nessun bando" in client.get("/opportunita/seguiti").get_data(as_text=True)
    # the other body's member sees only what matches theirs; nobody signed in is sent to the login
    assert client.post("/esci", data={"csrf_token": token}).status_code in (302, 303)
    assert client.get("/opportunita/seguiti").status_code == 302
    assert client.post(f"/opportunita/{oid}/segui").status_code in (302, 400)


@time_machine.travel(TODAY, tick=False)
def test_follow_through_the_api(client, admin_h, make_user, token_for):
    h = token_for(make_user("applicant"))
    oid = opportunity(client, admin_h)
    assert client.put(f"{API}/opportunities/{oid}/follow").status_code == 401
    assert client.put(f"{API}/opportunities/999999/follow", headers=h).status_code == 404
    r = client.put(f"{API}/opportunities/{oid}/follow", headers=h)
    assert r.status_code == 201 and r.json["following"] and r.json["reminded"] == {"15": None, "3": None}
    assert client.put(f"{API}/opportunities/{oid}/follow", headers=h).status_code == 200
    assert client.get(f"{API}/opportunities/{oid}", headers=h).json["following"] is True
    assert "following" not in client.get(f"{API}/opportunities/{oid}").json
    r = client.get(f"{API}/opportunities/followed", headers=h)
    assert r.status_code == 200 and [o["id"] for o in r.json] == [oid] and r.headers["X-Total-Count"] == "1"
    assert client.get(f"{API}/opportunities/followed").status_code == 401
    later = opportunity(client, admin_h, title="Non ancora aperto", opens_on="2027-01-01", deadline="2027-03-01")
    assert client.put(f"{API}/opportunities/{later}/follow", headers=h).status_code == 201   # a call to come
    closed = opportunity(client, admin_h, title="Scaduto", opens_on="2026-01-01", deadline="2026-12-03")
    r = client.put(f"{API}/opportunities/{closed}/follow", headers=h)
    assert r.status_code == 409 and "scaduto" in r.json["error"]["message"]
    assert client.delete(f"{API}/opportunities/{oid}/follow", headers=h).status_code == 204
    assert client.delete(f"{API}/opportunities/{oid}/follow", headers=h).status_code == 204   # nothing to undo
    assert client.get(f"{API}/opportunities/{oid}", headers=h).json["following"] is False
    assert [o["title"] for o in client.get(f"{API}/opportunities/followed", headers=h).json] == ["Non ancora aperto"]


def test_reminders_15_and_3_days_before_once_each(client, admin_h, make_user, token_for, smtp_server, app_ctx):
    sink, url = smtp_server
    with time_machine.travel(TODAY, tick=False):
        early, late, gone, quitter = (make_user("applicant", email=f"{n}@example.org")
                                      for n in ("early", "late", "gone", "quitter"))
        oid = opportunity(client, admin_h, title="Welfare di comunità 2027", deadline="2026-12-25")   # 21 days
        other = opportunity(client, admin_h, title="Lontano", deadline="2027-06-30")
        for user in (early, gone, quitter):
            assert client.put(f"{API}/opportunities/{oid}/follow", headers=token_for(user)).status_code == 201
        assert client.put(f"{API}/opportunities/{other}/follow", headers=token_for(early)).status_code == 201
        assert client.delete(f"{API}/opportunities/{oid}/follow", headers=token_for(quitter)).status_code == 204
    db.session.get(type(gone), gone.id).active = False
    db.session.commit()

    def tick(day):
        with time_machine.travel(dt.datetime(*day, 9, tzinfo=dt.timezone.utc), tick=False):
            return run_tick(dt.datetime(*day, 9, tzinfo=dt.timezone.utc))

    tick((2026, 12, 9))                          # 16 days before: nothing yet
    assert outbox() == []
    report = tick((2026, 12, 10))                # 15 days before
    assert [m.to for m in outbox()] == ["early@example.org"] and any("bando" in line for line in report)
    assert "scade il 25/12/2026" in outbox()[0].subject and "mancano 15 giorni" in outbox()[0].body
    assert "https://www.fondazionecariplo.it/bandi/welfare" in outbox()[0].body
    tick((2026, 12, 11))
    assert len(outbox()) == 1                    # once
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=dt.timezone.utc), tick=False):
        assert client.put(f"{API}/opportunities/{oid}/follow", headers=token_for(late)).status_code == 201
    tick((2026, 12, 21))                         # 4 days before: the late follower gets the first reminder
    assert [m.to for m in outbox()] == ["early@example.org", "late@example.org"]
    assert "mancano 4 giorni" in outbox()[1].body
    app_ctx.config["SMTP_URL"] = url
    tick((2026, 12, 22))                         # 3 days before: both, through the SMTP server
    tick((2026, 12, 23))
    tick((2026, 12, 25))
    app_ctx.config["SMTP_URL"] = None
    assert [m.to for m in outbox()] == ["early@example.org", "late@example.org", "early@example.org",
                                        "late@example.org"]
    assert all(m.sent_at is not None for m in outbox())
    assert sorted(rcpt for rcpts, _body in sink.messages for rcpt in rcpts) == [
        "early@example.org", "early@example.org", "late@example.org", "late@example.org"]
    assert all("Welfare di comunit" in content for _rcpts, content in sink.messages)
    follow = db.session.execute(sa.select(Follow).where(Follow.user_id == early.id, Follow.opportunity_id == oid)
                                ).scalar_one()
    assert follow.reminded_15_at.date() == dt.date(2026, 12, 10) and follow.reminded_3_at.date() == dt.date(2026, 12, 22)
    tick((2026, 12, 26))                         # expired: nothing more
    assert len(outbox()) == 4


@time_machine.travel(TODAY, tick=False)
def test_calendar_feed(client, admin_h, make_user, login, token_for):
    user = make_user("applicant")
    oid = opportunity(client, admin_h, title="Welfare di comunità 2027", deadline="2027-02-15")
    opportunity(client, admin_h, title="Non seguito")
    assert client.put(f"{API}/opportunities/{oid}/follow", headers=token_for(user)).status_code == 201
    login(user)
    html = client.get("/opportunita/seguiti").get_data(as_text=True)
    feed = html.split('id="feed-url" class="form-control" type="text" readonly value="')[1].split('"')[0]
    path = feed.split("://", 1)[1].split("/", 1)[1]
    client.post("/esci", data={"csrf_token": html.split('name="csrf_token" value="')[1].split('"')[0]})
    r = client.get("/" + path)                  # no session: the token says whose
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.data)
    events = list(cal.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Scadenza del bando: Welfare di comunità 2027"]
    event = events[0]
    assert event.decoded("dtstart") == dt.date(2027, 2, 15) and event.decoded("dtend") == dt.date(2027, 2, 16)
    assert str(event["uid"]) == f"opportunity-{oid}@codesign"
    assert sorted(a.decoded("trigger") for a in event.walk("VALARM")) == [dt.timedelta(days=-15),
                                                                          dt.timedelta(days=-3)]
    token = path.rsplit("/", 1)[1][:-4]
    assert client.get(f"/opportunita/calendario/{token[:-1]}x.ics").status_code == 404
    assert client.get("/opportunita/calendario/nessuno.ics").status_code == 404
    db.session.get(type(user), user.id).active = False
    db.session.commit()
    assert client.get("/" + path).status_code == 404
