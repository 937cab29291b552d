"""The applicant's outcome explains itself: once the ranking is approved, the proposal's page shows its body and
the administration the rank, the total, each criterion's score with the committee's reasons (no names), and the
rule that decided it — the threshold, a criterion's minimum, or the lot's budget when its turn came."""
import sqlalchemy as sa

from codesign.db import db
from codesign.evaluation.models import ApprovedRanking
from codesign.proposals.models import Proposal
from tests.conftest import csrf_token_from
from tests.helpers import SCENARIO, Scenario, transition

WHY = {"admitted": "contributo assegnato", "reserve": "restavano", "below_threshold": "Non idonea"}


def test_each_body_reads_why(client, make_user, token_for, login):
    s = Scenario(client, make_user, token_for)
    s.all_reviews()
    assert transition(client, "procedures", s.pid, s.admin_h, "approve_ranking").status_code == 200
    stored = db.session.execute(sa.select(ApprovedRanking)).scalar_one()
    assert set(stored.explanations) == {str(s.ids[p["ref"]]) for p in SCENARIO["proposals"] if p["admissible"]}
    seen = set()
    for ref, org_ref in ((p["ref"], p["org"]) for p in SCENARIO["proposals"] if p["admissible"]):
        p = db.session.get(Proposal, s.ids[ref])
        explained = stored.explanations[str(p.id)]
        login(s.org_users[org_ref])
        page = client.get(f"/proposte/{p.id}").get_data(as_text=True)
        assert "Esito della valutazione" in page and WHY[p.state] in page, (ref, p.state)
        assert f"posizione {explained['rank']} su {explained['of']} nel lotto {explained['lot']}" in page
        assert "motivazione" in page and "Evaluator" not in page          # the reasons, without names
        if explained["decided_by"] == "criterion_minimum":
            assert "inferiore al minimo" in page and "sotto il minimo" in page
        if explained["decided_by"] == "threshold":
            assert "inferiore alla soglia" in page
        seen.add(explained["decided_by"])
        client.post("/esci", data={"csrf_token": csrf_token_from(page)})
    assert {"admitted", "budget"} <= seen and seen & {"threshold", "criterion_minimum"}
    # the committee does not read it on the proposal's page; the administration does
    login(s.ev["e1"])
    page = client.get(f"/proposte/{s.ids['A1']}")
    assert page.status_code == 404 or "Esito della valutazione" not in page.get_data(as_text=True)
