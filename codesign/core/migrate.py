"""Alembic, driven from the application: `codesign init` upgrades to the newest revision."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import Flask

from codesign.paths import resource_dir


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.set_main_option("sqlalchemy.url", app.config["SQLALCHEMY_DATABASE_URI"].replace("%", "%%"))
    cfg.attributes["flask_app"] = app
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    with app.app_context():
        command.upgrade(alembic_config(app), revision)


def revision(app: Flask, message: str, autogenerate: bool = True) -> None:
    with app.app_context():
        command.revision(alembic_config(app), message=message, autogenerate=autogenerate)
