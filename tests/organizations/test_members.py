"""Bodies with several members: a second volunteer asks to join a registered body, a member accepts, and both work on
its proposals; legal representatives edit the body and manage members, never leaving it without one."""
import json

import sqlalchemy as sa

from codesign.core.audit import AuditRecord
from codesign.core.mail import OutboxMessage
from codesign.db import db
from codesign.organizations.models import JoinRequest, Membership
from tests.helpers import World

API = "/api/v1"


def outbox_to(email: str) -> list[OutboxMessage]:
    return list(db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to == email)
                                   .order_by(OutboxMessage.id)).scalars())


def members_of(client, org_id, headers) -> dict[str, str]:
    r = client.get(f"{API}/organizations/{org_id}/members", headers=headers)
    assert r.status_code == 200, r.json
    assert r.headers["X-Total-Count"] == str(len(r.json))
    return {m["email"]: m["position"] for m in r.json}


def test_a_second_volunteer_joins_and_works_on_the_bodys_proposals(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=1)
    w.publish()
    founder, founder_h, org_id = w.applicants[0], w.headers[0], w.orgs[0]
    draft = w.draft(0)
    tax_code = client.get(f"{API}/organizations/{org_id}", headers=founder_h).json["tax_code"]
    second = make_user("applicant", name="Seconda Volontaria")
    second_h = token_for(second)
    assert client.get(f"{API}/proposals/{draft}", headers=second_h).status_code in (403, 404)

    r = client.post(f"{API}/join-requests", json={"tax_code": tax_code, "message": "Curo i progetti"}, headers=second_h)
    assert r.status_code == 201, r.json
    request_id = r.json["id"]
    assert r.json["state"] == "pending" and r.json["organization_id"] == org_id
    told = outbox_to(founder.email)
    assert len(told) == 1 and "Seconda Volontaria" in told[0].body and "Curo i progetti" in told[0].body
    assert f"/enti/{org_id}" in told[0].body
    again = client.post(f"{API}/join-requests", json={"tax_code": tax_code}, headers=second_h)
    assert again.status_code == 409 and len(outbox_to(founder.email)) == 1

    # Who waits is the members' business: the one asking does not see the list, nor can they approve themselves.
    assert client.get(f"{API}/organizations/{org_id}/join-requests", headers=second_h).status_code == 404
    assert client.post(f"{API}/join-requests/{request_id}/approve", headers=second_h).status_code == 404
    waiting = client.get(f"{API}/organizations/{org_id}/join-requests", headers=founder_h)
    assert [x["id"] for x in waiting.json] == [request_id] and waiting.json[0]["message"] == "Curo i progetti"

    r = client.post(f"{API}/join-requests/{request_id}/approve", headers=founder_h)
    assert r.status_code == 200 and r.json["state"] == "approved"
    assert client.post(f"{API}/join-requests/{request_id}/refuse", headers=founder_h).status_code == 409
    assert [m.subject for m in outbox_to(second.email)] == [f"Richiesta di unirti a {r.json['organization']}: accettata"]
    assert members_of(client, org_id, founder_h) == {founder.email: "legal_representative",
                                                     second.email: "member"}

    # The new member works on the body's proposals as the founder does.
    r = client.get(f"{API}/proposals/{draft}", headers=second_h)
    assert r.status_code == 200
    r = client.patch(f"{API}/proposals/{draft}", json={"title": "Titolo scritto dalla seconda volontaria"},
                     headers=second_h)
    assert r.status_code == 200, r.json
    assert client.get(f"{API}/proposals/{draft}", headers=founder_h).json["title"] == \
        "Titolo scritto dalla seconda volontaria"
    assert client.post(f"{API}/join-requests", json={"tax_code": tax_code}, headers=second_h).status_code == 409
    triggers = db.session.execute(sa.select(AuditRecord.trigger).where(
        AuditRecord.entity_type == "organization", AuditRecord.entity_id == org_id).order_by(AuditRecord.seq)).scalars()
    assert list(triggers) == ["create_organization", "request_to_join", "approve_join"]


def _body(client, make_user, token_for):
    rep = make_user("applicant", name="Rappresentante")
    rep_h = token_for(rep)
    r = client.post(f"{API}/organizations", json={"name": "APS Il Cortile", "kind": "ets", "tax_code": "97735020584"},
                    headers=rep_h)
    assert r.status_code == 201, r.json
    return rep, rep_h, r.json["id"]


def _join(client, make_user, token_for, org_id, rep_h, name):
    user = make_user("applicant", name=name)
    h = token_for(user)
    r = client.post(f"{API}/join-requests", json={"tax_code": "97735020584"}, headers=h)
    assert r.status_code == 201, r.json
    assert client.post(f"{API}/join-requests/{r.json['id']}/approve", headers=rep_h).status_code == 200
    return user, h


