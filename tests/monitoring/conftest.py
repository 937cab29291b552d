"""The worked example brought to a started project (A1, started on 2021-09-01: four reports, all past due)."""
import io

import pytest

from codesign.db import db
from codesign.proposals.models import Proposal
from tests.helpers import PDF, agreement_for, Scenario, to_codesign, transition, version_body

API = "/api/v1"
AMOUNTS = {"A1": ("90000.00", "10000.00"), "A3": ("80000.00", "12000.00"), "A4": ("30000.00", "4000.00"),
           "B2": ("90000.00", "10000.00"), "C1": ("70000.00", "8000.00"), "C2": ("66500.00", "7400.00")}


def fire(s, ref, trigger, h=None, **params):
    return transition(s.client, "proposals", s.ids[ref], h or s.admin_h, trigger, **params)


def finish_codesign(client, s):
    fire(s, "A2", "start_codesign")
    assert fire(s, "A2", "fail_codesign", reason="rinuncia").status_code == 200
    assert transition(client, "procedures", s.pid, s.admin_h, "scroll_ranking", lot="A").status_code == 200
    for ref, amounts in AMOUNTS.items():
        assert fire(s, ref, "start_codesign").status_code == 200
        lines = [{"category": "personale", "funding_source": "FSE", "amount": str(float(amounts[0]) - 10000) + "0"},
                 {"category": "attrezzature", "funding_source": "FSE", "amount": "10000.00"},
                 {"category": "personale", "funding_source": "cofinancing", "amount": amounts[1]}]
        body = version_body(*amounts, lines=lines)
        body["indicators"] = [{"code": "P1", "target": "300"}, {"code": "P3", "target": "1000"}]
        r = client.post(f"{API}/proposals/{s.ids[ref]}/versions", headers=s.admin_h, json=body)
        assert r.status_code == 201, r.json
        assert fire(s, ref, "finalize").status_code == 200
    r = transition(client, "procedures", s.pid, s.admin_h, "close_codesign")
    assert r.status_code == 200, r.json


def sign(client, s, ref):
    """The agreement of a finalized project drawn up and signed (the procedure then in implementation)."""
    pid = s.ids[ref]
    r = client.put(f"{API}/proposals/{pid}/agreement", headers=s.admin_h, json=agreement_for(pid))
    assert r.status_code == 200, r.json
    r = client.post(f"{API}/proposals/{pid}/attachments", headers=s.admin_h, content_type="multipart/form-data",
                    data={"kind": "signed_agreement", "file": (io.BytesIO(PDF), "convenzione-firmata.pdf")})
    assert r.status_code == 201, r.json
    assert fire(s, ref, "sign_agreement").status_code == 200
    proc = transition(client, "procedures", s.pid, s.admin_h, "start_implementation")
    assert proc.status_code in (200, 409)


def sign_and_start(client, s, ref, start="2021-09-01"):
    sign(client, s, ref)
    hand_over(client, s, ref)
    r = fire(s, ref, "start", start_date=start)
    assert r.status_code == 200, r.json


def hand_over(client, s, ref, n=1, **fields):
    """The hand-over of premises n of the signed agreement, with its signed minutes."""
    data = {"handed_over_on": "2021-08-30", "condition": "Locale in buono stato; consegnate le chiavi.", **fields}
    r = client.post(f"{API}/proposals/{s.ids[ref]}/premises/{n}/handover", headers=s.admin_h,
                    content_type="multipart/form-data",
                    data={**data, "file": (io.BytesIO(PDF + b"% verbale\n"), "verbale-consegna.pdf")})
    assert r.status_code == 201, r.json
    return r


@pytest.fixture()
def s(client, make_user, token_for):
    sc = Scenario(client, make_user, token_for)
    to_codesign(sc)
    finish_codesign(client, sc)
    sign_and_start(client, sc, "A1")
    return sc


def state(pid):
    db.session.expire_all()
    return db.session.get(Proposal, pid).state


def report_ids(client, s, ref="A1"):
    r = client.get(f"{API}/proposals/{s.ids[ref]}/reports", headers=s.admin_h)
    assert r.status_code == 200, r.json
    return [x["id"] for x in r.json]


def content(final=False, **over):
    body = {"narrative": "Lo spazio è stato aperto 5 giorni su 7.", "indicators": {"P1": "80", "P3": "250"},
            "expenses": [{"category": "personale", "funding_source": "FSE", "amount": "15000.00",
                          "description": "educatori"},
                         {"category": "personale", "funding_source": "cofinancing", "amount": "2500.00",
                          "description": "volontari valorizzati"}],
            "cofinancing_amount": "2500.00"}
    if final:
        body["sustainability"] = "Le attività proseguono con fondi propri e una convenzione con il Municipio."
    body.update(over)
    return body


def prove(client, rid, h):
    """A PDF receipt on each expense line of the saved report that has none (what `submit` asks)."""
    r = client.get(f"{API}/reports/{rid}", headers=h)
    assert r.status_code == 200, r.json
    for n, line in enumerate(r.json["expenses"], start=1):
        if not line["receipts"]:
            up = client.post(f"{API}/reports/{rid}/expenses/{n}/receipts", headers=h, content_type="multipart/form-data",
                             data={"file": (io.BytesIO(PDF + f"% riga {n}\n".encode()), f"fattura-{n}.pdf")})
            assert up.status_code == 201, up.json
