"""Endpoints of the foundation: who am I, organisations, their members and the requests to join them."""
from __future__ import annotations

from flask import jsonify, url_for

from codesign.api import bp, json_body, list_response, page_args, paged, require_caller
from codesign.core import notifications
from codesign.core.enums import Role
from codesign.organizations import operations as orgs


@bp.get("/me")
def me():
    user = require_caller()
    return jsonify({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "email_verified": user.email_verified,
        "locale": user.locale or "it",
        "roles": sorted({m.role.value for m in user.memberships}),
        "organizations": [
            {"id": m.organization_id, "role": m.role.value, "name": m.organization.name}
            for m in user.memberships if m.organization_id
        ],
    })


@bp.get("/notifications")
def list_notifications():
    user = require_caller()
    limit, offset = page_args()
    rows, total = notifications.of_person(user.id, limit=limit, offset=offset)
    return list_response([notifications.to_dict(n) for n in rows], total)


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    user = require_caller()
    return jsonify(notifications.to_dict(notifications.mark_read(user.id, notification_id)))


@bp.post("/notifications/read")
def read_all_notifications():
    user = require_caller()
    return jsonify({"read": notifications.mark_all_read(user.id)})


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


@bp.patch("/organizations/<int:org_id>")
def update_organization(org_id: int):
    user = require_caller()
    org = orgs.update_organization(user, orgs.get_visible_organization(user, org_id), json_body())
    return jsonify(orgs.to_dict(org))


@bp.get("/organizations/<int:org_id>/members")
def list_members(org_id: int):
    user = require_caller()
    org = orgs.get_member_organization(user, org_id)
    return paged(orgs.members(org), orgs.member_dict)


@bp.patch("/organizations/<int:org_id>/members/<int:user_id>")
def update_member(org_id: int, user_id: int):
    user = require_caller()
    m = orgs.set_position(user, orgs.get_member_organization(user, org_id), user_id, json_body())
    return jsonify(orgs.member_dict(m))


@bp.delete("/organizations/<int:org_id>/members/<int:user_id>")
def remove_member(org_id: int, user_id: int):
    user = require_caller()
    orgs.remove_member(user, orgs.get_member_organization(user, org_id), user_id)
    return "", 204


@bp.get("/organizations/<int:org_id>/join-requests")
def list_join_requests(org_id: int):
    user = require_caller()
    org = orgs.get_member_organization(user, org_id)
    return paged(orgs.pending_requests(org), orgs.join_request_dict)


@bp.post("/join-requests")
def request_to_join():
    user = require_caller()
    return jsonify(orgs.join_request_dict(orgs.request_to_join(user, json_body()))), 201


@bp.post("/join-requests/<int:request_id>/approve")
def approve_join(request_id: int):
    user = require_caller()
    return jsonify(orgs.join_request_dict(orgs.decide_join(user, request_id, True)))


@bp.post("/join-requests/<int:request_id>/refuse")
def refuse_join(request_id: int):
    user = require_caller()
    return jsonify(orgs.join_request_dict(orgs.decide_join(user, request_id, False)))


@bp.get("/organizations/<int:org_id>/admins")
def list_admins(org_id: int):
    user = require_caller()
    return paged(orgs.members(orgs.get_administration(user, org_id), Role.admin), orgs.member_dict)


@bp.post("/organizations/<int:org_id>/admins")
def invite_admin(org_id: int):
    user = require_caller()
    m = orgs.invite_colleague(user, orgs.get_administration(user, org_id), json_body(),
                              lambda secret: url_for("auth.invitation", secret=secret, _external=True))
    return jsonify(orgs.member_dict(m)), 201
