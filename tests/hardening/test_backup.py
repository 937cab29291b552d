"""`codesign backup` and `codesign restore`: the worked example round-trips row by row and file by file.

Runs on the suite's database: SQLite through the online backup API, PostgreSQL through pg_dump and
pg_restore (skipped, with the reason, where those tools are missing).
"""
import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from codesign.core import audit, backup
from codesign.db import db
from codesign.demo.loader import load_demo
from tests.helpers import PDF, World


@pytest.fixture()
def needs_tools(app, tmp_path, monkeypatch):
    """The tools the database needs, and an upload folder of this test's own (the suite's is shared)."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        missing = [t for t in ("pg_dump", "pg_restore") if shutil.which(t) is None]
        if missing:
            pytest.skip(f"backup on PostgreSQL needs {', '.join(missing)} (not installed here)")


def _snapshot(app) -> dict:
    """Every row of every table, in primary-key order, and every upload's bytes' hash."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    root = Path(app.config["UPLOAD_DIR"])
    files = {p.relative_to(root).as_posix(): backup.sha256_file(p) for p in sorted(root.rglob("*")) if p.is_file()}
    return {"rows": rows, "files": files}


def _world(client, make_user, token_for):
    w = World(client, make_user, token_for, bodies=2)
    w.publish()
    for i in range(2):
        pid = w.draft(i)
        for n in range(2):
            content = PDF + f"% documento {i}-{n}\n".encode()
            r = client.post(f"/api/v1/proposals/{pid}/attachments", headers=w.headers[i],
                            data={"kind": "progetto", "file": (io.BytesIO(content), f"doc-{n}.pdf")},
                            content_type="multipart/form-data")
            assert r.status_code == 201, r.json
    load_demo()  # the worked example, beside the drafts with their documents
    db.session.commit()
    return w


def _wipe(app):
    """Lose everything: every row, every upload (and leave a stray file behind)."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    root = Path(app.config["UPLOAD_DIR"])
    shutil.rmtree(root)
    (root / "xx").mkdir(parents=True)
    (root / "xx" / "stray").write_bytes(b"not in the backup")


def test_round_trip_loses_nothing(app_ctx, client, make_user, token_for, tmp_path, needs_tools):
    app = app_ctx
    _world(client, make_user, token_for)
    before = _snapshot(app)
    # the drafts' documents, the demo's signed agreement and its good practice's photo at two sizes
    assert len(before["files"]) == 7 and sum(len(r) for r in before["rows"].values()) > 100

    manifest = backup.backup(app, tmp_path / "copia")
    assert manifest["audit"]["seq"] == audit.verify()[1]
    assert sum(1 for n in manifest["files"] if n.startswith("uploads/")) == 7

    _wipe(app)
    assert _snapshot(app) != before
    restored, n = backup.restore(app, tmp_path / "copia", force=True)
    with app.app_context():
        after = _snapshot(app)
    assert after["files"] == before["files"]
    for table, rows in before["rows"].items():
        assert after["rows"][table] == rows, table
    assert n == manifest["audit"]["seq"]
    # The restored database goes on: ids continue, the chain grows and verifies.
    make_user("applicant")
    assert audit.verify([manifest["audit"]])[0]


def test_restore_refuses_an_altered_backup_and_changes_nothing(app_ctx, client, make_user, token_for, tmp_path,
                                                              needs_tools):
    app = app_ctx
    _world(client, make_user, token_for)
    backup.backup(app, tmp_path / "copia")
    make_user("applicant", email="dopo-la-copia@example.org")
    before = _snapshot(app)
    upload = next(p for p in (tmp_path / "copia" / "uploads").rglob("*") if p.is_file())
    upload.write_bytes(upload.read_bytes() + b"x")
    with pytest.raises(backup.BackupError, match="checksum diverso"):
        backup.restore(app, tmp_path / "copia", force=True)
    assert _snapshot(app) == before


@pytest.mark.parametrize("damage", ["missing", "extra", "manifest"])
def test_restore_refuses_an_incomplete_backup(app_ctx, make_user, tmp_path, needs_tools, damage):
    app = app_ctx
    make_user("applicant")
    manifest = backup.backup(app, tmp_path / "copia")
    folder = tmp_path / "copia"
    if damage == "missing":
        (folder / manifest["database"]["file"]).unlink()
    elif damage == "extra":
        (folder / "uploads").mkdir(exist_ok=True)
        (folder / "uploads" / "aggiunto").write_bytes(b"x")
    else:
        data = json.loads((folder / "manifest.json").read_text())
        data["format"] = "altro/9"
        (folder / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(backup.BackupError):
        backup.restore(app, folder, force=True)


def test_restore_needs_force_over_data(app_ctx, make_user, tmp_path, needs_tools):
    make_user("applicant")
    backup.backup(app_ctx, tmp_path / "copia")
    with pytest.raises(backup.BackupError, match="--force"):
        backup.restore(app_ctx, tmp_path / "copia")


def test_backup_needs_an_empty_folder(app_ctx, make_user, tmp_path, needs_tools):
    (tmp_path / "piena").mkdir()
    (tmp_path / "piena" / "x").write_text("x")
    with pytest.raises(backup.BackupError, match="non è vuota"):
        backup.backup(app_ctx, tmp_path / "piena")


def test_cli_backup_and_restore(tmp_path, monkeypatch):
    from codesign.cli import main

    monkeypatch.setenv("CODESIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path / "instance"))
    run = CliRunner().invoke
    assert run(main, ["demo"]).exit_code == 0
    r = run(main, ["backup", str(tmp_path / "copia")])
    assert r.exit_code == 0 and "Copia scritta" in r.output, r.output
    r = run(main, ["restore", str(tmp_path / "copia")])
    assert r.exit_code == 1 and "--force" in r.output
    r = run(main, ["restore", "--force", str(tmp_path / "copia")])
    assert r.exit_code == 0 and "registro integro" in r.output, r.output
