"""The calls' pages: the public list and call page, and the admin's list, form, actions and extension."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from markupsafe import escape

from codesign.core.audit import AuditRecord
from codesign.db import db, utcnow
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.procedures.validation import publish_problems
from codesign.procedures.workflow import workflow as procedure_workflow
from tests.helpers import SCENARIO, World, call_body, future

ROME = ZoneInfo("Europe/Rome")
CALL = SCENARIO["call"]


# --- builders ---------------------------------------------------------------------------------------------
def form_data(call: dict | None = None, deadline: dt.datetime | None = None, **overrides) -> dict:
    """The admin's form filled in with a call in the API's shape (the worked example by default)."""
    call = call or CALL
    deadline = (deadline or future(30)).astimezone(ROME)
    data = {
        "title": call["title"],
        "programme": call.get("programme", ""),
        "cup": call.get("cup", ""),
        "rup": call.get("rup", ""),
        "office": call.get("office", "Area Innovazione Economica"),
        "act_ref": call.get("act_ref", ""),
        "min_publication_days": str(call["min_publication_days"]),
        "budget_total": call["budget_total"],
        "cofinancing_min_pct": call["cofinancing_min_pct"],
        "submission_date": deadline.strftime("%Y-%m-%d"),
        "submission_time": deadline.strftime("%H:%M"),
        "codesign_months": str(call["codesign_months"]),
        "startup_months": str(call["startup_months"]),
        "monitoring_months": str(call["monitoring_months"]),
        "reporting_every_months": str(call["reporting_every_months"]),
        "scoring": call["scoring"],
        "threshold": call["threshold"],
        "tie_break_criterion": call["tie_break_criterion"],
        **rows("funding_sources", call["funding_sources"], "code", "share_pct"),
        **rows("lots", call["lots"], "code", "title", "budget"),
        **rows("criteria", call["criteria"], "code", "title", "max_points", "min_points"),
        **rows("indicators", call["indicators"], "code", "title", "unit"),
        **rows("declarations", call["declarations"], "code", "text"),
        **rows("required_attachments", call["required_attachments"], "kind", "title"),
    }
    if call.get("rescale"):
        data["rescale"] = "y"
    data.update(overrides)
    return data


def rows(name: str, items: list[dict], *keys: str) -> dict:
    """A list of the call as the form's rows post it (`lots-0-code`, …)."""
    return {f"{name}-{i}-{k}": "" if item.get(k) is None else str(item[k])
            for i, item in enumerate(items) for k in keys}


def make_call(admin, *, state="published", title=None, deadline=None, **overrides) -> Procedure:
    """A call built through the operations; `state` other than draft/published is set directly."""
    body = call_body(deadline or future(30), **overrides)
    body.pop("administration", None)
    if title:
        body["title"] = title
    proc = procs.create_procedure(admin, body)
    if state != "draft":
        procedure_workflow.fire(proc, "publish", admin)
    if state not in ("draft", "published"):
        proc.state = state
        proc.submission_deadline = utcnow() - dt.timedelta(days=1)
        proc.closed_at = utcnow()
    db.session.commit()
    return proc


def html_of(resp) -> str:
    return resp.get_data(as_text=True)


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def rome(value: dt.datetime) -> str:
    return value.astimezone(ROME).strftime("%d/%m/%Y %H:%M")


# --- public pages -----------------------------------------------------------------------------------------
def test_public_list_shows_published_calls_open_first(client, make_user):
    admin = make_user("admin", org="Comune di Milano")
    closed = make_call(admin, state="closed", title="Avviso chiuso")
    far = make_call(admin, title="Avviso aperto lontano", deadline=future(60))
    near = make_call(admin, title="Avviso aperto vicino", deadline=future(20))
    make_call(admin, state="draft", title="Bozza riservata")

    r = client.get("/avvisi")
    html = html_of(r)
    assert r.status_code == 200
    assert html.count("<h1") == 1
    assert "Bozza riservata" not in html
    # open ones first (the soonest deadline first), then the closed one
    assert html.index("Avviso aperto vicino") < html.index("Avviso aperto lontano") < html.index("Avviso chiuso")
    assert "Comune di Milano" in html and CALL["programme"] in html
    assert "pubblicato" in html and "termine scaduto" in html  # state labels
    assert rome(near.submission_deadline) in html and rome(far.submission_deadline) in html
    assert "516.500,00 €" in html
    assert f'/avvisi/{closed.id}"' in html
    assert "<caption" in html and 'scope="col"' in html and "table-responsive" in html


