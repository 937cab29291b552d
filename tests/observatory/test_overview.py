"""The office's overview (DOMAIN.md, "Overview"): late and stale projects of both origins, the spending by
programme and by theme; the API, the page with its charts and tables, and who may see them."""
import datetime as dt

import pytest
import time_machine

from codesign.core.calendar import add_months, rome_today
from codesign.db import db, utcnow
from codesign.observatory import operations as observatory
from tests.observatory.test_projects_api import body
from tests.transparency.test_public_projects import signed  # noqa: F401  (the fixture)

API = "/api/v1"
CREATED = dt.datetime(2024, 6, 1, 10, tzinfo=dt.timezone.utc)


@pytest.fixture()
def admin(make_user):
    return make_user("admin", org="Città metropolitana di Milano")


@pytest.fixture()
def catalogue(client, admin, token_for):
    """Four external projects registered on 1 June 2024: one late, one completed past its end, one running on
    time, one planned; programmes written in two cases."""
    h = token_for(admin)
    projects = {
        "late": body(cup="D47H18001230001", title="Mercato di Lorenteggio", planned_end="2022-12-31",
                     programme="Bando Periferie 2016", theme="Rinnovamento urbano e rurale"),
        "done": body(cup="D47H18001230002", title="Biblioteca di Rho", municipality="015182", state="completed",
                     progress_pct=100, planned_end="2023-06-30", programme="bando periferie 2016",
                     theme="rinnovamento urbano e rurale", paid_amount="1500000.00"),
        "running": body(cup="D47H18001230003", title="Casa di quartiere", planned_end="2030-12-31",
                        programme="PNRR M5C2", theme="Inclusione sociale", public_funding="400000.00",
                        other_funding=None, paid_amount="0.00"),
        "planned": body(cup="D47H18001230004", title="Orti sociali", planned_start="2025-01-01",
                        planned_end="2030-12-31", programme="PNRR M5C2", theme="inclusione sociale",
                            public_funding="100000.00",
                        state="planned", progress_pct=0, paid_amount="0.00"),
    }
    ids = {}
    with time_machine.travel(CREATED, tick=False):
        for key, b in projects.items():
            r = client.post(f"{API}/projects", headers=h, json={k: v for k, v in b.items() if v is not None})
            assert r.status_code == 201, r.json
            ids[key] = r.json["id"]
    return ids


def test_late_stale_and_spending(catalogue):
    o = observatory.overview(today=dt.date(2024, 6, 2))
    assert o["late"]["count"] == 1 and [p["id"] for p in o["late"]["projects"]] == [catalogue["late"]]
    assert o["stale"] == {"count": 0, "projects": []}
    # by programme: the two spellings of Bando Periferie are one, the largest funding first
    assert o["by_programme"] == [
        {"label": "Bando Periferie 2016", "projects": 2, "public_funding": "3000000.00", "paid_amount": "1800000.00"},
        {"label": "PNRR M5C2", "projects": 2, "public_funding": "500000.00", "paid_amount": "0.00"}]
    assert o["by_theme"] == [
        {"label": "Rinnovamento urbano e rurale", "projects": 2, "public_funding": "3000000.00",
         "paid_amount": "1800000.00"},
        {"label": "Inclusione sociale", "projects": 2, "public_funding": "500000.00", "paid_amount": "0.00"}]
    assert o["totals"] == {"projects": 4, "public_funding": "3500000.00", "paid_amount": "1800000.00"}

    # seven months later the running and the planned projects have had no update: stale, the longest wait first;
    # the completed one awaits none
    later = observatory.overview(today=dt.date(2025, 1, 15))
    assert later["stale"]["count"] == 3
    assert {p["id"] for p in later["stale"]["projects"]} == {catalogue[k] for k in ("late", "running", "planned")}
    assert all(p["stale"] and p["last_update_on"] == "2024-06-01" for p in later["stale"]["projects"])
    # six months to the day is not yet stale
    assert observatory.overview(today=dt.date(2024, 12, 1))["stale"]["count"] == 0
    # the list keeps to its limit and still counts them all
    short = observatory.overview(today=dt.date(2025, 1, 15), limit=1)
    assert short["stale"]["count"] == 3 and len(short["stale"]["projects"]) == 1


