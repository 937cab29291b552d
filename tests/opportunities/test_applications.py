"""Who answers a funding opportunity, recorded by the office: a lead and partners (municipalities and registered
bodies: a network of projects), the states `interested`, `submitted`, `funded`, `not_funded` (the application
machine), and a funded application that becomes an external project of the observatory with its CUP, keeping the
link to the opportunity — through the API and the office's page; every refusal changes nothing."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine
from stdnum import luhn

from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.observatory.models import Project
from codesign.opportunities.models import Application
from tests.opportunities.test_opportunities_api import body

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)
FUND = {"trigger": "fund", "cup": "D47H26000120001", "public_funding": "180000.00", "planned_start": "2027-03-01",
        "planned_end": "2028-12-31"}


@pytest.fixture()
def office(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


@pytest.fixture()
def bodies(client, make_user, token_for):
    """Two registered bodies: one seated in Sesto San Giovanni, one without a seat; and a member's token."""
    out = []
    for name, tax_code, town in (("Cooperativa Sociale Il Portico", "12345670157", "Sesto San Giovanni"),
                                 ("Associazione Vicini di Casa APS", "23456780156", None)):
        member = make_user("applicant")
        h = token_for(member)
        r = client.post(f"{API}/organizations", headers=h, json={"name": name, "kind": "ets", "tax_code": tax_code,
                                                                 **({"municipality": town} if town else {})})
        assert r.status_code == 201, r.json
        out.append((r.json["id"], h))
    return out


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def fire(client, h, aid, **b):
    return client.post(f"{API}/applications/{aid}/transitions", headers=h, json=b)