def test_public_detail_states_the_whole_call(client, make_user, app):
    admin = make_user("admin", org="Comune di Milano")
    deadline = future(30)
    proc = make_call(admin, deadline=deadline, office="Area Innovazione Economica",
                     required_attachments=[{"kind": "budget", "title": "Piano economico"}])
    r = client.get(f"/avvisi/{proc.id}")
    html = html_of(r)
    assert r.status_code == 200
    assert html.count("<h1") == 1 and str(escape(CALL["title"])) in html
    for text in (CALL["cup"], CALL["rup"], "Area Innovazione Economica", CALL["act_ref"], CALL["programme"]):
        assert str(escape(text)) in html, text
    assert "FSE: 100 %" in html and "10 %" in html  # funding source share, co-financing minimum
    # lots with their budgets, in a table with caption and header scopes
    assert "Lotti dell'avviso e budget di ciascuno" in html
    assert "Portinerie sociali" in html and "200.000,00 €" in html and "136.500,00 €" in html
    assert '<th scope="row">A</th>' in html
    # criteria with max and min points, the threshold, the method and the tie rules
    assert "Qualità e innovatività della proposta" in html and ">30<" in html and ">8<" in html
    assert "almeno 60 punti su 100" in html
    assert "coefficiente da 0 a 1" in html
    assert ("A parità di punteggio prevale la proposta con il punteggio più alto nel criterio 1 "
            "«Qualità e innovatività della proposta»; in caso di ulteriore parità, l&#39;ordine di ricezione") in html
    # durations, attachments, declarations, indicators
    assert "3 mesi" in html and "24 mesi" in html and "una ogni 6 mesi" in html
    assert "Piano economico" in html
    assert str(escape(CALL["declarations"][0]["text"])) in html
    assert "Partecipanti alle attività" in html
    # deadline in Europe/Rome and the countdown computed on the server
    assert rome(deadline) in html
    assert re.search(r"mancano (29|30) giorni e \d+ ore", html)
    if "proposals.new" in app.view_functions:  # the applicants' pages may not be registered yet
        with app.test_request_context():
            from flask import url_for

            assert f'href="{url_for("proposals.new", procedure_id=proc.id)}"' in html
        assert "Presenta una proposta" in html
    else:
        assert "Presenta una proposta" not in html


def test_closed_call_says_the_term_has_expired(client, make_user):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, state="closed")
    html = html_of(client.get(f"/avvisi/{proc.id}"))
    assert "termine scaduto" in html and "Presenta una proposta" not in html


def test_draft_is_404_but_for_its_administrations_admins(client, make_user, login):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, state="draft", title="Bozza riservata")
    assert client.get(f"/avvisi/{proc.id}").status_code == 404
    assert client.get("/avvisi/999999").status_code == 404
    login(make_user("admin", org="Città metropolitana di Milano"))
    assert client.get(f"/avvisi/{proc.id}").status_code == 404
    login(make_user("applicant"))
    assert client.get(f"/avvisi/{proc.id}").status_code == 404
    login(admin)
    r = client.get(f"/avvisi/{proc.id}")
    assert r.status_code == 200 and "Questa è una bozza" in html_of(r)
    assert "Presenta una proposta" not in html_of(r)


