"""The catalogue of funding opportunities kept by the office: calls imported from a CSV file, all or nothing (words
as the pages write them or as the API does, lists separated by | or ;, every bad row named, nothing stored; a row
with the link of a stored call updates it, so importing the same file twice changes nothing), and a call edited
(PATCH, the form: checked as a new one; a new deadline puts its followers' reminders ahead again)."""
import datetime as dt
import io

import pytest
import sqlalchemy as sa
import time_machine

from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.opportunities.models import Opportunity

API = "/api/v1"
TODAY = dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)
GOOD = (
    "title;funder_level;funder;programme;link;eligible;themes;territory;budget;max_grant;cofinancing_min_pct;"
    "opens_on;deadline\n"
    "Spazi di comunità;Regionale;Regione Lombardia;PR FESR 2021-2027;https://www.regione.lombardia.it/spazi;"
    "Comuni|Partenariati;Rinnovamento urbano e rurale|Inclusione sociale;Rho|015209;2.000.000,00;;10%;"
    "01/11/2026;31/01/2027\n"
    "Welfare di comunità 2027;foundation;Fondazione Cariplo;Welfare in azione;https://www.cariplo.it/welfare;"
    "ets|partnership;Inclusione sociale;;5000000;300000,50;20;2026-11-01;20270215\n"
)


@pytest.fixture()
def office(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def upload(client, h, text: str):
    return client.post(f"{API}/opportunities/import", headers=h, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode("utf-8")), "bandi.csv")})


def stored() -> list[Opportunity]:
    return list(db.session.execute(sa.select(Opportunity).order_by(Opportunity.id)).scalars())


@time_machine.travel(TODAY, tick=False)
def test_import_all_or_nothing_and_twice(client, office, make_user, token_for):
    r = upload(client, office, GOOD)
    assert r.status_code == 201, r.json
    assert r.json == {"created": 2, "updated": 0}
    spazi, welfare = stored()
    assert (spazi.funder_level, spazi.eligible, spazi.themes, spazi.territory, str(spazi.budget), spazi.max_grant,
            str(spazi.cofinancing_min_pct), spazi.opens_on, spazi.deadline) == (
        "regional", ["municipality", "partnership"], ["Rinnovamento urbano e rurale", "Inclusione sociale"],
        ["015182", "015209"], "2000000.00", None, "10.00", dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert (welfare.territory, str(welfare.max_grant), welfare.deadline) == (None, "300000.50", dt.date(2027, 2, 15))
    r = client.get(f"{API}/opportunities?municipality=015182")
    assert r.status_code == 200
    # the same file again: nothing changes
    r = upload(client, office, GOOD)
    assert r.json == {"created": 0, "updated": 2} and len(stored()) == 2
    # a changed deadline updates the call that has that link
    r = upload(client, office, GOOD.replace("20270215", "20270301"))
    assert r.json == {"created": 0, "updated": 2}
    db.session.expire_all()
    assert stored()[1].deadline == dt.date(2027, 3, 1)
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditRecord)
                              .where(AuditRecord.trigger == "import_opportunities")).scalar_one() == 3

    bad = GOOD + (
        "Scaduto prima di aprire;regional;Regione;PR;https://www.regione.lombardia.it/x;comuni;Istruzione;;"
        "1000;;;2027-02-01;2027-01-01\n"
        "Territorio sbagliato;eu;UE;FSE+;ftp://example.org;tutti;Istruzione;Roma;1000;;;2026-11-01;2027-01-01\n"
        "Ripetuto;regional;Regione;PR;https://www.regione.lombardia.it/spazi;comuni;Istruzione;;1000;;;"
        "2026-11-01;2027-01-01\n"
        ";;;;;;;;;;;;\n"
        "Importo;regional;Regione;PR;https://www.regione.lombardia.it/y;comuni;Istruzione;;mille;;150;"
        "2026-11-01;2027-01-01\n"
    )
    r = upload(client, office, bad)
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) == {"row 3: deadline", "row 4: link", "row 4: eligible", "row 4: territory",
                           "row 5: link", "row 7: budget", "row 7: cofinancing_min_pct"}, fields
    assert "non sono comuni" in fields["row 4: territory"] and "riga 1" in fields["row 5: link"]
    assert "Il file non è stato importato: 4 righe da correggere" in r.json["error"]["message"]
    assert len(stored()) == 2
    for text, message in [("", "vuoto"), ("title;funder\nA;B\n", "mancano le colonne")]:
        r = upload(client, office, text)
        assert r.status_code == 422 and message in r.json["error"]["fields"]["file"], r.json
    r = client.post(f"{API}/opportunities/import", headers=office, content_type="multipart/form-data",
                    data={"file": (io.BytesIO("tìtolo".encode("latin-1")), "bandi.csv")})
    assert r.status_code == 422 and "UTF-8" in r.json["error"]["fields"]["file"]
    assert upload(client, {}, GOOD).status_code == 401
    assert upload(client, token_for(make_user("applicant")), GOOD).status_code == 403
    assert client.post(f"{API}/opportunities/import", headers=office).status_code == 400