def test_never_without_a_legal_representative(client, make_user, token_for):
    rep, rep_h, org_id = _body(client, make_user, token_for)
    member, member_h = _join(client, make_user, token_for, org_id, rep_h, "Membro")
    url = f"{API}/organizations/{org_id}/members"

    r = client.delete(f"{url}/{rep.id}", headers=rep_h)
    assert r.status_code == 409 and "legale rappresentante" in r.json["error"]["message"]
    assert client.patch(f"{url}/{rep.id}", json={"position": "member"}, headers=rep_h).status_code == 409
    # A member manages nobody but themselves.
    assert client.delete(f"{url}/{rep.id}", headers=member_h).status_code == 403
    assert client.patch(f"{url}/{member.id}", json={"position": "legal_representative"},
                        headers=member_h).status_code == 403
    assert client.patch(f"{url}/{member.id}", json={"position": "capo"}, headers=rep_h).status_code == 422
    assert client.delete(f"{url}/999999", headers=rep_h).status_code == 404
    assert members_of(client, org_id, rep_h) == {rep.email: "legal_representative", member.email: "member"}

    r = client.patch(f"{url}/{member.id}", json={"position": "legal_representative"}, headers=rep_h)
    assert r.status_code == 200 and r.json["position"] == "legal_representative"
    assert client.delete(f"{url}/{rep.id}", headers=rep_h).status_code == 204  # the founder leaves
    assert client.get(f"{API}/organizations/{org_id}", headers=rep_h).status_code == 404
    assert client.delete(f"{url}/{member.id}", headers=member_h).status_code == 409
    assert members_of(client, org_id, member_h) == {member.email: "legal_representative"}
    data = db.session.execute(sa.select(AuditRecord.data).where(AuditRecord.trigger == "set_position")).scalar_one()
    assert json.loads(data) == {"user_id": member.id, "from": "member", "to": "legal_representative"}


def test_a_representative_removes_a_member_who_may_ask_again(client, make_user, token_for):
    rep, rep_h, org_id = _body(client, make_user, token_for)
    member, member_h = _join(client, make_user, token_for, org_id, rep_h, "Membro")
    assert client.delete(f"{API}/organizations/{org_id}/members/{member.id}", headers=rep_h).status_code == 204
    assert client.get(f"{API}/organizations/{org_id}/members", headers=member_h).status_code == 404
    r = client.post(f"{API}/join-requests", json={"tax_code": "97735020584"}, headers=member_h)
    assert r.status_code == 201 and r.json["state"] == "pending"
    r = client.post(f"{API}/join-requests/{r.json['id']}/refuse", headers=rep_h)
    assert r.status_code == 200 and r.json["state"] == "refused"
    assert outbox_to(member.email)[-1].subject.endswith("non accolta")
    assert db.session.execute(sa.select(sa.func.count(JoinRequest.id))).scalar_one() == 1
    assert db.session.execute(sa.select(sa.func.count(Membership.id)).where(
        Membership.organization_id == org_id)).scalar_one() == 1


def test_refusals_of_a_request_to_join(client, make_user, token_for):
    rep, rep_h, org_id = _body(client, make_user, token_for)
    asker_h = token_for(make_user("applicant"))
    r = client.post(f"{API}/join-requests", json={"tax_code": "12345670157"}, headers=asker_h)
    assert r.status_code == 422 and "nessun ente" in r.json["error"]["fields"]["tax_code"]
    r = client.post(f"{API}/join-requests", json={"tax_code": "97735020585"}, headers=asker_h)
    assert r.status_code == 422 and "tax_code" in r.json["error"]["fields"]
    r = client.post(f"{API}/join-requests", json={"tax_code": "97735020584", "role": "admin"}, headers=asker_h)
    assert r.status_code == 422 and r.json["error"]["fields"] == {"role": "campo non previsto"}
    evaluator_h = token_for(make_user("evaluator"))
    assert client.post(f"{API}/join-requests", json={"tax_code": "97735020584"}, headers=evaluator_h).status_code == 403
    assert client.post(f"{API}/join-requests", json={"tax_code": "97735020584"}, headers=rep_h).status_code == 409
    assert client.post(f"{API}/join-requests/12345/approve", headers=rep_h).status_code == 404
    assert client.post(f"{API}/join-requests", json={"tax_code": "97735020584"}).status_code == 401
    assert db.session.execute(sa.select(sa.func.count(JoinRequest.id))).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_a_legal_representative_edits_the_body(client, make_user, token_for):
    rep, rep_h, org_id = _body(client, make_user, token_for)
    member, member_h = _join(client, make_user, token_for, org_id, rep_h, "Membro")
    url = f"{API}/organizations/{org_id}"
    change = {"pec": "cortile@pec.it", "legal_form": "aps", "address": "Via Padova 21", "runts_id": "12345"}
    r = client.patch(url, json=change, headers=rep_h)
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in change} == change and r.json["tax_code"] == "97735020584"
    data = db.session.execute(sa.select(AuditRecord.data).where(AuditRecord.trigger == "update_organization")
                              ).scalar_one()
    assert json.loads(data)["legal_form"] == [None, "aps"]
    assert client.patch(url, json={"pec": "x@y.it"}, headers=member_h).status_code == 403
    admin_h = token_for(make_user("admin"))
    assert client.patch(url, json={"pec": "x@y.it"}, headers=admin_h).status_code == 404
    r = client.patch(url, json={"name": None, "legal_form": "spa", "tax_code": "12345670157", "pec": "no"},
                     headers=rep_h)
    assert r.status_code == 422 and set(r.json["error"]["fields"]) == {"name", "legal_form", "tax_code", "pec"}
    assert client.get(url, headers=rep_h).json["pec"] == "cortile@pec.it"
    r = client.patch(url, json={"address": None}, headers=rep_h)
    assert r.status_code == 200 and r.json["address"] is None


def test_an_administration_that_applies_registers_as_pa(client, make_user, token_for):
    h = token_for(make_user("applicant"))
    r = client.post(f"{API}/organizations", json={"name": "Comune di Rho", "kind": "pa", "tax_code": "00864760152",
                                                  "ref": "rho"}, headers=h)
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "pa" and r.json["legal_form"] is None