# --- admin: create, publish -------------------------------------------------------------------------------
def test_admin_creates_the_worked_example_and_publishes_it(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    login(admin)
    page = client.get("/gestione/avvisi/nuovo")
    html = html_of(page)
    assert page.status_code == 200 and html.count("<h1") == 1
    # the lists as rows of labelled fields, one empty row each, with buttons that work without JavaScript
    assert '<fieldset class="mb-4 form-rows" id="lots" aria-describedby="lots-help">' in html
    assert '<label for="lots-0-budget" class="form-label fw-semibold d-block">Budget del lotto (euro)</label>' in html
    assert 'name="add_row" value="lots"' in html and 'name="remove_row" value="lots-0"' in html
    assert "|" not in re.sub(r"(?s)<script.*?</script>|<style.*?</style>", "", html.split("<main")[1]).split("</form>")[0]

    deadline = future(40).replace(second=0)
    r = post_form("/gestione/avvisi/nuovo", form_data(deadline=deadline))
    assert r.status_code == 303, html_of(r)[:3000]
    proc = db.session.execute(sa.select(Procedure)).unique().scalar_one()
    assert r.headers["Location"].endswith(f"/gestione/avvisi/{proc.id}")
    assert proc.state == "draft" and proc.administration.name == "Comune di Milano"
    body = procs.to_dict(proc)
    for key in ("title", "programme", "cup", "rup", "act_ref", "min_publication_days", "codesign_months",
                "startup_months", "monitoring_months", "reporting_every_months", "scoring", "rescale",
                "tie_break_criterion", "declarations", "indicators", "required_attachments"):
        assert body[key] == CALL[key], key
    assert body["budget_total"] == "516500.00" and body["threshold"] == "60.00"
    assert body["cofinancing_min_pct"] == "10.00"
    assert body["funding_sources"] == [{"code": "FSE", "share_pct": "100"}]
    assert [(lot["code"], lot["title"], lot["budget"]) for lot in body["lots"]] == [
        (lot["code"], lot["title"], lot["budget"]) for lot in CALL["lots"]]
    assert [(c["code"], c["max_points"], c["min_points"]) for c in body["criteria"]] == [
        ("1", "30.00", None), ("2", "25.00", None), ("3", "20.00", "8.00"), ("4", "15.00", None), ("5", "10.00", None)]
    assert proc.submission_deadline == deadline

    manage = client.get(f"/gestione/avvisi/{proc.id}")
    html = html_of(manage)
    assert "difficilmente ragionevole" in html  # 0 days: a warning, not an error
    assert f'action="/gestione/avvisi/{proc.id}/azioni/publish"' in html
    assert f'action="/gestione/avvisi/{proc.id}/azioni/cancel"' in html and 'id="cancel-reason"' in html

    r = post_form(f"/gestione/avvisi/{proc.id}/azioni/publish", {"confirmed": "yes"},
                  get_url=f"/gestione/avvisi/{proc.id}")
    assert r.status_code == 303
    db.session.expire_all()
    proc = db.session.get(Procedure, proc.id)
    assert proc.state == "published" and proc.published_at is not None
    record = db.session.execute(sa.select(AuditRecord).where(
        AuditRecord.entity_type == "procedure", AuditRecord.entity_id == proc.id,
        AuditRecord.trigger == "publish")).scalar_one()
    assert (record.from_state, record.to_state, record.actor_id) == ("draft", "published", admin.id)
    html = html_of(client.get(f"/gestione/avvisi/{proc.id}"))
    assert "Operazione eseguita" in html and 'data-state="published"' in html
    assert 'id="extend-date"' in html  # the extension form
    assert "/azioni/publish" not in html
    assert client.get(f"/avvisi/{proc.id}").status_code == 200


def test_admin_edits_a_draft_through_the_form(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, state="draft")
    login(admin)
    url = f"/gestione/avvisi/{proc.id}/modifica"
    html = html_of(client.get(url))
    assert 'id="lots-0-budget" inputmode="decimal" name="lots-0-budget" spellcheck="false" type="text" ' \
           'value="200.000,00"' in html  # the reader's way, read back by the form
    assert 'name="criteria-2-title" type="text" value="Coinvolgimento attivo' in html
    assert 'name="criteria-2-min_points" spellcheck="false" type="text" value="8"' in html
    data = form_data(title="Quartieri Connessi 3", version=str(proc.version))
    data.update({"lots-0-budget": "316.500,00", "lots-1-budget": "200000", "budget_total": "516.500,00",
                 "lots-2-code": "", "lots-2-title": "", "lots-2-budget": ""})  # a row emptied is taken away
    r = post_form(url, data)
    assert r.status_code == 303, html_of(r)[:2000]
    db.session.expire_all()
    proc = db.session.get(Procedure, proc.id)
    assert proc.title == "Quartieri Connessi 3" and [lot.code for lot in proc.lots] == ["A", "B"]
    questions_day = (proc.submission_deadline - dt.timedelta(days=7)).astimezone(ROME).strftime("%Y-%m-%d")
    data.update(contact_email="welfare@comune.milano.it", questions_date=questions_day, questions_time="09:00",
                version=str(proc.version))
    html = html_of(client.get(url))
    assert 'name="questions_date"' in html and 'name="contact_email"' in html
    r = post_form(url, data)
    assert r.status_code == 303, html_of(r)[:2000]
    db.session.expire_all()
    proc = db.session.get(Procedure, proc.id)
    assert proc.contact_email == "welfare@comune.milano.it"
    assert proc.questions_until.astimezone(ROME).time() == dt.time(9, 0)
    procedure_workflow.fire(proc, "publish", admin)
    db.session.commit()
    r = client.get(url)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/gestione/avvisi/{proc.id}")


def test_publish_refused_lists_every_unmet_rule_and_changes_nothing(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    login(admin)
    r = post_form("/gestione/avvisi/nuovo", {"title": "Avviso incompleto", "criteria-0-code": "1",
                                              "criteria-0-title": "Qualità", "criteria-0-max_points": "30"})
    assert r.status_code == 303
    proc = db.session.execute(sa.select(Procedure)).unique().scalar_one()
    manage_url = f"/gestione/avvisi/{proc.id}"
    problems = publish_problems(proc, utcnow())
    assert len(problems) >= 8
    html = html_of(client.get(manage_url))
    assert "/azioni/publish" not in html  # not offered while its rules do not hold; the reasons are shown
    for p in problems:
        assert str(escape(p)) in html, p

    audit_before = count(AuditRecord)
    r = post_form(f"{manage_url}/azioni/publish", {}, get_url=manage_url)
    assert r.status_code == 409
    html = html_of(r)
    assert 'role="alert"' in html and "Operazione non eseguita" in html
    alert = html[html.index('id="action-failure"'):]
    alert = alert[:alert.index("</div>")]
    for p in problems:
        assert str(escape(p)) in alert, p
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).state == "draft"
    assert count(AuditRecord) == audit_before


def test_cancel_needs_a_reason(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin)
    login(admin)
    url = f"/gestione/avvisi/{proc.id}"
    r = post_form(f"{url}/azioni/cancel", {"cancel-reason": ""}, get_url=url)
    assert r.status_code == 422 and 'id="cancel-reason-error"' in html_of(r)
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).state == "published"
    r = post_form(f"{url}/azioni/cancel", {"cancel-reason": "Risorse non più disponibili", "confirmed": "yes"},
                  get_url=url)
    assert r.status_code == 303
    db.session.expire_all()
    proc = db.session.get(Procedure, proc.id)
    assert proc.state == "cancelled" and proc.cancel_reason == "Risorse non più disponibili"
    assert client.post(f"{url}/azioni/non-esiste").status_code in (400, 404)