@time_machine.travel(TODAY, tick=False)
def test_the_office_records_a_network_and_its_funding(client, office, bodies):
    (portico, member_h), (vicini, _h) = bodies
    oid = client.post(f"{API}/opportunities", headers=office, json=body(
        title="Spazi di comunità", eligible=["municipality", "partnership"], territory=["015182", "015209"],
        themes=["Rinnovamento urbano e rurale", "Inclusione sociale"])).json["id"]
    url = f"{API}/opportunities/{oid}/applications"
    network = {"title": "Casa di quartiere di Rho", "lead": {"municipality": "015182"},
               "partners": [{"municipality": "015209"}, {"organization_id": portico}], "requested_amount": "200000"}
    # refusals: each beside its field, nothing stored
    for bad, field in [
        (network | {"lead": {"municipality": "015146"}}, "lead.municipality"),          # Milano: outside
        (network | {"lead": {"municipality": "999999"}}, "lead.municipality"),          # not a municipality
        (network | {"lead": {"municipality": "015182", "organization_id": portico}}, "lead"),
        (network | {"partners": [{"organization_id": 999999}]}, "partners.0.organization_id"),
        (network | {"partners": [{"municipality": "015182"}]}, "partners.0"),           # the lead again
        (network | {"requested_amount": "-1"}, "requested_amount"),
        (network | {"title": ""}, "title"),
    ]:
        r = client.post(url, headers=office, json=bad)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (bad, r.json)
    towns = client.post(f"{API}/opportunities", headers=office, json=body(eligible=["municipality"])).json["id"]
    r = client.post(f"{API}/opportunities/{towns}/applications", headers=office,
                    json=network | {"lead": {"organization_id": portico}, "partners": []})
    assert r.status_code == 422 and r.json["error"]["fields"] == {"lead": "il bando non è aperto a enti come capofila"}
    assert client.post(url, json=network).status_code == 401
    assert client.post(url, headers=member_h, json=network).status_code == 403
    assert client.post(f"{API}/opportunities/999999/applications", headers=office, json=network).status_code == 404
    assert count(Application) == 0

    r = client.post(url, headers=office, json=network)
    assert r.status_code == 201, r.json
    a = r.json
    assert (a["state"], a["lead"], a["requested_amount"], a["project_id"]) == (
        "interested", {"municipality": "015182", "name": "Rho"}, "200000.00", None)
    assert a["partners"] == [{"municipality": "015209", "name": "Sesto San Giovanni"},
                             {"organization_id": portico, "name": "Cooperativa Sociale Il Portico"}]
    other = client.post(url, headers=office, json={"title": "Orti condivisi", "lead": {"municipality": "015209"}}
                        ).json["id"]

    assert fire(client, office, a["id"], **FUND).status_code == 409                 # not submitted yet
    assert fire(client, member_h, a["id"], trigger="submit").status_code == 404     # the office's record
    assert fire(client, office, a["id"], trigger="submit").json["state"] == "submitted"
    r = fire(client, office, a["id"], trigger="fund", cup="D47H26000120001")
    assert r.status_code == 422 and {"public_funding", "planned_start", "planned_end"} <= set(r.json["error"]["fields"])
    r = fire(client, office, a["id"], **FUND | {"planned_end": "2026-01-01"})      # the project's own rule
    assert r.status_code == 422 and "planned_end" in r.json["error"]["fields"]
    r = fire(client, office, a["id"], **FUND | {"cup": "nonunCUP"})
    assert r.status_code == 422 and "cup" in r.json["error"]["fields"]
    assert client.get(f"{API}/applications/{a['id']}", headers=office).json["state"] == "submitted"
    assert count(Project) == 0

    r = fire(client, office, a["id"], **FUND | {"theme": "Inclusione sociale"})
    assert r.status_code == 200, r.json
    assert r.json["state"] == "funded" and r.json["project_id"]
    project = client.get(f"{API}/projects/{r.json['project_id']}").json
    assert (project["cup"], project["origin"], project["title"], project["municipality"], project["public_funding"],
            project["programme"], project["theme"], project["state"], project["beneficiary"]["name"]) == (
        "D47H26000120001", "external", "Casa di quartiere di Rho", "015182", "180000.00", "Welfare in azione",
        "Inclusione sociale", "planned", "Comune di Rho")
    assert "Spazi di comunità" in project["description"]
    # a second application cannot take the same CUP: 422 and it stays submitted
    assert fire(client, office, other, trigger="submit").status_code == 200
    r = fire(client, office, other, **FUND)
    assert r.status_code == 422 and "cup" in r.json["error"]["fields"]
    assert fire(client, office, other, trigger="reject", reason="Punteggio sotto la soglia").json["state"] == (
        "not_funded")
    assert fire(client, office, other, trigger="fund", **{k: v for k, v in FUND.items() if k != "trigger"}
                ).status_code == 409
    r = client.get(url, headers=office)
    assert r.status_code == 200 and [x["state"] for x in r.json] == ["funded", "not_funded"]
    assert r.headers["X-Total-Count"] == "2"
    assert client.get(url, headers=member_h).status_code == 403
    triggers = db.session.execute(sa.select(AuditRecord.trigger).where(AuditRecord.entity_type == "application")
                                  .order_by(AuditRecord.id)).scalars().all()
    assert triggers == ["record_application", "record_application", "submit", "fund", "submit", "reject"]


@time_machine.travel(TODAY, tick=False)
def test_a_body_leads_where_it_has_a_seat(client, office, bodies):
    (portico, _h), (vicini, _h2) = bodies
    oid = client.post(f"{API}/opportunities", headers=office, json=body()).json["id"]   # ets, partnership
    url = f"{API}/opportunities/{oid}/applications"
    seated = client.post(url, headers=office, json={"title": "Welfare a Sesto", "lead": {"organization_id": portico}}
                         ).json["id"]
    nowhere = client.post(url, headers=office, json={"title": "Vicini", "lead": {"organization_id": vicini}}).json["id"]
    for aid in (seated, nowhere):
        assert fire(client, office, aid, trigger="submit").status_code == 200
    r = fire(client, office, nowhere, **FUND)
    assert r.status_code == 409 and "senza sede" in r.json["error"]["message"]
    r = fire(client, office, seated, **FUND)
    assert r.status_code == 200, r.json
    project = client.get(f"{API}/projects/{r.json['project_id']}").json
    assert (project["municipality"], project["beneficiary"]) == (
        "015209", {"name": "Cooperativa Sociale Il Portico", "tax_code": "12345670157"})
    assert project["theme"] == "Inclusione sociale"                               # the opportunity's first theme


