"""The hand-over of premises before a project starts: a record per premises of the signed agreement (day, state of
the premises, signed minutes as PDF), recorded by the administration between the signature and the start, again
until the start; `start` answers 409 while a premises has none; through the API and the agreement's page."""
import io

import sqlalchemy as sa

from codesign.agreements.models import Agreement
from codesign.db import db
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment
from tests.conftest import csrf_token_from
from tests.helpers import PDF, agreement_for
from tests.monitoring.conftest import API, fire, state
from tests.monitoring.test_pages import As, _body_of, member_of

PREMISES = [{"address": "Via Odazio 9, Milano", "description": "locale al piano terra"},
            {"address": "Piazza Tirana 2, Milano", "description": "cortile"}]


def handover(client, s, n, h=None, data=PDF, **fields):
    body = {"handed_over_on": "2021-08-30", "condition": "Buono stato; chiavi consegnate.", **fields}
    return client.post(f"{API}/proposals/{s.ids['A3']}/premises/{n}/handover", headers=s.admin_h if h is None else h,
                       content_type="multipart/form-data",
                       data={**body, "file": (io.BytesIO(data), "verbale.pdf")})


def attachments() -> int:
    return db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one()


def test_start_waits_for_every_premises_handed_over(client, s, make_user, token_for):
    a3 = s.ids["A3"]
    r = client.put(f"{API}/proposals/{a3}/agreement", headers=s.admin_h, json=agreement_for(a3, premises=PREMISES))
    assert r.status_code == 200, r.json
    assert r.json["handovers"] == [{"number": 1, "address": "Via Odazio 9, Milano", "handover": None},
                                   {"number": 2, "address": "Piazza Tirana 2, Milano", "handover": None}]
    # before the signature: not yet
    assert handover(client, s, 1).status_code == 409
    r = client.post(f"{API}/proposals/{a3}/attachments", headers=s.admin_h, content_type="multipart/form-data",
                    data={"kind": "signed_agreement", "file": (io.BytesIO(PDF), "convenzione-firmata.pdf")})
    assert r.status_code == 201 and fire(s, "A3", "sign_agreement").status_code == 200
    # start refused, naming each premises without its record
    r = fire(s, "A3", "start", start_date="2021-09-01")
    reasons = " ".join(r.json["error"]["reasons"])
    assert r.status_code == 409 and "n. 1 (Via Odazio 9, Milano); n. 2 (Piazza Tirana 2, Milano)" in reasons, r.json
    # refused, nothing stored: the body, a stranger, a premises the agreement lacks, not a PDF, no state, a bad day,
    # no file, the minutes posted as a document of the proposal
    before = attachments()
    assert handover(client, s, 1, h=s.org_h[_body_of(s, "A3")]).status_code == 403
    assert handover(client, s, 1, h=token_for(make_user("applicant"))).status_code == 404
    assert handover(client, s, 3).status_code == 404
    r = handover(client, s, 1, data=b"<html>verbale</html>")
    assert r.status_code == 422 and "file" in r.json["error"]["fields"]
    r = handover(client, s, 1, condition="")
    assert r.status_code == 422 and "condition" in r.json["error"]["fields"]
    r = handover(client, s, 1, handed_over_on="30 agosto")
    assert r.status_code == 422 and "handed_over_on" in r.json["error"]["fields"]
    r = client.post(f"{API}/proposals/{a3}/premises/1/handover", headers=s.admin_h, content_type="multipart/form-data",
                    data={"handed_over_on": "2021-08-30", "condition": "ok"})
    assert r.status_code == 400
    r = client.post(f"{API}/proposals/{a3}/attachments", headers=s.admin_h, content_type="multipart/form-data",
                    data={"kind": "premises_handover", "file": (io.BytesIO(PDF), "verbale.pdf")})
    assert r.status_code == 409
    assert attachments() == before
    # recorded; recorded again before the start: the record is corrected, the old minutes gone
    r = handover(client, s, 1, data=PDF + b"% primo\n")
    assert r.status_code == 201 and r.json["handover"]["handed_over_on"] == "2021-08-30", r.json
    first_minutes = r.json["handover"]["minutes"]["id"]
    r = handover(client, s, 1, data=PDF + b"% corretto\n", handed_over_on="2021-08-27",
                 condition="Buono stato; da sostituire una serratura.")
    assert r.status_code == 201 and r.json["handover"]["condition"] == "Buono stato; da sostituire una serratura."
    assert db.session.get(Attachment, first_minutes) is None
    assert fire(s, "A3", "start", start_date="2021-09-01").status_code == 409     # n. 2 still missing
    assert handover(client, s, 2, handed_over_on="2021-08-31").status_code == 201
    # the body reads the minutes, as the administration does; another body does not
    body = _body_of(s, "A3")
    r = client.get(f"{API}/proposals/{a3}/agreement", headers=s.org_h[body])
    assert r.status_code == 200, r.json
    got = r.json["handovers"]
    assert [h["handover"]["handed_over_on"] for h in got] == ["2021-08-27", "2021-08-31"]
    minutes = db.session.get(Attachment, got[0]["handover"]["minutes"]["id"])
    assert props.can_read(s.org_users[body], minutes) and props.can_read(s.admin, minutes)
    assert not any(props.can_read(s.org_users[ref], minutes) for ref in s.org_users if ref != body)
    # now the project starts; the premises handed over by the last record's day; no more records
    r = fire(s, "A3", "start", start_date="2021-09-01")
    assert r.status_code == 200 and state(a3) == "started", r.json
    agreement = db.session.execute(sa.select(Agreement).where(Agreement.proposal_id == a3)).scalar_one()
    assert agreement.premises_handed_over_on.isoformat() == "2021-08-31"
    assert handover(client, s, 1).status_code == 409


