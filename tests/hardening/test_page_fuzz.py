"""A fuzz of the pages' forms: in the authorization matrix's world, as A1's body, the call's administration and an
evaluator of its committee, every page of their audience is read and every form it shows (POST) is sent with
values hypothesis draws for its fields — text of any kind, the amounts, numbers and dates nobody would mean,
options outside the list, files of any bytes and name — and no answer is a server error. Forms are sent without
their CSRF token (switched off, so that the fields reach the validation); a move of a machine answers with its
confirmation page, so the world is not swept away while the run goes on. Deterministic (derandomized), bounded:
EXAMPLES per form and person."""
import datetime as dt
import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesign.db import db
from tests.hardening.test_authorization_matrix import (ADMIN, API, AUDIENCE, BODY, EVALUATOR, NOT_SENT, _path,
                                                       _sign_in, world)  # noqa: F401  (the fixture)
from tests.api.test_proposals_api import _expire
from tests.helpers import Scenario, World, call_body, future, to_codesign, transition
from tests.monitoring.conftest import finish_codesign

EXAMPLES = 8
PEOPLE = (BODY, ADMIN, EVALUATOR)
NOT_FUZZED = {"/esci"}   # signing out would end the run's session
NASTY = ["", " ", "\x00", "a\x00b", "\u202egnp.exe", "NaN", "sNaN", "Infinity", "-Infinity", "1e999", "-1", "0",
         "-0", "9" * 40, "150.000,00", "1,5", "1.5.5", "\u0663", "<script>alert(1)</script>", "' OR 1=1 --",
         "0001-01-01", "9999-12-31", "2026-02-30", "1999-12-31", "2101-01-01", "2026-12-07T25:61", "x" * 5000]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=60))
DATES = st.one_of(st.sampled_from(NASTY), st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()))


class Forms(HTMLParser):
    """The POST forms of a page: (action, {field: (kind, options)})."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.current = (a.get("action") or "", {}, "multipart" in (a.get("enctype") or ""))
            self.forms.append(self.current)
        elif self.current is None or not a.get("name") or a.get("name") == "csrf_token":
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind not in ("submit", "button", "image", "reset"):
                _, options = self.current[1].get(a["name"], (kind, []))
                self.current[1][a["name"]] = (kind, options + [a.get("value") or "y"])
        elif tag == "textarea":
            self.current[1][a["name"]] = ("text", [])
        elif tag == "select":
            self.select = a["name"]
            self.current[1][a["name"]] = ("select", [])
        elif tag == "option" and self.select:
            self.current[1][self.select][1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def _strategy(kind: str, options: list):
    if kind in ("checkbox", "radio"):
        return st.one_of(st.none(), st.sampled_from(options), TEXT)
    if kind == "select":
        return st.one_of(st.sampled_from(options), TEXT) if options else TEXT
    if kind in ("date", "datetime-local", "time", "month"):
        return DATES
    if kind == "file":
        return st.one_of(st.none(), st.tuples(st.one_of(st.binary(max_size=256), st.sampled_from(
            [b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff" + b"\x00" * 20])), TEXT))
    return TEXT


def _forms_of(browser, pages) -> dict:
    found = {}
    for page in pages:
        r = browser.get(page)
        if r.status_code != 200 or not r.mimetype == "text/html":
            continue
        parser = Forms()
        parser.feed(r.get_data(as_text=True))
        for action, fields, multipart in parser.forms:
            target = urlsplit(action).path or page
            if target not in NOT_FUZZED:
                found.setdefault(target, (fields, multipart))
    return found


def _fuzz(app, browser, person, ids) -> tuple[int, int, list]:
    """Every form of the pages this person's audience reaches with these ids, sent EXAMPLES times."""
    pages = sorted({_path(rule, ids) for rule in app.url_map.iter_rules()
                    if rule.endpoint not in NOT_SENT and "GET" in rule.methods
                    and person in AUDIENCE[rule.endpoint] and not rule.rule.startswith("/api/")})
    failures, sent, forms = [], 0, 0
    for target, (fields, multipart) in sorted(_forms_of(browser, pages).items()):
        forms += 1
        drawn = st.fixed_dictionaries({name: _strategy(kind, options) for name, (kind, options) in fields.items()})

        @given(values=drawn)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def send(values):
            nonlocal sent
            data = {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
                    for name, value in values.items() if value is not None}
            r = browser.post(target, data=data, content_type="multipart/form-data" if multipart else None)
            db.session.rollback()
            sent += 1
            assert r.status_code < 500, (person, target, r.status_code, values)

        try:
            send()
        except AssertionError as exc:
            failures.append(str(exc)[:600])
    return forms, sent, failures


