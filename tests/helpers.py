"""Shared builders for the tests: the worked example's call, bodies and proposals through the API, and the
worked example brought up to its evaluation (`Scenario`)."""
from __future__ import annotations

import ast
import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from codesign.db import db
from codesign.procedures.models import Procedure

SCENARIO = json.loads((Path(__file__).resolve().parents[1] / "codesign/demo/quartieri-connessi.json").read_text())
ROME = dt.timezone(dt.timedelta(hours=1))
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def call_body(deadline: dt.datetime | None = None, **overrides) -> dict:
    body = copy.deepcopy(SCENARIO["call"])
    if deadline is not None:
        body["submission_deadline"] = deadline.isoformat()
    body.update(overrides)
    return body


def future(days=30) -> dt.datetime:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).replace(microsecond=0)


def transition(client, kind, rid, headers, trigger, **params):
    return client.post(f"/api/v1/{kind}/{rid}/transitions", json={"trigger": trigger, **params}, headers=headers)


def declarations_for(call: dict) -> dict:
    return {d["code"]: True for d in call.get("declarations", [])}


class World:
    """An administration with an admin, bodies with members, and a published call, all through the API."""

    def __init__(self, client, make_user, token_for, *, bodies=2, deadline=None, **call_overrides):
        self.client = client
        self.admin = make_user("admin", org="Comune di Milano")
        self.admin_h = token_for(self.admin)
        self.call = call_body(deadline or future(), **call_overrides)
        r = client.post("/api/v1/procedures", json=self.call, headers=self.admin_h)
        assert r.status_code == 201, r.json
        self.procedure_id = r.json["id"]
        self.applicants, self.headers, self.orgs = [], [], []
        for i, org in enumerate(SCENARIO["organizations"][:bodies]):
            user = make_user("applicant")
            h = token_for(user)
            r = client.post("/api/v1/organizations", json={"name": org["name"], "kind": "ets",
                                                            "tax_code": org["tax_code"]}, headers=h)
            assert r.status_code == 201, r.json
            self.applicants.append(user)
            self.headers.append(h)
            self.orgs.append(r.json["id"])

    def publish(self):
        r = transition(self.client, "procedures", self.procedure_id, self.admin_h, "publish")
        assert r.status_code == 200, r.json
        return r

    def draft(self, i=0, **overrides):
        body = {"organization_id": self.orgs[i], "lot": "A", "title": f"Proposta {i}",
                "summary": "Una portineria sociale nel quartiere.", "requested_amount": "90000.00",
                "cofinancing_amount": "10000.00"}
        body.update(overrides)
        r = self.client.post(f"/api/v1/procedures/{self.procedure_id}/proposals", json=body, headers=self.headers[i])
        assert r.status_code == 201, r.json
        return r.json["id"]

    def submit(self, proposal_id, i=0):
        return transition(self.client, "proposals", proposal_id, self.headers[i], "submit",
                          declarations=declarations_for(self.call))


