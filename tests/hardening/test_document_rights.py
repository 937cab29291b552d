"""Who may read which document, declared once (proposals.can_read): every kind of a proposal's documents x every
kind of person, through the download route, the proposal's JSON and the pages, while the call is evaluated and
after its ranking. The body and the administration read all of them; an evaluator reads the proposal's own
documents (attachments, integration answers) only once assigned and declared without conflict, and only while
the call is evaluated; the co-design table's documents and the signed agreement are the parties' alone."""
import datetime as dt

import pytest

from codesign.core import files
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals.models import Attachment, IntegrationRequest, Proposal
from tests.conftest import csrf_token_from
from tests.helpers import Scenario

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KINDS = {"proposal": "progetto", "integration": "progetto", "table": "codesign_document",
         "agreement": "signed_agreement"}
EVALUATING = {  # person → the kinds they read while the call is evaluated
    "body": set(KINDS), "admin": set(KINDS), "evaluator": {"proposal", "integration"},
    "undeclared_evaluator": set(), "conflicted_evaluator": set(), "outside_evaluator": set(),
    "other_body": set(), "other_admin": set(),
}


@pytest.fixture()
def world(client, make_user, token_for):
    s = Scenario(client, make_user, token_for)
    pid = s.ids["A1"]
    assert s.review("e3", "A1", {}, conflict=True).status_code == 200
    assert client.put(f"/api/v1/proposals/{pid}/conflict", headers=s.ev_h["e1"],
                      json={"conflict": False}).status_code == 200
    proposal = db.session.get(Proposal, pid)
    digest = files.store(PDF)
    request = IntegrationRequest(proposal_id=pid, reason="manca lo statuto", due=dt.date(2030, 1, 1),
                                 requested_by_id=s.admin.id)
    db.session.add(request)
    db.session.flush()
    atts = {}
    for what, kind in KINDS.items():
        att = Attachment(proposal_id=pid, kind=kind, name=f"{what}.pdf", size=len(PDF), sha256=digest,
                         content_type="application/pdf", uploaded_by_id=s.admin.id,
                         for_integration_id=request.id if what == "integration" else None)
        db.session.add(att)
        atts[what] = att
    db.session.commit()
    people = {"body": s.org_users["ets1"], "admin": s.admin, "evaluator": s.ev["e1"],
              "undeclared_evaluator": s.ev["e2"], "conflicted_evaluator": s.ev["e3"],
              "outside_evaluator": make_user("evaluator"), "other_body": s.org_users["ets2"],
              "other_admin": make_user("admin", org="Comune di Rho")}
    return s, pid, {k: a.id for k, a in atts.items()}, people


def signed_in(client, user):
    other = client.application.test_client()
    page = other.get("/accedi")
    r = other.post("/accedi", data={"email": user.email, "password": "password-1234",
                                     "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    return other


def readable(client, people, atts) -> dict:
    """Person → the kinds whose download answers 200 (any other answer is 404)."""
    out = {}
    for who, user in people.items():
        browser = signed_in(client, user)
        out[who] = set()
        for what, att_id in atts.items():
            r = browser.get(f"/allegati/{att_id}")
            assert r.status_code in (200, 404), (who, what, r.status_code)
            if r.status_code == 200:
                assert r.data == PDF
                out[who].add(what)
    return out


def test_every_kind_by_every_person_while_evaluating_and_after_the_ranking(client, world, token_for):
    s, pid, atts, people = world
    assert client.get(f"/allegati/{atts['proposal']}").status_code == 302          # anonymous: to the login
    assert readable(client, people, atts) == EVALUATING

    # the JSON lists the same documents as the route serves
    def listed(user):
        r = client.get(f"/api/v1/proposals/{pid}", headers=token_for(user))
        return None if r.status_code == 404 else {a["name"].removesuffix(".pdf") for a in r.json.get("attachments", [])}

    assert listed(people["body"]) == set(KINDS) and listed(people["admin"]) == set(KINDS)
    assert listed(people["evaluator"]) == {"proposal", "integration"}
    assert listed(people["undeclared_evaluator"]) == set()           # before declaring: title, body and partners
    assert listed(people["conflicted_evaluator"]) is None and listed(people["outside_evaluator"]) is None

    # the evaluator's page links only what they may read
    html = signed_in(client, people["evaluator"]).get(f"/valutazioni/proposte/{pid}").get_data(as_text=True)
    assert f"/allegati/{atts['proposal']}" in html and f"/allegati/{atts['table']}" not in html
    assert f"/allegati/{atts['agreement']}" not in html

    # after the ranking, the committee reads nothing
    db.session.get(Procedure, s.pid).state = "ranked"
    db.session.commit()
    after = readable(client, people, atts)
    assert after["evaluator"] == set() and after["body"] == set(KINDS) and after["admin"] == set(KINDS)
    assert listed(people["evaluator"]) == set()


def test_a_failed_tables_reason_is_not_the_committees(client, world, token_for):
    s, pid, _atts, people = world
    proposal = db.session.get(Proposal, pid)
    proposal.outcome_reason = "il tavolo non ha trovato un accordo sul budget"
    db.session.commit()
    r = client.get(f"/api/v1/proposals/{pid}", headers=token_for(people["evaluator"]))
    assert r.status_code == 200 and r.json["outcome_reason"] is None
    r = client.get(f"/api/v1/proposals/{pid}", headers=token_for(people["body"]))
    assert r.json["outcome_reason"] == "il tavolo non ha trovato un accordo sul budget"
