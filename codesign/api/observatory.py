"""Endpoints of the metropolitan observatory (API.md, fixed): register, read, edit and update the projects of
the catalogue. Reading is public; writing is for admins."""
from __future__ import annotations

from flask import jsonify

from codesign.api import bp, json_body, paged, require_caller, uploaded_file
from codesign.observatory import imports
from codesign.observatory import operations as observatory


@bp.post("/projects")
def create_project():
    user = require_caller()
    project = observatory.create_project(user, json_body())
    return jsonify(observatory.project_dict(project)), 201


@bp.post("/projects/import")
def import_projects():
    user = require_caller()
    observatory.require_admin(user)
    upload = uploaded_file("il file CSV")
    return jsonify(imports.import_projects(user, upload.read())), 201


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    return jsonify(observatory.project_dict(observatory.get(project_id)))


@bp.patch("/projects/<int:project_id>")
def patch_project(project_id: int):
    user = require_caller()
    project = observatory.patch_project(user, observatory.get(project_id), json_body())
    return jsonify(observatory.project_dict(project))


@bp.get("/projects/<int:project_id>/updates")
def list_updates(project_id: int):
    project = observatory.get(project_id)
    observatory.project_dict(project)   # 404 unless public
    rows = observatory.history(project)
    return paged(rows, observatory.update_to_dict)


@bp.post("/projects/<int:project_id>/updates")
def add_update(project_id: int):
    user = require_caller()
    entry = observatory.add_update(user, observatory.get(project_id), json_body())
    return jsonify(observatory.update_to_dict(entry)), 201


@bp.get("/observatory/overview")
def overview():
    observatory.require_admin(require_caller())
    return jsonify(observatory.overview())
