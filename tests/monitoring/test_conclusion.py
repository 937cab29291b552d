"""To the end of the procedure: a project revoked from `agreement_signed` after its first tranche, another run to
`completed` (a tranche partly reversed), then `conclude`: the call's final figures (granted, revoked, paid net of
reversals, indicators achieved) through the API, on the call's public page and in the calls' open data; the same
moves through the pages (revoke on the agreement's page, conclude on the call's)."""
import csv
import io

from codesign.core.notifications import Notification
from codesign.db import db
from codesign.procedures.models import Procedure
from tests.helpers import transition
from tests.monitoring.conftest import API, content, fire, prove, report_ids, sign, state
from tests.monitoring.test_pages import As, _body_of, member_of, post


def act(client, rid, h, trigger, **params):
    return transition(client, "reports", rid, h, trigger, **params)


def pay(client, s, ref, tranche):
    r = client.post(f"{API}/proposals/{s.ids[ref]}/payments", headers=s.admin_h,
                    json={"tranche_number": tranche, "paid_on": "2022-01-10"})
    return r


def run_to_complete(client, s, ref="A1"):
    """Every report of the project written with its receipts, submitted and approved, each tranche paid when due,
    then `complete`. The last report says P1 320 and P3 900 (the values achieved)."""
    h = s.org_h["ets1"]
    assert pay(client, s, ref, 1).status_code == 201
    ids = report_ids(client, s, ref)
    for n, rid in enumerate(ids, start=1):
        last = n == len(ids)
        values = {"P1": "320", "P3": "900"} if last else {"P1": str(80 * n), "P3": str(250 * n)}
        assert client.put(f"{API}/reports/{rid}", headers=h, json=content(final=last, indicators=values)).status_code == 200
        prove(client, rid, h)
        assert act(client, rid, h, "submit").status_code == 200
        assert act(client, rid, s.admin_h, "approve").status_code == 200
        if n == 2:
            assert pay(client, s, ref, 2).status_code == 201
    r = pay(client, s, ref, 3)
    assert r.status_code == 201, r.json
    r = fire(s, ref, "complete")
    assert r.status_code == 200 and r.json["state"] == "completed", r.json
    return r


def told(pid) -> dict[str, str]:
    """What the body was told about one proposal: each notification's subject's head, and its text."""
    rows = db.session.query(Notification).filter(Notification.link == f"/proposte/{pid}").all()
    return {n.subject.split(":")[0]: n.body for n in rows}


def outcome(client, s, h=None):
    r = client.get(f"{API}/procedures/{s.pid}/outcome", headers=h or {})
    assert r.status_code == 200, r.json
    return r.json


