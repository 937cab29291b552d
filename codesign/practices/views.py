"""Pages of the good practices: the public list (filters of the catalogue) and a page per practice that can be
shared (Open Graph), its photos; the admins' page to write a practice up, add and remove photos, remove the mark.

House style: the operations do the work and raise DomainError; a view rolls back and renders the form again with
the error's status and each message beside its field. The request commits once, in `after_request`."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.core import territory
from codesign.core.errors import DomainError
from codesign.core.forms import apply_errors
from codesign.core.web import Pager
from codesign.db import db
from codesign.observatory import operations as observatory
from codesign.practices import operations as practices
from codesign.practices.forms import PhotoForm, PracticeForm, practice_data
from codesign.practices.models import MAX_PHOTOS

bp = Blueprint("practices", __name__)
PAGE = 24
FILTER_ARGS = {"comune": "municipality", "tema": "theme", "q": "text"}
MUNICIPALITY_PRACTICES = 6


def municipality_section(code: str) -> dict | None:
    """The municipality page's section (observatory.views.register_municipality_section): its good practices."""
    rows, total = practices.list_public(limit=MUNICIPALITY_PRACTICES, offset=0, municipality=code)
    return {"template": "practices/_municipality.html", "practices": rows, "total": total} if rows else None


def _user():
    return current_user if current_user.is_authenticated else None


@bp.route("/buone-pratiche")
def public_list():
    filters = {key: (request.args.get(arg) or "").strip()[:200] for arg, key in FILTER_ARGS.items()}
    filters = {k: v for k, v in filters.items() if v}
    pager = Pager.from_request(PAGE)
    rows, total = practices.list_public(limit=pager.size, offset=pager.offset, **filters)
    return render_template("practices/list.html", rows=rows, pager=pager.counted(total),
                           filters=filters, themes=observatory.facets()["themes"],
                           municipalities=territory.choices(), can_mark=bool(_user() and current_user.is_admin))


@bp.route("/buone-pratiche/<int:project_id>")
def page(project_id: int):
    practice, project = practices.get_public(project_id)
    editor = observatory.can_edit(_user(), observatory.get(project_id))
    return render_template("practices/page.html", p=practices.to_dict(practice, project), editor=editor)


@bp.route("/buone-pratiche/foto/<int:photo_id>")
def photo(photo_id: int):
    return _send_photo(photo_id, thumbnail=False)


@bp.route("/buone-pratiche/foto/<int:photo_id>/miniatura")
def thumbnail(photo_id: int):
    return _send_photo(photo_id, thumbnail=True)


def _send_photo(photo_id: int, *, thumbnail: bool):
    path = practices.photo_path(practices.public_photo(photo_id, _user()), thumbnail=thumbnail)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400, etag=True, conditional=True)


@bp.route("/osservatorio/buone-pratiche/cerca")
@login_required
def find():
    """An admin names a project by its CUP and reaches its good practice's page (of either origin)."""
    observatory.require_admin(current_user)
    project = observatory.find_by_cup(request.args.get("cup", ""))
    if project is None:
        flash(_("Nessun progetto con il CUP «%(cup)s».", cup=(request.args.get("cup") or "")[:20]), "danger")
        return redirect(url_for("practices.public_list"))
    return redirect(url_for("practices.edit", project_id=project.id))


def _edit_page(project, *, form=None, photo_form=None, message=None, status=200):
    practice = practices.practice_of(project)
    if form is None:
        form = PracticeForm(formdata=None, data=practice_data(practice) if practice else {})
    return render_template("practices/edit.html", project=project, r=observatory.project_dict(project),
                           practice=practice, form=form, photo_form=photo_form or PhotoForm(formdata=None),
                           photos=[practices.photo_dict(ph) for ph in practice.photos] if practice else [],
                           max_photos=MAX_PHOTOS, message=message), status


def _editable(project_id: int):
    project = observatory.get(project_id)
    observatory.require_editor(current_user, project)
    observatory.project_dict(project)      # 404 for a procedure project not yet public
    return project


@bp.route("/osservatorio/progetti/<int:project_id>/buona-pratica", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = _editable(project_id)
    if request.method == "GET":
        return _edit_page(project)
    form = PracticeForm()
    if not form.validate_on_submit():
        return _edit_page(project, form=form, status=422)
    was = project.good_practice
    try:
        practices.mark(current_user, project, form.to_body())
    except DomainError as exc:
        db.session.rollback()
        return _edit_page(observatory.get(project_id), form=form, message=apply_errors(form, exc), status=exc.status)
    flash(_("Buona pratica aggiornata.") if was else _("Il progetto è ora una buona pratica."), "success")
    return redirect(url_for("practices.edit", project_id=project_id))


@bp.route("/osservatorio/progetti/<int:project_id>/buona-pratica/foto", methods=["POST"])
@login_required
def add_photo(project_id: int):
    project = _editable(project_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        return _edit_page(project, photo_form=form, status=422)
    try:
        practices.add_photo(current_user, project, form.file.data.stream, {"caption": form.caption.data or ""})
    except DomainError as exc:
        db.session.rollback()
        return _edit_page(observatory.get(project_id), photo_form=form, message=apply_errors(form, exc),
                          status=exc.status)
    flash(_("Foto aggiunta."), "success")
    return redirect(url_for("practices.edit", project_id=project_id, _anchor="foto"))


@bp.route("/osservatorio/progetti/<int:project_id>/buona-pratica/foto/<int:photo_id>/elimina", methods=["POST"])
@login_required
def remove_photo(project_id: int, photo_id: int):
    project = _editable(project_id)
    practices.remove_photo(current_user, project, photo_id)
    flash(_("Foto eliminata."), "success")
    return redirect(url_for("practices.edit", project_id=project_id, _anchor="foto"))


@bp.route("/osservatorio/progetti/<int:project_id>/buona-pratica/rimuovi", methods=["POST"])
@login_required
def unmark(project_id: int):
    project = _editable(project_id)
    try:
        practices.unmark(current_user, project)
    except DomainError as exc:
        db.session.rollback()
        return _edit_page(observatory.get(project_id), message=exc.message, status=exc.status)
    flash(_("Il progetto non è più tra le buone pratiche; la descrizione resta per un nuovo inserimento."), "success")
    return redirect(url_for("practices.edit", project_id=project_id))
