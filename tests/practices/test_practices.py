"""Good practices (DOMAIN.md): an admin of the administration that keeps a project writes it up, adds photos
(images checked by content and size, re-encoded without metadata) and removes the mark; anyone reads the listed
ones, filtered as the catalogue, through the API and the pages, each page with its Open Graph tags."""
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from codesign.core import files
from codesign.db import db
from codesign.practices import operations as practices
from codesign.practices.models import GoodPractice, PracticePhoto
from tests.observatory.test_projects_api import body
from tests.transparency.test_public_projects import signed  # noqa: F401  (the fixture)

API = "/api/v1"
WRITE_UP = {"what": "Un ex mercato comunale diventato casa di quartiere.\nAperta sei giorni su sette.",
            "audience": "Famiglie e anziani del Giambellino", "results": "1.200 persone l'anno, 14 associazioni",
            "reuse": "Il patto di collaborazione e il regolamento d'uso degli spazi",
            "contact_name": "Ufficio rigenerazione urbana", "contact_email": "Rigenerazione@Comune.Example"}


def jpeg(width=2400, height=1800, *, exif=True) -> bytes:
    img = Image.new("RGB", (width, height), (30, 120, 200))
    out = io.BytesIO()
    info = Image.Exif()
    if exif:
        info[0x010F] = "Fotocamera di prova"          # Make
        info[0x0112] = 6                              # Orientation: rotate 90° to stand upright
        info[0x8825] = {1: "N", 2: (45.0, 27.0, 0.0)}  # GPS position
    img.save(out, "JPEG", exif=info.tobytes())
    return out.getvalue()


@pytest.fixture()
def office(make_user):
    return make_user("admin", org="Città metropolitana di Milano")


@pytest.fixture()
def h(office, token_for):
    return token_for(office)


@pytest.fixture()
def project(client, h):
    r = client.post(f"{API}/projects", headers=h, json=body(cup="D47H18001230001", title="Casa di quartiere"))
    assert r.status_code == 201, r.json
    other = client.post(f"{API}/projects", headers=h, json=body(
        cup="D47H18001230002", title="Orti di Rho", municipality="015182", theme="Ambiente"))
    assert other.status_code == 201
    return r.json["id"]


def upload(client, h, pid, data: bytes, caption="Il cortile durante la festa di apertura", name="foto.jpg"):
    return client.post(f"{API}/projects/{pid}/good-practice/photos", headers=h,
                       data={"file": (io.BytesIO(data), name), "caption": caption},
                       content_type="multipart/form-data")


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_mark_read_list_and_unmark(client, h, project):
    assert client.get(f"{API}/projects/{project}/good-practice").status_code == 404
    r = client.put(f"{API}/projects/{project}/good-practice", headers=h, json=WRITE_UP)
    assert r.status_code == 200, r.json
    p = r.json
    assert p["project_id"] == project and p["project"]["title"] == "Casa di quartiere"
    assert p["contact"] == {"name": "Ufficio rigenerazione urbana", "email": "rigenerazione@comune.example",
                            "phone": None}
    assert p["photos"] == [] and p["url"] == f"http://localhost/buone-pratiche/{project}"
    assert client.get(f"{API}/projects/{project}").json["good_practice"] is True
    assert client.get(f"{API}/projects/{project}/good-practice").json == p
    # the list: only marked projects, filtered as the catalogue
    listed = client.get(f"{API}/good-practices")
    assert listed.headers["X-Total-Count"] == "1" and [x["project_id"] for x in listed.json] == [project]
    assert client.get(f"{API}/good-practices?municipality=Milano&theme=RINNOVAMENTO%20urbano%20e%20rurale").json
    assert client.get(f"{API}/good-practices?municipality=015182").json == []
    assert client.get(f"{API}/good-practices?theme=nessuno").json == []
    assert client.get(f"{API}/good-practices?colour=red").status_code == 422
    # a second write replaces the write-up
    r = client.put(f"{API}/projects/{project}/good-practice", headers=h, json=WRITE_UP | {"results": "Di più"})
    assert r.json["results"] == "Di più" and count(GoodPractice) == 1
    # the mark removed: out of the list, the write-up kept for a later mark
    assert client.delete(f"{API}/projects/{project}/good-practice", headers=h).status_code == 204
    assert client.get(f"{API}/projects/{project}/good-practice").status_code == 404
    assert client.get(f"{API}/good-practices").json == [] and count(GoodPractice) == 1
    assert client.delete(f"{API}/projects/{project}/good-practice", headers=h).status_code == 409


