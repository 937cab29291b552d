"""Endpoints of the foundation: who am I, organisations."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, json_body, require_caller
from codesign.organizations import operations as orgs


@bp.get("/me")
def me():
    user = require_caller()
    return jsonify({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": sorted({m.role.value for m in user.memberships}),
        "organizations": [
            {"id": m.organization_id, "role": m.role.value, "name": m.organization.name}
            for m in user.memberships if m.organization_id
        ],
    })


@bp.post("/organizations")
def create_organization():
    user = require_caller()
    data = json_body()
    org = orgs.create_organization(user, data)
    return jsonify(orgs.to_dict(org)), 201


@bp.get("/organizations/<int:org_id>")
def get_organization(org_id: int):
    user = require_caller()
    return jsonify(orgs.to_dict(orgs.get_visible_organization(user, org_id)))