def test_an_update_ends_staleness(client, admin, token_for, catalogue):
    h = token_for(admin)
    pid = catalogue["running"]
    with time_machine.travel(dt.datetime(2025, 1, 15, 9, tzinfo=dt.timezone.utc), tick=False):
        assert client.get(f"{API}/projects/{pid}").json["stale"] is True
        r = client.post(f"{API}/projects/{pid}/updates", headers=h,
                        json={"date": "2025-01-10", "progress_pct": 30, "note": "Cantiere aperto"})
        assert r.status_code == 201, r.json
        p = client.get(f"{API}/projects/{pid}").json
        assert (p["stale"], p["last_update_on"], p["progress_pct"]) == (False, "2025-01-10", 30)
        assert pid not in {x["id"] for x in observatory.overview()["stale"]["projects"]}


def test_procedure_projects_are_late_and_stale_too(signed):
    """A procedure project is stale when neither the agreement, the start, a report nor a payment has moved it
    for six months; its planned end is the agreement's."""
    today = rome_today(utcnow())
    now = observatory.overview(today=today)
    procedure = [p for p in now["late"]["projects"] if p["origin"] == "procedure"]
    assert len(procedure) == 2 and {p["planned_end"] for p in procedure} == {"2023-08-31"}   # agreements' end
    assert now["stale"]["count"] == 0
    assert all(p["last_update_on"] == today.isoformat() for p in procedure)                 # signed today
    later = observatory.overview(today=add_months(today, 7))
    assert later["stale"]["count"] == 2
    assert {p["proposal_id"] for p in later["stale"]["projects"]} == {signed.ids["A1"], signed.ids["B2"]}
    assert sum(r["projects"] for r in later["by_programme"]) == 2
    assert later["by_programme"][0]["label"] == "PON Metro 2014-2020 - Asse 3 (FSE)"
    assert later["by_theme"] == [{"label": None, "projects": 2, "public_funding": "180000.00",
                                  "paid_amount": "0.00"}]                   # no theme given yet


def test_the_api_is_for_admins(client, admin, make_user, token_for, catalogue):
    assert client.get(f"{API}/observatory/overview").status_code == 401
    assert client.get(f"{API}/observatory/overview", headers=token_for(make_user("applicant"))).status_code == 403
    r = client.get(f"{API}/observatory/overview", headers=token_for(admin))
    assert r.status_code == 200
    assert r.json == observatory.overview() and r.json["totals"]["projects"] == 4


def test_the_office_page(client, admin, make_user, login, catalogue):
    assert client.get("/osservatorio").status_code == 302                      # to the login page
    login(make_user("applicant"))
    assert client.get("/osservatorio").status_code == 403
    client.post("/esci")
    login(admin)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/osservatorio"' in html                                       # in the admin's navigation
    r = client.get("/osservatorio")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Progetti in ritardo" in html and "Mercato di Lorenteggio" in html
    assert "Oltre la fine prevista e non conclusi: 1." in html
    assert "Biblioteca di Rho" not in html.split('id="by-programme"')[0]        # completed: neither late nor stale
    # each chart carries its data and the table after it the same figures
    assert 'id="chart-programme"' in html and "data-labels='[\"Bando Periferie 2016\", \"PNRR M5C2\"]'" in html
    assert """data-series='[{"label": "Finanziamento pubblico", "values": ["3000000.00", "500000.00"]}""" in html
    assert "3.000.000,00" in html
    assert "/static/chartjs/chart.umd.min.js" in html
    assert client.get("/static/chartjs/chart.umd.min.js").status_code == 200


def test_statements_do_not_grow_with_the_projects(client, admin, token_for, count_queries):
    h = token_for(admin)

    def add(n, start):
        with time_machine.travel(CREATED, tick=False):
            for i in range(start, start + n):
                assert client.post(f"{API}/projects", headers=h, json=body(
                    cup=f"D47H180012300{i:02d}", programme=f"Programma {i % 4}")).status_code == 201

    def count():
        db.session.expire_all()
        with count_queries() as q:
            assert client.get(f"{API}/observatory/overview", headers=h).status_code == 200
        return q.count

    add(2, 0)
    few = count()
    add(10, 2)
    assert count() == few
