"""The schema built from the migrations alone matches the models (no drift)."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from codesign.db import db


def test_migrations_match_models(app_ctx):
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrations_reach_head(app_ctx):
    from alembic.script import ScriptDirectory

    from codesign.core.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config(app_ctx)).get_current_head()
    with db.engine.connect() as conn:
        current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert current == head


def test_revision_files_are_date_prefixed():
    from pathlib import Path
    import re

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    files = [p.name for p in versions.glob("*.py")]
    assert files
    assert all(re.match(r"^\d{8}_[0-9a-f]{12}_", f) for f in files), files
