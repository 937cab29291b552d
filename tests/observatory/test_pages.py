"""The observatory's pages: an admin registers, edits and updates an external project through forms (amounts as
people write them, each refusal beside its field, nothing stored); the public list, the project's page and the CSV
show the same project of either origin; who may not write is refused."""
import csv
import io

import sqlalchemy as sa

from codesign.db import db
from codesign.observatory.models import Project

FORM = {"cup": "D47H18001230001", "title": "Casa di quartiere Giambellino", "description": "Spazi per i vicini.",
        "programme": "PON Metro 2014-2020", "theme": "Inclusione sociale", "municipality": "015146",
        "beneficiary_name": "Comune di Milano", "beneficiary_tax_code": "01199250158",
        "public_funding": "1.500.000,00", "other_funding": "", "paid_amount": "250000,50",
        "planned_start": "2021-01-01", "planned_end": "2026-12-31", "actual_start": "", "actual_end": "",
        "state": "in_progress", "progress_pct": "35"}


def projects() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one()


def test_admin_registers_edits_and_updates_a_project(client, make_user, login, post_form):
    admin = make_user("admin", org="Città metropolitana di Milano")
    login(admin)
    url = "/osservatorio/progetti/nuovo"
    page = client.get(url).get_data(as_text=True)
    assert 'list="oc-themes"' in page and "Sesto San Giovanni" in page and "Torino" not in page

    # refusals: the form again, 422, each message beside its field, nothing stored
    r = post_form(url, FORM | {"municipality": "", "planned_end": "2020-01-01"})
    assert r.status_code == 422 and "Campo obbligatorio" in r.get_data(as_text=True)
    r = post_form(url, FORM | {"cup": "ABC"})
    assert r.status_code == 422 and "15 lettere e cifre" in r.get_data(as_text=True)
    r = post_form(url, FORM | {"planned_end": "2020-01-01"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "la fine prevista non può precedere" in html and 'id="planned_end-error"' in html
    r = post_form(url, FORM | {"beneficiary_tax_code": "01199250159"})
    assert r.status_code == 422 and "cifra di controllo" in r.get_data(as_text=True)
    for typed in ("NaN", "Infinity", "sNaN", "1e5"):        # what Decimal reads but no amount is
        r = post_form(url, FORM | {"public_funding": typed, "paid_amount": typed})
        assert r.status_code == 422 and "Importo non valido" in r.get_data(as_text=True), typed
    assert projects() == 0

    r = post_form(url, FORM)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    project_url = r.headers["Location"]
    html = client.get(project_url).get_data(as_text=True)
    assert "Casa di quartiere Giambellino" in html and "1.500.000,00" in html and "250.000,50" in html
    assert "35%" in html and "35.00%" not in html and "Registrazione" in html
    assert post_form(url, FORM).status_code == 422 and projects() == 1      # the CUP is taken

    pid = int(project_url.rstrip("/").rsplit("/", 1)[-1])
    r = post_form(f"/osservatorio/progetti/{pid}/aggiornamenti",
                  {"date": "2022-03-01", "paid_amount": "400.000,00", "progress_pct": "60", "state": "",
                   "note": "Fine dei lavori del primo lotto"}, get_url=project_url)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = client.get(project_url).get_data(as_text=True)
    assert "Fine dei lavori del primo lotto" in html and "01/03/2022" in html
    r = post_form(f"/osservatorio/progetti/{pid}/aggiornamenti",
                  {"date": "2099-01-01", "note": "futuro", "state": "", "progress_pct": "", "paid_amount": ""},
                  get_url=project_url)
    assert r.status_code == 422 and "non può essere nel futuro" in r.get_data(as_text=True)

    edit = f"/osservatorio/progetti/{pid}/modifica"
    assert 'value="D47H18001230001"' in client.get(edit).get_data(as_text=True)
    r = post_form(edit, FORM | {"title": "Casa di quartiere del Giambellino"})
    assert r.status_code == 302
    assert "Casa di quartiere del Giambellino" in client.get(project_url).get_data(as_text=True)


def test_public_list_page_and_csv_agree(client, make_user, token_for):
    h = token_for(make_user("admin", org="Città metropolitana di Milano"))
    body = {"cup": "D47H18001230009", "title": "Piazza aperta a Rho", "programme": "PNRR M5C2",
            "theme": "Rinnovamento urbano e rurale", "municipality": "015182", "beneficiary": {"name": "Comune di Rho"},
            "public_funding": "700000.00", "planned_start": "2022-01-01", "planned_end": "2023-06-30",
            "state": "in_progress", "progress_pct": 50}
    pid = client.post("/api/v1/projects", headers=h, json=body).json["id"]
    html = client.get("/progetti?comune=015182").get_data(as_text=True)
    assert "Piazza aperta a Rho" in html and "700.000,00" in html and "In ritardo" in html
    assert f"/osservatorio/progetti/{pid}" in html
    assert "Piazza aperta a Rho" not in client.get("/progetti?comune=015146").get_data(as_text=True)
    assert client.get("/progetti?stato=sconosciuto&tema=nessuno").status_code == 200
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/projects.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["origin"], row["municipality"], row["municipality_name"], row["public_funding"],
            row["late"]) == (str(pid), "external", "015182", "Rho", "700000.00", "true")
    assert row["url"] == f"http://localhost/osservatorio/progetti/{pid}"        # the project's public page
    json_row = client.get("/api/v1/public/projects").json[0]
    assert {k: row[k] for k in ("cup", "title", "paid_amount", "state")} == {
        k: json_row[k] for k in ("cup", "title", "paid_amount", "state")}
    assert client.get(f"/osservatorio/progetti/{pid}").status_code == 200


def test_who_may_not_write(client, make_user, login, token_for):
    assert client.get("/osservatorio/progetti/nuovo").status_code == 302          # to the login
    h = token_for(make_user("admin", org="Comune di Milano"))
    body = {"cup": "D47H18001230009", "title": "Piazza", "programme": "PNRR", "theme": "Inclusione sociale",
            "municipality": "015146", "beneficiary": {"name": "Comune di Milano"}, "public_funding": "1.00",
            "planned_start": "2022-01-01", "planned_end": "2023-06-30", "state": "planned"}
    pid = client.post("/api/v1/projects", headers=h, json=body).json["id"]
    login(make_user("applicant"))
    assert client.get("/osservatorio/progetti/nuovo").status_code == 403
    assert client.get(f"/osservatorio/progetti/{pid}/modifica").status_code == 403
    assert 'action="/osservatorio/progetti' not in client.get(f"/osservatorio/progetti/{pid}").get_data(as_text=True)
    client.post("/esci", data={})
    login(make_user("admin", org="Comune di Rho"))                                 # another administration
    assert client.get(f"/osservatorio/progetti/{pid}/modifica").status_code == 403


def test_admin_imports_a_file_through_the_page(client, make_user, login, post_form):
    login(make_user("admin", org="Città metropolitana di Milano"))
    url = "/osservatorio/progetti/importa"
    assert "OC_TITOLO_PROGETTO" in client.get(url).get_data(as_text=True)
    header = ("cup,title,programme,theme,municipality,beneficiary_name,public_funding,planned_start,planned_end,"
              "state\n")
    bad = header + "D47H18001230001,Piazza,PNRR,Inclusione sociale,001272,Comune,10,2022-01-01,2023-01-01,planned\n"
    r = post_form(url, {"file": (io.BytesIO(bad.encode()), "p.csv")}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "riga 1, colonna municipality" in html and projects() == 0
    good = bad.replace("001272", "015146")
    r = post_form(url, {"file": (io.BytesIO(good.encode()), "p.csv")}, content_type="multipart/form-data")
    assert r.status_code == 302 and projects() == 1
    assert "Progetti creati: 1; aggiornati: 0." in client.get(r.headers["Location"]).get_data(as_text=True)


def test_the_map_page_its_geometry_and_the_geojson(client, make_user, token_for):
    h = token_for(make_user("admin", org="Città metropolitana di Milano"))
    for cup, town, theme in (("D47H18001230001", "015182", "Inclusione sociale"),
                             ("D47H18001230002", "015182", "Istruzione"),
                             ("D47H18001230003", "015146", "Istruzione")):
        assert client.post("/api/v1/projects", headers=h, json={
            "cup": cup, "title": f"Progetto {cup[-1]}", "programme": "PNRR", "theme": theme, "municipality": town,
            "beneficiary": {"name": "Comune"}, "public_funding": "1000.00", "paid_amount": "250.00",
            "planned_start": "2022-01-01", "planned_end": "2030-06-30", "state": "in_progress"}).status_code == 201
    html = client.get("/mappa").get_data(as_text=True)
    assert html.count('<tr><th scope="row">') == 133                  # every municipality in the table
    assert "Progetti: 3; comuni con progetti: 2;" in html and "/static/leaflet/leaflet.js" in html
    assert '<a href="/comuni/015182">Rho</a>' in html and '<a href="/progetti?comune=015182" ' in html
    html = client.get("/mappa?tema=istruzione").get_data(as_text=True)
    assert "Progetti: 2; comuni con progetti: 2;" in html and '<a href="/progetti?comune=015182&amp;tema=istruzione" ' in html
    assert "Progetti: 0; comuni con progetti: 0;" in client.get("/mappa?tema=nessuno").get_data(as_text=True)

    shapes = client.get("/osservatorio/comuni.geojson")
    assert shapes.status_code == 200 and shapes.mimetype == "application/geo+json"
    features = shapes.get_json(force=True)["features"]
    assert len(features) == 133 and {f["properties"]["code"] for f in features} == {
        m["municipality"] for m in client.get("/api/v1/public/municipalities?limit=1000").json}
    doc = client.get("/open-data/progetti-per-comune.geojson").get_json(force=True)
    rho = next(f for f in doc["features"] if f["properties"]["municipality"] == "015182")
    assert rho["properties"] | {"point": None} == {"municipality": "015182", "name": "Rho", "projects": 2,
                                                    "public_funding": "2000.00", "paid_amount": "500.00",
                                                    "point": None}
    assert rho["geometry"]["type"] in ("Polygon", "MultiPolygon") and "ISTAT" in doc["metadata"]["source"]
    dcat = client.get("/open-data/catalogo.jsonld").get_json(force=True)
    projects = next(d for d in dcat["dcat:dataset"] if d["dct:identifier"] == "codesign:progetti-finanziati")
    assert "application/geo+json" in {d["dcat:mediaType"] for d in projects["dcat:distribution"]}
    assert client.get("/static/leaflet/leaflet.js").status_code == 200