def test_the_agreement_page_records_the_handover(client, s):
    a3 = s.ids["A3"]
    r = client.put(f"{API}/proposals/{a3}/agreement", headers=s.admin_h, json=agreement_for(a3, premises=PREMISES[:1]))
    assert r.status_code == 200
    client.post(f"{API}/proposals/{a3}/attachments", headers=s.admin_h, content_type="multipart/form-data",
                data={"kind": "signed_agreement", "file": (io.BytesIO(PDF), "convenzione-firmata.pdf")})
    assert fire(s, "A3", "sign_agreement").status_code == 200
    As.current.clear()
    admin = As(client, s.admin)
    url = f"/proposte/{a3}/convenzione"
    html = admin.get(url).get_data(as_text=True)
    assert "Consegna dei locali" in html and "Consegna non ancora registrata." in html
    assert "Il progetto non si può ancora avviare perché:" in html and "verbale di consegna dei locali" in html
    assert 'for="h1-handed_over_on"' in html and "Immobile 1: Data della consegna" in html

    def send(data):
        token = csrf_token_from(admin.get(url).get_data(as_text=True))
        return admin.post(f"{url}/consegne/1", content_type="multipart/form-data", data={**data, "csrf_token": token})

    r = send({"h1-handed_over_on": "2021-08-30", "h1-condition": "",
              "h1-file": (io.BytesIO(PDF), "verbale.pdf")})
    assert r.status_code == 422 and "Campo obbligatorio." in r.get_data(as_text=True)
    r = send({"h1-handed_over_on": "2021-08-30", "h1-condition": "Buono stato",
              "h1-file": (io.BytesIO(b"non un pdf"), "verbale.pdf")})
    assert r.status_code == 422 and "non è un documento PDF" in r.get_data(as_text=True)
    r = send({"h1-handed_over_on": "2021-08-30", "h1-condition": "Buono stato; chiavi consegnate.",
              "h1-file": (io.BytesIO(PDF), "verbale-consegna.pdf")})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}#consegna-1")
    html = admin.get(url).get_data(as_text=True)
    assert "verbale-consegna.pdf" in html and "Registra di nuovo la consegna" in html
    assert "Il progetto non si può ancora avviare perché:" not in html
    # the body sees the record, without the form
    body = As(client, member_of(s, _body_of(s, "A3")))
    html = body.get(url).get_data(as_text=True)
    assert "verbale-consegna.pdf" in html and 'name="h1-condition"' not in html
    assert client.post(f"{url}/consegne/1").status_code in (302, 400, 403)
