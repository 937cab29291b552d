"""Users, login, API tokens: the pages and the session's user loader."""
from __future__ import annotations

from flask import Flask

from codesign.auth.models import User
from codesign.auth.views import bp
from codesign.core.web import login_manager
from codesign.db import db


def load_user(user_id):
    user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    return user if user is not None and user.is_active else None


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
