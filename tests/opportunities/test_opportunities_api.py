"""Funding opportunities through the fixed API (API.md, `/api/v1/opportunities`): admins write them, anyone reads
the open ones by deadline, and `?municipality=` keeps exactly those that match it (DOMAIN.md): open today, open to
municipalities or partnerships, covering the municipality, sharing a theme with its projects."""
import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from codesign.db import db
from codesign.opportunities.models import Opportunity

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)


def body(**over):
    b = {"title": "Welfare di comunità 2027", "funder_level": "foundation", "funder": "Fondazione Cariplo",
         "programme": "Welfare in azione", "link": "https://www.fondazionecariplo.it/bandi/welfare",
         "eligible": ["ets", "partnership"], "themes": ["Inclusione sociale"], "territory": "all",
         "budget": "5000000.00", "max_grant": "300000.00", "cofinancing_min_pct": "20",
         "opens_on": "2026-11-01", "deadline": "2027-02-15"}
    b.update(over)
    return b


@pytest.fixture()
def admin_h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def project(client, h, cup, town, theme):
    r = client.post(f"{API}/projects", headers=h, json={
        "cup": cup, "title": f"Progetto {cup}", "programme": "PNRR", "theme": theme, "municipality": town,
        "beneficiary": {"name": "Comune"}, "public_funding": "1000.00", "planned_start": "2024-01-01",
        "planned_end": "2027-12-31", "state": "in_progress"})
    assert r.status_code == 201, r.json


@time_machine.travel(TODAY, tick=False)
def test_write_read_and_match(client, admin_h):
    project(client, admin_h, "D47H18001230001", "015146", "inclusione SOCIALE")   # Milano
    project(client, admin_h, "D47H18001230002", "015182", "Istruzione")           # Rho
    made = {}
    for name, b in {
        "welfare": body(),                                                          # Milano: theme + partnership
        "scuole": body(title="Scuole aperte", themes=["Istruzione", "Inclusione sociale"], eligible=["municipality"],
                       territory=["015182", "015209"], deadline="2027-01-10", funder_level="regional",
                       funder="Regione Lombardia"),                                 # Rho only (territory, theme)
        "ets": body(title="Solo per gli enti", eligible=["ets"], deadline="2027-01-05"),  # not for municipalities
        "closed": body(title="Scaduto", opens_on="2026-01-01", deadline="2026-12-03"),
        "future": body(title="Non ancora aperto", opens_on="2026-12-05", deadline="2027-03-01"),
        "today": body(title="Ultimo giorno", deadline="2026-12-04", themes=["Istruzione"],
                      eligible=["municipality", "partnership"]),
    }.items():
        r = client.post(f"{API}/opportunities", headers=admin_h, json=b)
        assert r.status_code == 201, r.json
        made[name] = r.json
    w = made["welfare"]
    assert (w["budget"], w["max_grant"], w["cofinancing_min_pct"], w["territory"], w["eligible"]) == (
        "5000000.00", "300000.00", "20.00", "all", ["ets", "partnership"])
    assert w["open"] is True and w["days_left"] == 73

    r = client.get(f"{API}/opportunities")
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "4"
    assert [o["title"] for o in r.json] == ["Ultimo giorno", "Solo per gli enti", "Scuole aperte",
                                            "Welfare di comunità 2027"]              # open ones, by deadline

    def matches(code):
        r = client.get(f"{API}/opportunities?municipality={code}")
        assert r.status_code == 200, r.json
        return [(o["title"], o["match"]["reasons"]) for o in r.json]

    assert matches("015146") == [("Welfare di comunità 2027",
                                  "tema in comune: Inclusione sociale; aperto ai partenariati")]
    assert matches("015182") == [("Ultimo giorno", "tema in comune: Istruzione; aperto ai comuni; aperto ai partenariati"),
                                 ("Scuole aperte", "tema in comune: Istruzione; aperto ai comuni")]
    assert matches("015209") == []            # Sesto: no project, so no theme in common
    assert matches("001272") == [] and matches("nessuno") == []
    assert client.get(f"{API}/opportunities?colour=red").status_code == 422
    assert client.get(f"{API}/opportunities/{w['id']}").json == w


def test_refusals_store_nothing(client, admin_h, make_user, token_for):
    cases = {
        "deadline": body(deadline="2026-10-01"),
        "eligible.0": body(eligible=["company"]),
        "territory": body(territory=["015146", "001272"]),
        "link": body(link="javascript:alert(1)"),
        "budget": body(budget="tanti"),
        "funder_level": body(funder_level="city"),
    }
    for field, b in cases.items():
        r = client.post(f"{API}/opportunities", headers=admin_h, json=b)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (field, r.json)
    assert client.post(f"{API}/opportunities", json=body()).status_code == 401
    assert client.post(f"{API}/opportunities", headers=token_for(make_user("applicant")), json=body()).status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(Opportunity)).scalar_one() == 0
    assert client.get(f"{API}/opportunities/999").status_code == 404
