"""A smoke run of the main pages in English: each person switches language with the header's button, and
no page shows an Italian label that the English catalog translates (so none was left out of it).

The data (call titles, lots, declarations) stay in Italian, as the administration wrote them.
"""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from codesign.db import db
from codesign.organizations.models import Organization
from tests.e2e.browser import button
from tests.helpers import SCENARIO, Scenario, World, transition

CATALOG = Path(__file__).resolve().parents[2] / "codesign/translations/en/LC_MESSAGES/messages.po"


def italian_fragments() -> set[str]:
    """The literal parts of every catalog string whose English differs, long enough to be telling."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    fragments = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if ids[0] == strings[0]:
            continue
        for part in re.split(r"%\(\w+\)s|%s|\{\w*\}", ids[0]):
            part = part.strip(" .,:;«»()—–-\n")
            if len(part) >= 12 and part not in strings[0]:
                fragments.add(part)
    return fragments


def call_texts(value) -> list[str]:
    """Every text of the worked example's call (lots, criteria, indicators...), longest first."""
    if isinstance(value, dict):
        return sorted((t for v in value.values() for t in call_texts(v)), key=len, reverse=True)
    if isinstance(value, list):
        return [t for v in value for t in call_texts(v)]
    return [value] if isinstance(value, str) and len(value) >= 12 else []


DATA = call_texts(SCENARIO["call"])  # Italian as the administration wrote it: "Partecipanti alle attività" is data


def page_words(page) -> str:
    words = page.evaluate("""() => {
        const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
            .map(el => ['aria-label', 'title', 'placeholder', 'alt'].map(a => el.getAttribute(a) || '').join(' '));
        return document.body.innerText + '\\n' + attrs.join('\\n') + '\\n' + document.title;
    }""")
    for text in DATA:
        words = words.replace(text, " ")
    return words


def in_english(person, login=None):
    if login:
        person.log_in(login)
    page = person.visit("/")
    person.submit(button(page, "English"))
    assert page.locator("html").get_attribute("lang") == "en"


def test_main_pages_in_english(journey, client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    s.all_reviews()
    draft = World(client, make_user, token_for, bodies=0)
    open_call = World(client, make_user, token_for, bodies=0)
    open_call.publish()
    ets1 = db.session.query(Organization).filter_by(tax_code=SCENARIO["organizations"][0]["tax_code"]).one()
    applicant = make_user("applicant", org=ets1)
    admin_email, evaluator_email, applicant_email = s.admin.email, s.ev["e1"].email, applicant.email
    pid, a1 = s.pid, s.ids["A1"]

    italian = italian_fragments()
    assert len(italian) > 300, "the catalog is read"
    visited = []

    def look(person, path):
        page = person.visit(path)
        assert page.locator("html").get_attribute("lang") == "en", path
        words = page_words(page)
        left = sorted(f for f in italian if f in words)
        assert not left, f"{path} shows untranslated text: {left}"
        visited.append(path)

    admin = journey.person("admin (en)", locale="en-GB")
    in_english(admin, admin_email)
    for path in ("/gestione/avvisi", f"/gestione/avvisi/{pid}", f"/gestione/avvisi/{pid}/ammissibilita",
                 f"/gestione/avvisi/{pid}/commissione", f"/gestione/avvisi/{pid}/valutazione",
                 "/gestione/avvisi/nuovo", f"/gestione/avvisi/{draft.procedure_id}/modifica",
                 f"/gestione/avvisi/{draft.procedure_id}", f"/proposte/{a1}", "/osservatorio/progetti/nuovo",
                 "/osservatorio/progetti/importa", "/opportunita/nuova", "/osservatorio"):
        look(admin, path)

    evaluator = journey.person("valutatore (en)", locale="en-GB")
    in_english(evaluator, evaluator_email)
    for path in ("/valutazioni", f"/valutazioni/proposte/{a1}"):
        look(evaluator, path)

    r = transition(client, "procedures", pid, s.admin_h, "approve_ranking", act_ref="Determina n. 77 del 2021")
    assert r.status_code == 200, r.json

    body = journey.person("ente (en)", locale="en-GB")
    in_english(body, applicant_email)
    for path in ("/le-mie-proposte", "/enti/", "/enti/nuovo", f"/proposte/{a1}",
                 f"/avvisi/{open_call.procedure_id}/proposta", "/profilo/password"):
        look(body, path)

    citizen = journey.person("cittadino (en)", locale="en-GB")
    in_english(citizen)
    for path in ("/", "/avvisi", f"/avvisi/{pid}", f"/avvisi/{open_call.procedure_id}", f"/avvisi/{pid}/graduatoria",
                 "/accedi", "/registrati", "/accessibilita", "/privacy", "/progetti", "/mappa", "/comuni/015146",
                 "/opportunita", "/buone-pratiche", "/open-data"):
        look(citizen, path)
    assert "Ranking" in citizen.page.title() or "ranking" in citizen.text().lower()
    assert len(visited) == 36
