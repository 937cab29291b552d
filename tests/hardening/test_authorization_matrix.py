"""The authorization matrix, generated from the URL map: every route x every kind of person, each with a declared
audience. The world is the worked example brought to a started project (A1's agreement signed, its reports due),
with a call document, a funding opportunity and a good practice; every path parameter gets a real id where the
world has one (A1, its call, its first report, its signed agreement, its body, …).

For each route and method, the people outside its declared audience must be refused (4xx, or the sign-in page for
a page asked anonymously), and nothing they send writes anything (the audit log does not grow); the people inside
it never get a server error on a read (their writes are the functional tests' business: sent here they would
change the world under the next routes). A route nobody declared fails the test, and so does a declaration of a
route that no longer exists."""
import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter

from codesign.core.audit import AuditRecord
from codesign.core.notifications import Notification
from codesign.db import db
from codesign.monitoring.models import Report
from codesign.proposals.models import Attachment
from tests.helpers import PDF
from tests.helpers import SCENARIO, Scenario, to_codesign
from tests.monitoring.conftest import finish_codesign, sign_and_start
from tests.opportunities.test_opportunities_api import body as opportunity_body

API = "/api/v1"
ANONYMOUS, BODY, OTHER_BODY, EVALUATOR, CONFLICTED, OUTSIDE_EVALUATOR, ADMIN, OTHER_ADMIN = ACTORS = (
    "anonymous", "body", "other_body", "evaluator", "conflicted_evaluator", "outside_evaluator", "admin",
    "other_admin")

# Who may pass each route (in this world: the body is A1's, the evaluator sat on A1's committee, the conflicted
# evaluator sat on it too but declared a conflict on A1 (and on every other proposal), the admin is the
# administration's that runs the call and keeps the project and its practice).
PUBLIC = frozenset(ACTORS)
SIGNED_IN = PUBLIC - {ANONYMOUS}
APPLICANTS = frozenset({BODY, OTHER_BODY})        # anyone who acts for a body
EVALUATORS = frozenset({EVALUATOR, CONFLICTED, OUTSIDE_EVALUATOR})
ADMINS = frozenset({ADMIN, OTHER_ADMIN})          # any administration's admin
THE_ADMIN = frozenset({ADMIN})                    # the administration's that keeps the object
PARTIES = frozenset({BODY, ADMIN})                # the body and the administration of the proposal
PARTIES_AND_COMMITTEE = PARTIES | {EVALUATOR}     # … and its committee (what it evaluated, never the documents after)
COMMITTEE = frozenset({EVALUATOR})
THE_BODY = frozenset({BODY})                      # the body's own (its organisation, its notifications)

