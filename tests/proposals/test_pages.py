"""The proposal pages: the applicant's journey, attachments, submission, receipts, and the admin's
admissibility check with soccorso istruttorio, through the test client with CSRF tokens."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from codesign.core import audit
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment, IntegrationRequest, Proposal
from tests.conftest import csrf_token_from
from tests.helpers import PDF, World, declarations_for, transition

REQUIRED = [{"kind": "progetto", "title": "Progetto tecnico"}]


# --- helpers ---------------------------------------------------------------------------------------------------
def _world(client, make_user, token_for, **kw):
    kw.setdefault("required_attachments", REQUIRED)
    w = World(client, make_user, token_for, **kw)
    w.publish()
    return w


def _token(client, url="/le-mie-proposte"):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _post(client, url, data=None, *, token_url="/le-mie-proposte", **kwargs):
    payload = dict(data or {})
    payload["csrf_token"] = _token(client, token_url)
    return client.post(url, data=payload, **kwargs)


def _upload(client, pid, *, data=PDF, name="progetto.pdf", kind="progetto"):
    return _post(client, f"/proposte/{pid}/allegati", {"kind": kind, "file": (io.BytesIO(data), name)},
                 content_type="multipart/form-data")


def _declarations_form(call, skip=()):
    """The checkboxes as the page names them (declaration_<i>), ticked except those in `skip`."""
    return {f"declaration_{i}": "y" for i, d in enumerate(call["declarations"]) if d["code"] not in skip}


def _expire_and_start_admissibility(w):
    proc = db.session.get(Procedure, w.procedure_id)
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    db.session.commit()
    assert transition(w.client, "procedures", w.procedure_id, w.admin_h, "close").status_code == 200
    r = transition(w.client, "procedures", w.procedure_id, w.admin_h, "start_admissibility")
    assert r.status_code == 200, r.json


def _submitted(w, i=0, **overrides):
    """A proposal drafted, documented and submitted through the API."""
    pid = w.draft(i, **overrides)
    r = w.client.post(f"/api/v1/proposals/{pid}/attachments", headers=w.headers[i],
                      data={"kind": "progetto", "file": (io.BytesIO(PDF), "progetto.pdf")},
                      content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    r = w.submit(pid, i)
    assert r.status_code == 200, r.json
    return pid


def _html(r):
    """The page with entities decoded, so that texts read as a person reads them."""
    return html_lib.unescape(r.get_data(as_text=True))


def _state(pid):
    db.session.expire_all()
    return db.session.get(Proposal, pid).state


def _one_h1(html):
    assert len(re.findall(r"<h1[\s>]", html)) == 1, re.findall(r"<h1.*?</h1>", html, re.S)


# --- the applicant's journey --------------------------------------------------------------------------------
def test_applicant_journey_from_draft_to_receipt(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    login(w.applicants[0])
    url = f"/avvisi/{w.procedure_id}/proposta"
    r = client.get(url)
    html = _html(r)
    assert r.status_code == 200
    _one_h1(html)
    assert 'inputmode="decimal"' in html and 'aria-live="polite"' in html
    assert 'id="organization_id"' in html and "Cooperativa Sociale Il Portico" in html
    assert 'for="lot"' in html and "Portinerie sociali" in html
    assert 'aria-describedby="partners-help partners-count"' in html

    r = _post(client, url, {"organization_id": str(w.orgs[0]), "lot": "A", "title": "Portineria di via Padova",
                            "summary": "Una portineria sociale nel quartiere.", "requested_amount": "90000,50",
                            "cofinancing_amount": "10500",
                            "partners": "Associazione Vicini di Casa APS | 23456780156 | partner\n"},
              token_url=url)
    assert r.status_code == 302, _html(r)[:2000]
    p = db.session.execute(sa.select(Proposal)).scalar_one()
    assert r.headers["Location"].endswith(f"/proposte/{p.id}")
    assert p.state == "draft" and p.requested_amount == Decimal("90000.50")
    assert p.cofinancing_amount == Decimal("10500.00")
    assert p.partners == [{"name": "Associazione Vicini di Casa APS", "tax_code": "23456780156", "role": "partner"}]

    edit = f"/proposte/{p.id}"
    html = _html(client.get(edit))
    _one_h1(html)
    assert 'value="90000,50"' in html and 'name="title"' in html
    assert 'enctype="multipart/form-data"' in html and "Progetto tecnico" in html
    # what is missing is said before trying; the submit button comes once only the declarations are left
    assert "Operazioni non disponibili ora" in html and "manca l'allegato obbligatorio «Progetto tecnico»" in html
    assert f'formaction="/proposte/{p.id}/azioni/submit"' not in html

    # edit the draft (comma amounts again), then upload the required document
    r = _post(client, edit, {"lot": "A", "title": "Portineria sociale di via Padova",
                             "summary": "Una portineria sociale nel quartiere.", "requested_amount": "90000",
                             "cofinancing_amount": "10000,00", "partners": ""}, token_url=edit)
    assert r.status_code == 302
    db.session.expire_all()
    p = db.session.get(Proposal, p.id)
    assert p.title == "Portineria sociale di via Padova" and p.requested_amount == Decimal("90000.00")
    assert p.partners == []
    r = _upload(client, p.id)
    assert r.status_code == 302 and r.headers["Location"].endswith("#allegati")
    att = db.session.execute(sa.select(Attachment)).scalar_one()
    html = _html(client.get(edit))
    assert f'href="/allegati/{att.id}"' in html and "progetto.pdf" in html
    assert "Operazioni non disponibili ora" not in html
    assert "Invia la proposta" in html and f'formaction="/proposte/{p.id}/azioni/submit"' in html
    for d in w.call["declarations"]:
        assert d["text"] in html
    assert 'type="checkbox"' in html and "<legend" in html

    # submit with every declaration ticked: redirected to the receipt
    r = _post(client, f"/proposte/{p.id}/azioni/submit", _declarations_form(w.call), token_url=edit)
    assert r.status_code == 302, _html(r)[:3000]
    assert r.headers["Location"].endswith(f"/proposte/{p.id}/ricevuta")
    db.session.expire_all()
    p = db.session.get(Proposal, p.id)
    assert p.state == "submitted" and p.protocol_number == 1 and len(p.content_sha256) == 64
    assert p.declarations == declarations_for(w.call)

    r = client.get(f"/proposte/{p.id}/ricevuta")
    html = _html(r)
    assert r.status_code == 200
    _one_h1(html)
    assert "numero progressivo di ricezione" in html.lower()
    assert re.search(r"Numero progressivo di ricezione</dt>\s*<dd[^>]*><strong[^>]*>1</strong>", html)
    assert p.content_sha256 in html
    from codesign.core.web import format_datetime_rome

    assert format_datetime_rome(p.submitted_at, "%d/%m/%Y %H:%M:%S") in html
    assert "Portinerie sociali" in html and "Cooperativa Sociale Il Portico" in html and "90.000,00" in html

    r = client.get(f"/proposte/{p.id}/ricevuta.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert r.mimetype == "application/pdf"

    # the content is now read-only: shown, not a form; a forced POST changes nothing
    html = _html(client.get(edit))
    assert 'name="title"' not in html and "Portineria sociale di via Padova" in html
    assert f'action="/proposte/{p.id}/allegati"' not in html  # no more uploads (a message may still carry a PDF)
    assert "Ritira la proposta" in html and "Invia la proposta" not in html
    r = _post(client, edit, {"lot": "A", "title": "Cambiato", "summary": "x", "requested_amount": "1",
                             "cofinancing_amount": "1"}, token_url=edit)
    assert r.status_code == 409 and "già stata inviata" in _html(r)
    assert db.session.get(Proposal, p.id).title == "Portineria sociale di via Padova"

    # the dashboard lists it with its receipt number and the next step
    html = _html(client.get("/le-mie-proposte"))
    _one_h1(html)
    assert "Portineria sociale di via Padova" in html and f'href="/proposte/{p.id}/ricevuta"' in html
    assert "presentata" in html and "puoi ancora ritirarla" in html   # the call is still open
    assert audit.verify()[0]


def test_new_form_refuses_bad_input_accessibly(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    login(w.applicants[0])
    url = f"/avvisi/{w.procedure_id}/proposta"
    base = {"organization_id": str(w.orgs[0]), "lot": "A", "title": "T", "summary": "S",
            "requested_amount": "1.000,505", "cofinancing_amount": "abc", "partners": "solo un nome"}
    r = _post(client, url, base, token_url=url)
    html = _html(r)
    assert r.status_code == 422
    assert 'aria-invalid="true"' in html and 'aria-describedby="requested_amount-help requested_amount-error"' in html
    assert 'id="cofinancing_amount-error"' in html and 'id="partners-error"' in html
    assert 'id="error-summary"' in html
    # the domain checks the partners' tax codes; its message lands on the field
    r = _post(client, url, dict(base, requested_amount="1000", cofinancing_amount="100",
                                partners="Partner Srl | 123 | partner"), token_url=url)
    html = _html(r)
    assert r.status_code == 422 and 'id="partners-error"' in html and "Riga 1: Il codice fiscale" in html
    # a lot that is not the call's, and a body the user is not a member of
    r = _post(client, url, dict(base, requested_amount="1000", cofinancing_amount="100", partners="",
                                organization_id=str(w.orgs[1])), token_url=url)
    assert r.status_code == 422
    assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar_one() == 0


def test_fake_pdf_is_refused_and_nothing_is_stored(client, make_user, token_for, login, app):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    login(w.applicants[0])
    r = _upload(client, pid, data=b"just some text, not a PDF", name="finto.pdf")
    html = _html(r)
    assert r.status_code == 422
    assert 'id="file-error"' in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    assert "non è un documento PDF" in html
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 0
    # no file at all: the form says so
    r = _post(client, f"/proposte/{pid}/allegati", {"kind": "progetto"}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Scegli il file" in _html(r)


def test_too_large_upload_is_413_and_nothing_is_stored(client, make_user, token_for, login, app, monkeypatch):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    login(w.applicants[0])
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    r = _upload(client, pid, data=big)
    assert r.status_code == 413 and 'id="file-error"' in _html(r) and "1 MB" in _html(r)
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 0


def test_one_document_too_many_is_409_and_says_what_to_do(client, make_user, token_for, login, monkeypatch):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    login(w.applicants[0])
    monkeypatch.setattr(props, "OWN_DOCUMENTS_LIMIT", 2)
    assert _upload(client, pid).status_code == 302
    assert _upload(client, pid, data=PDF + b"% second\n").status_code == 302
    r = _upload(client, pid, data=PDF + b"% another\n")
    assert r.status_code == 409 and 'role="alert"' in _html(r)
    assert "la proposta ha già 2 documenti, il massimo ammesso: riunisci più documenti in un solo PDF" in _html(r)
    assert db.session.execute(sa.select(sa.func.count(Attachment.id))).scalar_one() == 2


def test_submit_with_a_missing_declaration_is_409_and_changes_nothing(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    login(w.applicants[0])
    assert _upload(client, pid).status_code == 302
    r = _post(client, f"/proposte/{pid}/azioni/submit", _declarations_form(w.call, skip={"runts"}))
    html = _html(r)
    assert r.status_code == 409
    runts = next(d["text"] for d in w.call["declarations"] if d["code"] == "runts")
    assert 'role="alert"' in html and f"manca la dichiarazione «{runts}»" in html
    # the ticked boxes stay ticked, the missing one does not
    assert len(re.findall(r'type="checkbox"[^>]*checked|checked[^>]*type="checkbox"', html)) == 2
    p = db.session.get(Proposal, pid)
    assert p.state == "draft" and p.protocol_number is None and p.content_sha256 is None


def test_submit_lists_every_missing_requirement(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = w.draft(requested_amount="250000.00", cofinancing_amount="1000.00")
    login(w.applicants[0])
    html = _html(client.get(f"/proposte/{pid}"))
    # the page already says what is missing; the button is not offered
    assert "Operazioni non disponibili ora" in html and "Progetto tecnico" in html and "budget del lotto" in html
    assert f'formaction="/proposte/{pid}/azioni/submit"' not in html
    r = _post(client, f"/proposte/{pid}/azioni/submit", {})
    html = _html(r)
    assert r.status_code == 409
    for needle in ("budget del lotto", "cofinanziamento", "Progetto tecnico", "RUNTS", "veritieri"):
        assert needle in html
    assert _state(pid) == "draft"


def test_withdraw_a_draft_through_the_page(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    login(w.applicants[0])
    assert f'action="/proposte/{pid}/azioni/withdraw"' in _html(client.get(f"/proposte/{pid}"))
    r = _post(client, f"/proposte/{pid}/azioni/withdraw")
    assert r.status_code == 200 and "Conferma: Ritira la proposta" in _html(r) and _state(pid) == "draft"
    r = _post(client, f"/proposte/{pid}/azioni/withdraw", {"confirmed": "yes"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/proposte/{pid}")
    assert _state(pid) == "withdrawn"
    # an admin trigger is not an applicant's page action
    assert _post(client, f"/proposte/{pid}/azioni/exclude", {"reason": "x"}).status_code == 404


def test_other_applicant_gets_404_on_proposal_attachment_and_receipt(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = _submitted(w, 0)
    att = db.session.execute(sa.select(Attachment)).scalar_one()
    login(w.applicants[1])
    for url in (f"/proposte/{pid}", f"/allegati/{att.id}", f"/proposte/{pid}/ricevuta",
                f"/proposte/{pid}/ricevuta.pdf"):
        assert client.get(url).status_code == 404, url
    assert _post(client, f"/proposte/{pid}/azioni/withdraw").status_code == 404
    assert _upload(client, pid).status_code == 404
    assert _state(pid) == "submitted"
    # the owner downloads it as an attachment; so does the call's admin
    for user in (w.applicants[0], w.admin):
        login(user)
        r = client.get(f"/allegati/{att.id}")
        assert r.status_code == 200 and r.data == PDF
        assert r.headers["Content-Disposition"].startswith("attachment") and "progetto.pdf" in r.headers[
            "Content-Disposition"]
        r.close()


def test_pages_need_login(client, make_user, token_for):
    w = _world(client, make_user, token_for)
    pid = w.draft()
    for url in ("/le-mie-proposte", f"/proposte/{pid}", f"/avvisi/{w.procedure_id}/proposta",
                f"/gestione/avvisi/{w.procedure_id}/ammissibilita"):
        r = client.get(url)
        assert r.status_code == 302 and "/accedi" in r.headers["Location"], url


def test_admin_of_another_administration_gets_404(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = _submitted(w, 0)
    _expire_and_start_admissibility(w)
    other = make_user("admin", org="Comune di Bergamo")
    login(other)
    assert client.get(f"/gestione/avvisi/{w.procedure_id}/ammissibilita").status_code == 404
    assert client.get(f"/proposte/{pid}").status_code == 404
    r = _post(client, f"/gestione/proposte/{pid}/azioni/declare_admissible")
    assert r.status_code == 404 and _state(pid) == "submitted"
    # applicants cannot use the admin's page either
    login(w.applicants[0])
    assert client.get(f"/gestione/avvisi/{w.procedure_id}/ammissibilita").status_code == 404
    assert _post(client, f"/gestione/proposte/{pid}/azioni/declare_admissible").status_code == 404


def test_admissibility_with_soccorso_istruttorio(client, make_user, token_for, login):
    w = _world(client, make_user, token_for, bodies=2)
    p1 = _submitted(w, 0)
    p2 = _submitted(w, 1, title="Seconda proposta")
    _expire_and_start_admissibility(w)
    page = f"/gestione/avvisi/{w.procedure_id}/ammissibilita"

    login(w.admin)
    r = client.get(page)
    html = _html(r)
    assert r.status_code == 200
    _one_h1(html)
    assert "<caption>" in html and 'scope="col"' in html and 'class="table-responsive"' in html
    assert html.index(f'id="proposta-{p1}"') < html.index(f'id="proposta-{p2}"')
    assert "Allegato «Progetto tecnico»" in html and "Quota di cofinanziamento" in html
    assert "nessuna richiesta" in html
    for trigger in ("declare_admissible", "exclude", "request_integration"):
        assert f'action="/gestione/proposte/{p1}/azioni/{trigger}"' in html
    assert f'id="request_integration-{p1}-due"' in html and 'type="date"' in html

    # soccorso istruttorio: reason and due date
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = _post(client, f"/gestione/proposte/{p1}/azioni/request_integration",
              {"reason": "Manca il documento d'identità del legale rappresentante.", "due": due, "confirmed": "yes"},
              token_url=page)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#proposta-{p1}")
    assert _state(p1) == "integration_requested"
    html = _html(client.get(page))
    assert "Richiedi integrazione" in html and "in attesa di risposta entro il" in html
    # not admissible while the integration is pending; exclusion only after the due date
    assert f'action="/gestione/proposte/{p1}/azioni/declare_admissible"' not in html
    assert f'action="/gestione/proposte/{p1}/azioni/exclude"' not in html
    assert "si può escludere solo dopo quella data" in html

    # (submission needs every declaration: to see a missing one offered, drop it in the database)
    row = db.session.get(Proposal, p1)
    row.declarations = {k: v for k, v in row.declarations.items() if k != "runts"}
    db.session.commit()

    # the applicant answers with a document, a note and the call's declarations stay given
    login(w.applicants[0])
    html = _html(client.get(f"/proposte/{p1}"))
    assert "Manca il documento d" in html and dt.date.fromisoformat(due).strftime("%d/%m/%Y") in html
    assert 'name="title"' not in html  # content locked
    assert 'enctype="multipart/form-data"' in html and "Invia l'integrazione" in html
    runts = next(i for i, d in enumerate(w.call["declarations"]) if d["code"] == "runts")
    assert f'name="declaration_{runts}"' in html and 'name="declaration_0"' not in html
    assert 'for="note"' in html
    html = _html(client.get("/le-mie-proposte"))
    assert "<mark" in html and dt.date.fromisoformat(due).strftime("%d/%m/%Y") in html
    r = _upload(client, p1, name="documento-identita.pdf", kind="altro")
    assert r.status_code == 302
    r = _post(client, f"/proposte/{p1}/azioni/provide_integration",
              {"note": "Allegato il documento.", f"declaration_{runts}": "y"})
    assert r.status_code == 302
    assert _state(p1) == "submitted"
    req = db.session.execute(sa.select(IntegrationRequest)).scalar_one()
    assert req.answered_at is not None and req.answer_note == "Allegato il documento."
    assert req.declarations == {"runts": True}
    extra = db.session.execute(sa.select(Attachment).where(Attachment.name == "documento-identita.pdf")).scalar_one()
    assert extra.for_integration_id == req.id

    # the admin sees the answer and declares the proposal admissible
    login(w.admin)
    html = _html(client.get(page))
    assert "integrazione ricevuta il" in html
    r = _post(client, f"/gestione/proposte/{p1}/azioni/declare_admissible", token_url=page)
    assert r.status_code == 302 and _state(p1) == "admissible"
    assert "ammessa alla valutazione" in _html(client.get(page))

    # exclusion needs a reason: 422 and nothing changes
    r = _post(client, f"/gestione/proposte/{p2}/azioni/exclude", {"reason": "  "}, token_url=page)
    html = _html(r)
    assert r.status_code == 422
    assert f'id="exclude-{p2}-reason-error"' in html and 'aria-invalid="true"' in html and "<details" in html
    assert re.search(r"<details[^>]*open", html)
    assert _state(p2) == "submitted"
    r = _post(client, f"/gestione/proposte/{p2}/azioni/exclude", {"reason": "Proposta fuori ambito.", "confirmed": "yes"},
              token_url=page)
    assert r.status_code == 302
    p = db.session.get(Proposal, p2)
    assert p.state == "excluded" and p.outcome_reason == "Proposta fuori ambito."

    # the admin opens the applicant's read-only view; the applicant sees the reason
    html = _html(client.get(f"/proposte/{p2}"))
    assert "Proposta fuori ambito." in html and 'name="title"' not in html
    login(w.applicants[1])
    assert "Proposta fuori ambito." in _html(client.get(f"/proposte/{p2}"))
    assert audit.verify()[0]


def test_request_integration_needs_reason_and_due(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = _submitted(w)
    _expire_and_start_admissibility(w)
    login(w.admin)
    page = f"/gestione/avvisi/{w.procedure_id}/ammissibilita"
    r = _post(client, f"/gestione/proposte/{pid}/azioni/request_integration", {"reason": "x", "due": ""},
              token_url=page)
    assert r.status_code == 422 and f'id="request_integration-{pid}-due-error"' in _html(r)
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    r = _post(client, f"/gestione/proposte/{pid}/azioni/request_integration", {"reason": "x", "due": past},
              token_url=page)
    assert r.status_code == 409 and "nel passato" in _html(r)
    assert _state(pid) == "submitted"


# --- a fixed number of SQL statements --------------------------------------------------------------------------
def _bulk_drafts(w, n, i=0):
    from codesign.proposals import operations as props

    proc = db.session.get(Procedure, w.procedure_id)
    user = w.applicants[i]
    for k in range(n):
        props.create_proposal(user, proc, {"organization_id": w.orgs[i], "lot": "A", "title": f"Proposta {k}",
                                           "summary": "s", "requested_amount": "1000.00",
                                           "cofinancing_amount": "200.00"})
    db.session.commit()


def _make_received(w, n):
    """n more proposals as if submitted (states set in the database, for speed), some with an
    attachment and an integration request, so that every per-row lookup would show."""
    _bulk_drafts(w, n, 0)
    proc = db.session.get(Procedure, w.procedure_id)
    rows = db.session.execute(sa.select(Proposal).where(Proposal.state == "draft").order_by(Proposal.id)).scalars()
    for p in rows:
        proc.last_protocol += 1
        p.state, p.protocol_number = "submitted", proc.last_protocol
        p.submitted_at = dt.datetime.now(dt.timezone.utc)
        p.content_sha256 = "0" * 64
        p.declarations = declarations_for(w.call)
        db.session.add(Attachment(proposal=p, kind="progetto", name="p.pdf", size=3, sha256="1" * 64,
                                  content_type="application/pdf"))
        if p.protocol_number % 2:
            p.state = "integration_requested"
            db.session.add(IntegrationRequest(proposal=p, reason="manca un documento",
                                              due=dt.date.today() + dt.timedelta(days=5)))
    db.session.commit()


def test_dashboard_runs_a_fixed_number_of_queries(client, make_user, token_for, login, count_queries):
    w = _world(client, make_user, token_for)
    _bulk_drafts(w, 3)
    login(w.applicants[0])
    client.get("/le-mie-proposte")  # warm up

    def measure():
        with count_queries() as q:
            r = client.get("/le-mie-proposte")
        assert r.status_code == 200
        return q.count, _html(r).count('href="/proposte/')

    few, rows_few = measure()
    _bulk_drafts(w, 27)
    many, rows_many = measure()
    assert (rows_few, rows_many) == (3, 30)
    assert few == many, (few, many)


def test_admissibility_runs_a_fixed_number_of_queries(client, make_user, token_for, login, count_queries):
    w = _world(client, make_user, token_for)
    _make_received(w, 3)
    _expire_and_start_admissibility(w)
    login(w.admin)
    page = f"/gestione/avvisi/{w.procedure_id}/ammissibilita"
    client.get(page)

    def measure():
        with count_queries() as q:
            r = client.get(page)
        assert r.status_code == 200
        return q.count, len(re.findall(r'<tr id="proposta-', _html(r)))

    few, rows_few = measure()
    proc = db.session.get(Procedure, w.procedure_id)
    proc.state = "published"  # reopen only to add rows quickly, then back to the admissibility phase
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    db.session.commit()
    _make_received(w, 27)
    proc = db.session.get(Procedure, w.procedure_id)
    proc.state = "admissibility"
    db.session.commit()
    many, rows_many = measure()
    assert (rows_few, rows_many) == (3, 30)
    assert few == many, (few, many)


@pytest.mark.parametrize("path", ["/le-mie-proposte", "/proposte/{pid}", "/proposte/{pid}/ricevuta"])
def test_pages_are_accessible_in_english_too(client, make_user, token_for, login, path):
    w = _world(client, make_user, token_for)
    pid = _submitted(w)
    login(w.applicants[0])
    _post(client, "/lingua/en", {"next": "/"})
    r = client.get(path.format(pid=pid))
    html = _html(r)
    assert r.status_code == 200 and '<html lang="en">' in html
    _one_h1(html)
    for table in re.findall(r"<table.*?</table>", html, re.S):
        assert "<caption" in table and 'scope="col"' in table


def test_new_proposal_page_without_a_body_after_the_deadline_and_for_admins(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    url = f"/avvisi/{w.procedure_id}/proposta"
    login(make_user("applicant"))  # no body yet
    html = _html(client.get(url))
    assert "registra prima il tuo ente" in html and 'href="/enti/nuovo"' in html and 'name="title"' not in html
    login(w.admin)
    assert client.get(url).status_code == 403
    login(w.applicants[0])
    proc = db.session.get(Procedure, w.procedure_id)
    proc.submission_deadline = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    db.session.commit()
    html = _html(client.get(url))
    assert "Avviso chiuso" in html and 'name="title"' not in html
    r = _post(client, url, {"organization_id": str(w.orgs[0]), "lot": "A", "title": "Tardiva", "summary": "s",
                            "requested_amount": "1000", "cofinancing_amount": "200"}, token_url=url)
    assert r.status_code == 409 and "scadenza è passata" in _html(r)
    assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar_one() == 0
