"""The monitoring pages through the test client, CSRF tokens included: the body's report form (save, refusals,
submit), the admin's review (return with a reason, approve), the project's dashboard with the payment form, the
call's dashboard in a fixed number of queries."""
import io
from decimal import Decimal

import sqlalchemy as sa

from codesign.auth.models import User
from codesign.db import db
from codesign.monitoring import operations as monitoring
from codesign.monitoring.models import Payment, Report
from codesign.organizations.models import Membership
from tests.conftest import csrf_token_from
from tests.foundation.test_phone_lists import assert_every_cell_is_labelled
from tests.helpers import PDF
from tests.monitoring.conftest import API, content, report_ids, sign_and_start, state


def member_of(s, ref="ets1") -> User:
    return db.session.execute(sa.select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.organization_id == s.org_ids[ref])).scalars().first()


def login_as(c, user):
    """Log `user` in on the test client (one client per test: the test's app context shares `g`)."""
    page = c.get("/accedi")
    r = c.post("/accedi", data={"email": user.email, "password": "password-1234",
                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert r.status_code == 302
    return c


class As:
    """The test client as one person: logs them in again whenever another person used it last."""

    current = {}

    def __init__(self, client, user):
        self.client, self.user = client, user

    def _switch(self):
        if As.current.get(id(self.client)) != self.user.id:
            login_as(self.client, self.user)
            As.current[id(self.client)] = self.user.id

    def get(self, url, **kw):
        self._switch()
        return self.client.get(url, **kw)

    def post(self, url, **kw):
        self._switch()
        return self.client.post(url, **kw)


def post(c, url, data, page_url):
    page = c.get(page_url)
    assert page.status_code == 200, page.status_code
    return c.post(url, data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def upload(c, page_url, n, data, name):
    page = c.get(page_url)
    return c.post(f"{page_url}/spese/{n}/giustificativi", content_type="multipart/form-data",
                  data={f"r{n}-file": (io.BytesIO(data), name),
                        "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def report(rid) -> Report:
    db.session.expire_all()
    return db.session.get(Report, rid)


FORM = {"narrative": "Aperto lo spazio di via Odazio.", "ind_P1": "80", "ind_P3": "250,5",
        "expenses-0-category": "personale", "expenses-0-funding_source": "FSE", "expenses-0-amount": "15000,00",
        "expenses-0-description": "educatori", "expenses-1-category": "", "expenses-1-funding_source": "", "expenses-1-amount": "",
        "expenses-1-description": "", "cofinancing_amount": "2500"}


def test_report_form_review_and_dashboards(client, s):
    As.current.clear()
    body, admin = As(client, member_of(s)), As(client, s.admin)
    rid = report_ids(client, s)[0]
    url = f"/relazioni/{rid}"
    # the body's form
    r = body.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="csrf_token"' in html
    assert '<label class="visually-hidden" for="expenses-0-amount">' in html and 'for="ind_P1"' in html
    assert_every_cell_is_labelled(html)  # the expenses stack into labelled rows on a phone
    assert "Relazione periodica n. 1" in html and "Prima di presentare la relazione" in html
    assert "sustainability" not in html             # not the final report
    # a wrong amount: 422, nothing stored
    r = post(body, url, {**FORM, "expenses-0-amount": "quindicimila"}, url)
    assert r.status_code == 422 and "Importo non valido" in r.get_data(as_text=True)
    assert report(rid).narrative is None
    # a negative indicator value is refused by the domain (422 on its field), nothing stored
    r = post(body, url, {**FORM, "ind_P1": "-3"}, url)
    assert r.status_code == 422
    assert report(rid).narrative is None
    # saved
    r = post(body, url, FORM, url)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    stored = report(rid)
    assert stored.indicators == {"P1": "80", "P3": "250.5"} and stored.cofinancing_amount == Decimal("2500.00")
    assert stored.expenses == [{"category": "personale", "funding_source": "FSE", "amount": "15000.00",
                                "description": "educatori", "receipts": []}]
    html = body.get(url).get_data(as_text=True)
    assert 'value="15.000,00"' in html and "mancano i giustificativi (fatture, ricevute, cedolini)" in html
    assert "Nessun giustificativo per questa riga." in html and 'for="r1-file"' in html
    # without a receipt the line cannot be submitted (409, the line named)
    r = post(body, f"{url}/azioni/submit", {}, url)
    assert r.status_code == 409 and "righe 1:" in r.get_data(as_text=True) and report(rid).state == "due"
    # a text file is refused by its content, a PDF is kept on line 1
    r = upload(body, url, 1, b"non sono un pdf", "fattura.pdf")
    assert r.status_code == 422 and "non è un documento PDF né un&#39;immagine" in r.get_data(as_text=True)
    assert report(rid).expenses[0]["receipts"] == []
    r = upload(body, url, 1, PDF, "fattura-educatori.pdf")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}#giustificativi-1")
    [att_id] = report(rid).expenses[0]["receipts"]
    html = body.get(url).get_data(as_text=True)
    assert "fattura-educatori.pdf" in html and f"/allegati/{att_id}" in html
    got = body.get(f"/allegati/{att_id}")
    assert got.status_code == 200 and got.data == PDF
    # saving the form again keeps the line's receipt (the row carries it)
    assert post(body, url, {**FORM, "expenses-0-receipts": str(att_id)}, url).status_code == 302
    assert report(rid).expenses[0]["receipts"] == [att_id]
    assert "Presenta la relazione" in body.get(url).get_data(as_text=True)
    # submitted
    r = post(body, f"{url}/azioni/submit", {}, url)
    assert r.status_code == 302 and report(rid).state == "submitted"
    html = body.get(url).get_data(as_text=True)
    assert 'name="narrative"' not in html and "educatori" in html and "fattura-educatori.pdf" in html
    # the admin reads the receipt; the committee never does
    assert admin.get(f"/allegati/{att_id}").status_code == 200
    # the admin's review: a return needs a reason
    html = admin.get(url).get_data(as_text=True)
    assert "Approva la relazione" in html and "Restituisci per correzioni" in html
    r = post(admin, f"{url}/azioni/return", {"reason": ""}, url)
    assert r.status_code == 422 and report(rid).state == "submitted"
    r = post(admin, f"{url}/azioni/return", {"reason": "Manca il dettaglio delle ore"}, url)
    assert r.status_code == 302 and report(rid).state == "returned"
    html = body.get(url).get_data(as_text=True)
    assert "Manca il dettaglio delle ore" in html and 'name="narrative"' in html
    # the body cannot approve from the page
    assert post(body, url, {**FORM, "ind_P1": "95", "expenses-0-receipts": str(att_id)}, url).status_code == 302
    assert post(body, f"{url}/azioni/submit", {}, url).status_code == 302
    assert post(body, f"{url}/azioni/approve", {}, url).status_code == 403
    html = admin.get(url).get_data(as_text=True)
    assert "Che cosa è cambiato rispetto alla presentazione precedente" in html
    assert "Indicatore P1: da 80 a 95" in html
    assert post(admin, f"{url}/azioni/approve", {"confirmed": "yes"}, url).status_code == 302
    assert report(rid).state == "approved"
    # the project's dashboard, for both parties; the admin records a payment
    purl = f"/proposte/{s.ids['A1']}/monitoraggio"
    html = body.get(purl).get_data(as_text=True)
    assert "Monitoraggio del progetto" in html and "Registra un pagamento" not in html
    html = admin.get(purl).get_data(as_text=True)
    assert "Registra un pagamento" in html and "15.000,00" in html
    # a condition registered by a later module (transparency) blocks the payment form
    blocked = lambda proposal: "scheda di trasparenza non pubblicata"  # noqa: E731
    monitoring.register_payment_condition(blocked)
    try:
        html = admin.get(purl).get_data(as_text=True)
        assert "Nessuna tranche si può pagare ora" in html and "Registra un pagamento" not in html
    finally:
        monitoring.PAYMENT_CONDITIONS.remove(blocked)
    r = post(admin, f"/proposte/{s.ids['A1']}/pagamenti", {"tranche_number": "2", "paid_on": "2022-01-10"}, purl)
    assert r.status_code in (409, 422) and db.session.query(Payment).count() == 0
    r = post(admin, f"/proposte/{s.ids['A1']}/pagamenti", {"tranche_number": "1", "paid_on": "2022-01-10",
                                                          "reference": "Mandato 7"}, purl)
    assert r.status_code == 302 and db.session.query(Payment).one().amount == Decimal("36000.00")
    assert "Mandato 7" in admin.get(purl).get_data(as_text=True)
    # complete is refused while reports are pending
    r = post(admin, f"/proposte/{s.ids['A1']}/monitoraggio/concludi", {"confirmed": "yes"}, purl)
    assert r.status_code == 409 and state(s.ids["A1"]) == "started"
    # the proposal page links the dashboard; the call's dashboard lists the project
    assert purl in body.get(f"/proposte/{s.ids['A1']}").get_data(as_text=True)
    r = admin.get(f"/gestione/avvisi/{s.pid}/monitoraggio")
    assert r.status_code == 200 and "Monitoraggio dei progetti" in r.get_data(as_text=True)
    assert body.get(f"/gestione/avvisi/{s.pid}/monitoraggio").status_code == 404
    r = admin.get(f"/gestione/avvisi/{s.pid}/monitoraggio/progetti.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Proposta;Titolo;Ente;Stato;Concesso;Pagato") and len(lines) == 2
    assert ";avviata (start-up);90000,00;36000,00;100000,00;15000,00;" in lines[1], lines[1]
    assert body.get(f"/gestione/avvisi/{s.pid}/monitoraggio/progetti.csv").status_code == 404
    assert f"/gestione/avvisi/{s.pid}/monitoraggio" in admin.get(f"/gestione/avvisi/{s.pid}").get_data(as_text=True)


def test_final_report_form_has_sustainability(client, s):
    As.current.clear()
    body = As(client, member_of(s))
    rid = report_ids(client, s)[-1]
    html = body.get(f"/relazioni/{rid}").get_data(as_text=True)
    assert "Relazione finale" in html and 'name="sustainability"' in html


def test_call_dashboard_queries_do_not_grow(client, s, count_queries):
    As.current.clear()
    admin = As(client, s.admin)
    url = f"/gestione/avvisi/{s.pid}/monitoraggio"
    admin.get(url)
    with count_queries() as one:
        assert admin.get(url).status_code == 200
    for ref in ("A3", "B2"):
        sign_and_start(client, s, ref)
    for rid in report_ids(client, s, "B2")[:2]:
        r = client.put(f"{API}/reports/{rid}", headers=s.org_h[_body_of(s, "B2")], json=content())
        assert r.status_code == 200, r.json
    admin.get(url)
    with count_queries() as three:
        r = admin.get(url)
    assert r.status_code == 200 and r.get_data(as_text=True).count("/monitoraggio\"") >= 3
    assert three.count == one.count, (one.count, three.count)


def _body_of(s, ref):
    from tests.helpers import SCENARIO

    return next(p["org"] for p in SCENARIO["proposals"] if p["ref"] == ref)
