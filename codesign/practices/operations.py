"""Service functions of the good practices: an admin of the administration that keeps a project marks it as a good
practice with its write-up, adds and removes photos, removes the mark; anyone reads the marked ones. Pages and
API call these; the list is the catalogue's own (observatory.list_projects) kept to marked projects, so both
origins, its filters and its fixed number of queries come with it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from codesign.core import audit, files, images
from codesign.core.errors import GuardFailed, NotFound
from codesign.core.schemas import parse
from codesign.db import db
from codesign.observatory import operations as observatory
from codesign.observatory.models import Project
from codesign.practices.models import MAX_PHOTOS, GoodPractice, PracticePhoto
from codesign.practices.schemas import GoodPracticeIn, PhotoIn

PHOTO_LIMIT = 10 * 1024 * 1024   # 10 MB a photo, before it is resized


def practice_of(project: Project) -> GoodPractice | None:
    return db.session.execute(sa.select(GoodPractice).where(GoodPractice.project_id == project.id)).scalar_one_or_none()


def mark(actor, project: Project, data: dict) -> GoodPractice:
    """Mark the project as a good practice with this write-up (a second call replaces the write-up)."""
    observatory.require_editor(actor, project)
    observatory.project_dict(project)            # 404 for a procedure project not yet public
    clean = parse(GoodPracticeIn, data)
    practice = practice_of(project)
    if practice is None:
        practice = GoodPractice(project_id=project.id, created_by_id=actor.id)
        db.session.add(practice)
    for name, value in clean.model_dump().items():
        setattr(practice, name, value)
    was = project.good_practice
    project.good_practice = True
    audit.record(actor=actor, entity_type="project", entity_id=project.id,
                 trigger="edit_good_practice" if was else "mark_good_practice")
    return practice


def unmark(actor, project: Project) -> None:
    """The project is no longer listed as a good practice; its write-up and photos stay for a later mark."""
    observatory.require_editor(actor, project)
    if not project.good_practice:
        raise GuardFailed("il progetto non è segnato come buona pratica")
    project.good_practice = False
    audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="unmark_good_practice")


def add_photo(actor, project: Project, stream, data: dict) -> PracticePhoto:
    """A photo of the practice: an image checked by content and size, kept re-encoded at two sizes."""
    observatory.require_editor(actor, project)
    practice = practice_of(project)
    if practice is None or not project.good_practice:
        raise GuardFailed("prima si segna il progetto come buona pratica, con la sua descrizione")
    if len(practice.photos) >= MAX_PHOTOS:
        raise GuardFailed(f"al massimo {MAX_PHOTOS} foto per buona pratica: toglierne una prima di aggiungerne")
    clean = parse(PhotoIn, data)
    picture = images.photo(files.read_upload(stream, limit=PHOTO_LIMIT))
    photo = PracticePhoto(practice=practice, sha256=files.store(picture.full), thumb_sha256=files.store(picture.thumb),
                          width=picture.width, height=picture.height, caption=clean.caption, created_by_id=actor.id)
    db.session.add(photo)
    db.session.flush()
    audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="add_practice_photo",
                 data={"photo_id": photo.id, "sha256": photo.sha256})
    return photo


def remove_photo(actor, project: Project, photo_id: int) -> None:
    observatory.require_editor(actor, project)
    photo = _photo_of(project, photo_id)
    db.session.delete(photo)
    db.session.flush()
    files.release(photo.sha256, photo.thumb_sha256)     # the photo is gone from the disk too, once this commits
    audit.record(actor=actor, entity_type="project", entity_id=project.id, trigger="remove_practice_photo",
                 data={"photo_id": photo_id})


def _photo_of(project: Project, photo_id: int) -> PracticePhoto:
    photo = db.session.get(PracticePhoto, photo_id)
    if photo is None or photo.practice.project_id != project.id:
        raise NotFound("foto non trovata")
    return photo


def public_photo(photo_id: int, user=None) -> PracticePhoto:
    """A photo anyone may see: of a listed practice (its editors also see those of an unlisted one)."""
    photo = db.session.get(PracticePhoto, photo_id)
    if photo is None:
        raise NotFound("foto non trovata")
    project = db.session.get(Project, photo.practice.project_id)
    if not project.good_practice and not observatory.can_edit(user, project):
        raise NotFound("foto non trovata")
    return photo


# --- reading ------------------------------------------------------------------------------------------------------
def get_public(project_id: int) -> tuple[GoodPractice, dict]:
    """A listed good practice and its project as the public sees it (404 otherwise)."""
    project = db.session.get(Project, project_id)
    practice = practice_of(project) if project is not None and project.good_practice else None
    if practice is None:
        raise NotFound("buona pratica non trovata")
    return practice, observatory.project_dict(project)


def list_public(*, limit=100, offset=0, **filters) -> tuple[list[dict], int]:
    """The listed good practices, filtered as the catalogue (theme, municipality, programme, origin, text), each
    with its write-up and photos (two queries beside the catalogue's)."""
    rows, total = observatory.list_projects(limit=limit, offset=offset, good_practice=True, **filters)
    practices = {p.project_id: p for p in db.session.execute(
        sa.select(GoodPractice).where(GoodPractice.project_id.in_([r["id"] for r in rows]))
        .options(selectinload(GoodPractice.photos))).scalars()}
    return [to_dict(practices[r["id"]], r) for r in rows if r["id"] in practices], total


def photo_dict(photo: PracticePhoto) -> dict:
    return {"id": photo.id, "caption": photo.caption, "width": photo.width, "height": photo.height,
            "url": observatory.public_url("practices.photo", photo_id=photo.id),
            "thumbnail_url": observatory.public_url("practices.thumbnail", photo_id=photo.id)}


def to_dict(practice: GoodPractice, project: dict) -> dict:
    return {"project_id": project["id"], "project": project,
            "what": practice.what, "audience": practice.audience, "results": practice.results,
            "reuse": practice.reuse,
            "contact": {"name": practice.contact_name, "email": practice.contact_email,
                        "phone": practice.contact_phone},
            "photos": [photo_dict(ph) for ph in practice.photos],
            "url": observatory.public_url("practices.page", project_id=project["id"]),
            "updated_at": practice.updated_at.isoformat()}


def photo_path(photo: PracticePhoto, *, thumbnail: bool = False):
    return files.path_of(photo.thumb_sha256 if thumbnail else photo.sha256)
