"""Calls through the API: create, validate, publish, extend, close, admissibility."""
import datetime as dt

import sqlalchemy as sa

from codesign.db import db
from codesign.procedures.models import Procedure
from tests.helpers import World, call_body, future, transition


def test_create_returns_draft_with_fields(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    r = client.post("/api/v1/procedures", json=call_body(future()), headers=token_for(admin))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["state"] == "draft" and body["allowed_triggers"] == ["publish", "cancel"]
    assert body["budget_total"] == "516500.00" and body["lots"][2]["budget"] == "136500.00"
    assert body["criteria"][2]["min_points"] == "8.00" and body["administration"] == "Comune di Milano"


def test_incomplete_draft_is_accepted_and_publish_lists_every_problem(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    r = client.post("/api/v1/procedures", json={"title": "Bozza", "criteria": [
        {"code": "1", "title": "Qualità", "max_points": "30"}]}, headers=h)
    assert r.status_code == 201
    assert r.json["allowed_triggers"] == ["cancel"]
    r = transition(client, "procedures", r.json["id"], h, "publish")
    assert r.status_code == 409 and r.json["error"]["code"] == "guard_failed"
    reasons = r.json["error"]["reasons"]
    assert any("CUP" in x for x in reasons) and any("100" in x for x in reasons) and any("lotto" in x for x in reasons)
    assert len(reasons) >= 8


def test_malformed_values_are_422_per_field(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    r = client.post("/api/v1/procedures", json=call_body(future(), budget_total=516500.0, cup="XYZ",
                                                          submission_deadline="domani", scoring="voti",
                                                          lots=[{"code": "A", "title": "x", "budget": "-5"}]),
                    headers=token_for(admin))
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) >= {"budget_total", "cup", "submission_deadline", "scoring",
                                              "lots.0.budget"}
    assert db.session.execute(sa.select(sa.func.count(Procedure.id))).scalar_one() == 0


def test_the_call_body_is_checked_by_its_declared_model_each_fault_at_its_path(client, make_user, token_for):
    """procedures.schemas: a list item's fault at the item's own field, every fault of the body at once, unknown
    keys refused even inside an item; nothing stored."""
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    lots = [{"code": "A", "title": "x", "budget": "10.00"}, {"code": "A", "title": "y", "budget": "20.00"}]
    criteria = [{"code": "1", "title": "Qualità", "max_points": "20", "min_points": "30"},
                {"code": 2, "title": "Rete", "max_points": "80", "min_points": None, "peso": 1}]
    r = client.post("/api/v1/procedures", json=call_body(future(), lots=lots, criteria=criteria, codesign_months=0,
                                                          tie_break_criterion="1", colore="blu"), headers=h)
    assert r.status_code == 422
    assert r.json["error"]["fields"] == {
        "lots.1.code": "codice «A» ripetuto", "criteria.0.min_points": "il minimo non può superare il massimo",
        "criteria.1.peso": "campo non previsto", "codesign_months": "il valore minimo è 1",
        "colore": "campo non previsto"}
    assert db.session.execute(sa.select(sa.func.count(Procedure.id))).scalar_one() == 0


def test_the_call_body_takes_what_a_form_sends(client, make_user, token_for):
    """Months as digits in a text, an integer code, a blank optional text as none, null to clear a list; a title
    may be left out of a change but not emptied."""
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    r = client.post("/api/v1/procedures", json=call_body(future(), codesign_months="4", programme="  ",
                                                          tie_break_criterion=1, indicators=None), headers=h)
    assert r.status_code == 201, r.json
    assert (r.json["codesign_months"], r.json["programme"], r.json["tie_break_criterion"], r.json["indicators"]) \
        == (4, None, "1", [])
    url = f"/api/v1/procedures/{r.json['id']}"
    assert client.patch(url, json={"rup": "Dott.ssa Rossi"}, headers=h).json["title"] == call_body()["title"]
    r = client.patch(url, json={"title": None}, headers=h)
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"title"}


def test_only_admins_create_and_only_for_their_administration(client, make_user, token_for):
    applicant = make_user("applicant")
    assert client.post("/api/v1/procedures", json=call_body(future()), headers=token_for(applicant)).status_code == 403
    admin = make_user("admin", org="Comune di Milano")
    r = client.post("/api/v1/procedures", json=call_body(future(), administration="Comune di Bergamo"),
                    headers=token_for(admin))
    assert r.status_code == 422 and "administration" in r.json["error"]["fields"]


def test_drafts_are_private_to_their_administration(client, make_user, token_for):
    w = World(client, make_user, token_for)
    other = make_user("admin", org="Città metropolitana di Milano")
    assert client.get(f"/api/v1/procedures/{w.procedure_id}").status_code == 404
    assert client.get(f"/api/v1/procedures/{w.procedure_id}", headers=token_for(other)).status_code == 404
    r = client.get("/api/v1/procedures")
    assert r.json == [] and r.headers["X-Total-Count"] == "0"
    w.publish()
    r = client.get("/api/v1/procedures")
    assert [p["id"] for p in r.json] == [w.procedure_id] and r.json[0]["allowed_triggers"] == []
    r = transition(client, "procedures", w.procedure_id, token_for(other), "cancel", reason="x")
    assert r.status_code == 403


def test_patch_draft_then_only_deadline_extension(client, make_user, token_for):
    w = World(client, make_user, token_for)
    url = f"/api/v1/procedures/{w.procedure_id}"
    r = client.patch(url, json={"threshold": "55"}, headers=w.admin_h)
    assert r.status_code == 200 and r.json["threshold"] == "55.00"
    r = client.patch(url, json={"threshold": "500"}, headers=w.admin_h)
    assert r.status_code == 422 and "threshold" in r.json["error"]["fields"]
    w.publish()
    r = client.patch(url, json={"threshold": "50"}, headers=w.admin_h)
    assert r.status_code == 409 and r.json["error"]["code"] == "guard_failed"
    old = r = client.get(url).json["submission_deadline"]
    earlier = (dt.datetime.fromisoformat(old) - dt.timedelta(days=1)).isoformat()
    r = client.patch(url, json={"submission_deadline": earlier}, headers=w.admin_h)
    assert r.status_code == 409
    later = (dt.datetime.fromisoformat(old) + dt.timedelta(days=7)).isoformat()
    r = client.patch(url, json={"submission_deadline": later}, headers=w.admin_h)
    assert r.status_code == 200
    assert dt.datetime.fromisoformat(r.json["submission_deadline"]) == dt.datetime.fromisoformat(later)


def test_publish_refuses_too_short_publication(client, make_user, token_for):
    w = World(client, make_user, token_for, deadline=future(days=5), min_publication_days=15)
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "publish")
    assert r.status_code == 409 and "15 giorni" in r.json["error"]["message"]


