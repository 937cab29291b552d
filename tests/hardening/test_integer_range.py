"""Integers beyond the database's range in paths and paging answer 404 or 400, never a server error.

The routes are taken from the application's URL map, so a route added later is covered too.
"""
import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from codesign.core.schemas import INT_MAX
from codesign.core.web import DatabaseInt
from tests.helpers import World

HUGE = [INT_MAX + 1, 10 ** 13, 10 ** 19, 10 ** 40, "9" * 5000]


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            yield rule


def _url(rule, number):
    """The rule with `number` for each integer and a value each other converter accepts (`x`, or the first choice
    of an `any(...)`), so that only the integer decides the answer."""
    path = rule.rule
    for name, conv in rule._converters.items():
        if isinstance(conv, IntegerConverter):
            value = str(number)
        elif isinstance(conv, AnyConverter):
            value = sorted(conv.items)[0]
        else:
            value = "x"
        path = re.sub(r"<(?:[^<>]*:)?" + re.escape(name) + ">", value, path)
    return path


def _methods(rule):
    return sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))


def test_every_int_route_uses_the_bounded_converter(app):
    rules = list(_int_rules(app))
    assert len(rules) >= 20  # pages and API alike
    for rule in rules:
        for name, conv in rule._converters.items():
            if isinstance(conv, IntegerConverter):
                assert isinstance(conv, DatabaseInt), (rule.rule, name)


@pytest.mark.parametrize("number", HUGE)
def test_ids_beyond_range_answer_404(client, app, make_user, token_for, login, number):
    admin = make_user("admin")
    headers = token_for(admin)
    login(admin)
    checked = 0
    for rule in _int_rules(app):
        url = _url(rule, number)
        assert "<" not in url, url
        for method in _methods(rule):
            r = client.open(url, method=method, headers=headers if url.startswith("/api/") else {})
            assert r.status_code == 404, (method, url, r.status_code)
            if url.startswith("/api/"):
                assert r.json["error"]["code"] == "not_found"
            checked += 1
    assert checked >= 20


def test_largest_id_in_range_is_not_a_server_error(client, app, make_user, token_for, login):
    admin = make_user("admin")
    headers = token_for(admin)
    login(admin)
    for rule in _int_rules(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule, INT_MAX)
        r = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert r.status_code < 500, (url, r.status_code)


def test_other_scripts_digits_match_no_route(client, make_user, token_for):
    world = World(client, make_user, token_for, bodies=1)
    world.publish()
    pid = world.procedure_id
    assert client.get(f"/avvisi/{pid}").status_code == 200
    arabic = "".join(chr(0x660 + int(d)) for d in str(pid))      # ARABIC-INDIC DIGITs
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in str(pid))  # FULLWIDTH DIGITs
    assert client.get(f"/avvisi/{arabic}").status_code == 404
    assert client.get(f"/api/v1/procedures/{fullwidth}", headers=world.admin_h).status_code == 404


def test_pages_with_13_digit_ids(client):
    assert client.get("/avvisi/1234567890123").status_code == 404
    assert client.get("/avvisi/1234567890123/graduatoria").status_code == 404


@pytest.mark.parametrize("query", [
    "offset=12345678901234567890", "limit=12345678901234567890", f"offset={INT_MAX + 1}", "offset=-1",
    "limit=-5", "offset=abc", "offset=1_000", "offset=+3", "offset=%D9%A3", "offset=", "offset=%00",
])
def test_paging_beyond_range_answers_400(client, make_user, token_for, query):
    headers = token_for(make_user("admin"))
    r = client.get(f"/api/v1/procedures?{query}", headers=headers)
    assert r.status_code == 400, (query, r.status_code)
    assert r.json["error"]["code"] == "bad_request"


def test_paging_within_range(client, make_user, token_for):
    headers = token_for(make_user("admin"))
    r = client.get(f"/api/v1/procedures?offset={INT_MAX}&limit=5000", headers=headers)
    assert r.status_code == 200 and r.json == []
