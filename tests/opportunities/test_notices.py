"""The office proposes a funding opportunity to municipalities (the admins of their administration registered in
codesign) and bodies (their members): one message to each person through the outbox and a real SMTP server, once
per party; who was told shows on the office's page and through the API; refusals change nothing."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from codesign.core.mail import OutboxMessage
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.opportunities.models import Notice
from tests.evaluation.test_notifications import smtp_server  # noqa: F401 (the fixture)
from tests.opportunities.test_opportunities_api import body

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)


@pytest.fixture()
def office(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano", email="ufficio@cittametropolitana.example"))


def outbox():
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


@time_machine.travel(TODAY, tick=False)
def test_proposing_a_call(client, office, make_user, token_for, smtp_server, app_ctx):
    sink, url = smtp_server
    make_user("admin", org="Comune di Rho", email="sindaco@comune.rho.example")
    make_user("admin", org="Comune di Rho", email="sociale@comune.rho.example")
    member = make_user("applicant", email="portico@example.org")
    r = client.post(f"{API}/organizations", headers=token_for(member),
                    json={"name": "Cooperativa Sociale Il Portico", "kind": "ets", "tax_code": "12345670157"})
    portico = r.json["id"]
    oid = client.post(f"{API}/opportunities", headers=office, json=body(title="Welfare di comunità 2027")).json["id"]
    closed = client.post(f"{API}/opportunities", headers=office, json=body(
        title="Scaduto", opens_on="2026-01-01", deadline="2026-12-03")).json["id"]
    url_ = f"{API}/opportunities/{oid}/notices"
    told = {"parties": [{"municipality": "015182"}, {"organization_id": portico}, {"municipality": "015209"}],
            "message": "Potrebbe interessarvi per la casa di quartiere."}
    for bad, field in [({"parties": []}, "parties"), ({"parties": [{"organization_id": 999999}]},
                                                       "parties.0.organization_id"),
                       ({"parties": [{"municipality": "015182"}, {"municipality": "015182"}]}, "parties.1"),
                       ({"parties": [{"municipality": "123"}]}, "parties.0.municipality")]:
        r = client.post(url_, headers=office, json=bad)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (bad, r.json)
    assert client.post(url_, json=told).status_code == 401
    assert client.post(url_, headers=token_for(member), json=told).status_code == 403
    assert client.post(f"{API}/opportunities/{closed}/notices", headers=office, json=told).status_code == 409
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notice)).scalar_one() == 0 and outbox() == []

    r = client.post(url_, headers=office, json=told)
    assert r.status_code == 201, r.json
    assert [(n["party"]["name"], n["recipients"]) for n in r.json["told"]] == [
        ("Rho", 2), ("Cooperativa Sociale Il Portico", 1), ("Sesto San Giovanni", 0)]   # Sesto: nobody registered
    assert r.json["already_told"] == []
    assert sorted(m.to for m in outbox()) == ["portico@example.org", "sindaco@comune.rho.example",
                                              "sociale@comune.rho.example"]
    message = outbox()[0]
    assert message.subject == "Un bando per voi: Welfare di comunità 2027"
    assert message.body.startswith("Potrebbe interessarvi per la casa di quartiere.")
    assert "Città metropolitana di Milano vi segnala il bando «Welfare di comunità 2027»" in message.body
    assert "scadenza 15/02/2027" in message.body and "https://www.fondazionecariplo.it/bandi/welfare" in message.body
    # once per party: told again, nobody gets a second message
    r = client.post(url_, headers=office, json={"parties": [{"municipality": "015182"}, {"municipality": "015146"}]})
    assert [n["party"]["name"] for n in r.json["told"]] == ["Milano"]
    assert [n["party"]["name"] for n in r.json["already_told"]] == ["Rho"]
    assert len(outbox()) == 3
    r = client.get(url_, headers=office)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "4"
    assert client.get(url_, headers=token_for(member)).status_code == 403
    app_ctx.config["SMTP_URL"] = url
    run_tick(TODAY)
    app_ctx.config["SMTP_URL"] = None
    assert sorted(r for rcpts, _content in sink.messages for r in rcpts) == [
        "portico@example.org", "sindaco@comune.rho.example", "sociale@comune.rho.example"]


@time_machine.travel(TODAY, tick=False)
def test_the_office_page_shows_who_was_told(client, office, make_user, login, post_form):
    make_user("admin", org="Comune di Rho", email="sindaco@comune.rho.example")
    oid = client.post(f"{API}/opportunities", headers=office, json=body(title="Welfare di comunità 2027")).json["id"]
    login(make_user("admin", org="Città metropolitana di Milano"))
    page = f"/opportunita/{oid}/candidature"
    assert "Il bando non è ancora stato segnalato a nessuno." in client.get(page).get_data(as_text=True)
    r = post_form(f"/opportunita/{oid}/segnala", {"parties": []}, get_url=page)
    assert r.status_code == 422 and db.session.execute(sa.select(sa.func.count()).select_from(Notice)).scalar_one() == 0
    r = post_form(f"/opportunita/{oid}/segnala", {"parties": ["m:015182", "m:015209"], "message": "Da vedere"},
                  get_url=page)
    assert r.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Bando segnalato a 2 tra comuni ed enti; messaggi in partenza: 1." in html
    assert "Rho" in html and "nessun referente registrato in codesign" in html
    r = post_form(f"/opportunita/{oid}/segnala", {"parties": ["m:015182"]}, get_url=page)
    assert "Già informati in precedenza, non di nuovo: Rho." in client.get(page).get_data(as_text=True)
    assert len(outbox()) == 1