@time_machine.travel(TODAY, tick=False)
def test_the_import_page(client, make_user, login):
    login(make_user("admin", org="Città metropolitana di Milano"))
    html = client.get("/opportunita/importa").get_data(as_text=True)
    assert "Importa bandi da un file CSV" in html and "<code>cofinancing_min_pct</code>" in html
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    bad = GOOD.replace("Regionale", "Comunale")
    r = client.post("/opportunita/importa", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(bad.encode("utf-8")), "bandi.csv")})
    assert r.status_code == 422 and "riga 1, colonna funder_level" in r.get_data(as_text=True)
    assert stored() == []
    r = client.post("/opportunita/importa", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode("utf-8")), "bandi.csv")})
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Importazione completata. Bandi creati: 2; aggiornati: 0." in html and "Spazi di comunità" in html
    login(make_user("applicant"))
    assert client.get("/opportunita/importa").status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_editing_a_call(client, office, make_user, token_for, login, post_form):
    upload(client, office, GOOD)
    spazi, welfare = stored()
    follower = token_for(make_user("applicant"))
    assert client.put(f"{API}/opportunities/{welfare.id}/follow", headers=follower).status_code == 201
    db.session.execute(sa.text("UPDATE opportunity_follows SET reminded_15_at = created_at"))
    db.session.commit()
    url = f"{API}/opportunities/{welfare.id}"
    for bad, field in [({"deadline": "2026-10-01"}, "deadline"), ({"link": "ftp://x.org/a"}, "link"),
                       ({"colour": "red"}, "colour"), ({"territory": ["999999"]}, "territory")]:
        r = client.patch(url, headers=office, json=bad)
        assert r.status_code == 422 and field in r.json["error"]["fields"], (bad, r.json)
    assert client.patch(url, json={"title": "X"}).status_code == 401
    assert client.patch(url, headers=follower, json={"title": "X"}).status_code == 403
    r = client.patch(url, headers=office, json={"deadline": "2027-04-30", "themes": ["Inclusione sociale", "Cultura"]})
    assert r.status_code == 200, r.json
    assert (r.json["deadline"], r.json["themes"], r.json["title"], r.json["max_grant"]) == (
        "2027-04-30", ["Inclusione sociale", "Cultura"], "Welfare di comunità 2027", "300000.50")
    reminded = db.session.execute(sa.text("SELECT reminded_15_at FROM opportunity_follows")).scalar_one()
    assert reminded is None                                  # a new deadline: its reminders are ahead again
    login(make_user("admin", org="Città metropolitana di Milano"))
    page = f"/opportunita/{spazi.id}/modifica"
    html = client.get(page).get_data(as_text=True)
    assert "Modifica il bando" in html and 'value="2000000,00"' in html and "Inclusione sociale" in html
    form = {"title": "Spazi di comunità 2027", "funder_level": "regional", "funder": "Regione Lombardia",
            "programme": "PR FESR 2021-2027", "link": spazi.link, "eligible": ["municipality", "partnership"],
            "themes": "Inclusione sociale", "territory": ["015182"], "budget": "2.500.000,00",
            "cofinancing_min_pct": "10", "opens_on": "2026-11-01", "deadline": "2026-10-31"}
    r = post_form(page, form)
    assert r.status_code == 422 and "la scadenza non può precedere" in r.get_data(as_text=True)
    r = post_form(page, form | {"deadline": "2027-01-31"})
    assert r.status_code == 302
    db.session.expire_all()
    spazi = db.session.get(Opportunity, spazi.id)
    assert (spazi.title, str(spazi.budget), spazi.territory) == ("Spazi di comunità 2027", "2500000.00", ["015182"])
    assert "Bando aggiornato." in client.get(r.headers["Location"]).get_data(as_text=True)
