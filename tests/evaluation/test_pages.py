"""The evaluation pages through the test client, CSRF tokens included: the worked example declared and
scored by three evaluators, the admin's committee and progress board, the approval, the public ranking
with its CSV and PDF, the committee's minutes; refusals; and query counts that do not grow with the rows."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from codesign.db import db
from codesign.evaluation import documents
from codesign.evaluation import operations as ev
from codesign.evaluation.models import ApprovedRanking, CommitteeMember, ConflictDeclaration, Review, ReviewScore
from codesign.procedures.models import Procedure
from codesign.proposals.models import Proposal
from tests.conftest import _empty_tables, csrf_token_from
from tests.helpers import SCENARIO, Scenario, transition

CODES = [c["code"] for c in SCENARIO["call"]["criteria"]]
OUTCOME_IT = {"admitted": "ammessa alla co-progettazione", "reserve": "idonea non finanziata",
              "below_threshold": "non idonea"}
REFS = {p["ref"]: p for p in SCENARIO["proposals"]}
ORG_NAMES = {o["ref"]: o["name"] for o in SCENARIO["organizations"]}


# --- helpers ---------------------------------------------------------------------------------------------------
def _page(client, url, **kw):
    r = client.get(url, **kw)
    return r, r.get_data(as_text=True)


def _post(client, url, data, *, token_url="/"):
    payload = dict(data)
    payload["csrf_token"] = csrf_token_from(client.get(token_url).get_data(as_text=True))
    return client.post(url, data=payload)


def _it(value: str) -> str:
    """A decimal as an Italian evaluator types it."""
    return value.replace(".", ",")


def _declare(client, pid, *, conflict=False, note=""):
    return _post(client, f"/valutazioni/proposte/{pid}",
                 {"action": "declare", "conflict": "yes" if conflict else "no", "note": note})


def _review_form(scores: dict, reasons: dict | None = None, *, final: bool, confirmed: bool = True) -> dict:
    """The scoring form as posted; a final review as confirmed on the step that asks, unless told otherwise."""
    data = {"action": "final" if final else "draft"}
    if final and confirmed:
        data["confirmed"] = "yes"
    for i, code in enumerate(CODES):
        data[f"score_{i}"] = _it(scores.get(code, ""))
        data[f"reason_{i}"] = (reasons or {}).get(code, "")
    return data


def _logout(client):
    """Back to an anonymous visitor. (A second test client would not do: the tests share one application
    context, so Flask-Login's user cached in `g` would follow it.)"""
    r = _post(client, "/esci", {})
    assert r.status_code == 302


def _reason(who, ref, code):
    return f"Motivazione riservata di {who} su {ref}, criterio {code}"


def _score_through_pages(client, login, s, who, *, draft_first=False):
    """One evaluator declares and scores all their proposals through the pages, typing decimal commas."""
    login(s.ev[who])
    for rv in (r for r in SCENARIO["reviews"] if r["evaluator"] == who):
        pid = s.ids[rv["proposal"]]
        url = f"/valutazioni/proposte/{pid}"
        # before declaring: title, summary, body and partners only; no amounts, no scoring form
        r, html = _page(client, url)
        assert r.status_code == 200
        assert REFS[rv["proposal"]]["title"] in html and ORG_NAMES[REFS[rv["proposal"]]["org"]] in html
        if 'name="score_0"' not in html:  # not declared yet
            assert "Contributo richiesto" not in html and 'name="conflict"' in html and "allegati" not in html
            r = _declare(client, pid)
            assert r.status_code == 303, r.get_data(as_text=True)[:2000]
        reasons = {code: _reason(who, rv["proposal"], code) for code in rv["scores"]}
        if draft_first:
            partial = {CODES[0]: rv["scores"][CODES[0]]}
            r = _post(client, url, _review_form(partial, final=False))
            assert r.status_code == 303
            _, html = _page(client, url)
            # the draft is shown back in its field, Italian style (the datalist holds every value too)
            assert re.search(r'<input[^>]*name="score_0"[^>]*value="' + re.escape(_it(partial[CODES[0]])) + '"', html)
            assert not re.search(r'<input[^>]*name="score_1"[^>]*value="[^"]', html)
        r = _post(client, url, _review_form(rv["scores"], reasons, final=True))
        assert r.status_code == 303, r.get_data(as_text=True)[:3000]


@pytest.fixture()
def scenario(client, make_user, token_for):
    return Scenario(client, make_user, token_for)


# --- the evaluator -----------------------------------------------------------------------------------------------
def test_worked_example_through_the_pages(client, login, scenario, monkeypatch):
    s = scenario
    # the queue before anything: every admissible proposal, all to declare; the excluded one is not there
    login(s.ev["e1"])
    r, html = _page(client, "/valutazioni")
    assert r.status_code == 200
    assert html.count('data-status="to_declare"') == 10
    assert f'data-proposal="{s.ids["B4"]}"' not in html
    # the scoring form, once declared: one fieldset per criterion, legend with code, title and max points
    pid = s.ids["A1"]
    assert _declare(client, pid).status_code == 303
    _, html = _page(client, f"/valutazioni/proposte/{pid}")
    assert html.count('class="border rounded p-3 mb-4 criterion"') == len(CODES)
    assert "1 – Qualità e innovatività della proposta" in html and "massimo 30 punti" in html
    assert 'inputmode="decimal"' in html and 'list="judgement-scale"' in html
    assert '<datalist id="judgement-scale">' in html and 'value="0,2" label="insufficiente"' in html
    assert "0,8 ottimo, 1 eccellente" in html
    assert 'aria-describedby="score_0-help"' in html
    assert "Salva bozza" in html and "Conferma valutazione definitiva" in html
    assert html.count("<h1") == 1

    _score_through_pages(client, login, s, "e1", draft_first=True)
    _score_through_pages(client, login, s, "e2")
    # halfway, the admin's board: who has finished what, and never a score, a reason or a total
    login(s.admin)
    r, html = _page(client, f"/gestione/avvisi/{s.pid}/valutazione")
    assert r.status_code == 200 and html.count("<h1") == 1
    assert html.count('data-status="final"') == 20 and html.count('data-status="todo"') == 10
    assert "manca la valutazione definitiva" in html and "Anteprima della graduatoria" not in html
    main = html.split('id="main-content"')[1]
    assert not re.search(r"\d+[,.]\d", main) and "Motivazione riservata" not in main
    assert 'data-trigger="approve_ranking"' not in html
    _score_through_pages(client, login, s, "e3")
    _, html = _page(client, "/valutazioni")  # e3 is logged in now
    assert html.count('data-status="final"') == 10 and "tutte le tue valutazioni sono definitive" in html
    # an evaluator sees their own review and never another member's
    _, html = _page(client, f"/valutazioni/proposte/{s.ids['A1']}")
    assert _reason("e3", "A1", "1") in html and _reason("e1", "A1", "1") not in html

    # the admin: the board with status words only, then the preview and the approval through the page
    login(s.admin)
    r, html = _page(client, f"/gestione/avvisi/{s.pid}/valutazione")
    assert r.status_code == 200
    board = html.split('class="table table-sm progress-board"')[1].split("</table>")[0]
    assert board.count('data-status="final"') == 30
    assert not re.search(r"\d+,\d\d", board) and "Motivazione" not in board
    assert "Anteprima della graduatoria" in html and "76,33" in html
    assert 'data-trigger="approve_ranking"' in html and 'name="act_ref"' in html
    r = _post(client, f"/gestione/avvisi/{s.pid}/valutazione/approva", {"act_ref": "Determina n. 77 del 2021", "confirmed": "yes"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/avvisi/{s.pid}/graduatoria")
    assert db.session.get(Procedure, s.pid).state == "ranked"
    assert db.session.get(Proposal, s.ids["A1"]).state == "admitted"

    # the public ranking: no login, totals Italian style, outcomes in Italian, no names, no individual scores
    _logout(client)
    r, html = _page(client, f"/avvisi/{s.pid}/graduatoria")
    assert r.status_code == 200
    assert "Determina n. 77 del 2021" in html
    assert html.count("<h1") == 1 and "<caption>" in html and 'scope="col"' in html
    for lot, expected in SCENARIO["expected"].items():
        table = html.split(f'data-lot="{lot}"')[1].split("</table>")[0]
        rows = re.findall(r'<tr data-proposal="(\d+)" data-outcome="(\w+)">(.*?)</tr>', table, re.S)
        assert [(int(pid), outcome) for pid, outcome, _ in rows] == \
               [(s.ids[e["proposal"]], e["outcome"]) for e in expected["ranking"]]
        for (_pid, _o, cells), e in zip(rows, expected["ranking"]):
            assert _it(e["total"]) in cells and OUTCOME_IT[e["outcome"]] in cells
            assert REFS[e["proposal"]]["title"] in cells
    assert "76,33" in html and "82,01" in html and "45,34" in html
    approved_at = db.session.execute(sa.select(ApprovedRanking.approved_at)).scalar_one()
    assert approved_at.astimezone(ZoneInfo("Europe/Rome")).strftime("%d/%m/%Y %H:%M") in html
    for u in list(s.ev.values()):
        assert u.name not in html and u.email not in html
    assert "Motivazione riservata" not in html and "26,00" not in html  # criterion scores stay out
    assert "verbale.pdf" not in html  # the minutes are the administration's

    # the CSV
    r = client.get(f"/avvisi/{s.pid}/graduatoria.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and "utf-8" in r.content_type.lower()
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8"))))
    assert rows[0] == ["lotto", "posizione", "titolo", "ente", "punteggio", "esito", "esito_attuale", "aggiornamenti"]
    expected_rows = [[lot, str(e["rank"]), REFS[e["proposal"]]["title"], ORG_NAMES[REFS[e["proposal"]]["org"]],
                      e["total"], OUTCOME_IT[e["outcome"]], OUTCOME_IT[e["outcome"]], ""]
                     for lot, exp in SCENARIO["expected"].items() for e in exp["ranking"]]
    assert rows[1:] == expected_rows

    # the PDF
    r = client.get(f"/avvisi/{s.pid}/graduatoria.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.get_data().startswith(b"%PDF")

    # the minutes: admin only; built from the stored reviews, with names, reasons, totals and outcomes
    assert client.get(f"/gestione/avvisi/{s.pid}/verbale.pdf").status_code == 302  # to the login page
    login(s.admin)
    r = client.get(f"/gestione/avvisi/{s.pid}/verbale.pdf")
    assert r.status_code == 200 and r.get_data().startswith(b"%PDF")
    captured = []
    monkeypatch.setattr(documents, "render_pdf", lambda html: captured.append(html) or b"%PDF-1.7 test")
    assert client.get(f"/gestione/avvisi/{s.pid}/verbale.pdf").status_code == 200
    minutes = captured[0]
    for u in s.ev.values():
        assert u.name in minutes
    assert _reason("e1", "A1", "1") in minutes and _reason("e3", "C2", "5") in minutes
    assert "76,33" in minutes and "ammessa alla co-progettazione" in minutes and "Determina n. 77 del 2021" in minutes
    assert minutes.count("nessun conflitto") == 30
    login(s.ev["e1"])
    assert client.get(f"/gestione/avvisi/{s.pid}/verbale.pdf").status_code == 404


def test_conflict_declared_through_the_page(client, login, scenario, monkeypatch):
    s = scenario
    login(s.ev["e1"])
    pid = s.ids["A1"]
    # a conflict needs its description: 422, the error on the textarea, nothing stored
    r = _declare(client, pid, conflict=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="note-error"' in html and 'aria-describedby="note-help note-error note-count"' in html
    assert db.session.execute(sa.select(ConflictDeclaration)).first() is None
    # no answer at all: 422 on the radio group
    r = _post(client, f"/valutazioni/proposte/{pid}", {"action": "declare"})
    assert r.status_code == 422 and 'id="conflict-error"' in r.get_data(as_text=True)
    assert "Scegli una delle due risposte." in r.get_data(as_text=True)
    r = _declare(client, pid, conflict=True, note="Sono socio della cooperativa")
    assert r.status_code == 303 and r.headers["Location"].endswith("/valutazioni")
    # from now on the proposal is 404 for them, GET and POST; the queue tells they abstain, without a link
    assert client.get(f"/valutazioni/proposte/{pid}").status_code == 404
    r = _post(client, f"/valutazioni/proposte/{pid}", _review_form({"1": "0.8"}, final=False))
    assert r.status_code == 404
    _, html = _page(client, "/valutazioni")
    assert html.count('data-status="conflict"') == 1 and f'/valutazioni/proposte/{pid}"' not in html
    assert html.count('data-status="to_declare"') == 9
    # another member sees the proposal; a non-member, an applicant and an admin get 404 on the page
    login(s.ev["e2"])
    assert client.get(f"/valutazioni/proposte/{pid}").status_code == 200
    login(s.admin)
    assert client.get(f"/valutazioni/proposte/{pid}").status_code == 404
    # the admin's board shows the conflict and asks for substitutes; the minutes list the declaration
    _, html = _page(client, f"/gestione/avvisi/{s.pid}/valutazione")
    assert 'data-status="conflict"' in html and "supplenti" in html
    assert 'data-trigger="approve_ranking"' not in html
    captured = []
    monkeypatch.setattr(documents, "render_pdf", lambda html: captured.append(html) or b"%PDF-1.7 test")
    assert client.get(f"/gestione/avvisi/{s.pid}/verbale.pdf").status_code == 200
    assert "Sono socio della cooperativa" in captured[0] and "Bozza" in captured[0]


def test_scoring_errors_and_final_review_locked(client, login, scenario):
    s = scenario
    login(s.ev["e2"])
    pid = s.ids["A2"]
    url = f"/valutazioni/proposte/{pid}"
    assert _declare(client, pid).status_code == 303
    # out of range, three decimals: 422 with the domain's messages on the matching inputs
    r = _post(client, url, _review_form({"1": "1.5", "2": "0.805"}, final=False))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="score_0-error"' in html and "il valore massimo è 1" in html
    assert 'id="score_1-error"' in html and "al massimo 2 decimali" in html
    assert 'aria-invalid="true"' in html and 'id="error-summary"' in html
    assert 'value="1,5"' in html  # shown back as typed
    assert db.session.execute(sa.select(Review)).first() is None
    # final without reasons: every reason is asked for, on its textarea
    full = next(rv for rv in SCENARIO["reviews"] if (rv["evaluator"], rv["proposal"]) == ("e2", "A2"))["scores"]
    r = _post(client, url, _review_form(full, final=True))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and html.count("manca la motivazione") >= len(CODES)
    assert all(f'id="reason_{i}-error"' in html for i in range(len(CODES)))
    # ... and is refused before anything is asked, unconfirmed too
    r = _post(client, url, _review_form(full, final=True, confirmed=False))
    assert r.status_code == 422 and "Conferma: Valutazione definitiva" not in r.get_data(as_text=True)
    # final with everything: asked once, with what it means, the values carried; nothing stored until confirmed
    reasons = {c: f"ragione {c}" for c in CODES}
    r = _post(client, url, _review_form(full, reasons, final=True, confirmed=False))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Conferma: Valutazione definitiva" in html
    assert "non si potrà più modificare" in html and "Proposta n. " in html
    assert 'name="action" value="final"' in html and 'name="reason_0" value="ragione 1"' in html
    assert 'name="confirmed" value="yes"' in html and f'href="{url}#valutazione"' in html
    assert db.session.execute(sa.select(Review)).first() is None
    # confirmed: locked, shown read-only
    assert _post(client, url, _review_form(full, reasons, final=True)).status_code == 303
    _, html = _page(client, url)
    assert "Valutazione definitiva confermata" in html and 'name="score_0"' not in html
    assert "ragione 1" in html and 'class="table review-table"' in html
    # a later change is refused (409) and changes nothing
    r = _post(client, url, _review_form({c: "0" for c in CODES}, reasons, final=True))
    assert r.status_code == 409 and "definitiva" in r.get_data(as_text=True)
    review = db.session.execute(sa.select(Review)).scalar_one()
    db.session.refresh(review)
    assert review.final and {sc.criterion_code: sc.value for sc in review.scores}["1"] == Decimal(full["1"])


def test_points_mode_form(client, login, make_user, token_for):
    """In `points` mode the form asks for 0..max points, with no judgement scale."""
    s = Scenario(client, make_user, token_for)
    proc = db.session.get(Procedure, s.pid)
    proc.scoring = "points"
    db.session.commit()
    login(s.ev["e1"])
    pid = s.ids["A1"]
    _declare(client, pid)
    _, html = _page(client, f"/valutazioni/proposte/{pid}")
    assert "Punteggio (da 0 a 30)" in html and "judgement-scale" not in html
    r = _post(client, f"/valutazioni/proposte/{pid}", _review_form({"1": "31"}, final=False))
    assert r.status_code == 422 and "il valore massimo è 30" in r.get_data(as_text=True)
    r = _post(client, f"/valutazioni/proposte/{pid}", _review_form({"1": "22.5"}, final=False))
    assert r.status_code == 303
    assert db.session.execute(sa.select(ReviewScore.value).where(ReviewScore.value.is_not(None))).scalar_one() \
        == Decimal("22.50")


# --- the administration ------------------------------------------------------------------------------------------
def test_committee_page(client, login, make_user, scenario):
    s = scenario
    sub = make_user("evaluator", name="Zeta Supplente")
    url = f"/gestione/avvisi/{s.pid}/commissione"
    login(s.admin)
    r, html = _page(client, url)
    assert r.status_code == 200 and "Zeta Supplente" in html and html.count("<h1") == 1
    assert html.count('name="evaluators"') == 4 and html.count('name="substitutes"') == 4
    assert html.count("checked") == 3
    members = [u.id for u in s.ev.values()]
    # two evaluators: the domain refuses (422), shown on the fieldset
    r = _post(client, url, {"evaluators": members[:2]})
    assert r.status_code == 422 and 'id="evaluators-error"' in r.get_data(as_text=True)
    # the same person as member and substitute
    r = _post(client, url, {"evaluators": members, "substitutes": [members[0]]})
    assert r.status_code == 422
    # someone who is not a registered evaluator (an id nobody has), as a member or a substitute: said, not a 500
    for fields in ({"evaluators": members + [-1]}, {"evaluators": members, "substitutes": [-1]}):
        r = _post(client, url, fields)
        assert r.status_code == 422 and "Scegli solo tra i valutatori registrati." in r.get_data(as_text=True)
    # adding a substitute during the evaluation
    r = _post(client, url, {"evaluators": members, "substitutes": [sub.id]})
    assert r.status_code == 303
    rows = db.session.execute(sa.select(CommitteeMember.user_id, CommitteeMember.substitute)
                              .where(CommitteeMember.procedure_id == s.pid)).all()
    assert sorted(rows) == sorted([(m, False) for m in members] + [(sub.id, True)])
    # a member with a final review cannot be replaced: 409 with the reason
    assert s.review("e1", "A1", SCENARIO["reviews"][0]["scores"]).status_code == 200
    r = _post(client, url, {"evaluators": [sub.id] + members[1:]})
    assert r.status_code == 409 and "non ha ancora concluso" in r.get_data(as_text=True)
    # others: 404 (an evaluator, another administration's admin)
    other = make_user("admin", org="Comune di Torino")
    for who in (s.ev["e1"], other):
        login(who)
        assert client.get(url).status_code == 404
        assert client.get(f"/gestione/avvisi/{s.pid}/valutazione").status_code == 404


def test_ranking_hidden_until_approved(client, login, scenario):
    s = scenario
    for suffix in ("", ".csv", ".pdf"):
        assert client.get(f"/avvisi/{s.pid}/graduatoria{suffix}").status_code == 404
    login(s.ev["e1"])
    assert client.get(f"/avvisi/{s.pid}/graduatoria").status_code == 404
    login(s.admin)
    r = client.get(f"/avvisi/{s.pid}/graduatoria")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/gestione/avvisi/{s.pid}/valutazione")
    # approving too early through the page: 409 naming what is missing, nothing changes
    _, html = _page(client, f"/gestione/avvisi/{s.pid}/valutazione")
    assert "manca la valutazione definitiva" in html and "Anteprima della graduatoria" not in html
    r = _post(client, f"/gestione/avvisi/{s.pid}/valutazione/approva", {"act_ref": "Determina", "confirmed": "yes"})
    assert r.status_code == 409 and "manca la valutazione definitiva" in r.get_data(as_text=True)
    assert db.session.get(Procedure, s.pid).state == "evaluation"


# --- query counts ------------------------------------------------------------------------------------------------
def _add_reviewed_proposals(s, n: int) -> None:
    """n more admissible proposals in lot A, each with final reviews by the three members (direct rows)."""
    proc = db.session.get(Procedure, s.pid)
    lot = proc.lot_by_code("A")
    first = db.session.execute(sa.select(sa.func.max(Proposal.protocol_number))
                               .where(Proposal.procedure_id == s.pid)).scalar_one()
    now = dt.datetime.now(dt.timezone.utc)
    for i in range(n):
        p = Proposal(procedure_id=s.pid, organization_id=s.org_ids["ets5"], lot_id=lot.id, state="admissible",
                     title=f"Proposta aggiunta {i}", summary="S", requested_amount=Decimal("10000.00"),
                     cofinancing_amount=Decimal("1200.00"), partners=[], protocol_number=first + 1 + i,
                     submitted_at=now, declarations={})
        db.session.add(p)
        db.session.flush()
        for u in s.ev.values():
            db.session.add(ConflictDeclaration(proposal_id=p.id, user_id=u.id, conflict=False))
            db.session.add(Review(proposal_id=p.id, user_id=u.id, final=True, finalized_at=now, scores=[
                ReviewScore(criterion_code=c, value=Decimal("0.6"), reason="r") for c in CODES]))
    proc.last_protocol = first + n
    db.session.commit()


def _counts(client, login, count_queries, make_user, token_for, monkeypatch, extra: int) -> dict:
    s = Scenario(client, make_user, token_for)
    monkeypatch.setattr(documents, "render_pdf", lambda html: b"%PDF-1.7 test")  # count queries, not fonts
    _add_reviewed_proposals(s, extra)
    for rv in SCENARIO["reviews"]:
        if (rv["evaluator"], rv["proposal"]) != ("e1", "A2"):  # one left as a draft, one not started
            assert s.review(rv["evaluator"], rv["proposal"], rv["scores"]).status_code == 200
    out = {}

    def measure(name, url):
        assert client.get(url).status_code == 200  # warm
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200
        out[name] = q.count
        if name.startswith("board"):
            # the board, its counts and the approve_ranking guard share one read of who reviewed what, as plain rows;
            # the preview (shown once every review is final) one read of the counted scores
            loads = [st for st in q.statements if re.search(r"FROM reviews?\b", st) and st.lstrip().startswith("SELECT")]
            assert len(loads) == (2 if "preview" in name else 1), loads
            assert not [st for st in loads if "reviews.updated_at" in st], "no review loaded as an object"
        if name.startswith("call page"):
            # whether the ranking may be approved is read from plain rows: no review or declaration as an object
            assert not [st for st in q.statements if "reviews.updated_at" in st or "conflict_declarations.note" in st]

    login(s.ev["e1"])
    measure("queue (evaluation under way)", "/valutazioni")
    login(s.admin)
    measure("board (reviews missing)", f"/gestione/avvisi/{s.pid}/valutazione")
    measure("call page (reviews missing)", f"/gestione/avvisi/{s.pid}")
    assert s.review("e1", "A2", next(rv for rv in SCENARIO["reviews"]
                                     if (rv["evaluator"], rv["proposal"]) == ("e1", "A2"))["scores"]).status_code == 200
    login(s.ev["e1"])
    measure("queue (all final)", "/valutazioni")
    login(s.admin)
    measure("board (preview)", f"/gestione/avvisi/{s.pid}/valutazione")
    measure("call page (ranking ready)", f"/gestione/avvisi/{s.pid}")
    assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 200
    measure("minutes", f"/gestione/avvisi/{s.pid}/verbale.pdf")
    _logout(client)
    measure("public ranking", f"/avvisi/{s.pid}/graduatoria")
    measure("ranking csv", f"/avvisi/{s.pid}/graduatoria.csv")
    return out


def test_query_counts_do_not_grow_with_proposals(app, client, login, count_queries, make_user, token_for,
                                                monkeypatch):
    small = _counts(client, login, count_queries, make_user, token_for, monkeypatch, 0)
    db.session.remove()  # the identity map and the connection of the first run
    _empty_tables(app)
    big = _counts(client, login, count_queries, make_user, token_for, monkeypatch, 30)
    assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar_one() == 41
    assert small == big, (small, big)


# --- the board at scale: pages, filters, counts, the preview's first rows and its CSV ---------------------------
def _board_rows(html: str) -> list[str]:
    board = html.split('class="table table-sm progress-board"')[1].split("</table>")[0]
    return re.findall(r'<tr data-proposal="(\d+)"', board)


def test_board_pages_filters_and_counts(client, login, scenario):
    s = scenario
    late = next(rv for rv in SCENARIO["reviews"] if (rv["evaluator"], rv["proposal"]) == ("e1", "A2"))
    for rv in SCENARIO["reviews"]:
        if rv is not late:
            assert s.review(rv["evaluator"], rv["proposal"], rv["scores"]).status_code == 200
    _add_reviewed_proposals(s, 55)  # 65 admissible: 60 in lot A, 3 in B, 2 in C; A2 still lacks e1's review
    login(s.admin)
    url = f"/gestione/avvisi/{s.pid}/valutazione"
    r, html = _page(client, url)
    assert r.status_code == 200
    assert len(_board_rows(html)) == 50 and "Pagina 1 di 2" in html
    assert ("65 proposte ammesse alla valutazione: 64 con tutte le valutazioni definitive, 1 da completare."
            in " ".join(html.split()))
    assert "«Proposta A2» (n. " in html and "manca la valutazione definitiva di" in html
    _, html = _page(client, url + "?pagina=2")
    assert len(_board_rows(html)) == 15 and "Pagina 2 di 2" in html
    _, html = _page(client, url + "?pagina=9")  # beyond the last page: the last one
    assert len(_board_rows(html)) == 15 and "Pagina 2 di 2" in html
    # the filters: what is left to do, a lot, a title or number; the page links keep them
    _, html = _page(client, url + "?situazione=da-completare")
    assert _board_rows(html) == [str(s.ids["A2"])]
    assert re.search(r'data-status="todo">[^<]*</td>', html.split(f'data-proposal="{s.ids["A2"]}"')[1])
    _, html = _page(client, url + "?lotto=B")
    assert sorted(_board_rows(html)) == sorted(str(s.ids[ref]) for ref in ("B1", "B2", "B3"))
    _, html = _page(client, url + "?lotto=A&situazione=complete")
    assert len(_board_rows(html)) == 50 and "situazione=complete" in html and "lotto=A" in html
    _, html = _page(client, url + "?lotto=A&situazione=complete&pagina=2")
    assert len(_board_rows(html)) == 9  # 60 in lot A, A2 incomplete
    _, html = _page(client, url + "?q=aggiunta+54")
    assert len(_board_rows(html)) == 1 and "Proposta aggiunta 54" in html
    number = db.session.get(Proposal, s.ids["C1"]).protocol_number
    _, html = _page(client, url + f"?q={number}")
    assert str(s.ids["C1"]) in _board_rows(html)
    _, html = _page(client, url + "?lotto=ZZ&situazione=tutto")  # values the page does not offer are ignored
    assert len(_board_rows(html)) == 50
    _, html = _page(client, url + "?q=nessuna+corrispondenza")
    assert "Nessuna proposta corrisponde ai filtri scelti." in html and "progress-board" not in html
    # the preview's CSV only once the ranking can be computed: before, back to the board saying why
    r = client.get(url + "/anteprima.csv")
    assert r.status_code == 303 and r.headers["Location"].endswith(url)
    _, html = _page(client, url)
    assert "L&#39;anteprima della graduatoria non è disponibile" in html and "Anteprima della graduatoria<" not in html

    login(s.ev["e1"])
    assert s.review("e1", "A2", late["scores"]).status_code == 200
    assert client.get(url + "/anteprima.csv").status_code == 404  # an evaluator is not told the page exists
    login(s.admin)
    _, html = _page(client, url)
    assert "Anteprima della graduatoria" in html
    assert "Sono mostrate le prime 20 posizioni di 60: le altre sono nel CSV." in html
    lot_a = html.split('data-lot="A"')[1].split("</table>")[0]
    assert lot_a.count("<tr data-proposal=") == 20
    r = client.get(url + "/anteprima.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert f'filename="anteprima-graduatoria-avviso-{s.pid}.csv"' in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == 1 + 65 and sum(row[0] == "A" for row in rows[1:]) == 60
    ranked = client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.admin_h).json["lots"]
    assert [row[1:3] + [row[4]] for row in rows[1:] if row[0] == "B"] == [
        [str(e["rank"]), e["title"], e["total"]] for e in ranked["B"]["ranking"]]


def test_readiness_sees_what_the_session_has_not_written_yet(scenario):
    """The board's counts and the approve_ranking guard read plain rows through the connection, which does not
    autoflush: a change the session holds unwritten is flushed first, so the answer is never one change behind."""
    s = scenario
    s.all_reviews()
    proc = db.session.get(Procedure, s.pid)
    assert ev.ranking_problems(proc) == []
    review = db.session.execute(sa.select(Review).where(Review.proposal_id == s.ids["A1"])).scalars().first()
    review.final = False  # pending in the session, not flushed
    problems = ev.ranking_problems(proc)
    assert len(problems) == 1 and "«Proposta A1" in problems[0] and "manca la valutazione definitiva" in problems[0]
    assert ev.progress(proc, limit=0)["counts"] == {"incomplete": 1, "complete": 9}
    db.session.rollback()