def test_close_only_after_deadline(client, make_user, token_for):
    w = World(client, make_user, token_for)
    w.publish()
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "close")
    assert r.status_code == 409 and "non è ancora scaduto" in r.json["error"]["message"]
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "start_admissibility")
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"


def test_cancel_needs_reason(client, make_user, token_for):
    w = World(client, make_user, token_for)
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "cancel")
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "cancel", reason="errore nell'avviso")
    assert r.status_code == 200 and r.json["state"] == "cancelled" and r.json["allowed_triggers"] == []


def test_unknown_trigger_and_missing_trigger(client, make_user, token_for):
    w = World(client, make_user, token_for)
    r = transition(client, "procedures", w.procedure_id, w.admin_h, "explode")
    assert r.status_code == 422
    r = client.post(f"/api/v1/procedures/{w.procedure_id}/transitions", json={}, headers=w.admin_h)
    assert r.status_code == 422


def test_list_pagination(client, make_user, token_for):
    admin = make_user("admin", org="Comune di Milano")
    h = token_for(admin)
    for i in range(5):
        client.post("/api/v1/procedures", json={"title": f"Avviso {i}"}, headers=h)
    r = client.get("/api/v1/procedures?limit=2&offset=1", headers=h)
    assert len(r.json) == 2 and r.headers["X-Total-Count"] == "5"
    assert client.get("/api/v1/procedures?limit=x").status_code == 400
    assert len(client.get("/api/v1/procedures?limit=5000", headers=h).json) == 5


def test_patch_lists_with_the_same_codes(client, make_user, token_for):
    w = World(client, make_user, token_for)
    lots = [{"code": "A", "title": "Portinerie", "budget": "300000.00"},
            {"code": "B", "title": "Servizi", "budget": "216500.00"}]
    r = client.patch(f"/api/v1/procedures/{w.procedure_id}", json={"lots": lots, "criteria": w.call["criteria"]},
                     headers=w.admin_h)
    assert r.status_code == 200, r.json
    assert [lot["budget"] for lot in r.json["lots"]] == ["300000.00", "216500.00"]
    assert len(r.json["criteria"]) == 5