@time_machine.travel(TODAY, tick=False)
def test_the_office_page(client, office, bodies, make_user, login, post_form):
    (portico, _h), _second = bodies
    oid = client.post(f"{API}/opportunities", headers=office, json=body(
        title="Spazi di comunità", eligible=["municipality"])).json["id"]
    page = f"/opportunita/{oid}/candidature"
    login(make_user("applicant"))
    assert client.get(page).status_code == 403
    login(make_user("admin", org="Città metropolitana di Milano"))
    assert "Chi partecipa" in client.get(f"/opportunita/{oid}").get_data(as_text=True)
    r = post_form(page, {"title": "Casa di quartiere", "lead": f"o:{portico}", "partners": ["m:015209"]})
    assert r.status_code == 422 and "il bando non è aperto a enti come capofila" in r.get_data(as_text=True)
    assert count(Application) == 0
    r = post_form(page, {"title": "Casa di quartiere", "lead": "m:015182", "partners": ["m:015209", f"o:{portico}"],
                         "requested_amount": "200.000,00", "note": "Rete con Sesto"})
    assert r.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Candidatura registrata." in html and "1 candidatura" in html and "Cooperativa Sociale Il Portico" in html
    assert "200.000,00" in html
    aid = db.session.execute(sa.select(Application.id)).scalar_one()
    r = post_form(f"/opportunita/candidature/{aid}", {"trigger": "submit"}, get_url=page)
    assert r.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "candidatura presentata" in html and f'name="a{aid}-cup"' in html
    fund = {"trigger": "fund", f"a{aid}-cup": "D47H26000120001", f"a{aid}-public_funding": "180.000,00",
            f"a{aid}-planned_start": "2027-03-01", f"a{aid}-planned_end": "2026-01-01",
            f"a{aid}-theme": "Inclusione sociale"}
    r = post_form(f"/opportunita/candidature/{aid}", fund, get_url=page)
    assert r.status_code == 422 and "la fine prevista non può precedere" in r.get_data(as_text=True)
    assert count(Project) == 0
    r = post_form(f"/opportunita/candidature/{aid}", fund | {f"a{aid}-planned_end": "2028-12-31"}, get_url=page)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = client.get(page).get_data(as_text=True)
    assert "Candidatura aggiornata: finanziata." in html
    project = db.session.execute(sa.select(Project)).scalar_one()
    html = client.get(f"/osservatorio/progetti/{project.id}").get_data(as_text=True)
    assert "Il bando che lo finanzia" in html and "Spazi di comunità" in html
    assert "Capofila: Rho · Partner: Sesto San Giovanni, Cooperativa Sociale Il Portico" in html


@time_machine.travel(TODAY, tick=False)
def test_the_office_page_runs_as_many_statements_whatever_the_applications(client, office, bodies, make_user, login,
                                                                           statements, token_for):
    oid = client.post(f"{API}/opportunities", headers=office, json=body()).json["id"]
    url = f"{API}/opportunities/{oid}/applications"
    login(make_user("admin", org="Città metropolitana di Milano"))
    page = f"/opportunita/{oid}/candidature"
    counts = []
    for n in range(3):
        member = make_user("applicant")
        r = client.post(f"{API}/organizations", headers=token_for(member),
                        json={"name": f"Ente {n}", "kind": "ets", "municipality": "Rho",
                              "tax_code": f"0{n + 1}65432015" + luhn.calc_check_digit(f"0{n + 1}65432015")})
        assert r.status_code == 201, r.json
        aid = client.post(url, headers=office, json={"title": f"Rete {n}", "lead": {"organization_id": r.json["id"]},
                                                     "partners": [{"organization_id": bodies[0][0]}]}).json["id"]
        assert fire(client, office, aid, trigger="submit").status_code == 200
        client.post(f"{API}/opportunities/{oid}/notices", headers=office,
                    json={"parties": [{"organization_id": r.json["id"]}]})
        counts += statements([page])
    assert counts[0] == counts[1] == counts[2], counts
