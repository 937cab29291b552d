"""The worked example through the API as fixed: committee, conflicts, reviews, the ranking to the cent."""
import pytest

from codesign.core import audit
from codesign.db import db
from codesign.proposals.models import Proposal
from tests.helpers import SCENARIO, Scenario, transition


@pytest.fixture()
def scenario(client, make_user, token_for):
    return Scenario(client, make_user, token_for)


def test_worked_example_ranking_to_the_cent(client, scenario):
    s = scenario
    # before every review is final: admin gets 409 naming what is missing; others are refused
    r = client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.admin_h)
    assert r.status_code == 409 and "manca la valutazione definitiva" in r.json["error"]["message"]
    assert client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.ev_h["e1"]).status_code == 403
    assert client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.org_h["ets1"]).status_code == 403
    assert client.get(f"/api/v1/procedures/{s.pid}/ranking").status_code == 401
    r = transition(client, "procedures", s.pid, s.admin_h, "approve_ranking")
    assert r.status_code == 409
    s.all_reviews()
    preview = client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.admin_h)
    assert preview.status_code == 200
    r = transition(client, "procedures", s.pid, s.admin_h, "approve_ranking", act_ref="Determina n. 77 del 2021")
    assert r.status_code == 200 and r.json["state"] == "ranked", r.json
    public = client.get(f"/api/v1/procedures/{s.pid}/ranking")
    assert public.status_code == 200 and public.json == preview.json | {"notices": []}  # nothing happened since
    ref_of = {v: k for k, v in s.ids.items()}
    for lot, expected in SCENARIO["expected"].items():
        got = public.json["lots"][lot]
        assert got["budget_left"] == expected["budget_left"]
        assert [(ref_of[e["proposal_id"]], e["rank"], e["total"], e["criteria"], e["outcome"])
                for e in got["ranking"]] == [(e["proposal"], e["rank"], e["total"], e["criteria"], e["outcome"])
                                             for e in expected["ranking"]]
        for e in got["ranking"]:
            assert e["organization"] and e["title"]
            assert set(e) == {"proposal_id", "rank", "total", "criteria", "outcome", "title", "organization"}
    # the proposals are in the states the ranking implies
    for lot, expected in SCENARIO["expected"].items():
        for e in expected["ranking"]:
            assert db.session.get(Proposal, s.ids[e["proposal"]]).state == e["outcome"]
    assert db.session.get(Proposal, s.ids["B4"]).state == "excluded"
    assert audit.verify()[0]


def test_a_refusal_names_ten_missing_reviews_then_counts_the_rest(client, scenario):
    s = scenario
    number = {ref: db.session.get(Proposal, pid).protocol_number for ref, pid in s.ids.items()}
    admissible = sorted((p for p in SCENARIO["proposals"] if p["admissible"]), key=lambda p: number[p["ref"]])
    r = client.get(f"/api/v1/procedures/{s.pid}/ranking", headers=s.admin_h)
    reasons = r.json["error"]["reasons"]
    assert r.status_code == 409 and len(reasons) == 11, reasons
    # the first proposal in the board's order, each member in the committee's order, then how many more
    first = admissible[0]
    assert reasons[:3] == [f"«{first['title']}» (n. {number[first['ref']]}): manca la valutazione definitiva di "
                           f"{s.ev[e].name}" for e in ("e1", "e2", "e3")]
    assert all("manca la valutazione definitiva" in x for x in reasons[:10])
    assert reasons[10] == f"… e altre {3 * len(admissible) - 10} valutazioni o nomine mancanti."


