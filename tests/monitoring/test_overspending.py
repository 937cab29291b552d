"""Spending beyond the final project's budget: a cost category (with its funding source) or a whole funding source,
summed over the report being written and the project's earlier reports already submitted or approved (drafts and later
reports do not count),
is shown to both parties and needs a written justification to submit (409 otherwise); the admin sees it highlighted,
every submission keeps the justification."""
from codesign.monitoring import rules
from tests.helpers import transition
from tests.monitoring.conftest import API, content, prove, report_ids
from tests.monitoring.test_pages import As, member_of


def lines(*rows):
    return [{"category": c, "funding_source": src, "amount": amount, "description": ""} for c, src, amount in rows]


def save(client, rid, h, *rows, **extra):
    r = client.put(f"{API}/reports/{rid}", headers=h, json=content(expenses=lines(*rows), **extra))
    assert r.status_code == 200, r.json
    prove(client, rid, h)
    return client.get(f"{API}/reports/{rid}", headers=h).json


def test_overspending_needs_a_justification_and_is_shown_to_both(client, s):
    h1 = s.org_h["ets1"]
    first, second, third, _final = report_ids(client, s)
    # budget of A1's final project: personale/FSE 80,000; attrezzature/FSE 10,000; personale/cofinancing 10,000
    # a draft never counts: report 3 spends a lot but is not submitted (and is later than report 2)
    save(client, third, h1, ("personale", "FSE", "79000.00"))
    got = save(client, first, h1, ("personale", "FSE", "70000.00"), ("personale", "cofinancing", "2500.00"))
    assert got["overspending"] == [] and got["allowed_triggers"] == ["submit"]
    assert transition(client, "reports", first, h1, "submit").status_code == 200
    # report 2 takes personale/FSE to 85,000 of 80,000: shown, and submit refused without a justification
    got = save(client, second, h1, ("personale", "FSE", "15000.00"), ("personale", "cofinancing", "2500.00"))
    assert got["overspending"] == [{"category": "personale", "funding_source": "FSE", "budget": "80000.00",
                                    "spent": "85000.00"}]
    r = transition(client, "reports", second, h1, "submit")
    assert r.status_code == 409
    assert any("supera il budget" in x and "personale – FSE: 85.000,00 € su 80.000,00 €" in x
               for x in r.json["error"]["reasons"]), r.json
    # the admin sees the same before it is submitted
    assert client.get(f"{API}/reports/{second}", headers=s.admin_h).json["overspending"] == got["overspending"]
    why = "Le ore degli educatori sono aumentate per l'apertura estiva; la differenza è coperta da fondi propri."
    got = save(client, second, h1, ("personale", "FSE", "15000.00"), ("personale", "cofinancing", "2500.00"),
               overspending_justification=why)
    assert got["overspending_justification"] == why
    r = transition(client, "reports", second, h1, "submit")
    assert r.status_code == 200, r.json
    sub = client.get(f"{API}/reports/{second}/submissions", headers=s.admin_h).json[-1]
    assert sub["content"]["overspending_justification"] == why
    # the funding source in total: FSE 95,000 of 90,000, and the category still beyond
    got = save(client, third, h1, ("attrezzature", "FSE", "10000.00"))
    assert got["overspending"] == [
        {"category": "personale", "funding_source": "FSE", "budget": "80000.00", "spent": "85000.00"},
        {"category": None, "funding_source": "FSE", "budget": "90000.00", "spent": "95000.00"}]
    # the pages: the body is warned beside the field; the admin sees it highlighted with the justification
    As.current.clear()
    body, admin = As(client, member_of(s)), As(client, s.admin)
    html = body.get(f"/relazioni/{third}").get_data(as_text=True)
    assert "Spesa oltre il budget del progetto definitivo" in html and 'name="overspending_justification"' in html
    assert "fonte FSE, in totale" in html and "callout warning" in html
    html = admin.get(f"/relazioni/{second}").get_data(as_text=True)
    assert "callout danger" in html and "Spesa oltre il budget del progetto definitivo" in html
    assert "apertura estiva" in html
    # an earlier report, within the budget to its period, shows nothing of it
    html = body.get(f"/relazioni/{first}").get_data(as_text=True)
    assert "Spesa oltre il budget" not in html


def test_overspending_rule_by_category_and_source():
    class Version:
        budget_lines = [{"category": "personale", "funding_source": "FSE", "amount": "100.00"},
                        {"category": "affitto", "funding_source": "FSE", "amount": "50.00"}]

    within = [[{"category": "personale", "funding_source": "FSE", "amount": "60.00"}],
              [{"category": "personale", "funding_source": "FSE", "amount": "40.00"}]]
    assert rules.overspending(Version, within) == []
    one_cent = within + [[{"category": "personale", "funding_source": "FSE", "amount": "0.01"}]]
    assert [(o["category"], str(o["spent"])) for o in rules.overspending(Version, one_cent)] == [("personale", "100.01")]
    unplanned = [[{"category": "pulizie", "funding_source": "FESR", "amount": "1.00"}]]
    assert [(o["category"], o["funding_source"]) for o in rules.overspending(Version, unplanned)] == [
        ("pulizie", "FESR"), (None, "FESR")]
    assert rules.overspending(None, within)[0]["budget"] == 0
