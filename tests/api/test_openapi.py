"""The OpenAPI 3.1 document at /api/v1/openapi.json: structurally valid, one operation for every
route registered under /api/v1 (and nothing else), and true of the answers the API really gives.

openapi-spec-validator is not a dependency, so the structure is checked here by hand (required
keys, every $ref resolves, every path parameter declared); when the validator is installed, one
more test runs it. Real answers are checked against the document with a small schema checker
(types, required keys, enums, patterns, formats)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pydantic import TypeAdapter

from codesign.core.schemas import Date, DateTime
from codesign.core.validation import YEARS
from codesign.procedures.workflow import workflow as procedure_wf
from codesign.proposals.workflow import workflow as proposal_wf
from tests.helpers import PDF, SCENARIO, World, call_body, future, transition

API = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
JSON = "application/json"


# --- helpers ---------------------------------------------------------------------------------------------------
@pytest.fixture()
def doc(client):
    r = client.get(f"{API}/openapi.json")
    assert r.status_code == 200 and r.is_json
    return r.json


def registered_routes(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) for every route of the Flask app under /api/v1."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((method.lower(), path))
    return out


def documented_operations(doc) -> set[tuple[str, str]]:
    return {(m, path) for path, item in doc["paths"].items() for m in item if m in HTTP_METHODS}


def pointer(doc, ref: str):
    assert ref.startswith("#/"), f"only local references are used: {ref}"
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = pointer(doc, node["$ref"])
    return node


def all_refs(node, where="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield where, v
            else:
                yield from all_refs(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from all_refs(v, f"{where}/{i}")


# --- a tiny JSON Schema checker: enough for the document's schemas ----------------------------------------------
def _type_ok(value, t: str) -> bool:
    return {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[t]


def _format_ok(value: str, fmt: str) -> bool:
    try:
        if fmt == "date":
            return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and dt.date.fromisoformat(value) is not None
        if fmt == "date-time":
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
        if fmt == "email":
            return "@" in value
    except ValueError:
        return False
    return True


def schema_errors(doc, value, schema, where="$") -> list[str]:
    schema = resolve(doc, schema)
    errors: list[str] = []
    for sub in schema.get("allOf", []):
        errors += schema_errors(doc, value, sub, where)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            passing = sum(1 for sub in schema[key] if not schema_errors(doc, value, sub, where))
            if passing == 0 or (key == "oneOf" and passing > 1):
                errors.append(f"{where}: {value!r} does not match {key}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            return errors + [f"{where}: {value!r} is not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if "format" in schema and not _format_ok(value, schema["format"]):
            errors.append(f"{where}: {value!r} is not a {schema['format']}")
    if _type_ok(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing required key {key!r}")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                errors += schema_errors(doc, item, props[key], f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: unexpected key {key!r}")
            elif isinstance(extra, dict):
                errors += schema_errors(doc, item, extra, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(doc, item, schema["items"], f"{where}[{i}]")
    return errors


def check_answer(doc, method: str, path: str, resp):
    """The answer's status is documented for the operation, and its body and headers match."""
    op = doc["paths"][path][method]
    status = str(resp.status_code)
    assert status in op["responses"], (
        f"{method.upper()} {path} answered {status}, not documented: {resp.get_data()[:300]}")
    declared = resolve(doc, op["responses"][status])
    for name, header in declared.get("headers", {}).items():
        header = resolve(doc, header)
        if header.get("required"):
            assert name in resp.headers, f"{method.upper()} {path}: header {name} missing"
        if name in resp.headers:
            raw = resp.headers[name]
            value = int(raw) if header["schema"].get("type") == "integer" and raw.isdigit() else raw
            assert not schema_errors(doc, value, header["schema"]), (name, raw)
    content = declared.get("content", {})
    if JSON in content:
        assert resp.is_json, f"{method.upper()} {path}: expected JSON"
        errors = schema_errors(doc, resp.json, content[JSON]["schema"])
        assert not errors, f"{method.upper()} {path} {status}: " + "; ".join(errors[:10])
    return resp


# --- the document's structure ------------------------------------------------------------------------------------
def test_document_has_the_required_top_level_structure(doc):
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert [server["url"] for server in doc["servers"]] == ["/api/v1"]
    assert isinstance(doc["paths"], dict) and doc["paths"]
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for name in ("Error", "Organization", "Procedure", "ProcedureCreate", "Proposal", "Attachment",
                 "ProposalTransitionRequest", "ReportTransitionRequest"):
        assert name in doc["components"]["schemas"], name


def test_every_ref_resolves(doc):
    refs = list(all_refs(doc))
    assert refs
    for where, ref in refs:
        assert pointer(doc, ref) is not None, where