AUDIENCE = {
    # public pages, files and API
    "core.home": PUBLIC, "core.accessibility": PUBLIC, "core.privacy": PUBLIC, "core.set_language": PUBLIC,
    "core.bootstrap_italia": PUBLIC, "core.chartjs": PUBLIC, "core.leaflet": PUBLIC,
    "auth.login": PUBLIC, "auth.register": PUBLIC, "auth.forgot": PUBLIC, "auth.logout": PUBLIC,
    "auth.reset": PUBLIC, "auth.invitation": PUBLIC, "auth.verify_email": PUBLIC,  # the secret in the link decides
    "procedures.public_list": PUBLIC, "procedures.public_detail": PUBLIC, "procedures.call_document": PUBLIC,
    "evaluation.ranking": PUBLIC, "evaluation.ranking_csv": PUBLIC, "evaluation.ranking_pdf": PUBLIC,
    "evaluation.ranking_scores_csv": PUBLIC, "evaluation.ranking_scores": PUBLIC,
    "evaluation.recompute_script": PUBLIC, "proposals.receipt_keys": PUBLIC, "proposals.receipt_verifier": PUBLIC,
    "transparency.project": PUBLIC, "transparency.calls_csv": PUBLIC,
    "observatory.map_page": PUBLIC, "observatory.open_data": PUBLIC, "observatory.catalogue": PUBLIC,
    "observatory.figures_geojson": PUBLIC, "observatory.projects_csv": PUBLIC, "observatory.projects": PUBLIC,
    "observatory.municipality": PUBLIC, "observatory.municipalities_geometry": PUBLIC,
    "observatory.project": PUBLIC, "practices.public_list": PUBLIC, "practices.page": PUBLIC,
    "practices.photo": PUBLIC, "practices.thumbnail": PUBLIC,
    "opportunities.public_list": PUBLIC, "opportunities.detail": PUBLIC, "opportunities.feed": PUBLIC,
    "api.openapi": PUBLIC, "api.list_procedures": PUBLIC, "api.get_procedure": PUBLIC,
    "api.list_call_documents": PUBLIC, "api.list_call_notices": PUBLIC, "api.procedure_outcome": PUBLIC,
    "api.list_questions": PUBLIC, "api.get_ranking": PUBLIC, "api.get_ranking_scores": PUBLIC,
    "api.get_receipt_keys": PUBLIC, "api.public_municipalities": PUBLIC, "api.public_projects": PUBLIC,
    "api.get_project": PUBLIC, "api.list_updates": PUBLIC, "api.list_good_practices": PUBLIC,
    "api.get_good_practice": PUBLIC, "api.list_opportunities": PUBLIC, "api.get_opportunity": PUBLIC,
    # anyone signed in, each for what is theirs
    "auth.password": SIGNED_IN, "auth.notifications_page": SIGNED_IN, "auth.read_all": SIGNED_IN,
    "auth.resend_verification": SIGNED_IN, "organizations.mine": SIGNED_IN, "proposals.dashboard": SIGNED_IN,
    "opportunities.followed": SIGNED_IN, "opportunities.follow": SIGNED_IN, "opportunities.unfollow": SIGNED_IN,
    "api.me": SIGNED_IN, "api.list_notifications": SIGNED_IN,
    "api.read_all_notifications": SIGNED_IN, "api.followed_opportunities": SIGNED_IN,
    "api.follow_opportunity": SIGNED_IN, "api.unfollow_opportunity": SIGNED_IN, "api.list_proposals": SIGNED_IN,
    "opportunities.propose": SIGNED_IN, "api.propose_opportunity": SIGNED_IN,
    # the body's own
    "auth.open_notification": THE_BODY, "api.read_notification": THE_BODY,
    "organizations.page": THE_BODY, "organizations.edit": THE_BODY, "organizations.colleagues": THE_BODY,
    "organizations.remove_member": THE_BODY, "organizations.set_position": THE_BODY, "organizations.decide": THE_BODY,
    "api.get_organization": THE_BODY, "api.update_organization": THE_BODY, "api.list_members": THE_BODY,
    "api.update_member": THE_BODY, "api.remove_member": THE_BODY, "api.list_join_requests": THE_BODY,
    "api.list_admins": THE_BODY, "api.invite_admin": THE_BODY, "api.approve_join": THE_BODY,
    "api.refuse_join": THE_BODY,
    # people acting for a body
    "proposals.new": APPLICANTS, "organizations.new": APPLICANTS, "organizations.join": APPLICANTS,
    "api.create_organization": APPLICANTS, "api.request_to_join": APPLICANTS, "api.create_proposal": APPLICANTS,
    "procedures.ask_question": APPLICANTS, "api.ask_question": APPLICANTS,
    # evaluators
    "evaluation.queue": EVALUATORS,
    # any administration's admin
    "procedures.admin_list": ADMINS, "procedures.new": ADMINS, "auth.outbox": ADMINS,
    "observatory.overview": ADMINS, "observatory.import_projects": ADMINS, "observatory.new_project": ADMINS,
    "practices.find": ADMINS, "opportunities.new": ADMINS, "opportunities.import_opportunities": ADMINS,
    "api.overview": ADMINS, "api.create_project": ADMINS, "api.import_projects": ADMINS,
    "api.create_opportunity": ADMINS, "api.import_opportunities": ADMINS, "api.create_procedure": ADMINS,
    # the funding opportunities are one catalogue that every administration's office keeps (DOMAIN.md)
    "opportunities.edit": ADMINS, "opportunities.applications": ADMINS, "opportunities.application_step": ADMINS,
    "api.patch_opportunity": ADMINS, "api.list_applications": ADMINS, "api.record_application": ADMINS,
    "api.get_application": ADMINS, "api.application_transition": ADMINS, "api.list_notices": ADMINS,
    # the administration that keeps the call, the project, the practice
    "procedures.manage": THE_ADMIN, "procedures.edit": THE_ADMIN, "procedures.transition": THE_ADMIN,
    "procedures.publish_clarification": THE_ADMIN, "procedures.add_document": THE_ADMIN,
    "procedures.remove_document": THE_ADMIN, "procedures.answer_question": THE_ADMIN,
    "procedures.delete_draft": THE_ADMIN, "procedures.extend": THE_ADMIN, "procedures.publish_erratum": THE_ADMIN,
    "proposals.admissibility": THE_ADMIN, "proposals.admissibility_export": THE_ADMIN,
    "proposals.admin_transition": THE_ADMIN,
    "evaluation.committee": THE_ADMIN, "evaluation.invite": THE_ADMIN, "evaluation.progress": THE_ADMIN,
    "evaluation.preview_csv": THE_ADMIN, "evaluation.minutes_pdf": THE_ADMIN, "evaluation.approve": THE_ADMIN,
    "evaluation.remind": THE_ADMIN, "tables.board": THE_ADMIN, "tables.board_export": THE_ADMIN,
    "monitoring.call": THE_ADMIN,
    "monitoring.call_export": THE_ADMIN, "monitoring.record_payment": THE_ADMIN,
    "monitoring.reverse_payment": THE_ADMIN, "monitoring.complete": THE_ADMIN,
    "observatory.edit_project": THE_ADMIN, "observatory.add_update": THE_ADMIN, "practices.edit": THE_ADMIN,
    "practices.add_photo": THE_ADMIN, "practices.remove_photo": THE_ADMIN, "practices.unmark": THE_ADMIN,
    "api.patch_procedure": THE_ADMIN, "api.delete_procedure": THE_ADMIN, "api.procedure_transition": THE_ADMIN,
    "api.get_committee": THE_ADMIN, "api.put_committee": THE_ADMIN, "api.remind_committee": THE_ADMIN,
    "api.add_call_document": THE_ADMIN, "api.remove_call_document": THE_ADMIN, "api.publish_erratum": THE_ADMIN,
    "api.answer_question": THE_ADMIN, "api.call_monitoring": THE_ADMIN, "api.create_payment": THE_ADMIN,
    "api.create_reversal": THE_ADMIN, "api.put_agreement": THE_ADMIN, "api.create_meeting": THE_ADMIN,
    "api.patch_meeting": THE_ADMIN, "api.record_handover": THE_ADMIN,
    "api.patch_project": THE_ADMIN, "api.add_update": THE_ADMIN, "api.put_good_practice": THE_ADMIN,
    "api.delete_good_practice": THE_ADMIN, "api.add_practice_photo": THE_ADMIN,
    "api.delete_practice_photo": THE_ADMIN,
    # the two parties of a proposal
    "proposals.attachment": PARTIES, "proposals.receipt": PARTIES, "proposals.receipt_pdf": PARTIES,
    "proposals.receipt_signed": PARTIES, "proposals.transition": PARTIES, "proposals.upload": PARTIES,
    "proposals.remove_attachment": PARTIES, "proposals.delete_draft": PARTIES, "proposals.post_message": PARTIES,
    "agreements.page": PARTIES, "agreements.pdf": PARTIES, "agreements.fire": PARTIES,
    "agreements.handover": PARTIES, "agreements.signed_copy": PARTIES,
    "tables.table": PARTIES, "tables.compare": PARTIES, "tables.minutes_pdf": PARTIES, "tables.version": PARTIES,
    "tables.new_version": PARTIES, "tables.fire": PARTIES, "tables.add_document": PARTIES,
    "tables.add_meeting": PARTIES, "tables.update_minutes": PARTIES,
    "monitoring.project": PARTIES, "monitoring.project_export": PARTIES, "monitoring.report": PARTIES,
    "monitoring.transition": PARTIES, "monitoring.add_receipt": PARTIES, "monitoring.remove_receipt": PARTIES,
    "api.get_agreement": PARTIES, "api.agreement_pdf": PARTIES, "api.list_meetings": PARTIES,
    "api.list_messages": PARTIES, "api.post_message": PARTIES, "api.project_monitoring": PARTIES,
    "api.list_payments": PARTIES, "api.get_receipt": PARTIES, "api.list_reports": PARTIES,
    "api.list_versions": PARTIES, "api.get_version": PARTIES, "api.diff_versions": PARTIES,
    "api.create_version": PARTIES, "api.get_report": PARTIES, "api.put_report": PARTIES,
    "api.list_submissions": PARTIES, "api.add_receipt": PARTIES, "api.remove_receipt": PARTIES,
    "api.report_transition": PARTIES, "api.patch_proposal": PARTIES, "api.delete_proposal": PARTIES,
    "api.add_attachment": PARTIES, "api.remove_attachment": PARTIES, "api.proposal_transition": PARTIES,
    # … and the committee that evaluated it (its page, its JSON and its review; never the documents afterwards)
    "proposals.edit": PARTIES_AND_COMMITTEE, "api.get_proposal": PARTIES_AND_COMMITTEE,
    "api.get_review": PARTIES_AND_COMMITTEE, "api.put_review": PARTIES_AND_COMMITTEE,
    "api.put_conflict": PARTIES_AND_COMMITTEE,
    "evaluation.proposal": COMMITTEE,
}
# Not sent: the static files' own route (Flask's) and the logout (it would end the session the next routes use).
NOT_SENT = {"static", "auth.logout"}
# A value for each path parameter that names no row (its route is then refused alike to everyone).
SPECIAL = {"trigger": {"procedures.transition": "cancel", "proposals.admin_transition": "revoke",
                       "proposals.transition": "withdraw", "tables.fire": "finalize",
                       "agreements.fire": "sign_agreement", "monitoring.transition": "approve"},
           "table": {"monitoring.call_export": "progetti", "monitoring.project_export": "relazioni"}}