class Scenario:
    """The worked example up to `evaluation`, entirely through the API."""

    def __init__(self, client, make_user, token_for, *, evaluators=3, substitutes=0):
        self.client = client
        self.admin = make_user("admin", org="Comune di Milano")
        self.admin_h = token_for(self.admin)
        body = call_body(future())
        r = client.post("/api/v1/procedures", json=body, headers=self.admin_h)
        self.pid = r.json["id"]
        assert transition(client, "procedures", self.pid, self.admin_h, "publish").status_code == 200
        self.org_ids, self.org_h, self.org_users = {}, {}, {}
        for o in SCENARIO["organizations"]:
            user = make_user("applicant")
            self.org_users[o["ref"]] = user
            h = token_for(user)
            r = client.post("/api/v1/organizations", json={"name": o["name"], "kind": "ets", "tax_code": o["tax_code"]},
                            headers=h)
            self.org_ids[o["ref"]], self.org_h[o["ref"]] = r.json["id"], h
        self.ids = {}
        for p in sorted(SCENARIO["proposals"], key=lambda x: x["protocol_order"]):
            h = self.org_h[p["org"]]
            r = client.post(f"/api/v1/procedures/{self.pid}/proposals", headers=h, json={
                "organization_id": self.org_ids[p["org"]], "lot": p["lot"], "title": p["title"], "summary": "S",
                "requested_amount": p["requested_amount"], "cofinancing_amount": p["cofinancing_amount"]})
            assert r.status_code == 201, r.json
            self.ids[p["ref"]] = r.json["id"]
            r = transition(client, "proposals", r.json["id"], h, "submit", declarations=declarations_for(body))
            assert r.json["protocol_number"] == p["protocol_order"]
        proc = db.session.get(Procedure, self.pid)
        proc.submission_deadline = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
        db.session.commit()
        for trig in ("close", "start_admissibility"):
            assert transition(client, "procedures", self.pid, self.admin_h, trig).status_code == 200
        for p in SCENARIO["proposals"]:
            if p["admissible"]:
                r = transition(client, "proposals", self.ids[p["ref"]], self.admin_h, "declare_admissible")
            else:
                r = transition(client, "proposals", self.ids[p["ref"]], self.admin_h, "exclude",
                               reason="documentazione incompleta")
            assert r.status_code == 200, r.json
        self.ev = {f"e{i}": make_user("evaluator") for i in range(1, evaluators + 1)}
        self.subs = {f"s{i}": make_user("evaluator") for i in range(1, substitutes + 1)}
        self.ev_h = {k: token_for(u) for k, u in {**self.ev, **self.subs}.items()}
        r = client.put(f"/api/v1/procedures/{self.pid}/committee", headers=self.admin_h, json={
            "evaluators": [u.email for u in self.ev.values()], "substitutes": [u.email for u in self.subs.values()]})
        assert r.status_code == 200, r.json
        r = transition(client, "procedures", self.pid, self.admin_h, "start_evaluation")
        assert r.status_code == 200, r.json

    def review(self, who, ref, scores, final=True, conflict=False):
        pid = self.ids[ref]
        r = self.client.put(f"/api/v1/proposals/{pid}/conflict", headers=self.ev_h[who],
                            json={"conflict": conflict, "note": "socio dell'ente" if conflict else None})
        assert r.status_code == 200, r.json
        if conflict:
            return r
        return self.client.put(f"/api/v1/proposals/{pid}/review", headers=self.ev_h[who], json={
            "scores": scores, "reasons": {k: "motivazione" for k in scores}, "final": final})

    def all_reviews(self):
        for rv in SCENARIO["reviews"]:
            r = self.review(rv["evaluator"], rv["proposal"], rv["scores"])
            assert r.status_code == 200, r.json


def version_body(requested: str, cofinancing: str, *, summary="Progetto definitivo", lines=None, **extra) -> dict:
    """A project version whose budget lines add up (one line per source) unless `lines` says otherwise."""
    if lines is None:
        lines = [{"category": "personale", "funding_source": "FSE", "amount": requested},
                 {"category": "personale", "funding_source": "cofinancing", "amount": cofinancing}]
    return {"summary": summary, "requested_amount": requested, "cofinancing_amount": cofinancing,
            "activities": [{"title": "Apertura dello spazio", "description": "Accoglienza", "start_month": 1,
                            "end_month": 24}],
            "budget_lines": lines, "indicators": [{"code": "P1", "target": "300"}], **extra}


AGREEMENT = {"start_date": "2021-09-01", "premises": [{"address": "Via Odazio 9, Milano", "description": "locale"}],
             "tranches": [{"number": 1, "pct": "40", "after": "signature"},
                          {"number": 2, "pct": "40", "after": "report", "report_number": 2},
                          {"number": 3, "pct": "20", "after": "final"}],
             "declaration_checks": {"runts": True, "durc": True, "antimafia": None, "criminal_records": True}}


def project_cup(proposal_id: int) -> str:
    """A CUP of the project's own (a CUP identifies one project: never the call's, shared)."""
    return f"B41H21{proposal_id:09d}"


def agreement_for(proposal_id: int, **changes) -> dict:
    """The agreement's terms with the project's own CUP."""
    return {**AGREEMENT, "cup": project_cup(proposal_id), **changes}


def to_codesign(s: "Scenario") -> None:
    """The worked example from evaluation to an approved ranking and the co-design phase open."""
    s.all_reviews()
    r = transition(s.client, "procedures", s.pid, s.admin_h, "approve_ranking", act_ref="Determina n. 77")
    assert r.status_code == 200, r.json
    r = transition(s.client, "procedures", s.pid, s.admin_h, "open_codesign")
    assert r.status_code == 200, r.json


def stdlib_imports_only(path: Path) -> set[str]:
    """The modules a standalone script imports that are not in Python's standard library (expected: none)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert modules, f"{path} imports nothing: not the script expected"
    return modules - set(sys.stdlib_module_names)


def run_alone(script: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """A standalone script as anyone runs it: a copy of its own in `cwd`, Python in isolated mode (so codesign is
    not importable), its output as text."""
    copy = cwd / script.name
    copy.write_bytes(script.read_bytes())
    return subprocess.run([sys.executable, "-I", str(copy), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