@pytest.mark.parametrize("overrides, errors", [
    ({"cup": "XYZ", "budget_total": "-5", "lots-0-budget": ""},
     {"cup": "15 lettere e cifre", "budget_total": "Importo non valido", "lots-0-budget": "campo obbligatorio"}),
    ({"lots-1-budget": "-5", "criteria-0-min_points": "40", "criteria-1-max_points": "venti"},
     {"lots-1-budget": "Importo non valido", "criteria-0-min_points": "il minimo non può superare il massimo",
      "criteria-1-max_points": "Numero non valido"}),
    ({"lots-1-code": "A"}, {"lots-1-code": "codice «A» ripetuto"}),
    ({"title": "", "submission_date": "31/02/2026", "scoring": "voti"},
     {"title": "bbligatorio", "submission_date": "Data non valida", "scoring": "opzione valida"}),
    ({"contact_email": "ufficio@", "contact_phone": "chiamare", "questions_time": "10:00"},
     {"contact_email": "e-mail non valido", "contact_phone": "telefono non valido",
      "questions_date": "anche il giorno"}),
])
def test_bad_input_is_shown_per_field_and_nothing_is_stored(client, make_user, login, post_form, overrides, errors):
    login(make_user("admin", org="Comune di Milano"))
    audit_before = count(AuditRecord)
    r = post_form("/gestione/avvisi/nuovo", form_data(**overrides))
    assert r.status_code == 422
    html = html_of(r)
    assert "Il modulo contiene errori" in html
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    for name, text in errors.items():
        assert f'id="{name}-error"' in html, name
        error = html[html.index(f'id="{name}-error"'):]
        assert text in html_lib.unescape(error[:error.index("</div>")]), (name, error[:300])
        assert f'href="#{name}"' in summary, (name, summary)  # the summary links to the field, row included
        assert 'aria-invalid="true"' in html
    assert count(Procedure) == 0 and count(AuditRecord) == audit_before


