"""Refusals read in words: a missing parameter named as people call it, never by its field name; a share rounded down,
so a share under the call's minimum never reads as the minimum; amounts written the Italian way."""
from decimal import Decimal

from codesign.core.web import format_share
from codesign.db import db
from codesign.proposals.models import Proposal
from tests.proposals.test_pages import _expire_and_start_admissibility, _html, _post, _state, _submitted, _world
from tests.helpers import transition


def test_a_share_under_the_minimum_never_reads_as_the_minimum(app):
    with app.test_request_context("/"):
        assert format_share(Decimal("9999.50"), Decimal("100000")) == "9,99%"
        assert format_share(Decimal("10000"), Decimal("100000")) == "10%"
        assert format_share(Decimal("1"), Decimal("0")) == "–"


def test_submission_refused_for_a_share_just_under_the_minimum(client, make_user, token_for):
    w = _world(client, make_user, token_for, cofinancing_min_pct="10")
    pid = w.draft(0, requested_amount="90000.50", cofinancing_amount="9999.95")
    r = w.submit(pid)
    assert r.status_code == 409
    reasons = r.json["error"]["reasons"]
    assert "la quota di cofinanziamento (9,99%) è inferiore al minimo dell'avviso (10%)" in reasons, reasons


def test_a_missing_reason_is_named_in_words(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    pid = _submitted(w)
    _expire_and_start_admissibility(w)
    r = transition(client, "proposals", pid, w.admin_h, "exclude")
    assert r.status_code == 422 and r.json["error"]["fields"] == {"reason": "campo obbligatorio"}
    assert r.json["error"]["message"] == "«Escludi» richiede la motivazione."
    login(w.admin)
    page = f"/gestione/avvisi/{w.procedure_id}/ammissibilita"
    r = _post(client, f"/gestione/proposte/{pid}/azioni/exclude", {"reason": "", "confirmed": "yes"}, token_url=page)
    html = _html(r)
    assert r.status_code == 422 and "reason:" not in html and "Dati non validi" not in html
    assert f'<a href="#exclude-{pid}-reason">Motivazione</a>: campo obbligatorio' in html  # beside its field
    assert _state(pid) == "submitted"



def test_a_long_text_says_how_much_room_is_left_and_is_never_cut(client, make_user, token_for, login):
    w = _world(client, make_user, token_for)
    login(w.applicants[0])
    page = f"/avvisi/{w.procedure_id}/proposta"
    html = _html(client.get(page))
    box = html[html.index('<textarea'):html.index('</textarea>')]
    assert 'data-max="20000"' in box and "maxlength" not in box and 'aria-describedby="summary-help summary-count"' in box
    assert '<small id="summary-count"' in html and "Al massimo 20.000 caratteri." in html
    assert 'src="/static/js/char-count.js"' in html
    r = _post(client, page, {"organization_id": str(w.orgs[0]), "lot": "A", "title": "Portineria",
                              "summary": "x" * 20001, "requested_amount": "1000", "cofinancing_amount": "0"},
              token_url=page)
    html = _html(r)
    error = html[html.index('id="summary-error"'):][:300]
    assert r.status_code == 422 and "più lungo di 20000 caratteri" in error, error  # refused whole, not cut
    assert db.session.query(Proposal).count() == 0
