"""A page per municipality of the territory (/comuni/<ISTAT code>): its figures and projects of both origins, its
good practices and the open funding opportunities that match it (sections the later modules add); every
municipality has one, zero projects included; an unknown code is 404; the map and the lists link to it."""
import datetime as dt

import pytest
import time_machine

from codesign.db import db
from tests.observatory.test_projects_api import body
from tests.opportunities.test_opportunities_api import body as opportunity

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)
PRACTICE = {"what": "Un ex mercato diventato casa di quartiere.", "audience": "Famiglie del Giambellino",
            "results": "1.200 persone l'anno", "reuse": "Il patto di collaborazione",
            "contact_name": "Ufficio rigenerazione", "contact_email": "rigenerazione@comune.example"}


@pytest.fixture()
def h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def add_projects(client, h, n, start=0):
    ids = []
    for i in range(start, start + n):
        r = client.post(f"{API}/projects", headers=h, json=body(
            cup=f"D47H180012300{i:02d}", title=f"Casa di quartiere {i}", theme="Inclusione sociale e salute"))
        assert r.status_code == 201, r.json
        ids.append(r.json["id"])
    return ids


@time_machine.travel(TODAY, tick=False)
def test_a_municipality_page_with_projects_practices_and_opportunities(client, h):
    milano = add_projects(client, h, 2)
    rho = client.post(f"{API}/projects", headers=h, json=body(cup="D47H18001230099", title="Orti di Rho",
                                                               municipality="015182", theme="Ambiente"))
    assert rho.status_code == 201
    assert client.put(f"{API}/projects/{milano[0]}/good-practice", headers=h, json=PRACTICE).status_code == 200
    for b in (opportunity(title="Welfare di comunità 2027", themes=["Inclusione sociale e salute"]),
              opportunity(title="Solo a Rho", themes=["Inclusione sociale e salute"], territory=["015182"]),
              opportunity(title="Altro tema", themes=["Trasporti"])):
        assert client.post(f"{API}/opportunities", headers=h, json=b).status_code == 201

    r = client.get("/comuni/015146")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "<h1>Milano</h1>" in page and "015146" in page
    assert "Casa di quartiere 0" in page and "Casa di quartiere 1" in page and "Orti di Rho" not in page
    assert "3.000.000,00" in page and "600.000,00" in page        # public funding and paid, two projects
    assert 'id="town-practices"' in page and f"/buone-pratiche/{milano[0]}" in page
    assert "Bandi aperti adatti al comune" in page and "Welfare di comunità 2027" in page
    assert "Solo a Rho" not in page and "Altro tema" not in page
    assert "tema in comune: Inclusione sociale e salute" in page

    # a municipality with nothing yet: its page still says so, without empty sections
    page = client.get("/comuni/015002").get_data(as_text=True)
    assert "Nessun progetto registrato in questo comune." in page
    assert 'id="town-practices"' not in page and 'id="town-opportunities"' not in page
    # not of the territory, or not a code: 404
    assert client.get("/comuni/058091").status_code == 404       # Roma
    assert client.get("/comuni/milano").status_code == 404
    assert client.get("/comuni/" + "9" * 300).status_code == 404

    # the map's table, the map itself and the project list lead to it
    assert 'href="/comuni/015146"' in client.get("/mappa").get_data(as_text=True)
    assert 'data-town="/comuni/CODE"' in client.get("/mappa").get_data(as_text=True)
    assert 'href="/comuni/015146"' in client.get("/progetti").get_data(as_text=True)


def test_statements_do_not_grow_with_the_projects(client, h, count_queries):
    def count():
        db.session.expire_all()
        with count_queries() as q:
            assert client.get("/comuni/015146").status_code == 200
        return q.count

    ids = add_projects(client, h, 2)
    client.put(f"{API}/projects/{ids[0]}/good-practice", headers=h, json=PRACTICE)
    few = count()
    ids = add_projects(client, h, 8, start=2)
    client.put(f"{API}/projects/{ids[0]}/good-practice", headers=h, json=PRACTICE)
    assert count() == few