def test_bad_write_ups_and_strangers_change_nothing(client, h, project, make_user, token_for):
    r = client.put(f"{API}/projects/{project}/good-practice", headers=h,
                   json=WRITE_UP | {"what": "", "contact_email": "not an address", "colour": "red"})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"what", "contact_email", "colour"}
    assert count(GoodPractice) == 0 and client.get(f"{API}/projects/{project}").json["good_practice"] is False
    assert client.put(f"{API}/projects/{project}/good-practice", json=WRITE_UP).status_code == 401
    assert client.put(f"{API}/projects/{project}/good-practice", headers=token_for(make_user("applicant")),
                      json=WRITE_UP).status_code == 403
    other_admin = token_for(make_user("admin", org="Comune di Rho"))     # another administration's project
    assert client.put(f"{API}/projects/{project}/good-practice", headers=other_admin, json=WRITE_UP).status_code == 403
    assert client.put(f"{API}/projects/999999/good-practice", headers=h, json=WRITE_UP).status_code == 404
    assert count(GoodPractice) == 0


def test_photos_are_checked_resized_and_stripped(client, h, project, monkeypatch):
    assert upload(client, h, project, jpeg()).status_code == 409                 # not yet a good practice
    assert client.put(f"{API}/projects/{project}/good-practice", headers=h, json=WRITE_UP).status_code == 200
    r = upload(client, h, project, jpeg())
    assert r.status_code == 201, r.json
    ph = r.json
    assert (ph["width"], ph["height"]) == (1200, 1600)       # turned upright by its EXIF, then within 1600 px
    full = client.get(f"/buone-pratiche/foto/{ph['id']}")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(full.data)) as img:
        assert img.size == (1200, 1600) and not img.getexif()               # no camera, no position
    thumb = client.get(f"/buone-pratiche/foto/{ph['id']}/miniatura")
    with Image.open(io.BytesIO(thumb.data)) as img:
        assert max(img.size) == 640
    assert ph["thumbnail_url"] == f"http://localhost/buone-pratiche/foto/{ph['id']}/miniatura"

    # refused by content, naming the field, nothing stored
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    for data, name in ((pdf, "foto.jpg"), (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "foto.svg"),
                       (gif.getvalue(), "foto.gif"), (jpeg()[:2000], "tagliata.jpg"), (b"", "vuota.jpg")):
        r = upload(client, h, project, data, name=name)
        assert r.status_code == 422 and "file" in r.json["error"]["fields"], (name, r.json)
    r = upload(client, h, project, jpeg(), caption="")
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"caption"}
    monkeypatch.setattr(practices, "PHOTO_LIMIT", 1000)
    assert upload(client, h, project, jpeg()).status_code == 413
    monkeypatch.undo()
    assert count(PracticePhoto) == 1

    # one more, then the first removed; an unmarked practice's photos are not public
    second = upload(client, h, project, jpeg(800, 600, exif=False)).json["id"]
    first = db.session.get(PracticePhoto, ph["id"])
    stored = [files.path_of(first.sha256), files.path_of(first.thumb_sha256)]
    assert all(p.is_file() for p in stored)
    assert client.delete(f"{API}/projects/{project}/good-practice/photos/{ph['id']}", headers=h).status_code == 204
    assert not any(p.exists() for p in stored)                                  # gone from the disk too
    assert [p["id"] for p in client.get(f"{API}/projects/{project}/good-practice").json["photos"]] == [second]
    assert client.delete(f"{API}/projects/{project}/good-practice/photos/{ph['id']}", headers=h).status_code == 404
    assert client.delete(f"{API}/projects/{project}/good-practice", headers=h).status_code == 204
    assert client.get(f"/buone-pratiche/foto/{second}").status_code == 404