def _run(app, runs) -> tuple[int, int]:
    failures, forms, sent = [], 0, 0
    for browser, person, ids in runs:
        f, n, failed = _fuzz(app, browser, person, ids)
        forms, sent, failures = forms + f, sent + n, failures + failed
    assert failures == [], "\n".join(failures)
    print(f"\n{forms} forms, {sent} posts, no server error")
    return forms, sent


def test_no_page_form_answers_a_server_error(world, app):
    ids, _heads, browsers = world
    forms, sent = _run(app, [(browsers[person], person, ids) for person in PEOPLE])
    assert forms >= 30 and sent >= forms * EXAMPLES // 2, (forms, sent)


def test_the_forms_of_the_earlier_phases(client, make_user, token_for, app, monkeypatch):
    """While the committee evaluates: the evaluator's review, the administration's board and committee; a second
    call open with the body's draft (its content, documents, declarations); a third call still a draft (its form)."""
    s = Scenario(client, make_user, token_for)
    calls = []
    for publish in (True, False):
        r = client.post(f"{API}/procedures", headers=s.admin_h, json=call_body(future()))
        assert r.status_code == 201, r.json
        calls.append(r.json["id"])
        if publish:
            assert transition(client, "procedures", r.json["id"], s.admin_h, "publish").status_code == 200
    r = client.post(f"{API}/procedures/{calls[0]}/proposals", headers=s.org_h["ets1"], json={
        "organization_id": s.org_ids["ets1"], "lot": "A", "title": "Bozza", "summary": "S",
        "requested_amount": "90000.00", "cofinancing_amount": "10000.00"})
    assert r.status_code == 201, r.json
    draft = r.json["id"]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    body, evaluator, admin = (_sign_in(app, user) for user in (s.org_users["ets1"], s.ev["e1"], s.admin))
    a1 = s.ids["A1"]
    forms, sent = _run(app, [
        (body, BODY, {"procedure_id": calls[0], "proposal_id": draft, "org_id": s.org_ids["ets1"]}),
        (evaluator, EVALUATOR, {"procedure_id": s.pid, "proposal_id": a1}),
        (admin, ADMIN, {"procedure_id": s.pid, "proposal_id": a1}),
        (admin, ADMIN, {"procedure_id": calls[1], "proposal_id": a1})])
    assert forms >= 20 and sent >= forms * EXAMPLES // 2, (forms, sent)


def test_the_forms_of_the_codesign(client, make_user, token_for, app, monkeypatch):
    """The co-design table open on A1: its meetings, documents and versions, by both parties."""
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    assert transition(client, "proposals", s.ids["A1"], s.admin_h, "start_codesign").status_code == 200
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    ids = {"procedure_id": s.pid, "proposal_id": s.ids["A1"], "number": 1, "n": 1}
    forms, sent = _run(app, [(_sign_in(app, s.org_users["ets1"]), BODY, ids), (_sign_in(app, s.admin), ADMIN, ids)])
    assert forms >= 10 and sent >= forms * EXAMPLES // 2, (forms, sent)


def test_the_forms_of_admissibility(client, make_user, token_for, app, monkeypatch):
    """A proposal asked for an integration: the body's answer, the administration's admissibility page."""
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    pid = w.draft()
    assert w.submit(pid).status_code == 200
    _expire(w.procedure_id)
    for trigger in ("close", "start_admissibility"):
        assert transition(client, "procedures", w.procedure_id, w.admin_h, trigger).status_code == 200
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    r = transition(client, "proposals", pid, w.admin_h, "request_integration", reason="manca il DURC", due=due)
    assert r.status_code == 200, r.json
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    ids = {"procedure_id": w.procedure_id, "proposal_id": pid}
    forms, sent = _run(app, [(_sign_in(app, w.applicants[0]), BODY, ids), (_sign_in(app, w.admin), ADMIN, ids)])
    assert forms >= 5 and sent >= forms * EXAMPLES // 2, (forms, sent)


def test_the_forms_of_the_agreement(client, make_user, token_for, app, monkeypatch):
    """A1 finalized, its agreement still to draw up and sign: its terms, the signed copy, the hand-overs."""
    s = Scenario(client, make_user, token_for)
    to_codesign(s)
    finish_codesign(client, s)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    ids = {"procedure_id": s.pid, "proposal_id": s.ids["A1"], "number": 1, "n": 1}
    forms, sent = _run(app, [(_sign_in(app, s.org_users["ets1"]), BODY, ids), (_sign_in(app, s.admin), ADMIN, ids)])
    assert forms >= 5 and sent >= forms * EXAMPLES // 2, (forms, sent)
