"""The import of external projects from CSV (API.md, `POST /api/v1/projects/import`): all or nothing, every bad
row named, a re-import updating by CUP and changing nothing the second time; codesign's columns and
OpenCoesione's export columns alike."""
import datetime as dt
import io

import pytest
import sqlalchemy as sa
import time_machine

from codesign.core.audit import AuditRecord
from codesign.db import db
from codesign.observatory.models import Project, ProjectUpdate

API = "/api/v1"
HEADER = ("cup,title,programme,theme,municipality,beneficiary_name,beneficiary_tax_code,public_funding,"
          "other_funding,paid_amount,planned_start,planned_end,actual_start,actual_end,state,progress_pct")
ROWS = [
    "D47H18001230001,Mercato di Lorenteggio,Bando Periferie 2016,Rinnovamento urbano e rurale,015146,"
    "Comune di Milano,01199250158,1500000.00,250000.00,300000.00,2019-03-01,2022-12-31,2019-05-01,,in_progress,40",
    "D47H18001230002,Casa delle associazioni,PNRR M5C2,Inclusione sociale,015182,Comune di Rho,,700000,,,"
    "2022-01-01,2026-06-30,,,planned,",
    '"E57H21000010001","Scuola aperta, anche d\'estate",PON Metro,Istruzione,015209,Comune di Sesto San Giovanni,,'
    "90000.50,,,2021-09-01,2023-08-31,2021-09-01,2023-07-31,completed,100",
]


@pytest.fixture()
def admin_h(make_user, token_for):
    return token_for(make_user("admin", org="Città metropolitana di Milano"))


def upload(client, h, text, *, encoding="utf-8", name="progetti.csv"):
    return client.post(f"{API}/projects/import", headers=h, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode(encoding)), name)})


def snapshot():
    projects = db.session.execute(sa.select(Project).order_by(Project.id)).scalars().all()
    return [(p.cup, p.title, p.paid_amount, p.state, p.progress_pct, p.updated_at) for p in projects], \
        db.session.execute(sa.select(sa.func.count()).select_from(ProjectUpdate)).scalar_one()


def test_import_creates_then_changes_nothing_the_second_time_then_updates(client, admin_h):
    text = "\n".join([HEADER] + ROWS) + "\n"
    with time_machine.travel(dt.datetime(2024, 6, 1, 9, tzinfo=dt.timezone.utc), tick=False):
        r = upload(client, admin_h, text)
    assert r.status_code == 201 and r.json == {"created": 3, "updated": 0}, r.json
    rows = {p["cup"]: p for p in client.get(f"{API}/public/projects").json}
    assert rows["E57H21000010001"]["title"] == "Scuola aperta, anche d'estate"
    assert (rows["D47H18001230002"]["municipality_name"], rows["D47H18001230002"]["public_funding"]) == (
        "Rho", "700000.00")
    assert rows["D47H18001230001"]["paid_amount"] == "300000.00" and rows["D47H18001230001"]["progress_pct"] == 40
    db.session.expire_all()
    before = snapshot()

    with time_machine.travel(dt.datetime(2024, 7, 1, 9, tzinfo=dt.timezone.utc), tick=False):
        r = upload(client, admin_h, text)
    assert r.status_code == 201 and r.json == {"created": 0, "updated": 3}
    db.session.expire_all()
    assert snapshot() == before                                     # nothing changed, no entry added

    changed = text.replace(",300000.00,2019-03-01", ",450000.00,2019-03-01")
    with time_machine.travel(dt.datetime(2024, 8, 1, 9, tzinfo=dt.timezone.utc), tick=False):
        r = upload(client, admin_h, changed)
    assert r.json == {"created": 0, "updated": 3}
    p = next(p for p in client.get(f"{API}/public/projects").json if p["cup"] == "D47H18001230001")
    assert p["paid_amount"] == "450000.00" and p["last_update_on"] == "2024-08-01"
    history = client.get(f"{API}/projects/{p['id']}/updates").json
    assert [(e["kind"], e["date"], e["paid_amount"]) for e in history] == [
        ("import", "2024-08-01", "450000.00"), ("import", "2024-06-01", "300000.00")]
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditRecord)
                              .where(AuditRecord.trigger == "import_projects")).scalar_one() == 3


