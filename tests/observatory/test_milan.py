"""Milan's projects name a Municipio (1-9) and a neighbourhood (NIL, 1-88, from the list that ships with codesign,
ds964 of the Comune di Milano): registered through the API, the form and the import, refused for any other
municipality, filtered in the lists, counted on Milan's page, written in the open data, and shown on the public
page of a procedure project with its good practice."""
import csv
import io

import pytest
import sqlalchemy as sa

from codesign.core import territory
from codesign.db import db
from codesign.observatory.models import Project
from tests.observatory.test_import import HEADER, ROWS, upload
from tests.observatory.test_pages import FORM
from tests.observatory.test_projects_api import body
from tests.practices.test_practices import WRITE_UP
from tests.transparency.test_public_projects import signed  # noqa: F401  (a fixture)

API = "/api/v1"
QUARTO_OGGIARO = 76


@pytest.fixture()
def h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def stored() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Project)).scalar_one()


def test_the_list_of_neighbourhoods_ships_with_its_source():
    nil = territory.neighbourhoods()
    assert list(nil) == list(range(1, 89)) and len(set(nil.values())) == 88
    assert (nil[1], nil[66], nil[88]) == ("Duomo", "QT 8", "Parco Bosco in Città")
    assert territory.resolve_nil("citta studi") == 22 and territory.resolve_nil(" 76 ") == QUARTO_OGGIARO
    assert territory.resolve_nil("89") is None and territory.resolve_nil("Brooklyn") is None
    assert territory.MUNICIPI == tuple(range(1, 10)) and "ds964" in territory.NIL_SOURCE


def test_api_registers_filters_and_refuses(client, h):
    r = client.post(f"{API}/projects", headers=h, json=body(municipio="8", nil=QUARTO_OGGIARO))
    assert r.status_code == 201, r.json
    p = r.json
    assert (p["municipio"], p["nil"], p["nil_name"]) == (8, 76, "Quarto Oggiaro - Vialba - Musocco")
    other = client.post(f"{API}/projects", headers=h, json=body(cup="D47H18001230002", municipality="015182"))
    assert other.status_code == 201 and (other.json["municipio"], other.json["nil"]) == (None, None)

    # refusals: per field, nothing stored
    for over, field in [({"municipality": "015182", "municipio": 3}, "municipio"),
                        ({"municipality": "015182", "nil": 5}, "nil"), ({"municipio": 10}, "municipio"),
                        ({"municipio": 0}, "municipio"), ({"nil": 89}, "nil"), ({"nil": "QT 8"}, "nil"),
                        ({"municipio": True}, "municipio")]:
        r = client.post(f"{API}/projects", headers=h, json=body(cup="D47H18001230009", **over))
        assert r.status_code == 422 and field in r.json["error"]["fields"], (over, r.json)
    assert "solo per i progetti del Comune di Milano" in client.post(
        f"{API}/projects", headers=h, json=body(cup="D47H18001230009", municipality="015182", municipio=3)
    ).json["error"]["fields"]["municipio"]
    assert stored() == 2

    def ids(query):
        r = client.get(f"{API}/public/projects?{query}")
        assert r.status_code == 200, (query, r.json)
        return [x["id"] for x in r.json]

    assert ids("municipio=8") == [p["id"]] and ids("nil=76") == [p["id"]]
    assert ids("nil=quarto%20oggiaro%20-%20vialba%20-%20musocco") == [p["id"]]
    for nothing in ("municipio=7", "municipio=10", "municipio=x", "nil=0", "nil=Brooklyn"):
        assert ids(nothing) == [], nothing

    # moved out of Milan, it keeps no Municipio; naming one there is refused
    pid = p["id"]
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"municipality": "015182", "nil": 5})
    assert r.status_code == 422 and "nil" in r.json["error"]["fields"]
    assert client.get(f"{API}/projects/{pid}").json["municipio"] == 8
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"municipality": "015182"})
    assert r.status_code == 200 and (r.json["municipio"], r.json["nil"], r.json["nil_name"]) == (None, None, None)
    r = client.patch(f"{API}/projects/{pid}", headers=h, json={"municipality": "015146", "municipio": 1, "nil": 1})
    assert r.status_code == 200 and (r.json["municipio"], r.json["nil_name"]) == (1, "Duomo")

    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/projects.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    by_id = {int(r["id"]): r for r in rows}
    assert (by_id[pid]["municipio"], by_id[pid]["nil"], by_id[pid]["nil_name"]) == ("1", "1", "Duomo")
    assert by_id[other.json["id"]]["municipio"] == ""