TEXT = {"code": "015146", "lang": "en", "secret": "x" * 40, "token": "x" * 40, "filename": "x.js"}


def _first(model, *where):
    return db.session.execute(sa.select(model.id).where(*where).order_by(model.id).limit(1)).scalar()


def _sign_in(app, user):
    c = app.test_client()
    assert c.post("/accedi", data={"email": user.email, "password": "password-1234"}).status_code == 302
    return c


def _path(rule, ids) -> str:
    path = rule.rule
    for name, conv in rule._converters.items():
        if isinstance(conv, AnyConverter):
            value = sorted(conv.items)[0]
        elif name in SPECIAL:
            value = SPECIAL[name][rule.endpoint]
        elif name in TEXT:
            value = TEXT[name]
        else:
            value = str(ids.get(name) or 999_999)
        path = re.sub(r"<(?:[^<>]*:)?" + re.escape(name) + ">", value, path)
    return path


def _audits() -> int:
    return db.session.execute(sa.select(sa.func.count(AuditRecord.id))).scalar_one()


@pytest.fixture()
def world(client, make_user, token_for, app, monkeypatch):
    """The people, each with a signed-in browser and an API token, and an id for every path parameter."""
    s = Scenario(client, make_user, token_for, evaluators=5)   # an odd number: e4 and e5 sit out every proposal
    for who in ("e4", "e5"):
        for ref in {review["proposal"] for review in SCENARIO["reviews"]}:
            assert s.review(who, ref, {}, conflict=True).status_code == 200
    to_codesign(s)
    finish_codesign(client, s)
    sign_and_start(client, s, "A1")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)   # so that a refusal is the rule's, not the token's
    a1 = s.ids["A1"]
    people = {BODY: s.org_users["ets1"], OTHER_BODY: s.org_users["ets2"], EVALUATOR: s.ev["e1"],
              CONFLICTED: s.ev["e4"], OUTSIDE_EVALUATOR: make_user("evaluator"), ADMIN: s.admin,
              OTHER_ADMIN: make_user("admin", org="Comune di Rho")}
    r = client.post(f"{API}/procedures/{s.pid}/documents", headers=s.admin_h, content_type="multipart/form-data",
                    data={"kind": "annex", "title": "Allegato", "file": (io.BytesIO(PDF), "allegato.pdf")})
    assert r.status_code == 201, r.json
    document = r.json["id"]
    r = client.post(f"{API}/opportunities", headers=s.admin_h, json=opportunity_body())
    assert r.status_code == 201, r.json
    opportunity = r.json["id"]
    project = client.get(f"{API}/public/projects").json[0]["id"]
    r = client.put(f"{API}/projects/{project}/good-practice", headers=s.admin_h, json={
        "what": "Una portineria di quartiere.", "audience": "Gli anziani soli.", "results": "120 persone seguite.",
        "reuse": "Il modello di convenzione.", "contact_name": "Ufficio Welfare",
        "contact_email": "ufficio@comune.milano.example"})
    assert r.status_code == 200, r.json
    ids = {"procedure_id": s.pid, "proposal_id": a1, "report_id": _first(Report, Report.proposal_id == a1),
           "attachment_id": _first(Attachment, Attachment.proposal_id == a1, Attachment.kind == "signed_agreement"),
           "org_id": s.org_ids["ets1"], "user_id": people[BODY].id, "number": 1, "n": 1,
           "document_id": document, "opportunity_id": opportunity, "project_id": project,
           "notification_id": _first(Notification, Notification.user_id == people[BODY].id)}
    heads = {actor: token_for(user) for actor, user in people.items()}
    browsers = {actor: _sign_in(app, user) for actor, user in people.items()}
    browsers[ANONYMOUS] = app.test_client()
    return ids, heads, browsers


