"""The catalogue of projects through the fixed API (API.md, "Endpoints of the metropolitan observatory"):
external projects registered, read, edited and updated; both origins in the public list; every municipality of
the territory with its figures; bad input refused per field with nothing stored."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from codesign.db import db
from codesign.observatory.models import Project, ProjectUpdate

API = "/api/v1"


def body(**over):
    b = {"cup": "D47H18001230001", "title": "Riqualificazione del mercato comunale di Lorenteggio",
         "description": "Un mercato rinnovato con spazi per le associazioni.", "programme": "Bando Periferie 2016",
         "theme": "Rinnovamento urbano e rurale", "municipality": "015146",
         "beneficiary": {"name": "Comune di Milano", "tax_code": "01199250158"},
         "public_funding": "1500000.00", "other_funding": "250000.00", "paid_amount": "300000.00",
         "planned_start": "2019-03-01", "planned_end": "2022-12-31", "state": "in_progress", "progress_pct": 40}
    b.update(over)
    return b


@pytest.fixture()
def admin_h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@time_machine.travel(dt.datetime(2024, 6, 1, 10, tzinfo=dt.timezone.utc), tick=False)
def test_register_read_edit_and_update_an_external_project(client, admin_h):
    r = client.post(f"{API}/projects", headers=admin_h, json=body(cup="d47h18001230001"))
    assert r.status_code == 201, r.json
    p = r.json
    assert p["origin"] == "external" and isinstance(p["id"], int) and p["cup"] == "D47H18001230001"
    assert (p["municipality"], p["municipality_name"]) == ("015146", "Milano")
    assert (p["public_funding"], p["other_funding"], p["paid_amount"]) == ("1500000.00", "250000.00", "300000.00")
    assert p["state"] == "in_progress" and p["progress_pct"] == 40
    assert p["late"] is True and p["stale"] is False and p["good_practice"] is False   # past 2022-12-31
    assert p["administration"] == "Città metropolitana di Milano"
    pid = p["id"]
    assert client.get(f"{API}/projects/{pid}").json == p           # anyone reads it

    # an update dated before today's registration does not override what the registration set
    r = client.post(f"{API}/projects/{pid}/updates", headers=admin_h,
                    json={"date": "2024-05-01", "paid_amount": "200000.00", "note": "SAL 2"})
    assert r.status_code == 201, r.json
    assert client.get(f"{API}/projects/{pid}").json["paid_amount"] == "300000.00"
    # one of today does, field by field
    r = client.post(f"{API}/projects/{pid}/updates", headers=admin_h,
                    json={"date": "2024-06-01", "progress_pct": 100, "state": "completed", "note": "Collaudo"})
    assert r.status_code == 201, r.json
    now = client.get(f"{API}/projects/{pid}").json
    assert (now["paid_amount"], now["progress_pct"], now["state"], now["late"]) == ("300000.00", 100, "completed", False)
    assert now["last_update_on"] == "2024-06-01"
    history = client.get(f"{API}/projects/{pid}/updates").json
    assert [(e["kind"], e["date"]) for e in history] == [("update", "2024-06-01"), ("create", "2024-06-01"),
                                                         ("update", "2024-05-01")]

    r = client.patch(f"{API}/projects/{pid}", headers=admin_h, json={"title": "Mercato Lorenteggio", "paid_amount":
                                                                      "1400000.00"})
    assert r.status_code == 200, r.json
    assert (r.json["title"], r.json["paid_amount"], r.json["state"]) == ("Mercato Lorenteggio", "1400000.00",
                                                                        "completed")

    # refusals: nothing changes
    assert client.post(f"{API}/projects/{pid}/updates", headers=admin_h,
                       json={"date": "2024-06-02", "note": "domani"}).json["error"]["fields"] == {
        "date": "la data dell'aggiornamento non può essere nel futuro"}
    r = client.patch(f"{API}/projects/{pid}", headers=admin_h, json={"planned_end": "2018-01-01", "title": None})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"planned_end", "title"}
    assert client.get(f"{API}/projects/{pid}").json["title"] == "Mercato Lorenteggio"


def test_bad_input_is_refused_per_field_and_nothing_is_stored(client, admin_h, make_user, token_for):
    assert client.post(f"{API}/projects", headers=admin_h, json=body()).status_code == 201
    before = count(Project), count(ProjectUpdate)
    cases = {
        "municipality": body(cup="D47H18001230002", municipality="001272"),       # Torino: outside the territory
        "cup": body(cup="D47H1800123"),                                            # malformed
        "planned_end": body(cup="D47H18001230003", planned_end="2019-01-01"),
        "progress_pct": body(cup="D47H18001230004", progress_pct=101),
        "public_funding": body(cup="D47H18001230005", public_funding="12abc"),
    }
    for field, b in cases.items():
        r = client.post(f"{API}/projects", headers=admin_h, json=b)
        assert r.status_code == 422, (field, r.json)
        assert field in r.json["error"]["fields"], (field, r.json)
    r = client.post(f"{API}/projects", headers=admin_h, json=body())                # duplicate CUP
    assert r.status_code == 422 and "già" in r.json["error"]["fields"]["cup"]
    r = client.post(f"{API}/projects", headers=admin_h, json=body(cup="D47H18001230006", state="sospeso"))
    assert r.status_code == 422 and "state" in r.json["error"]["fields"]
    assert (count(Project), count(ProjectUpdate)) == before
    # who may write
    assert client.post(f"{API}/projects", json=body(cup="D47H18001230007")).status_code == 401
    applicant = token_for(make_user("applicant"))
    assert client.post(f"{API}/projects", headers=applicant, json=body(cup="D47H18001230007")).status_code == 403
    pid = client.get(f"{API}/public/projects").json[0]["id"]
    other_admin = token_for(make_user("admin", org="Comune di Sesto San Giovanni"))
    assert client.patch(f"{API}/projects/{pid}", headers=other_admin, json={"title": "x"}).status_code == 403
    assert client.get(f"{API}/projects/999999").status_code == 404


def test_public_list_filters_and_municipalities(client, admin_h):
    for cup, town, theme, programme in [("D47H18001230001", "015146", "Inclusione sociale e salute", "PON Metro"),
                                        ("D47H18001230002", "015209", "Rinnovamento urbano e rurale", "PNRR M5C2"),
                                        ("D47H18001230003", "015209", "inclusione SOCIALE e salute", "PNRR M5C2")]:
        assert client.post(f"{API}/projects", headers=admin_h,
                           json=body(cup=cup, municipality=town, theme=theme, programme=programme,
                                     title=f"Progetto {cup[-1]}")).status_code == 201
    r = client.get(f"{API}/public/projects")
    assert r.headers["X-Total-Count"] == "3" and {p["origin"] for p in r.json} == {"external"}

    def titles(query):
        r = client.get(f"{API}/public/projects?{query}")
        assert r.status_code == 200, r.json
        return sorted(p["title"] for p in r.json)

    assert titles("municipality=015209") == ["Progetto 2", "Progetto 3"]
    assert titles("municipality=sesto%20san%20giovanni") == ["Progetto 2", "Progetto 3"]             # a name, too
    assert titles("theme=Inclusione%20sociale%20e%20salute") == ["Progetto 1", "Progetto 3"]   # case, accents
    assert titles("programme=pnrr%20m5c2&q=progetto%203") == ["Progetto 3"]
    assert titles("origin=external&state=in_progress") == ["Progetto 1", "Progetto 2", "Progetto 3"]
    for unknown in ("municipality=001272", "theme=nessuno", "state=sospeso", "origin=altro", "programme=x"):
        assert titles(unknown) == []
    assert client.get(f"{API}/public/projects?limit=1&offset=1").json[0]["title"] == "Progetto 2"

    r = client.get(f"{API}/public/municipalities")
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "133" and len(r.json) == 100
    rows = client.get(f"{API}/public/municipalities?limit=1000").json
    assert len(rows) == 133 and [m["municipality"] for m in rows] == sorted(m["municipality"] for m in rows)
    by_code = {m["municipality"]: m for m in rows}
    assert by_code["015209"] == {"municipality": "015209", "name": "Sesto San Giovanni", "projects": 2,
                                 "public_funding": "3000000.00", "paid_amount": "600000.00"}
    assert by_code["015146"]["projects"] == 1
    assert by_code["015002"] == {"municipality": "015002", "name": "Abbiategrasso", "projects": 0,
                                 "public_funding": "0.00", "paid_amount": "0.00"}


def test_statements_per_list_do_not_grow_with_the_projects(client, admin_h, statements):
    """The public list (JSON, page, CSV), the municipalities' figures, the map and the GeoJSON run as many
    statements for 2 projects as for 12."""
    urls = ["/api/v1/public/projects", "/api/v1/public/projects?theme=inclusione%20sociale&municipality=015146",
            "/api/v1/public/municipalities", "/progetti", "/open-data/projects.csv", "/mappa?tema=inclusione%20sociale",
            "/open-data/progetti-per-comune.geojson"]

    def add(n, start):
        for i in range(start, start + n):
            assert client.post(f"{API}/projects", headers=admin_h, json=body(
                cup=f"D47H180012300{i:02d}", theme="Inclusione sociale",
                municipality=["015146", "015182", "015209"][i % 3])).status_code == 201

    add(2, 0)
    few = statements(urls)
    add(10, 2)
    assert statements(urls) == few