def test_revoke_complete_and_conclude_with_the_final_figures(client, s):
    # A3 signs, receives its first tranche (40% of 80,000), then is revoked before its start
    sign(client, s, "A3")
    assert pay(client, s, "A3", 1).status_code == 201
    r = fire(s, "A3", "revoke")
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    assert fire(s, "A3", "revoke", h=s.org_h[_body_of(s, "A3")], reason="x").status_code == 403
    assert state(s.ids["A3"]) == "agreement_signed"
    r = fire(s, "A3", "revoke", reason="L'ente ha rinunciato prima dell'avvio")
    assert r.status_code == 200 and r.json["state"] == "revoked", r.json
    a3 = told(s.ids["A3"])  # every move told to the body, once, the reason with the revocation
    assert {"Co-progettazione conclusa", "Convenzione sottoscritta", "Revoca del contributo"} <= set(a3)
    assert "Motivo: L'ente ha rinunciato prima dell'avvio" in a3["Revoca del contributo"]
    assert fire(s, "A3", "start", start_date="2021-10-01").status_code == 409
    assert pay(client, s, "A3", 2).status_code == 409
    notices = client.get(f"{API}/procedures/{s.pid}/ranking").json["notices"]
    assert notices[-1]["event"] == "revoked" and notices[-1]["proposal_id"] == s.ids["A3"]
    # the procedure cannot conclude while A1 runs
    r = transition(client, "procedures", s.pid, s.admin_h, "conclude")
    assert r.status_code == 409 and "1 progetto finanziato non è ancora concluso o revocato" in str(r.json), r.json
    before = outcome(client, s)
    assert before["final"] is False and before["concluded_at"] is None
    assert before["projects"] == {"funded": 2, "agreement_signed": 0, "started": 1, "completed": 0, "revoked": 1}
    assert (before["granted_amount"], before["revoked_amount"], before["paid_amount"]) == (
        "90000.00", "80000.00", "32000.00")
    # A1 runs to completed; 1,000 of its last tranche reversed
    run_to_complete(client, s)
    assert "Progetto concluso" in told(s.ids["A1"])
    payments = client.get(f"{API}/proposals/{s.ids['A1']}/payments", headers=s.admin_h).json
    r = client.post(f"{API}/payments/{payments[-1]['id']}/reversals", headers=s.admin_h,
                    json={"amount": "1000.00", "reason": "importo eccedente", "reversed_on": "2023-11-02"})
    assert r.status_code == 201, r.json
    # only the admin concludes; then the call is concluded, once
    assert transition(client, "procedures", s.pid, s.org_h["ets1"], "conclude").status_code in (403, 404)
    r = transition(client, "procedures", s.pid, s.admin_h, "conclude")
    assert r.status_code == 200 and r.json["state"] == "concluded", r.json
    assert transition(client, "procedures", s.pid, s.admin_h, "conclude").status_code == 409
    # the final figures, to anyone
    final = outcome(client, s)
    assert final["final"] is True and final["state"] == "concluded" and final["concluded_at"]
    assert final["projects"] == {"funded": 2, "agreement_signed": 0, "started": 0, "completed": 1, "revoked": 1}
    assert final["granted_amount"] == "90000.00" and final["revoked_amount"] == "80000.00"
    assert final["paid_amount"] == "121000.00"          # 90,000 - 1,000 to A1, 32,000 to A3 before its revocation
    assert final["indicators"] == [
        {"code": "P1", "title": "Partecipanti alle attività", "unit": "persone", "target": "300", "achieved": "320",
         "pct": "106.7"},
        {"code": "P3", "title": "Ore di apertura dello spazio", "unit": "ore", "target": "1000", "achieved": "900",
         "pct": "90.0"}]
    assert client.get(f"{API}/procedures/999999/outcome").status_code == 404
    # the call's public page says it
    html = client.get(f"/avvisi/{s.pid}").get_data(as_text=True)
    assert "Risultati finali dell" in html and "Procedura conclusa il" in html
    for text in ("90.000,00 €", "80.000,00 €", "121.000,00 €", "106,7 %", "90 %"):
        assert text in html, text
    # and the calls' open data
    body = client.get("/open-data/calls.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))) if r["id"] == str(s.pid))
    assert {k: row[k] for k in ("state", "funded_projects", "completed_projects", "revoked_projects", "granted_amount",
                                "revoked_amount", "paid_amount")} == {
        "state": "concluded", "funded_projects": "2", "completed_projects": "1", "revoked_projects": "1",
        "granted_amount": "90000.00", "revoked_amount": "80000.00", "paid_amount": "121000.00"}
    assert row["concluded_at"] == final["concluded_at"]
    assert '"code": "P1", "target": "300", "achieved": "320"' in row["indicators"]


def test_figures_before_any_signature_are_not_shown(client, s):
    # a call without a signed agreement has no outcome section; its outcome says nothing was funded
    r = client.post(f"{API}/procedures", headers=s.admin_h, json={"title": "Bozza senza progetti"})
    assert r.status_code == 201, r.json
    draft = r.json["id"]
    assert client.get(f"{API}/procedures/{draft}/outcome").status_code == 404     # a draft: its admins only
    o = client.get(f"{API}/procedures/{draft}/outcome", headers=s.admin_h).json
    assert o["projects"]["funded"] == 0 and o["granted_amount"] == "0.00" and o["indicators"] == []
    assert client.get(f"/avvisi/{draft}").status_code == 404


def test_revoke_and_conclude_through_the_pages(client, s):
    admin = As(client, s.admin)
    sign(client, s, "A3")
    url = f"/proposte/{s.ids['A3']}/convenzione"
    html = admin.get(url).get_data(as_text=True)
    assert f'action="{url}/azioni/revoke"' in html
    # the body does not revoke
    body = As(client, member_of(s, "ets1"))
    assert body.post(f"{url}/azioni/revoke", data={"act-reason": "x"}).status_code in (400, 403, 404)
    # a reason is required: the page says so and nothing changes
    r = post(admin, f"{url}/azioni/revoke", {"act-reason": ""}, url)
    assert r.status_code == 422 and state(s.ids["A3"]) == "agreement_signed"
    r = post(admin, f"{url}/azioni/revoke", {"act-reason": "Rinuncia dell'ente", "confirmed": "yes"}, url)
    assert r.status_code == 303 and state(s.ids["A3"]) == "revoked"
    assert "revocata" in admin.get(url).get_data(as_text=True)
    # the call's page: conclude is not offered while A1 runs, and says why
    manage = f"/gestione/avvisi/{s.pid}"
    html = admin.get(manage).get_data(as_text=True)
    assert f"{manage}/azioni/conclude" not in html and "1 progetto finanziato non è ancora concluso o revocato" in html
    run_to_complete(client, s)
    html = admin.get(manage).get_data(as_text=True)
    assert f'action="{manage}/azioni/conclude"' in html
    r = post(admin, f"{manage}/azioni/conclude", {"confirmed": "yes"}, manage)
    assert r.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Procedure, s.pid).state == "concluded"
    html = client.get(f"/avvisi/{s.pid}").get_data(as_text=True)
    assert "Risultati finali dell" in html and "concluso" in html


def test_statements_do_not_grow_with_the_funded_projects(client, s, statements):
    urls = [f"{API}/procedures/{s.pid}/outcome", f"/avvisi/{s.pid}", "/open-data/calls.csv"]

    one = statements(urls)
    for ref in ("A3", "A4", "B2"):
        sign(client, s, ref)
        assert pay(client, s, ref, 1).status_code == 201
    assert statements(urls) == one