def test_every_operation_is_complete_and_unique(doc):
    schemes = doc["components"]["securitySchemes"]
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/") and not path.startswith(API), path
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            operation_ids.append(op["operationId"])
            assert op.get("summary"), where
            assert op["responses"] and any(code.startswith("2") for code in op["responses"]), where
            for code, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code), (where, code)
                assert resolve(doc, response).get("description"), (where, code)
            for requirement in op.get("security", doc.get("security", [])):
                assert set(requirement) <= set(schemes), where
            if "requestBody" in op:
                assert op["requestBody"]["content"], where
    assert len(operation_ids) == len(set(operation_ids)), "operationId repeated"


def test_every_path_parameter_is_declared(doc):
    for path, item in doc["paths"].items():
        in_template = set(re.findall(r"\{([^}]+)\}", path))
        path_level = [resolve(doc, p) for p in item.get("parameters", [])]
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            params = path_level + [resolve(doc, p) for p in op.get("parameters", [])]
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == in_template, f"{method.upper()} {path}: {declared} != {in_template}"
            for p in params:
                assert p["in"] in {"path", "query", "header", "cookie"} and "schema" in p, (path, p)
                if p["in"] == "path":
                    assert p["required"] is True, (path, p)


def test_document_lists_exactly_the_registered_api_routes(app, doc):
    routes = registered_routes(app)
    documented = documented_operations(doc)
    undocumented = sorted(routes - documented)
    stale = sorted(documented - routes)
    assert not undocumented, f"routes without an entry in catalogue() of codesign/api/openapi.py: {undocumented}"
    assert not stale, f"documented operations that are not routes: {stale}"
    assert ("get", "/openapi.json") in documented and ("post", "/procedures/{procedure_id}/transitions") in documented


# Every endpoint API.md fixes, as (method, path shape).
API_MD_ENDPOINTS = {
    ("post", "/organizations"), ("post", "/procedures"), ("get", "/procedures"), ("get", "/procedures/{}"),
    ("patch", "/procedures/{}"), ("post", "/procedures/{}/transitions"), ("put", "/procedures/{}/committee"),
    ("post", "/procedures/{}/proposals"), ("get", "/procedures/{}/proposals"), ("get", "/proposals/{}"),
    ("patch", "/proposals/{}"), ("post", "/proposals/{}/attachments"), ("post", "/proposals/{}/transitions"),
    ("put", "/proposals/{}/conflict"), ("put", "/proposals/{}/review"), ("get", "/procedures/{}/ranking"),
    ("post", "/proposals/{}/meetings"), ("get", "/proposals/{}/meetings"), ("post", "/proposals/{}/versions"),
    ("get", "/proposals/{}/versions"), ("put", "/proposals/{}/agreement"), ("get", "/proposals/{}/agreement.pdf"),
    ("get", "/proposals/{}/reports"), ("put", "/reports/{}"), ("post", "/reports/{}/transitions"),
    ("get", "/public/projects"), ("get", "/openapi.json"),
}


def test_catalogue_describes_every_api_md_endpoint_and_only_real_extras(app):
    from codesign.api.openapi import catalogue, path_shape

    described = set(catalogue())
    assert API_MD_ENDPOINTS <= described, sorted(API_MD_ENDPOINTS - described)
    shapes = {(m, path_shape(p)) for m, p in registered_routes(app)}
    assert described - API_MD_ENDPOINTS <= shapes, sorted(described - API_MD_ENDPOINTS - shapes)


