"""API conventions of the foundation: the error shape, tokens, organisations."""
import sqlalchemy as sa

from codesign.db import db
from codesign.organizations.models import Membership, Organization

ORG = {"name": "Cooperativa Sociale Il Portico", "kind": "ets", "tax_code": "12345670157", "municipality": "Milano"}


def test_unknown_token_is_401_in_error_shape(client):
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    assert r.json["error"]["code"] == "unauthorized" and r.json["error"]["message"]


def test_malformed_authorization_header(client):
    r = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401 and "error" in r.json


def test_no_token_on_private_endpoint(client):
    r = client.post("/api/v1/organizations", json=ORG)
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"


def test_me(client, make_user, token_for):
    user = make_user("applicant")
    r = client.get("/api/v1/me", headers=token_for(user))
    assert r.status_code == 200 and r.json["email"] == user.email and r.json["roles"] == ["applicant"]


def test_create_organization(client, make_user, token_for):
    user = make_user("applicant")
    r = client.post("/api/v1/organizations", json=ORG, headers=token_for(user))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["tax_code"] == "12345670157" and body["kind"] == "ets" and isinstance(body["id"], int)
    m = db.session.execute(sa.select(Membership).where(Membership.organization_id == body["id"])).scalar_one()
    assert m.user_id == user.id
    r = client.get(f"/api/v1/organizations/{body['id']}", headers=token_for(user))
    assert r.status_code == 200 and r.json["id"] == body["id"]


def test_bad_tax_code_is_422_with_field(client, make_user, token_for):
    user = make_user("applicant")
    r = client.post("/api/v1/organizations", json={**ORG, "tax_code": "12345670158"}, headers=token_for(user))
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid"
    assert "tax_code" in r.json["error"]["fields"]
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar_one() == 0


def test_every_bad_field_is_named(client, make_user, token_for):
    user = make_user("applicant")
    r = client.post("/api/v1/organizations", json={"name": 12, "kind": "spa", "tax_code": 5, "pec": "no"},
                    headers=token_for(user))
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"name", "kind", "tax_code", "pec"}


def test_duplicate_tax_code(client, make_user, token_for):
    user = make_user("applicant")
    assert client.post("/api/v1/organizations", json=ORG, headers=token_for(user)).status_code == 201
    r = client.post("/api/v1/organizations", json=ORG, headers=token_for(user))
    assert r.status_code == 422 and "tax_code" in r.json["error"]["fields"]


def test_not_json_is_400(client, make_user, token_for):
    user = make_user("applicant")
    r = client.post("/api/v1/organizations", data="name=x", headers=token_for(user))
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_request"
    r = client.post("/api/v1/organizations", json=[1, 2], headers=token_for(user))
    assert r.status_code == 400


def test_evaluator_cannot_register_body(client, make_user, token_for):
    user = make_user("evaluator")
    r = client.post("/api/v1/organizations", json=ORG, headers=token_for(user))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"


def test_other_users_organization_is_404(client, make_user, token_for):
    a, b = make_user("applicant"), make_user("applicant")
    org_id = client.post("/api/v1/organizations", json=ORG, headers=token_for(a)).json["id"]
    r = client.get(f"/api/v1/organizations/{org_id}", headers=token_for(b))
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_token_lookup_is_one_query(client, make_user, token_for, count_queries):
    user = make_user("applicant")
    headers = token_for(user)
    with count_queries() as q:
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    # the token and its user in one statement, the memberships in one more
    assert q.count <= 3, q.statements


def test_stored_token_is_a_hash(client, make_user, token_for):
    from codesign.auth.models import ApiToken

    user = make_user("applicant")
    header = token_for(user)["Authorization"]
    token = header.split()[1]
    stored = db.session.execute(sa.select(ApiToken.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64