def test_every_route_is_declared(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_SENT
    assert sorted(endpoints - set(AUDIENCE)) == [], "routes without a declared audience"
    assert sorted(set(AUDIENCE) - endpoints - NOT_SENT) == [], "declared routes that no longer exist"


def test_the_matrix(world, app):
    ids, heads, browsers = world
    failures, sent, passed = [], 0, set()
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in NOT_SENT),
                   key=lambda r: ("GET" not in r.methods, r.rule))
    for rule in rules:
        path, audience = _path(rule, ids), AUDIENCE[rule.endpoint]
        api = path.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for actor in ACTORS:
                allowed = actor in audience
                if method != "GET" and allowed:
                    continue
                before = _audits()
                if api:
                    r = app.test_client().open(path, method=method, headers=heads.get(actor, {}),
                                               **({} if method == "GET" else {"json": {}}))
                else:
                    r = browsers[actor].open(path, method=method, **({} if method == "GET" else {"data": {}}))
                db.session.rollback()
                sent += 1
                status, location = r.status_code, r.headers.get("Location", "")
                to_sign_in = status in (301, 302, 303) and "/accedi" in location
                if allowed:
                    if status >= 500:
                        failures.append(f"{method} {path} as {actor}: {status}")
                    elif status < 400 and not to_sign_in:
                        passed.add((rule.endpoint, method))
                elif not (400 <= status < 500 or to_sign_in):
                    failures.append(f"{method} {path} as {actor} (not in its audience): {status} {location}")
                elif _audits() != before:
                    failures.append(f"{method} {path} as {actor} (not in its audience) wrote to the audit log")
    assert failures == [], "\n".join(failures)
    print(f"\n{len(rules)} routes, {sent} requests by {len(ACTORS)} kinds of person; "
          f"{len(passed)} (route, method) pairs passed by someone of their audience")
    assert sent > 1000 and len(passed) > 100, (sent, len(passed))