def test_status_codes_follow_the_conventions(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where, codes = f"{method.upper()} {path}", set(op["responses"])
            assert "401" in codes, where  # a bad token is refused everywhere
            if "{" in path:
                assert "404" in codes, where
            if "requestBody" in op:
                assert {"400", "422"} <= codes, where
            if path.endswith("/transitions"):
                assert {"403", "409", "422"} <= codes, where
            if method == "post" and path.endswith(("/proposals", "/organizations", "/procedures")):
                assert "201" in codes, where
            for code in codes - {"200", "201", "204"}:
                schema = resolve(doc, op["responses"][code])["content"][JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (where, code)
    attachments = doc["paths"]["/proposals/{proposal_id}/attachments"]["post"]
    assert "413" in attachments["responses"] and "multipart/form-data" in attachments["requestBody"]["content"]


def test_lists_declare_paging_and_the_total_header(doc):
    lists = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ok = resolve(doc, op["responses"].get("200", {}))
            schema = ok.get("content", {}).get(JSON, {}).get("schema", {})
            if resolve(doc, schema).get("type") == "array":
                lists += 1
                assert "X-Total-Count" in ok.get("headers", {}), path
                names = {resolve(doc, p)["name"] for p in op.get("parameters", [])}
                assert {"limit", "offset"} <= names, path
    assert lists >= 2


def test_schemas_follow_the_api_conventions(doc):
    s = doc["components"]["schemas"]
    pattern = r"^-?\d+(\.\d+)?$"
    assert s["Money"]["type"] == "string" and s["Money"]["pattern"] == pattern
    assert s["Decimal"]["type"] == "string" and s["Decimal"]["pattern"] == pattern
    error = s["Error"]["properties"]["error"]
    assert s["Error"]["required"] == ["error"] and set(error["required"]) == {"code", "message"}
    assert {"fields", "reasons"} <= set(error["properties"])
    proc = s["Procedure"]["properties"]
    assert proc["state"]["enum"] == list(procedure_wf.states)
    assert proc["allowed_triggers"]["items"]["enum"] == procedure_wf.triggers()
    assert s["Proposal"]["properties"]["state"]["enum"] == list(proposal_wf.states)
    assert s["Proposal"]["properties"]["allowed_triggers"]["items"]["enum"] == proposal_wf.triggers()
    for machine in ("Procedure", "Proposal", "Report"):   # one closed variant per trigger a caller fires
        variants = s[f"{machine}TransitionRequest"]["oneOf"]
        assert variants and all(v["additionalProperties"] is False and v["required"][0] == "trigger"
                                and set(v["properties"]["trigger"]) == {"const"} for v in variants)
    report_triggers = {v["title"] for v in s["ReportTransitionRequest"]["oneOf"]}
    assert {"submit", "approve", "return"} <= report_triggers
    assert set(s["ProcedureCreate"]["properties"]) >= {"title", "budget_total", "lots", "criteria", "scoring"}
    for row in procedure_wf.table:  # the machine's table is in the transitions endpoint's description
        assert f"`{row.trigger}`" in doc["paths"]["/procedures/{procedure_id}/transitions"]["post"]["description"]


def test_the_checker_is_not_vacuous(doc):
    schema = {"$ref": "#/components/schemas/Organization"}
    good = {"id": 1, "name": "Ente", "kind": "ets", "tax_code": "97735020584", "runts_id": None, "pec": None,
            "municipality": None, "legal_form": None, "address": None}
    assert not schema_errors(doc, good, schema)
    assert schema_errors(doc, {**good, "id": "1"}, schema)
    assert schema_errors(doc, {**good, "kind": "spa"}, schema)
    assert schema_errors(doc, {k: v for k, v in good.items() if k != "name"}, schema)
    assert schema_errors(doc, "516500.0", {"$ref": "#/components/schemas/Money"}) == []
    assert schema_errors(doc, 516500.0, {"$ref": "#/components/schemas/Money"})
    assert schema_errors(doc, "5e3", {"$ref": "#/components/schemas/Money"})


def test_document_is_valid_for_openapi_spec_validator_when_installed(doc):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(doc)


# --- real answers against the document ---------------------------------------------------------------------------
def test_real_answers_match_the_document(client, make_user, token_for, doc):
    w = World(client, make_user, token_for, bodies=1)
    org = SCENARIO["organizations"][1]
    r = check_answer(doc, "post", "/organizations", client.post(
        f"{API}/organizations", json={"name": org["name"], "kind": "ets", "tax_code": org["tax_code"],
                                      "municipality": "Milano"}, headers=w.headers[0]))
    assert r.status_code == 201
    check_answer(doc, "get", "/organizations/{org_id}",
                 client.get(f"{API}/organizations/{r.json['id']}", headers=w.headers[0]))
    check_answer(doc, "get", "/me", client.get(f"{API}/me", headers=w.headers[0]))

    # the procedure: as created, listed, read, changed, published
    r = check_answer(doc, "post", "/procedures", client.post(f"{API}/procedures", json=call_body(future()),
                                                             headers=w.admin_h))
    assert r.status_code == 201 and r.json["state"] == "draft"
    pid = w.procedure_id
    r = check_answer(doc, "get", "/procedures", client.get(f"{API}/procedures?limit=1", headers=w.admin_h))
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    check_answer(doc, "get", "/procedures/{procedure_id}", client.get(f"{API}/procedures/{pid}", headers=w.admin_h))
    check_answer(doc, "patch", "/procedures/{procedure_id}",
                 client.patch(f"{API}/procedures/{pid}", json={"office": "Area Innovazione"}, headers=w.admin_h))
    r = check_answer(doc, "post", "/procedures/{procedure_id}/transitions", w.publish())
    assert r.json["state"] == "published"
    check_answer(doc, "get", "/procedures/{procedure_id}", client.get(f"{API}/procedures/{pid}"))  # anonymous

    # a proposal: drafted, changed, an attachment, submitted, listed
    r = check_answer(doc, "post", "/procedures/{procedure_id}/proposals", client.post(
        f"{API}/procedures/{pid}/proposals", json={
            "organization_id": w.orgs[0], "lot": "A", "title": "Portineria di quartiere", "summary": "Servizi.",
            "requested_amount": "90000.00", "cofinancing_amount": "10000.00",
            "partners": [{"name": SCENARIO["organizations"][2]["name"],
                          "tax_code": SCENARIO["organizations"][2]["tax_code"], "role": "partner"}]},
        headers=w.headers[0]))
    assert r.status_code == 201
    prop = r.json["id"]
    check_answer(doc, "patch", "/proposals/{proposal_id}",
                 client.patch(f"{API}/proposals/{prop}", json={"title": "Portineria sociale"}, headers=w.headers[0]))
    r = check_answer(doc, "post", "/proposals/{proposal_id}/attachments", client.post(
        f"{API}/proposals/{prop}/attachments", data={"kind": "budget", "file": (io.BytesIO(PDF), "budget.pdf")},
        headers=w.headers[0], content_type="multipart/form-data"))
    assert r.status_code == 201
    r = check_answer(doc, "post", "/proposals/{proposal_id}/transitions", w.submit(prop))
    assert r.json["state"] == "submitted" and r.json["protocol_number"] == 1
    check_answer(doc, "get", "/proposals/{proposal_id}", client.get(f"{API}/proposals/{prop}", headers=w.admin_h))
    r = check_answer(doc, "get", "/procedures/{procedure_id}/proposals",
                     client.get(f"{API}/procedures/{pid}/proposals", headers=w.admin_h))
    assert r.headers["X-Total-Count"] == "1"
    check_answer(doc, "get", "/openapi.json", client.get(f"{API}/openapi.json"))


def test_error_answers_match_the_document(client, make_user, token_for, doc):
    w = World(client, make_user, token_for, bodies=1)
    pid = w.procedure_id
    bad_token = {"Authorization": "Bearer nope"}
    r = check_answer(doc, "get", "/procedures", client.get(f"{API}/procedures", headers=bad_token))
    assert r.status_code == 401
    r = check_answer(doc, "get", "/procedures/{procedure_id}", client.get(f"{API}/procedures/999999",
                                                                        headers=w.admin_h))
    assert r.status_code == 404
    r = check_answer(doc, "get", "/procedures", client.get(f"{API}/procedures?limit=many"))
    assert r.status_code == 400
    r = check_answer(doc, "post", "/procedures", client.post(f"{API}/procedures", data="{", headers=w.admin_h,
                                                             content_type=JSON))
    assert r.status_code == 400
    r = check_answer(doc, "post", "/procedures", client.post(f"{API}/procedures", json=call_body(future(), cup="X"),
                                                             headers=w.admin_h))
    assert r.status_code == 422 and "cup" in r.json["error"]["fields"]
    r = check_answer(doc, "post", "/procedures", client.post(f"{API}/procedures", json=call_body(future()),
                                                             headers=w.headers[0]))
    assert r.status_code == 403
    r = check_answer(doc, "post", "/procedures/{procedure_id}/transitions",
                     transition(client, "procedures", pid, w.admin_h, "close"))
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
    r = client.post(f"{API}/procedures", json={"title": "Bozza vuota"}, headers=w.admin_h)
    r = check_answer(doc, "post", "/procedures/{procedure_id}/transitions",
                     transition(client, "procedures", r.json["id"], w.admin_h, "publish"))
    assert r.status_code == 409 and r.json["error"]["code"] == "guard_failed" and r.json["error"]["reasons"]
    r = check_answer(doc, "post", "/procedures/{procedure_id}/transitions",
                     transition(client, "procedures", pid, w.admin_h, "no_such_trigger"))
    assert r.status_code == 422


def test_the_dates_pattern_says_the_years_the_api_takes():
    """core.schemas' Date and DateTime patterns restate core.validation.YEARS for the JSON Schema."""
    for kind in (Date, DateTime):
        pattern = re.compile(TypeAdapter(kind).json_schema()["pattern"])
        assert all(pattern.match(f"{y}-01-01") for y in (YEARS[0], YEARS[0] + 57, YEARS[1]))
        assert not any(pattern.match(f"{y:04d}-01-01") for y in (1, YEARS[0] - 1, YEARS[1] + 1, 9999))