def test_refusals_change_nothing(client, scenario):
    s = scenario
    a1 = s.ids["A1"]
    # review before declaring: 409
    r = client.put(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e1"],
                   json={"scores": {"1": "0.8"}, "reasons": {}, "final": False})
    assert r.status_code == 409
    # conflict without a note: 422
    r = client.put(f"/api/v1/proposals/{a1}/conflict", headers=s.ev_h["e1"], json={"conflict": True})
    assert r.status_code == 422 and "note" in r.json["error"]["fields"]
    # a conflicted member cannot score or see
    s.review("e1", "A1", {}, conflict=True)
    r = client.put(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e1"],
                   json={"scores": {"1": "0.8"}, "final": False})
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/proposals/{a1}", headers=s.ev_h["e1"]).status_code == 404
    # a non-member
    r = client.put(f"/api/v1/proposals/{a1}/conflict", headers=s.org_h["ets2"], json={"conflict": False})
    assert r.status_code == 404
    # bad values
    s.review("e2", "A1", {"1": "0.8"}, final=False)
    for bad in ({"1": "1.5"}, {"1": "0.805"}, {"9": "0.5"}, {"1": 0.5}):
        r = client.put(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e2"], json={"scores": bad, "final": False})
        assert r.status_code == 422, bad
    # final needs every score and reason; then it is locked
    r = client.put(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e2"], json={"scores": {"1": "0.8"}, "final": True})
    assert r.status_code == 422
    full = SCENARIO["reviews"][1]["scores"]
    assert s.review("e2", "A1", full).status_code == 200
    r = client.put(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e2"],
                   json={"scores": full, "reasons": {k: "x" for k in full}, "final": True})
    assert r.status_code == 409
    # an evaluator sees only their own review
    mine = client.get(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e2"]).json
    assert mine["final"] is True and mine["scores"]["1"] == "1"
    assert client.get(f"/api/v1/proposals/{a1}/review", headers=s.ev_h["e3"]).json["scores"] == {}
    # with e1 conflicted, A1 has only 2 regular reviewers: approving is refused, substitutes needed
    r = transition(client, "procedures", s.pid, s.admin_h, "approve_ranking")
    assert r.status_code == 409 and "supplenti" in r.json["error"]["message"]


def test_substitute_reviews_only_where_needed(client, make_user, token_for):
    s = Scenario(client, make_user, token_for, substitutes=1)
    s.review("e1", "A1", {}, conflict=True)
    lst = client.get(f"/api/v1/procedures/{s.pid}/proposals", headers=s.ev_h["s1"]).json
    assert [p["id"] for p in lst] == [s.ids["A1"]]
    assert client.get(f"/api/v1/proposals/{s.ids['A2']}", headers=s.ev_h["s1"]).status_code == 404
    for rv in SCENARIO["reviews"]:
        if (rv["evaluator"], rv["proposal"]) != ("e1", "A1"):
            assert s.review(rv["evaluator"], rv["proposal"], rv["scores"]).status_code == 200
    assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 409
    e1_a1 = next(rv for rv in SCENARIO["reviews"] if (rv["evaluator"], rv["proposal"]) == ("e1", "A1"))
    assert s.review("s1", "A1", e1_a1["scores"]).status_code == 200
    r = transition(client, "procedures", s.pid, s.admin_h, "approve_ranking")
    assert r.status_code == 200, r.json
    a = client.get(f"/api/v1/procedures/{s.pid}/ranking").json["lots"]["A"]["ranking"]
    assert a[0]["total"] == "76.33"  # the substitute's scores stand in for the conflicted member's


def test_committee_rules(client, scenario, make_user, token_for):
    s = scenario
    url = f"/api/v1/procedures/{s.pid}/committee"
    emails = [u.email for u in s.ev.values()]
    r = client.put(url, headers=s.admin_h, json={"evaluators": emails[:2]})
    assert r.status_code == 422
    # a member of an applicant body cannot sit on the committee
    from codesign.core.enums import Role
    from codesign.auth.operations import grant_role
    from codesign.organizations.models import Organization

    conflicted = make_user("evaluator")
    grant_role(conflicted, Role.applicant, db.session.get(Organization, s.org_ids["ets1"]))
    db.session.commit()
    r = client.put(url, headers=s.admin_h, json={"evaluators": emails[:2] + [conflicted.email]})
    assert r.status_code == 409
    # in evaluation, a member with a final review cannot be replaced; one without can
    assert s.review("e1", "A1", SCENARIO["reviews"][0]["scores"]).status_code == 200
    newcomer = make_user("evaluator")
    r = client.put(url, headers=s.admin_h, json={"evaluators": [newcomer.email] + emails[1:]})
    assert r.status_code == 409
    r = client.put(url, headers=s.admin_h, json={"evaluators": emails[:2] + [newcomer.email]})
    assert r.status_code == 200 and r.json["evaluators"] == emails[:2] + [newcomer.email]
    assert client.put(url, headers=s.ev_h["e1"], json={"evaluators": emails}).status_code == 403


def test_the_committee_s_bodies_are_checked_by_their_declared_models(client, scenario):
    """evaluation.schemas: each body's shape first, every fault named; then what depends on the call (a criterion
    of the grid, a coefficient up to 1); nothing written."""
    s = scenario
    a1 = s.ids["A1"]
    before = audit.verify()
    url = f"/api/v1/proposals/{a1}"
    r = client.put(f"{url}/conflict", headers=s.ev_h["e2"], json={"conflict": "no", "nota": "x"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"conflict", "nota"}
    r = client.put(f"{url}/conflict", headers=s.ev_h["e2"], json={"conflict": True, "note": "   "})
    assert r.status_code == 422 and r.json["error"]["fields"] == {"note": "descrivere il conflitto di interessi"}
    assert s.review("e2", "A1", {"1": "0.8"}, final=False).status_code == 200
    r = client.put(f"{url}/review", headers=s.ev_h["e2"],
                   json={"scores": {"1": 0.5}, "reasons": {"1": 5}, "final": "no"})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"scores.1", "reasons.1", "final"}
    r = client.put(f"{url}/review", headers=s.ev_h["e2"], json={"scores": {"1": "1.5", "9": "0.5"}})
    assert r.status_code == 422 and r.json["error"]["fields"] == {"scores.1": "il valore massimo è 1",
                                                                  "scores.9": "criterio sconosciuto"}
    assert client.get(f"{url}/review", headers=s.ev_h["e2"]).json["scores"] == {"1": "0.8"}
    emails = [u.email for u in s.ev.values()]
    r = client.put(f"/api/v1/procedures/{s.pid}/committee", headers=s.admin_h,
                   json={"evaluators": ["non-una-mail", *emails[1:]], "substitutes": None})
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"evaluators.0"}
    assert audit.verify()[1] == before[1] + 2   # the conflict declaration and the draft review only