def test_rows_are_added_and_taken_away_without_saving(client, make_user, login, post_form):
    login(make_user("admin", org="Comune di Milano"))
    data = form_data()
    r = post_form("/gestione/avvisi/nuovo", {**data, "add_row": "lots"})
    html = html_of(r)
    assert r.status_code == 200 and 'id="lots-3-code"' in html and 'id="lots-4-code"' not in html
    assert 'value="Portinerie sociali"' in html  # what was typed stays
    r = post_form("/gestione/avvisi/nuovo", {**data, "remove_row": "criteria-0"})
    html = html_of(r)
    assert 'name="criteria-0-title" type="text" value="' + CALL["criteria"][1]["title"] in html  # the next moved up
    assert f'id="criteria-{len(CALL["criteria"]) - 1}-code"' not in html
    assert count(Procedure) == 0
    # rows left empty are not saved; declarations and attachments without a code get one
    extra = {"lots-3-code": "", "lots-3-title": "", "lots-3-budget": "",
             "declarations-3-text": "Dichiaro di aver letto l'avviso.", "declarations-3-code": "",
             "required_attachments-0-title": "Lettera di intenti", "required_attachments-0-kind": ""}
    r = post_form("/gestione/avvisi/nuovo", {**data, **extra})
    assert r.status_code == 303, html_of(r)[:2000]
    proc = db.session.execute(sa.select(Procedure)).unique().scalar_one()
    assert [lot.code for lot in proc.lots] == [lot["code"] for lot in CALL["lots"]]
    assert proc.declarations[-1] == {"code": "D1", "text": "Dichiaro di aver letto l'avviso."}
    assert proc.required_attachments[-1] == {"kind": "A1", "title": "Lettera di intenti"}


def test_min_publication_days_zero_is_a_warning_not_an_error(client, make_user, login, post_form):
    login(make_user("admin", org="Comune di Milano"))
    r = post_form("/gestione/avvisi/nuovo", form_data(cup="XYZ", min_publication_days="0"))
    html = html_of(r)
    assert r.status_code == 422 and "difficilmente ragionevole" in html
    assert 'id="min_publication_days-error"' not in html


# --- admin: access ----------------------------------------------------------------------------------------
def test_another_administrations_admin_gets_404(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    draft = make_call(admin, state="draft")
    published = make_call(admin)
    login(make_user("admin", org="Città metropolitana di Milano"))
    assert client.get("/gestione/avvisi").status_code == 200
    assert "Quartieri Connessi" not in html_of(client.get("/gestione/avvisi"))
    for proc in (draft, published):
        assert client.get(f"/gestione/avvisi/{proc.id}").status_code == 404
        assert client.get(f"/gestione/avvisi/{proc.id}/modifica").status_code == 404
    r = post_form(f"/gestione/avvisi/{draft.id}/azioni/cancel", {"cancel-reason": "x"}, get_url="/gestione/avvisi")
    assert r.status_code == 404
    r = post_form(f"/gestione/avvisi/{published.id}/proroga", {"extend-date": "2099-01-01", "extend-time": "12:00"},
                  get_url="/gestione/avvisi")
    assert r.status_code == 404
    db.session.expire_all()
    assert db.session.get(Procedure, draft.id).state == "draft"


def test_applicants_and_evaluators_get_403_anonymous_goes_to_login(client, make_user, login):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin)
    urls = ["/gestione/avvisi", "/gestione/avvisi/nuovo", f"/gestione/avvisi/{proc.id}",
            f"/gestione/avvisi/{proc.id}/modifica"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and "/accedi" in r.headers["Location"], url
    for role in ("applicant", "evaluator"):
        login(make_user(role))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)


