"""Every irreversible move is confirmed once, from the machine's table: a transition that declares `confirm` shows,
on whichever page offers it, a step that says what happens and who is told, with the form's fields carried; only
the confirmed post fires it. A move that would be refused is not confirmed (its refusal is shown at once)."""
import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_login import login_user
from markupsafe import escape

from codesign.core.audit import AuditRecord
from codesign.core.confirm import confirmation
from codesign.db import db
from codesign.monitoring.workflow import workflow as report_workflow
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals.workflow import workflow as proposal_workflow
from tests.conftest import csrf_token_from
from tests.helpers import World

CONFIRMED = [(w, t) for w in (procedure_workflow, proposal_workflow, report_workflow) for t in w.table if t.confirm]


def test_the_irreversible_moves_declare_what_they_do():
    triggers = {t.trigger for _w, t in CONFIRMED}
    assert {"publish", "start_evaluation", "approve_ranking", "open_codesign", "cancel", "exclude", "finalize",
            "fail_codesign", "sign_agreement", "start", "revoke", "withdraw"} <= triggers
    for _w, t in CONFIRMED:
        assert t.label and len(t.confirm) > 40, t.trigger


class Row:
    def __init__(self, state):
        self.state, self.id = state, 1


@pytest.mark.parametrize("wf, t", CONFIRMED, ids=[f"{w.entity_type}-{t.trigger}" for w, t in CONFIRMED])
def test_each_irreversible_move_asks_once(app, make_user, monkeypatch, wf, t):
    user = make_user("admin")
    monkeypatch.setattr(wf, "check", lambda *a, **k: None)      # the move would succeed
    with app.test_request_context("/x", method="POST", data={"reason": "Risorse non più disponibili", "lot": "A"}):
        login_user(user)
        given = {name: "2099-01-10" if name == "due" else "A" for name in t.needs}   # what the move needs
        page = confirmation(wf, Row(t.sources[0]), t.trigger, subject="Oggetto", back="/indietro", params=given)
        assert page is not None
        assert f"Conferma: {escape(t.label)}" in page and "Oggetto" in page and 'href="/indietro"' in page
        assert 'name="confirmed" value="yes"' in page and 'name="reason" value="Risorse non più disponibili"' in page
    with app.test_request_context("/x", method="POST", data={"confirmed": "yes"}):
        login_user(user)
        assert confirmation(wf, Row(t.sources[0]), t.trigger, subject="Oggetto", back="/indietro",
                            params=given) is None
    with app.test_request_context("/x", method="POST"), force_locale("en"):
        assert gettext(t.confirm) != t.confirm, t.trigger                   # the words are translated


def _publish_page(client, w):
    page = client.get(f"/gestione/avvisi/{w.procedure_id}").get_data(as_text=True)
    return csrf_token_from(page)


def test_publishing_from_the_page_asks_then_fires(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=0)
    login(w.admin)
    token = _publish_page(client, w)
    url = f"/gestione/avvisi/{w.procedure_id}/azioni/publish"
    r = client.post(url, data={"csrf_token": token})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and ("Conferma: Pubblica l&#39;avviso" in html or "Conferma: Pubblica l'avviso" in html)
    assert "non si modifica più" in html and "Annulla" in html
    assert db.session.get(Procedure, w.procedure_id).state == "draft"        # nothing happened yet
    assert db.session.execute(sa.select(AuditRecord).where(AuditRecord.trigger == "publish")).first() is None
    r = client.post(url, data={"csrf_token": token, "confirmed": "yes"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Procedure, w.procedure_id).state == "published"


def test_a_refused_move_is_not_confirmed_but_explained(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=0, cup=None)      # no CUP: publishing is refused
    login(w.admin)
    r = client.post(f"/gestione/avvisi/{w.procedure_id}/azioni/publish", data={"csrf_token": _publish_page(client, w)})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "manca il CUP" in html and 'name="confirmed"' not in html


def test_a_reason_is_carried_to_the_confirmation(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=0)
    w.publish()
    login(w.admin)
    token = _publish_page(client, w)
    url = f"/gestione/avvisi/{w.procedure_id}/azioni/cancel"
    r = client.post(url, data={"csrf_token": token, "cancel-reason": "Risorse non più disponibili"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Risorse non più disponibili" in html and "Conferma: Revoca in autotutela" in html
    r = client.post(url, data={"csrf_token": token, "cancel-reason": "Risorse non più disponibili", "confirmed": "yes"})
    assert r.status_code == 303
    db.session.expire_all()
    proc = db.session.get(Procedure, w.procedure_id)
    assert proc.state == "cancelled" and proc.cancel_reason == "Risorse non più disponibili"