def test_import_names_the_neighbourhood_by_number_or_name(client, h):
    header = HEADER + ",municipio,nil"
    milan = ROWS[0] + ",6,Lorenteggio"
    assert upload(client, h, "\n".join([header, milan, ROWS[1] + ",,"]) + "\n").status_code == 201
    p = db.session.execute(sa.select(Project).where(Project.cup == "D47H18001230001")).scalar_one()
    assert (p.municipio, p.nil) == (6, 53)

    # a file without the columns changes neither
    r = upload(client, h, "\n".join([HEADER, ROWS[0]]) + "\n")
    assert r.status_code == 201 and r.json == {"created": 0, "updated": 1}
    db.session.expire_all()
    assert (p.municipio, p.nil) == (6, 53)

    # every bad row named, nothing stored
    bad = "\n".join([header, ROWS[0] + ",6,Brooklyn", ROWS[1] + ",4,", ROWS[2] + ",12,"]) + "\n"
    r = upload(client, h, bad)
    assert r.status_code == 422, r.json
    assert {"row 1: nil", "row 2: municipio", "row 3: municipio"} <= set(r.json["error"]["fields"]), r.json
    assert stored() == 2


def test_the_form_the_project_page_the_list_and_milans_page(client, make_user, login, post_form):
    login(make_user("admin", org="Città metropolitana di Milano"))
    url = "/osservatorio/progetti/nuovo"
    page = client.get(url).get_data(as_text=True)
    assert 'name="municipio"' in page and "QT 8 (NIL 66)" in page and "Municipio 9" in page
    r = post_form(url, FORM | {"municipality": "015182", "municipio": "3", "nil": ""})
    assert r.status_code == 422 and "solo per i progetti del Comune di Milano" in r.get_data(as_text=True)
    assert stored() == 0
    r = post_form(url, FORM | {"municipio": "8", "nil": "76"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    project_url = r.headers["Location"]
    html = client.get(project_url).get_data(as_text=True)
    assert "Municipio 8" in html and "Quarto Oggiaro - Vialba - Musocco" in html and "/comuni/015146" in html
    edit = project_url + "/modifica"
    assert '<option selected value="76">' in client.get(edit).get_data(as_text=True)

    listing = client.get("/progetti?municipio=8").get_data(as_text=True)
    assert "Casa di quartiere Giambellino" in listing
    assert "Casa di quartiere Giambellino" not in client.get("/progetti?quartiere=1").get_data(as_text=True)
    assert client.get("/progetti?quartiere=xyz&municipio=99").status_code == 200

    milan = client.get("/comuni/015146").get_data(as_text=True)
    assert "Per Municipio e per quartiere" in milan and "/progetti?comune=015146&amp;municipio=8" in milan
    assert "/progetti?comune=015146&amp;quartiere=76" in milan
    assert "Per Municipio e per quartiere" not in client.get("/comuni/015182").get_data(as_text=True)


def test_a_procedure_projects_page_shows_its_place_and_its_good_practice(client, signed):  # noqa: F811
    s = signed
    project = client.get(f"{API}/public/projects").json[0]
    pid, proposal = project["id"], project["proposal_id"]
    r = client.patch(f"{API}/projects/{pid}", headers=s.admin_h,
                     json={"municipality": "015146", "municipio": 5, "nil": 35, "theme": "Inclusione sociale"})
    assert r.status_code == 200, r.json
    assert (r.json["origin"], r.json["municipio"], r.json["nil_name"]) == ("procedure", 5, "Lodi - Corvetto")
    html = client.get(f"/progetti/{proposal}").get_data(as_text=True)
    assert "Nel catalogo dei progetti del territorio" in html and "Municipio 5" in html and "Lodi - Corvetto" in html
    assert "01/09/2021 – 31/08/2023" in html and "2021-09-01" not in html     # days as people write them
    assert "/buone-pratiche/" not in html
    assert client.put(f"{API}/projects/{pid}/good-practice", headers=s.admin_h, json=WRITE_UP).status_code == 200
    html = client.get(f"/progetti/{proposal}").get_data(as_text=True)
    assert "tra le buone pratiche del territorio" in html
