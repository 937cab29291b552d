"""Alembic environment: the models' metadata, the connection from the application's engine."""
from __future__ import annotations

from alembic import context

import codesign  # noqa: F401  (the composition root imports every module, and so every model)
from codesign.db import db

config = context.config
target_metadata = db.metadata


def run_migrations_online() -> None:
    app = config.attributes.get("flask_app")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if app is not None:
        engine = db.engines[None] if hasattr(db, "engines") else db.engine
    else:  # plain `alembic` command line
        import sqlalchemy as sa

        engine = sa.create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