def test_every_bad_row_is_named_and_nothing_is_stored(client, admin_h):
    bad = [
        ROWS[0],
        ROWS[1].replace(",015182,", ",001272,"),                               # Torino: outside the territory
        ROWS[2].replace("90000.50", "90mila").replace("2023-08-31", "2020-01-01"),
        ROWS[0].replace("Mercato di Lorenteggio", "Di nuovo"),                  # the CUP again
        ROWS[1].replace("D47H18001230002", "D47H1800").replace(",planned,", ",in_progress,").rstrip(",") + ",140",
    ]
    r = upload(client, admin_h, "\n".join([HEADER] + bad))
    assert r.status_code == 422
    fields = r.json["error"]["fields"]
    assert set(fields) == {"row 2: municipality", "row 3: public_funding", "row 4: cup", "row 5: cup",
                           "row 5: progress_pct"}, fields
    assert "riga 1" in fields["row 4: cup"]
    assert snapshot() == ([], 0)
    # a file without a required column, one in another encoding, an empty one
    r = upload(client, admin_h, "cup,title\nD47H18001230001,x\n")
    assert r.status_code == 422 and "programme" in r.json["error"]["fields"]["file"]
    r = upload(client, admin_h, "\n".join([HEADER, ROWS[0].replace("Mercato", "Società")]), encoding="latin-1")
    assert r.status_code == 422 and "UTF-8" in r.json["error"]["fields"]["file"]
    assert upload(client, admin_h, "").status_code == 422
    assert upload(client, admin_h, HEADER + "\n").status_code == 422
    assert snapshot() == ([], 0)


def test_opencoesione_columns(client, admin_h):
    """OpenCoesione's own export: semicolon-separated, dates as YYYYMMDD, its states, other columns ignored."""
    text = ("COD_LOCALE_PROGETTO;CUP;OC_TITOLO_PROGETTO;OC_TEMA_SINTETICO;OC_DESCRIZIONE_PROGRAMMA;COD_COMUNE;"
            "OC_DENOM_BENEFICIARIO;FINANZ_TOTALE_PUBBLICO;TOT_PAGAMENTI;OC_DATA_INIZIO_PROGETTO;"
            "OC_DATA_FINE_PROGETTO_PREVISTA;OC_DATA_FINE_PROGETTO_EFFETTIVA;OC_STATO_PROGETTO\n"
            "1MISE123;J41B16000230001;Riqualificazione piazza;Rinnovamento urbano e rurale;PON METRO MILANO;"
            "003015146;Comune di Milano;1200000,00;600000,00;20170301;20201231;;In corso\n"
            "1MISE124;J41B16000240001;Centro anziani;Servizi di cura infanzia e anziani;PON METRO MILANO;15182;"
            "Comune di Rho;80000;80000;20180101;20191231;20191130;Concluso\n")
    r = upload(client, admin_h, text)
    assert r.status_code == 201 and r.json == {"created": 2, "updated": 0}, r.json
    rows = {p["cup"]: p for p in client.get(f"{API}/public/projects").json}
    piazza, anziani = rows["J41B16000230001"], rows["J41B16000240001"]
    assert (piazza["municipality"], piazza["state"], piazza["planned_end"], piazza["public_funding"]) == (
        "015146", "in_progress", "2020-12-31", "1200000.00")
    assert (anziani["municipality"], anziani["state"], anziani["actual_end"]) == ("015182", "completed", "2019-11-30")
    r = upload(client, admin_h, text.replace("20201231", "2020-13-45"))
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"row 1: OC_DATA_FINE_PROGETTO_PREVISTA"}


def test_who_may_import(client, make_user, token_for, admin_h):
    text = "\n".join([HEADER, ROWS[0]])
    assert upload(client, {}, text).status_code == 401
    assert upload(client, token_for(make_user("applicant")), text).status_code == 403
    assert upload(client, admin_h, text).status_code == 201
    other = token_for(make_user("admin", org="Comune di Rho"))
    r = upload(client, other, text)
    assert r.status_code == 422 and "altra amministrazione" in r.json["error"]["fields"]["row 1: cup"]
