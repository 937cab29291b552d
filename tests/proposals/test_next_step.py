"""The next step tells the truth: one function per role over every state of a proposal and the phase of its call;
the body is never told what the administration does and the other way round; the pages show the reader's."""
import datetime as dt
from types import SimpleNamespace

import pytest

from codesign.procedures.models import Procedure
from codesign.proposals import next_step
from codesign.proposals.workflow import STATES
from tests.conftest import csrf_token_from
from tests.helpers import World, transition

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(days=20)
EARLIER = NOW - dt.timedelta(days=2)


def proposal(state, *, call="published", deadline=LATER, attachments=(), due=dt.date(2026, 12, 20)):
    integration = SimpleNamespace(due=due, answered_at=None)
    return SimpleNamespace(state=state, procedure=Procedure(state=call, submission_deadline=deadline),
                           open_integration=integration if state == "integration_requested" else None,
                           attachments=list(attachments))


@pytest.mark.parametrize("state", list(STATES))
def test_every_state_has_a_sentence_for_each_party(app, state):
    with app.test_request_context():
        body = next_step.for_body(proposal(state), NOW)
        admin = next_step.for_admin(proposal(state), NOW)
    assert body and admin and body != admin
    assert "ti convocherà" not in admin and "Rispondi" not in admin and "Hai ritirato" not in admin


def test_the_words_fit_the_phase(app):
    with app.test_request_context():
        assert "entro il 27/12/2026" in next_step.for_body(proposal("draft"), NOW)
        assert "non si può inviare" in next_step.for_body(proposal("draft", deadline=EARLIER, call="closed"), NOW)
        # sent while the call is open: not "being checked" yet
        sent = next_step.for_body(proposal("submitted"), NOW)
        assert "puoi ancora ritirarla" in sent and "sta verificando" not in sent
        assert "sta verificando" in next_step.for_body(proposal("submitted", call="admissibility",
                                                                deadline=EARLIER), NOW)
        assert "avvierà la verifica" in next_step.for_body(proposal("submitted", call="closed", deadline=EARLIER), NOW)
        assert "20/12/2026" in next_step.for_body(proposal("integration_requested", call="admissibility"), NOW)
        assert "sta valutando" in next_step.for_body(proposal("admissible", call="evaluation"), NOW)
        assert "avrà concluso" in next_step.for_body(proposal("admissible", call="admissibility"), NOW)
        assert "Da verificare" in next_step.for_admin(proposal("submitted", call="admissibility",
                                                                deadline=EARLIER), NOW)
        # once the signed copy is uploaded the body is not told to sign again (the agreements' sentence)
        signed = [SimpleNamespace(kind="signed_agreement")]
        assert "firmala" in next_step.for_body(proposal("finalized", call="codesign"), NOW)
        uploaded = next_step.for_body(proposal("finalized", call="codesign", attachments=signed), NOW)
        assert "firmala" not in uploaded and "è caricata" in uploaded
        assert "registra la convenzione" in next_step.for_admin(proposal("finalized", attachments=signed), NOW)


def test_pages_show_the_readers_sentence(client, make_user, token_for, login):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft(0)
    assert w.submit(pid, 0).status_code == 200
    login(w.applicants[0])
    page = client.get(f"/proposte/{pid}").get_data(as_text=True)
    assert "puoi ancora ritirarla" in page and "sta verificando" not in page
    assert "puoi ancora ritirarla" in client.get("/le-mie-proposte").get_data(as_text=True)
    client.post("/esci", data={"csrf_token": csrf_token_from(page)})
    login(w.admin)
    page = client.get(f"/proposte/{pid}").get_data(as_text=True)
    assert "l&#39;ente può ritirarla" in page or "l'ente può ritirarla" in page
    assert transition(client, "proposals", pid, w.headers[0], "withdraw").status_code == 200
