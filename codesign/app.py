"""The composition root: the application factory and the one list of modules.

Each module offers `init_app(app)` in its `registration.py`: it registers its blueprint, its tick
jobs, and its contributions to the machines of lower modules (guards and effects that need its
facts). Importing a module's registration imports its models, so the metadata is complete once the
modules are listed here. Adding a module is one package and one line in `MODULES`.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from codesign.agreements import registration as agreements
from codesign.api import registration as api
from codesign.auth import registration as auth
from codesign.config import load_config
from codesign.core import registration as core
from codesign.evaluation import registration as evaluation
from codesign.monitoring import registration as monitoring
from codesign.observatory import registration as observatory
from codesign.opportunities import registration as opportunities
from codesign.organizations import registration as organizations
from codesign.paths import resource_dir
from codesign.practices import registration as practices
from codesign.procedures import registration as procedures
from codesign.proposals import registration as proposals
from codesign.tables import registration as tables
from codesign.transparency import registration as transparency

# In lifecycle order; the API comes last, since it serves every module's operations.
MODULES = (core, auth, organizations, procedures, proposals, evaluation, tables, agreements, monitoring, transparency,
           observatory, practices, opportunities, api)


def create_app(config: dict | None = None) -> Flask:
    instance_path = os.environ.get("CODESIGN_INSTANCE_PATH")
    app = Flask(
        "codesign",
        template_folder=str(resource_dir("templates")),
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    for module in MODULES:
        module.init_app(app)
    return app