# --- admin: deadline extension ----------------------------------------------------------------------------
def test_deadline_extension(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, deadline=future(10))
    old = proc.submission_deadline
    login(admin)
    url = f"/gestione/avvisi/{proc.id}"

    earlier = (old - dt.timedelta(days=2)).astimezone(ROME)
    r = post_form(f"{url}/proroga", {"extend-date": earlier.strftime("%Y-%m-%d"),
                                          "extend-time": earlier.strftime("%H:%M")},
                  get_url=url)
    assert r.status_code == 409
    assert "successiva a quella attuale" in html_of(r) and 'role="alert"' in html_of(r)
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).submission_deadline == old

    r = post_form(f"{url}/proroga", {"extend-date": "non-una-data", "extend-time": "12:00"}, get_url=url)
    assert r.status_code == 422 and 'id="extend-date-error"' in html_of(r)

    later = dt.datetime(*(old + dt.timedelta(days=7)).astimezone(ROME).timetuple()[:3], 18, 30, tzinfo=ROME)
    r = post_form(f"{url}/proroga", {"extend-date": later.strftime("%d/%m/%Y"), "extend-time": "18:30"}, get_url=url)
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).submission_deadline == later.astimezone(dt.timezone.utc)
    assert db.session.execute(sa.select(AuditRecord).where(
        AuditRecord.entity_id == proc.id, AuditRecord.trigger == "extend_deadline")).scalar_one()
    assert "18:30" in html_of(client.get(f"/avvisi/{proc.id}"))


# --- the admin list's counts and the statements each list runs ---------------------------------------------
def test_admin_list_counts_proposals_by_state(client, make_user, token_for, login):
    w = World(client, make_user, token_for)
    w.publish()
    first, second = w.draft(0), w.draft(1, lot="B", title="Proposta B")
    assert w.submit(first, 0).status_code == 200
    login(w.admin)
    html = html_of(client.get("/gestione/avvisi"))
    row = html[html.index(f'/gestione/avvisi/{w.procedure_id}"'):]
    row = row[:row.index("</tr>")]
    assert '<span class="proposal-count" data-state="submitted">1</span> presentata' in row
    assert 'data-state="draft"' not in row  # the bodies' drafts are theirs
    assert second


def _make_many(admin, start, n):
    for i in range(start, start + n):
        make_call(admin, state="draft" if i % 3 == 0 else "published", title=f"Avviso numero {i}",
                  deadline=future(10 + i))


def test_lists_run_a_fixed_number_of_statements(client, make_user, login, count_queries):
    admin = make_user("admin", org="Comune di Milano")
    login(admin)
    _make_many(admin, 0, 2)
    counts = {}
    for url in ("/avvisi", "/gestione/avvisi"):
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts[url] = q.count
    _make_many(admin, 2, 28)
    rows = {"/avvisi": 20, "/gestione/avvisi": 30}  # drafts (every third) are only in the admin's list
    for url in ("/avvisi", "/gestione/avvisi"):
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200 and html_of(r).count("Avviso numero ") == rows[url]
        assert q.count == counts[url], (url, counts[url], q.count)


# --- details ----------------------------------------------------------------------------------------------
def test_actions_and_extension_need_the_csrf_token(client, make_user, login):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, state="draft")
    login(admin)
    assert client.post(f"/gestione/avvisi/{proc.id}/azioni/publish").status_code == 400
    assert client.post(f"/gestione/avvisi/{proc.id}/proroga",
                       data={"extend-date": "2099-01-01", "extend-time": "12:00"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).state == "draft"


def test_edit_refuses_a_stale_form(client, make_user, login, post_form):
    admin = make_user("admin", org="Comune di Milano")
    proc = make_call(admin, state="draft")
    login(admin)
    url = f"/gestione/avvisi/{proc.id}/modifica"
    r = post_form(url, form_data(title="Versione vecchia", version=str(proc.version + 1)))
    assert r.status_code == 409 and "ricarica la pagina" in html_of(r)
    db.session.expire_all()
    assert db.session.get(Procedure, proc.id).title == CALL["title"]


def test_admin_of_two_administrations_chooses_one(client, make_user, login, post_form):
    from codesign.auth import operations as auth_ops
    from codesign.core.enums import Role
    from codesign.organizations import operations as org_ops

    admin = make_user("admin", org="Comune di Milano")
    auth_ops.grant_role(admin, Role.admin, org_ops.get_or_create_administration("Città metropolitana di Milano"))
    db.session.commit()
    login(admin)
    assert 'id="administration"' in html_of(client.get("/gestione/avvisi/nuovo"))
    r = post_form("/gestione/avvisi/nuovo", form_data(administration="Città metropolitana di Milano"))
    assert r.status_code == 303
    proc = db.session.execute(sa.select(Procedure)).unique().scalar_one()
    assert proc.administration.name == "Città metropolitana di Milano"


def test_a_huge_page_number_is_not_a_server_error(client):
    r = client.get("/avvisi?pagina=" + "9" * 20)
    assert r.status_code == 200
