"""The funded projects in public (no login): JSON (API.md, fixed), CSV and pages agree, from the agreement's
signature on; filters refuse unknown values; no evaluator's name or score, no personal data."""
import csv
import io

import pytest

from tests.helpers import PDF, Scenario, agreement_for, project_cup, to_codesign, transition
from tests.lifecycle.test_codesign_api import finish_codesign, upload

API = "/api/v1"


@pytest.fixture()
def signed(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    finish_codesign(client, s)
    for ref in ("A1", "B2"):
        pid = s.ids[ref]
        assert client.put(f"{API}/proposals/{pid}/agreement", headers=s.admin_h, json=agreement_for(pid)).status_code == 200
        assert upload(client, pid, s.org_h["ets1" if ref == "A1" else "ets3"]).status_code == 201
        assert transition(client, "proposals", pid, s.admin_h, "sign_agreement").status_code == 200
    return s


def test_public_projects_json_csv_and_pages_agree(client, signed):
    s = signed
    r = client.get(f"{API}/public/projects")
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    by_title = {p["title"]: p for p in r.json}
    a1 = by_title["Proposta A1"]
    assert a1["cup"] == project_cup(s.ids["A1"]) and a1["procedure_id"] == s.pid
    assert a1["beneficiary"] == {"name": "Cooperativa Sociale Il Portico", "tax_code": "12345670157"}
    assert (a1["amount"], a1["cofinancing_amount"], a1["paid_amount"]) == ("90000.00", "10000.00", "0.00")
    assert a1["state"] == "agreement_signed" and a1["start_date"] == "2021-09-01" and a1["end_date"] == "2023-08-31"
    assert a1["programme"] == "PON Metro 2014-2020 - Asse 3 (FSE)" and a1["municipality"] == "015146"
    assert a1["origin"] == "procedure" and a1["municipality_name"] == "Milano" and a1["proposal_id"] == s.ids["A1"]
    assert a1["url"] == f"http://localhost/progetti/{s.ids['A1']}"
    assert "art. 55" in a1["legal_basis"] and a1["selection_method"] and a1["rup"]
    assert a1["indicators"] == [{"code": "P1", "title": "Partecipanti alle attività", "target": "300", "achieved": None}]
    # proposals not yet under agreement are not published
    assert "Proposta A3" not in by_title
    # the CSV holds the same rows
    r = client.get("/open-data/projects.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["title"] for row in rows} == set(by_title)
    row = next(x for x in rows if x["title"] == "Proposta A1")
    assert (row["cup"], row["amount"], row["beneficiary_tax_code"], row["state"]) == (
        project_cup(s.ids["A1"]), "90000.00", "12345670157", "agreement_signed")
    # the pages
    page = client.get("/progetti").get_data(as_text=True)
    assert "Proposta A1" in page and "Proposta B2" in page and "90.000,00" in page
    page = client.get(f"/progetti/{s.ids['A1']}").get_data(as_text=True)
    assert "12345670157" in page and project_cup(s.ids["A1"]) in page
    assert client.get(f"/progetti/{s.ids['A3']}").status_code == 404
    assert client.get("/open-data").status_code == 200


def test_filters_and_bad_queries(client, signed):
    r = client.get(f"{API}/public/projects?state=started")
    assert r.status_code == 200 and r.json == []
    r = client.get(f"{API}/public/projects?municipality=milano&q=a1")
    assert [p["title"] for p in r.json] == ["Proposta A1"]
    r = client.get(f"{API}/public/projects?state=nonsense")          # an unknown value finds nothing
    assert r.status_code == 200 and r.json == []
    assert [p["title"] for p in client.get(f"{API}/public/projects?state=planned&origin=procedure").json] == [
        "Proposta B2", "Proposta A1"]                                    # the catalogue's word for agreement_signed
    assert client.get(f"{API}/public/projects?colour=red").status_code == 422
    assert client.get(f"{API}/public/projects?offset=-1").status_code == 400
    r = client.get("/progetti?stato=nonsense&pagina=99999999999")
    assert r.status_code == 200 and "Nessun progetto con questi criteri" in r.get_data(as_text=True)
    assert "Proposta A1" in client.get("/progetti?q=portico").get_data(as_text=True)


def test_no_evaluator_names_scores_or_personal_data_in_public(client, signed):
    s = signed
    secrets = [u.email for u in s.ev.values()] + [u.name for u in s.ev.values() if u.name]
    secrets += [u.email for u in s.org_users.values()] + [s.admin.email]
    public = [client.get(f"{API}/public/projects").get_data(as_text=True),
              client.get("/open-data/projects.csv").get_data(as_text=True),
              client.get("/progetti").get_data(as_text=True),
              client.get(f"/progetti/{s.ids['A1']}").get_data(as_text=True)]
    for text in public:
        for secret in secrets:
            assert secret not in text
        assert "motivazione" not in text  # the evaluators' reasons


def test_calls_csv_and_the_dcat_catalogue(client, signed):
    r = client.get("/open-data/calls.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["cup"] for row in rows] == ["B41H20000150006"] and rows[0]["state"] == "agreements"
    assert "A" in rows[0]["lots"] and rows[0]["budget_total"] == "516500.00"
    r = client.get("/open-data/catalogo.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    doc = r.get_json(force=True)
    assert "dcatapit:Catalog" in doc["@type"]
    datasets = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    assert set(datasets) == {"codesign:progetti-finanziati", "codesign:avvisi"}
    dist = datasets["codesign:progetti-finanziati"]["dcat:distribution"]
    assert {d["dcat:mediaType"] for d in dist} == {"text/csv", "application/json", "application/geo+json"}
    assert all(d["dct:license"]["@id"].endswith("/by/4.0/") for d in dist)
    assert any(d["dcat:downloadURL"]["@id"].endswith("/open-data/projects.csv") for d in dist)


def test_paid_amount_follows_the_payments(client, signed):
    s = signed
    a1 = s.ids["A1"]
    r = client.post(f"{API}/proposals/{a1}/payments", headers=s.admin_h,
                    json={"tranche_number": 1, "paid_on": "2021-09-10"})
    assert r.status_code == 201, r.json
    rows = {p["title"]: p for p in client.get(f"{API}/public/projects").json}
    assert rows["Proposta A1"]["paid_amount"] == "36000.00" and rows["Proposta B2"]["paid_amount"] == "0.00"
    row = next(x for x in csv.DictReader(io.StringIO(client.get("/open-data/projects.csv").get_data(as_text=True)
                                                     .lstrip("\ufeff"))) if x["title"] == "Proposta A1")
    assert row["paid_amount"] == "36000.00"


def test_procedure_projects_in_the_catalogue(client, signed):
    """A proposal under a signed agreement is a `procedure` project of the observatory: one id space with the
    external ones; the catalogue keeps its theme, the agreement and monitoring the rest."""
    s = signed
    a1 = next(p for p in client.get(f"{API}/public/projects").json if p["title"] == "Proposta A1")
    r = client.get(f"{API}/projects/{a1['id']}")
    assert r.status_code == 200 and r.json == a1
    assert (a1["public_funding"], a1["planned_start"], a1["planned_end"]) == ("90000.00", "2021-09-01", "2023-08-31")
    r = client.patch(f"{API}/projects/{a1['id']}", headers=s.admin_h, json={"theme": "Inclusione sociale e salute"})
    assert r.status_code == 200 and r.json["theme"] == "Inclusione sociale e salute"
    assert [p["title"] for p in client.get(f"{API}/public/projects?theme=inclusione%20sociale%20e%20salute").json] \
        == ["Proposta A1"]
    r = client.patch(f"{API}/projects/{a1['id']}", headers=s.admin_h, json={"title": "Altro", "paid_amount": "1.00"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"title", "paid_amount"}
    r = client.post(f"{API}/projects/{a1['id']}/updates", headers=s.admin_h, json={"date": "2021-10-01", "note": "x"})
    assert r.status_code == 409
    milano = next(m for m in client.get(f"{API}/public/municipalities?limit=1000").json if m["municipality"] == "015146")
    assert (milano["projects"], milano["public_funding"]) == (2, "180000.00")
    # an external project may not take a CUP an agreement holds
    r = client.post(f"{API}/projects", headers=s.admin_h, json={
        "cup": project_cup(s.ids["A1"]), "title": "Doppione", "programme": "PNRR", "theme": "Inclusione sociale e salute",
        "municipality": "015146", "beneficiary": {"name": "Comune di Milano"}, "public_funding": "1.00",
        "planned_start": "2022-01-01", "planned_end": "2022-12-31", "state": "planned"})
    assert r.status_code == 422 and "Proposta" in r.json["error"]["fields"]["cup"]
