"""The demo's observatory: projects of the Città metropolitana's municipalities funded elsewhere (imported from a
CSV through the same import as the page, some late, some not updated for months), a
few progress updates, and funding opportunities open now. Through the service functions; idempotent (nothing is
added once the first CUP exists)."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from PIL import Image, ImageDraw

from codesign.auth import operations as auth_ops
from codesign.core.calendar import rome_today
from codesign.core.enums import Role
from codesign.db import db, utcnow
from codesign.observatory import imports
from codesign.observatory import operations as observatory
from codesign.observatory.models import Project
from codesign.opportunities import operations as opportunities
from codesign.organizations.operations import get_or_create_administration
from codesign.practices import operations as practices

OFFICE = "Città metropolitana di Milano"
OFFICE_EMAIL = "osservatorio@cittametropolitana.milano.example"
PROJECTS = """cup,title,programme,theme,municipality,beneficiary_name,beneficiary_tax_code,public_funding,other_funding,paid_amount,planned_start,planned_end,actual_start,actual_end,state,progress_pct
J47H18000340001,Riqualificazione del mercato comunale di Lorenteggio,Bando Periferie 2016,Rinnovamento urbano e rurale,015146,Comune di Milano,01199250158,4800000.00,600000.00,3100000.00,2018-06-01,2023-12-31,2018-10-01,,in_progress,70,6,53
J41B20000120006,Casa delle associazioni di Quarto Oggiaro,PNRR M5C2 - Rigenerazione urbana,Inclusione sociale,015146,Comune di Milano,01199250158,2100000.00,,950000.00,2022-03-01,2026-06-30,2022-05-02,,in_progress,55,8,Quarto Oggiaro - Vialba - Musocco
E87H19001450001,Portineria di comunità San Siro,PON Metro 2014-2020,Inclusione sociale,015146,Comune di Milano,01199250158,380000.00,40000.00,380000.00,2019-09-01,2022-08-31,2019-09-01,2022-07-15,completed,100,7,57
D27H21000560001,Biblioteca diffusa e spazi studio,PNRR M5C2 - Rigenerazione urbana,Istruzione,015209,Comune di Sesto San Giovanni,,1650000.00,,420000.00,2022-01-10,2026-03-31,2022-04-01,,in_progress,35,,
D77H20000880001,Centro diurno per anziani Villaggio Falck,POR FESR FSE+ Lombardia,Servizi di cura infanzia e anziani,015209,Comune di Sesto San Giovanni,,620000.00,80000.00,150000.00,2021-02-01,2024-01-31,2021-06-01,,in_progress,40,,
H57H21001230001,Piazza della stazione e mobilità dolce,PNRR M5C2 - Rigenerazione urbana,Trasporti e infrastrutture a rete,015182,Comune di Rho,,2950000.00,,1200000.00,2022-02-01,2026-06-30,2022-06-01,,in_progress,45,,
H51B19000560001,Emporio solidale e cucina sociale,Fondi propri,Inclusione sociale,015182,Comune di Rho,,180000.00,60000.00,180000.00,2019-01-15,2020-12-31,2019-02-01,2020-12-15,completed,100,,
B27H22000670001,Scuola aperta il pomeriggio,PNRR M4C1,Istruzione,015077,Comune di Cinisello Balsamo,,540000.00,,90000.00,2023-01-09,2026-08-31,2023-03-01,,in_progress,25,,
B23D21000990001,Housing sociale in via Cornaggia,Bando Periferie 2016,Rinnovamento urbano e rurale,015077,Comune di Cinisello Balsamo,,3200000.00,1100000.00,2600000.00,2017-11-01,2022-10-31,2018-04-01,,interrupted,60,,
F17H22000450001,Hub giovani alla Cascina,PNRR M5C2 - Rigenerazione urbana,Inclusione sociale,015140,Comune di Melegnano,,760000.00,,0.00,2024-01-01,2026-12-31,,,planned,0,,
G37H21000340001,Parco agricolo didattico,POR FESR FSE+ Lombardia,Ambiente e prevenzione dei rischi,015002,Comune di Abbiategrasso,,410000.00,45000.00,300000.00,2021-04-01,2023-09-30,2021-05-03,,in_progress,85,,
C67H20000780001,Sportello lavoro e formazione per giovani NEET,PON Metro 2014-2020,Occupazione e mobilità dei lavoratori,015146,Comune di Milano,01199250158,290000.00,,210000.00,2020-10-01,2023-09-30,2020-11-02,2023-09-20,completed,100,,
"""
# (CUP, months ago, paid amount, progress, note): dated progress updates
UPDATES = [("J47H18000340001", 3, "3300000.00", 75, "Completate le opere strutturali del corpo centrale."),
           ("J41B20000120006", 2, "1050000.00", 60, "Aggiudicati gli arredi; avvio del cantiere interno."),
           ("D27H21000560001", 1, "480000.00", 40, "Consegnati i lavori della sala studio."),
           ("H57H21001230001", 4, "1350000.00", 50, "Chiusa la prima fase della nuova piazza."),
           ("B27H22000670001", 2, "120000.00", 30, "Avviati i laboratori del pomeriggio in tre plessi."),
           ("G37H21000340001", 1, "330000.00", 90, "Piantumazione completata; manca il collaudo.")]


def _months_ago(months: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=30 * months)


def load(accounts: list, password: str) -> None:
    office = get_or_create_administration(OFFICE)
    user = auth_ops.get_user_by_email(OFFICE_EMAIL)
    if user is None:
        user = auth_ops.create_user(email=OFFICE_EMAIL, name="Ufficio osservatorio metropolitano", password=password,
                                     verified=True)
    auth_ops.grant_role(user, Role.admin, office, actor=user)
    accounts.append((OFFICE_EMAIL, password, f"admin — {OFFICE} (osservatorio, opportunità)"))
    if db.session.execute(sa.select(Project.id).where(Project.cup == "J47H18000340001")).first() is not None:
        return
    # imported seven months ago, so that a project nobody updated since shows as stale
    imports.import_projects(user, PROJECTS.encode("utf-8"), now=_months_ago(7))
    for cup, months, paid, progress, note in UPDATES:
        project = db.session.execute(sa.select(Project).where(Project.cup == cup)).scalar_one()
        when = _months_ago(months)
        observatory.add_update(user, project, {"date": rome_today(when).isoformat(), "paid_amount": paid,
                                               "progress_pct": progress, "note": note})
    _good_practice(user)
    # the co-design call's projects are about social inclusion (as Milan's office would file them): so its bodies
    # find on their dashboard the calls that suit them
    for project in db.session.execute(sa.select(Project).where(Project.origin == "procedure",
                                                                Project.theme.is_(None))).scalars():
        project.theme = "Inclusione sociale"
    today = rome_today(utcnow())
    for title, level, funder, programme, eligible, themes, days in [
        ("Spazi di comunità e rigenerazione dei quartieri", "regional", "Regione Lombardia", "PR FESR 2021-2027",
         ["municipality", "partnership"], ["Rinnovamento urbano e rurale", "Inclusione sociale"], 40),
        ("Welfare di comunità 2027", "foundation", "Fondazione Cariplo", "Welfare in azione",
         ["ets", "partnership"], ["Inclusione sociale", "Servizi di cura infanzia e anziani"], 75),
        ("Scuole aperte e comunità educanti", "national", "Dipartimento per le politiche della famiglia",
         "Fondo per il contrasto della povertà educativa", ["municipality", "ets", "partnership"], ["Istruzione"], 18),
    ]:
        opportunities.create(user, {
            "title": title, "funder_level": level, "funder": funder, "programme": programme,
            "link": "https://www.example.org/bandi/" + title.lower().replace(" ", "-")[:40], "eligible": eligible,
            "themes": themes, "territory": "all", "budget": "3000000.00", "max_grant": "250000.00",
            "cofinancing_min_pct": "10", "opens_on": (today - dt.timedelta(days=20)).isoformat(),
            "deadline": (today + dt.timedelta(days=days)).isoformat()})


GOOD_PRACTICE = {
    "what": "Una portineria di quartiere nel piano terra di un caseggiato popolare: un presidio aperto sei giorni su "
            "sette che riceve pacchi, presta attrezzi, orienta ai servizi del Comune e organizza il vicinato.",
    "audience": "Gli abitanti delle case popolari di San Siro, in particolare anziani soli e famiglie arrivate da "
                "poco in Italia.",
    "results": "In tre anni 4.800 accessi, 310 persone accompagnate ai servizi sociali e sanitari, 45 volontari "
               "del quartiere coinvolti; il presidio continua con fondi propri del Comune dopo il finanziamento.",
    "reuse": "Il patto di collaborazione tra Comune, ALER ed enti del Terzo settore; il disciplinare del servizio; "
             "la scheda di raccolta delle richieste; la formazione dei portinai sociali.",
    "contact_name": "Direzione Welfare e Salute, Comune di Milano",
    "contact_email": "portinerie@comune.milano.example",
}


def _picture() -> bytes:
    """A drawing of a courtyard for the demo's photo (no photo of real people ships with the project)."""
    img = Image.new("RGB", (1200, 800), (201, 226, 245))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 560, 1200, 800), fill=(170, 196, 140))
    for x, colour in ((80, (214, 160, 110)), (470, (230, 200, 150)), (860, (196, 140, 100))):
        draw.rectangle((x, 180, x + 300, 560), fill=colour)
        for row in range(4):
            for col in range(3):
                draw.rectangle((x + 30 + col * 90, 210 + row * 85, x + 80 + col * 90, 260 + row * 85),
                               fill=(90, 120, 160))
    draw.rectangle((560, 440, 650, 560), fill=(0, 102, 204))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _good_practice(user) -> None:
    project = db.session.execute(sa.select(Project).where(Project.cup == "E87H19001450001")).scalar_one()
    practices.mark(user, project, GOOD_PRACTICE)
    practices.add_photo(user, project, io.BytesIO(_picture()),
                        {"caption": "Disegno del cortile delle case popolari con la porta della portineria"})