def test_the_pages(client, office, login, post_form, project, make_user):
    login(office)
    page = client.get("/buone-pratiche")
    assert page.status_code == 200 and "0 buone pratiche" in page.get_data(as_text=True)
    r = client.get("/osservatorio/buone-pratiche/cerca?cup=d47h18001230001")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/osservatorio/progetti/{project}/buona-pratica")
    assert client.get("/osservatorio/buone-pratiche/cerca?cup=X").status_code == 302
    # a refused form keeps what was typed and names the field
    url = f"/osservatorio/progetti/{project}/buona-pratica"
    r = post_form(url, WRITE_UP | {"contact_email": "scritto male"})
    assert r.status_code == 422 and "indirizzo e-mail non valido" in r.get_data(as_text=True)
    assert count(GoodPractice) == 0
    r = post_form(url, WRITE_UP)
    assert r.status_code == 302
    r = post_form(f"{url}/foto", {"file": (io.BytesIO(b"not an image"), "x.jpg"), "caption": "Il cortile"},
                  get_url=url, content_type="multipart/form-data")
    assert r.status_code == 422 and "non è un&#39;immagine leggibile" in r.get_data(as_text=True)
    r = post_form(f"{url}/foto", {"file": (io.BytesIO(jpeg()), "x.jpg"), "caption": "Il cortile in festa"},
                  get_url=url, content_type="multipart/form-data")
    assert r.status_code == 302
    photo = db.session.execute(sa.select(PracticePhoto)).scalar_one()
    # the public page: the write-up, the photo with its text, the Open Graph tags
    html = client.get(f"/buone-pratiche/{project}").get_data(as_text=True)
    assert "Famiglie e anziani del Giambellino" in html and 'alt="Il cortile in festa"' in html
    assert '<meta property="og:title" content="Casa di quartiere">' in html
    assert f'<meta property="og:image" content="http://localhost/buone-pratiche/foto/{photo.id}">' in html
    assert f'<meta property="og:url" content="http://localhost/buone-pratiche/{project}">' in html
    listed = client.get("/buone-pratiche?comune=015146").get_data(as_text=True)
    assert "1 buona pratica" in listed and f'href="/buone-pratiche/{project}"' in listed
    assert "Leggi che cosa possono riprenderne" in client.get(f"/osservatorio/progetti/{project}").get_data(as_text=True)
    r = post_form(f"{url}/foto/{photo.id}/elimina", {}, get_url=url)
    assert r.status_code == 302 and count(PracticePhoto) == 0
    r = post_form(f"{url}/rimuovi", {}, get_url=url)
    assert r.status_code == 302 and client.get(f"/buone-pratiche/{project}").status_code == 404
    # others may not write
    assert client.application.test_client().get(url).status_code == 302       # to the login page
    login(make_user("admin", org="Comune di Rho"))
    assert client.get(url).status_code == 403


def test_a_procedure_project_can_be_a_good_practice(client, signed):
    s = signed
    pid = client.get(f"{API}/public/projects").json[0]["id"]
    r = client.put(f"{API}/projects/{pid}/good-practice", headers=s.admin_h, json=WRITE_UP)
    assert r.status_code == 200, r.json
    assert r.json["project"]["origin"] == "procedure"
    assert [x["project_id"] for x in client.get(f"{API}/good-practices?origin=procedure").json] == [pid]
    assert "CUP del progetto" not in client.get("/buone-pratiche").get_data(as_text=True)   # not for citizens


def test_statements_do_not_grow_with_the_practices(client, h, statements):
    urls = ["/buone-pratiche", "/api/v1/good-practices", "/buone-pratiche?tema=Inclusione%20sociale"]

    def add(n, start):
        for i in range(start, start + n):
            r = client.post(f"{API}/projects", headers=h, json=body(cup=f"D47H180012300{i:02d}",
                                                                    theme="Inclusione sociale"))
            pid = r.json["id"]
            assert client.put(f"{API}/projects/{pid}/good-practice", headers=h, json=WRITE_UP).status_code == 200
            assert upload(client, h, pid, jpeg(300, 200, exif=False)).status_code == 201

    add(1, 0)
    few = statements(urls)
    add(4, 1)
    assert statements(urls) == few
