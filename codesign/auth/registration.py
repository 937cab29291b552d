"""Users, login, API tokens: the pages and the session's user loader."""
from __future__ import annotations

from flask import Flask

from codesign.auth.models import User
from codesign.auth.views import bp
from codesign.core.schemas import INT_MAX
from codesign.core.web import login_manager
from codesign.db import db


def load_user(user_id):
    """The session's user, only while the session's version is the user's current one."""
    uid, _, version = str(user_id).partition(":")
    if not (uid.isascii() and uid.isdigit() and version.isascii() and version.isdigit()) or int(uid) > INT_MAX:
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
