"""A ranking anyone can recompute: the anonymised scores file published at approval, and the standalone
script (codesign/evaluation/recompute_ranking.py) that recomputes the ranking from it, to the cent."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings

from codesign.db import db
from codesign.evaluation import documents, open_scores
from codesign.evaluation import recompute_ranking as script
from codesign.evaluation.models import ApprovedRanking
from codesign.evaluation.ranking import compute_ranking
from tests.evaluation.test_ranking import ranking_inputs
from tests.helpers import Scenario, run_alone, stdlib_imports_only, to_codesign

SCRIPT = Path(script.__file__)


def _ranking_json(result) -> dict:
    return {"lots": {code: {"budget_left": f"{lot.budget_left:.2f}", "ranking": [
        {"proposal_id": e.proposal_id, "rank": e.rank, "total": f"{e.total:.2f}",
         "criteria": {k: f"{v:.2f}" for k, v in e.criteria.items()}, "outcome": e.outcome,
         "title": f"Proposta {e.proposal_id}", "organization": "Ente"} for e in lot.entries]}
        for code, lot in result.lots.items()}}


def _document(criteria, lots, candidates, *, scoring, threshold, rescale, tie_break, ranking) -> str:
    return open_scores.document(
        procedure={"id": 1, "title": "Avviso", "administration": "Comune", "act_ref": None,
                   "approved_at": dt.datetime(2026, 3, 1, 10, tzinfo=dt.timezone.utc)},
        rules={"scoring": scoring, "threshold": threshold, "rescale": rescale, "tie_break_criterion": tie_break,
               "criteria": [(c.code, c.max_points, c.min_points) for c in criteria],
               "lots": [(lot.code, lot.budget) for lot in lots]},
        proposals=[open_scores.ScoredProposal(
            proposal_id=c.proposal_id, protocol_number=c.protocol_number, lot=c.lot,
            requested_amount=c.requested_amount, title=f"Proposta {c.proposal_id}", organization="Ente",
            reviews=[(f"V{n}", r) for n, r in enumerate(c.reviews, start=1)]) for c in candidates],
        ranking=ranking)


# --- generated calls: the script agrees with codesign's ranking on every one -------------------------------
@settings(max_examples=150, deadline=None)
@given(ranking_inputs())
def test_the_script_recomputes_every_generated_ranking_to_the_cent(call):
    ranking = _ranking_json(compute_ranking(**call))
    text = _document(call["criteria"], call["lots"], call["candidates"], scoring=call["scoring"],
                     threshold=call["threshold"], rescale=call["rescale"], tie_break=call["tie_break_criterion"],
                     ranking=ranking)
    recomputed = script.recompute(json.loads(text))
    assert script.differences(recomputed, json.loads(text)["ranking"]) == []
    assert {code: {"budget_left": lot["budget_left"],
                   "ranking": [{k: e[k] for k in ("proposal_id", "rank", "total", "criteria", "outcome")}
                               for e in lot["ranking"]]} for code, lot in recomputed.items()} == \
        {code: {"budget_left": lot["budget_left"],
                "ranking": [{k: e[k] for k in ("proposal_id", "rank", "total", "criteria", "outcome")}
                            for e in lot["ranking"]]} for code, lot in ranking["lots"].items()}


def test_the_script_imports_nothing_but_the_standard_library():
    assert stdlib_imports_only(SCRIPT) == set()


# --- the worked example, approved through the API ---------------------------------------------------------
def _run(path: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_alone(SCRIPT, cwd, str(path), *args)


@pytest.fixture()
def approved(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    return s


def test_the_worked_example_is_recomputed_by_the_script_alone(approved, client, tmp_path):
    s = approved
    r = client.get(f"/api/v1/procedures/{s.pid}/ranking/scores")
    assert r.status_code == 200 and r.mimetype == "application/json"
    text = r.get_data(as_text=True)
    digest = hashlib.sha256(r.data).hexdigest()
    assert r.headers["ETag"] == f'"{digest}"'
    doc = json.loads(text)
    assert doc["format"] == "codesign-ranking-scores/1" and doc["procedure"]["act_ref"] == "Determina n. 77"
    ranking = client.get(f"/api/v1/procedures/{s.pid}/ranking").json
    assert script.recompute(doc).keys() == ranking["lots"].keys()
    for code, lot in script.recompute(doc).items():
        assert lot["budget_left"] == ranking["lots"][code]["budget_left"]
        assert lot["ranking"] == ranking["lots"][code]["ranking"]     # titles and bodies included, to the cent

    page = client.get(f"/avvisi/{s.pid}/graduatoria/punteggi.json")
    assert page.status_code == 200 and page.data == r.data
    path = tmp_path / "punteggi.json"
    path.write_bytes(page.data)
    done = _run(path, "--sha256", digest, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert digest in done.stdout and "matches the approved one" in done.stdout
    first = ranking["lots"]["A"]["ranking"][0]
    assert f"proposal {first['proposal_id']}: {first['title']}" in done.stdout


def test_evaluators_appear_only_by_pseudonym(approved, client):
    s = approved
    text = client.get(f"/api/v1/procedures/{s.pid}/ranking/scores").get_data(as_text=True)
    table = client.get(f"/avvisi/{s.pid}/graduatoria/punteggi.csv").get_data(as_text=True)
    for user in s.ev.values():
        for secret in (user.name, user.email, user.email.split("@")[0]):
            assert secret not in text and secret not in table
    assert "motivazione" not in text                        # the written reasons stay in the minutes
    doc = json.loads(text)
    assert {r["evaluator"] for p in doc["proposals"] for r in p["reviews"]} == {"V1", "V2", "V3"}
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == sum(len(r["scores"]) for p in doc["proposals"] for r in p["reviews"])
    first = doc["proposals"][0]
    assert {"lotto": first["lot"], "protocollo": str(first["protocol_number"]),
            "proposta": str(first["proposal_id"]), "valutatore": "V1", "criterio": "1",
            "punteggio": first["reviews"][0]["scores"]["1"]} in rows


def test_a_tampered_file_fails_and_says_what_differs(approved, client, tmp_path):
    s = approved
    r = client.get(f"/api/v1/procedures/{s.pid}/ranking/scores")
    digest = hashlib.sha256(r.data).hexdigest()
    doc = json.loads(r.data)
    # a score lowered: the ranking recomputed from it is no longer the approved one
    target = doc["ranking"]["A"]["ranking"][0]
    proposal = next(p for p in doc["proposals"] if p["proposal_id"] == target["proposal_id"])
    for review in proposal["reviews"]:
        review["scores"]["1"] = "0.00"
    path = tmp_path / "punteggi.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    done = _run(path, "--sha256", digest, cwd=tmp_path)
    assert done.returncode == 1
    assert "SHA-256" in done.stderr and "not the published file" in done.stderr
    assert f"lot A, position 1: proposal_id {target['proposal_id']!r} approved" in done.stderr

    # the approved ranking rewritten to match a changed score: only the fingerprint tells
    doc = json.loads(r.data)
    doc["procedure"]["title"] = "Un altro avviso"
    path.write_text(json.dumps(doc), encoding="utf-8")
    done = _run(path, "--sha256", digest, cwd=tmp_path)
    assert done.returncode == 1 and "not the published file" in done.stderr
    assert "lot A" not in done.stderr

    path.write_text("{not json", encoding="utf-8")
    done = _run(path, cwd=tmp_path)
    assert done.returncode == 2 and "not a JSON file" in done.stderr
    path.write_text(json.dumps({"format": "codesign-ranking-scores/1", "rules": {}}), encoding="utf-8")
    done = _run(path, cwd=tmp_path)
    assert done.returncode == 2 and "'scoring' is missing" in done.stderr


def test_the_page_and_the_pdf_print_the_fingerprint_of_the_file_kept(approved, client, monkeypatch):
    s = approved
    served = client.get(f"/api/v1/procedures/{s.pid}/ranking/scores").data
    stored = db.session.execute(db.select(ApprovedRanking).filter_by(procedure_id=s.pid)).scalar_one()
    assert stored.scores.encode("utf-8") == served
    digest = hashlib.sha256(served).hexdigest()
    html = client.get(f"/avvisi/{s.pid}/graduatoria").get_data(as_text=True)
    assert digest in html and f"/avvisi/{s.pid}/graduatoria/punteggi.json" in html
    assert "/graduatorie/ricalcola_graduatoria.py" in html
    captured = []
    monkeypatch.setattr(documents, "render_pdf", lambda text: captured.append(text) or b"%PDF-1.7 test")
    assert client.get(f"/avvisi/{s.pid}/graduatoria.pdf").status_code == 200
    assert digest in captured[0] and f"http://localhost/avvisi/{s.pid}/graduatoria/punteggi.json" in captured[0]


def test_before_approval_there_is_no_scores_file(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    s.all_reviews()
    r = client.get(f"/api/v1/procedures/{s.pid}/ranking/scores", headers=s.admin_h)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert client.get(f"/avvisi/{s.pid}/graduatoria/punteggi.json").status_code == 404
    assert client.get(f"/avvisi/{s.pid}/graduatoria/punteggi.csv").status_code == 404


def test_the_script_is_downloadable_from_the_site(client):
    r = client.get("/graduatorie/ricalcola_graduatoria.py")
    assert r.status_code == 200 and r.data == SCRIPT.read_bytes()
    assert 'filename="ricalcola_graduatoria.py"' in r.headers["Content-Disposition"]
