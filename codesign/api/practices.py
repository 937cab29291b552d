"""Endpoints of the good practices: anyone reads the listed ones; an admin of the administration that keeps a
project writes it up, adds and removes its photos, and removes the mark."""
from __future__ import annotations

from flask import jsonify, request

from codesign.api import bp, json_body, list_response, page_args, query_filters, require_caller, uploaded_file
from codesign.observatory import operations as observatory
from codesign.practices import operations as practices

FILTERS = {"municipality": 120, "theme": 200, "programme": 300, "origin": 20, "q": 200}


@bp.get("/good-practices")
def list_good_practices():
    limit, offset = page_args()
    rows, total = practices.list_public(limit=limit, offset=offset, **query_filters(FILTERS, rename={"q": "text"}))
    return list_response(rows, total)


@bp.get("/projects/<int:project_id>/good-practice")
def get_good_practice(project_id: int):
    return jsonify(practices.to_dict(*practices.get_public(project_id)))


@bp.put("/projects/<int:project_id>/good-practice")
def put_good_practice(project_id: int):
    user = require_caller()
    project = observatory.get(project_id)
    practices.mark(user, project, json_body())
    return jsonify(practices.to_dict(*practices.get_public(project_id)))


@bp.delete("/projects/<int:project_id>/good-practice")
def delete_good_practice(project_id: int):
    user = require_caller()
    practices.unmark(user, observatory.get(project_id))
    return "", 204


@bp.post("/projects/<int:project_id>/good-practice/photos")
def add_practice_photo(project_id: int):
    user = require_caller()
    project = observatory.get(project_id)
    observatory.require_editor(user, project)
    upload = uploaded_file("la foto", "«caption»")
    photo = practices.add_photo(user, project, upload.stream, {"caption": request.form.get("caption", "")})
    return jsonify(practices.photo_dict(photo)), 201


@bp.delete("/projects/<int:project_id>/good-practice/photos/<int:photo_id>")
def delete_practice_photo(project_id: int, photo_id: int):
    user = require_caller()
    practices.remove_photo(user, observatory.get(project_id), photo_id)
    return "", 204
