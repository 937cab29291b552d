"""Hostile JSON bodies are refused at the boundary (`api.json_body`, `core.schemas.check_json`) with a clear
message and nothing stored: nesting beyond the limit (also deeper than the decoder can follow), a NUL or a lone
surrogate in a value or a key, and a transition's body naming the operation's own arguments."""
import json

import pytest
import sqlalchemy as sa

from codesign.core.schemas import MAX_DEPTH
from codesign.db import db
from codesign.procedures.models import Procedure
from tests.helpers import call_body, future, transition


def nested(levels: int) -> str:
    """`{"title": "x", "lots": [[[…]]]}` with `levels` containers in all, the outer object included."""
    return '{"title": "x", "lots": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def post_raw(client, url, text: str, headers):
    return client.post(url, data=text.encode("utf-8", "surrogatepass"), headers=headers,
                       content_type="application/json")


def procedures() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Procedure)).scalar_one()


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_nesting_is_400_before_anything(client, make_user, token_for, levels):
    h = token_for(make_user("admin", org="Comune di Milano"))
    r = post_raw(client, "/api/v1/procedures", nested(levels), h)
    assert r.status_code == 400, r.get_data(as_text=True)[:300]
    assert r.json["error"]["code"] == "bad_request" and "annidato" in r.json["error"]["message"]
    assert procedures() == 0


def test_nesting_within_the_limit_reaches_the_operation(client, make_user, token_for):
    h = token_for(make_user("admin", org="Comune di Milano"))
    r = post_raw(client, "/api/v1/procedures", nested(MAX_DEPTH), h)
    assert r.status_code == 422 and "lots" in json.dumps(r.json["error"]["fields"])   # the operation's own answer


@pytest.mark.parametrize("text, where", [
    ('{"title": "Avviso\\u0000"}', "title"),
    ('{"title": "Avviso \\ud800"}', "title"),
    ('{"title": "ok", "lots": [{"code": "A", "title": "x\\udfff"}]}', "lots.0.title"),
    ('{"title": "ok", "tit\\u0000le": "x"}', "body"),
])
def test_nul_and_lone_surrogates_are_422_naming_the_field(client, make_user, token_for, text, where):
    h = token_for(make_user("admin", org="Comune di Milano"))
    r = post_raw(client, "/api/v1/procedures", text, h)
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert r.json["error"]["code"] == "invalid" and where in r.json["error"]["fields"]
    assert procedures() == 0


def test_a_surrogate_encoded_in_the_bytes_is_refused_too(client, make_user, token_for):
    """The decoder lets UTF-8-encoded surrogates through (surrogatepass): the same check refuses them."""
    h = token_for(make_user("admin", org="Comune di Milano"))
    r = client.post("/api/v1/procedures", data=b'{"title": "\xed\xa0\x80"}', headers=h,
                    content_type="application/json")
    assert r.status_code == 422 and "title" in r.json["error"]["fields"] and procedures() == 0


@pytest.mark.parametrize("key", ["actor", "now", "proc", "row", "user", "data", "trigger_name"])
def test_a_transition_body_cannot_reach_the_operations_arguments(client, make_user, token_for, key):
    h = token_for(make_user("admin", org="Comune di Milano"))
    pid = client.post("/api/v1/procedures", json=call_body(future()), headers=h).json["id"]
    r = transition(client, "procedures", pid, h, "publish", **{key: "2020-01-01T00:00:00+00:00"})
    assert r.status_code == 422 and key in r.json["error"]["fields"], r.json
    assert client.get(f"/api/v1/procedures/{pid}", headers=h).json["state"] == "draft"
