"""Shared builders for the tests: the worked example's call, bodies and proposals through the API."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

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
