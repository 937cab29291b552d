"""The web frame: extensions, the request lifecycle, error pages, the language switch, static assets."""
from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (Blueprint, Flask, Response, abort, current_app, flash, g, has_request_context, jsonify, redirect,
                   render_template, request, send_from_directory, session, url_for)
from flask_babel import Babel, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from codesign.core import diagram, mail, notifications, search
from codesign.core import privacy as privacy_notice
from codesign.core.errors import DomainError
from codesign.core.redirects import safe_path
from codesign.core.schemas import INT_MAX
from codesign.db import db
from codesign.paths import PACKAGE_DIR

ROME = ZoneInfo("Europe/Rome")
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class PageSections:
    """Sections that higher modules add to a lower module's page (a municipality's page gets its good practices,
    a call's page its final figures), registered at their init_app. Each section is `(key) -> {"template": ...,
    **its context}`, or None when it has nothing to show; `sections(key)` gives the ones that have something."""

    def __init__(self) -> None:
        self._sections: list = []

    def register(self, section) -> None:
        if section not in self._sections:
            self._sections.append(section)

    def __call__(self, key) -> list[dict]:
        return [s for s in (section(key) for section in self._sections) if s]


bp = Blueprint("core", __name__)
PAGE_ARG = "pagina"
MAX_PAGE = 100_000  # what an offset can hold: a 20-digit page number is the last page, not a 500


@dataclass(frozen=True)
class Pager:
    """One page of a list shown on a page: the page asked for (`?pagina=`), its size, how many rows in all once
    counted, and the other query arguments (the list's filters), kept by the links to the other pages
    (templates/macros/pager.html)."""

    page: int
    size: int
    total: int = 0
    args: dict = field(default_factory=dict)

    @classmethod
    def from_request(cls, size: int) -> Pager:
        page = min(max(request.args.get(PAGE_ARG, 1, type=int) or 1, 1), MAX_PAGE)
        # url_for's own keywords (_external, _scheme, _anchor…) are never passed on from the query string.
        return cls(page, size, args={k: v for k, v in request.args.items() if k != PAGE_ARG and not k.startswith("_")})

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    def counted(self, total: int) -> Pager:
        return Pager(self.page, self.size, total, self.args)

    @classmethod
    def read(cls, size: int, read_page):
        """The page the query string asks for, read by `read_page(offset, limit)` → (what it read, the total);
        a page beyond the last (an old link) reads the last one. (What was read, the Pager counted.)"""
        pager = cls.from_request(size)
        found, total = read_page(pager.offset, pager.size)
        pager = pager.counted(total)
        if pager.page > pager.pages:
            pager = Pager(pager.pages, size, args=pager.args)
            found, total = read_page(pager.offset, pager.size)
            pager = pager.counted(total)
        return found, pager


def search_arg() -> str | None:
    """The text of a list's search box (`?q=`): ends trimmed, at most search.MAX_LENGTH characters, None when
    empty."""
    return (request.args.get("q") or "").strip()[:search.MAX_LENGTH] or None


class DatabaseInt(IntegerConverter):
    """`<int:…>` in every route: at most 20 ASCII digits, so that a longer number matches no route (404).

    A number beyond the database's range but within 20 digits (`/avvisi/<13 digits>`,
    `/api/v1/procedures/2147483648`) is answered 404 by `ids_in_range` before any view runs: it
    cannot name a row, and the database driver would otherwise fail on it. (Raising in the converter
    would make Werkzeug answer 405 where another rule shares the path with other methods.)
    """

    regex = r"[0-9]{1,20}"  # ASCII digits only: \d would also take other scripts' digits


def ids_in_range():
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and value > INT_MAX:
            abort(404)


def select_locale():
    """The language chosen in this session, else the one the signed-in person chose (kept on the account), else
    Italian."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if lang not in current_app.config["LANGUAGES"] and current_user.is_authenticated:
        lang = getattr(current_user, "locale", None)
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _assets_dir(package: str = "bootstrap-italia") -> Path | None:
    """Where an npm package's built files are (`node_modules/<package>/dist`, as `make assets` installs them)."""
    configured = current_app.config.get("ASSETS_DIR") if package == "bootstrap-italia" else None
    candidates = [Path(configured)] if configured else []
    candidates += [Path.cwd() / f"node_modules/{package}/dist", PACKAGE_DIR.parent / f"node_modules/{package}/dist"]
    for c in candidates:
        if c.is_dir():
            return c
    return None


@bp.route("/static/bootstrap-italia/<path:filename>")
def bootstrap_italia(filename):
    return _send_asset("bootstrap-italia", filename)


def _send_asset(package: str, filename: str):
    root = _assets_dir(package)
    if root is None:
        abort(404)
    return send_from_directory(root, filename, max_age=86400)


def standalone_script(package: str, filename: str, download_name: str) -> Response:
    """A verifier shipped inside the package (standard library only, for anyone to run offline), as a download."""
    script = resources.files(package).joinpath(filename).read_bytes()
    return Response(script, content_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{download_name}"'})


@bp.route("/static/leaflet/<path:filename>")
def leaflet(filename):
    """Leaflet (the map library) from npm; the observatory's map draws local GeoJSON with it, no tile server."""
    return _send_asset("leaflet", filename)


@bp.route("/static/chartjs/<path:filename>")
def chartjs(filename):
    """Chart.js from npm: the office's charts, each beside the table of its data."""
    return _send_asset("chart.js", filename)


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/lingua/<lang>", methods=["POST"])
def set_language(lang):
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang   # the person's mail comes in it too
    return redirect(safe_path(request.form.get("next"), url_for("core.home")))


@bp.route("/accessibilita")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html", privacy_date=privacy_notice.notice_date())


def _authenticated(u):
    return u.is_authenticated


# The main navigation: (endpoint, label, who sees it). An entry shows only once its module is registered.
NAV = [
    ("core.home", _l("Home"), lambda u: True),
    ("procedures.public_list", _l("Avvisi"), lambda u: True),
    ("observatory.projects", _l("Progetti del territorio"), lambda u: True),
    ("observatory.map_page", _l("Mappa"), lambda u: True),
    ("practices.public_list", _l("Buone pratiche"), lambda u: True),
    ("opportunities.public_list", _l("Opportunità"), lambda u: True),
    ("proposals.dashboard", _l("Le mie proposte"), lambda u: u.is_authenticated and u.is_applicant),
    ("organizations.mine", _l("I miei enti"), lambda u: u.is_authenticated and u.is_applicant),
    ("procedures.admin_list", _l("Gestione avvisi"), lambda u: u.is_authenticated and u.is_admin),
    ("observatory.overview", _l("Osservatorio"), lambda u: u.is_authenticated and u.is_admin),
    ("evaluation.queue", _l("Valutazioni"), lambda u: u.is_authenticated and u.is_evaluator),
    ("auth.outbox", _l("Posta in uscita"), lambda u: u.is_authenticated and u.is_admin and mail.outbox_page_enabled()),
]


# Where each role's work is, the first that applies: the page a person lands on after signing in.
LANDING = [
    ("procedures.admin_list", lambda u: u.is_admin),
    ("evaluation.queue", lambda u: u.is_evaluator),
    ("proposals.dashboard", lambda u: u.is_applicant),
]


def landing_url(user) -> str:
    for endpoint, applies in LANDING:
        if endpoint in current_app.view_functions and applies(user):
            return url_for(endpoint)
    return url_for("core.home")


def unread_notifications() -> int:
    """The signed-in person's unread notifications, counted once per request (the header and the page both show it)."""
    if "unread_notifications" not in g:
        g.unread_notifications = notifications.unread_count(current_user.id)
    return g.unread_notifications


def nav_items():
    items = []
    for endpoint, label, visible in NAV:
        if endpoint in current_app.view_functions and visible(current_user):
            url = url_for(endpoint)
            items.append({"url": url, "label": str(label), "active": request.endpoint == endpoint})
    return items


def format_datetime_rome(value: dt.datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ROME).strftime(fmt)


def format_day(value) -> str:
    """A calendar day (a date or its ISO text) as people in Italy write it: 31/12/2022."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def format_money(value) -> str:
    if value is None:
        return ""
    return format_decimal(Decimal(value), format="#,##0.00") + " €"


def format_number(value) -> str:
    """A quantity (an indicator's target or value) as the reader's language writes it: 1.300, 12,5."""
    if value is None:
        return "–"
    return format_decimal(Decimal(value), format="#,##0.###")


def format_score(value) -> str:
    """A score or a percentage's number as the reader's language writes it: 30, 8,5, 516.500 (no trailing
    zeros)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(str(value)), format="#,##0.##")


def format_percent(value) -> str:
    """A percentage as people write it, in the reader's language: 10 -> "10%", 9.5 -> "9,5%", none -> "–"."""
    if value is None or value == "":
        return "–"
    return format_score(value) + "%"


def format_share(part, whole) -> str:
    """`part` as a percentage of `whole`, rounded down to two decimals and written the reader's way, so that a
    share under a minimum never reads as the minimum itself (9,9995% -> "9,99%")."""
    if not whole:
        return "–"
    return format_percent((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))


# JSON errors for /api/ paths, in the shape API.md fixes.
ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
}
ERROR_MESSAGES = {
    400: "Richiesta non valida",
    401: "Autenticazione richiesta: usare l'intestazione Authorization: Bearer <token>",
    403: "Operazione non consentita con questo profilo",
    404: "Risorsa non trovata",
    405: "Metodo non consentito",
    413: "File troppo grande",
}


def error_response(status: int, message: str | None = None, code: str | None = None, fields: dict | None = None):
    body = {"code": code or ERROR_CODES.get(status, "error"), "message": message or ERROR_MESSAGES.get(status, "Errore")}
    if fields:
        body["fields"] = fields
    return jsonify({"error": body}), status


# No inline script and no script from elsewhere; styles may be inline because Bootstrap Italia's script
# adds its @font-face rules in a <style> element and some pages keep small style attributes.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _is_api() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: the converter is chosen when a rule is added.
    app.url_map.converters["int"] = DatabaseInt
    app.before_request(ids_in_range)  # first of all hooks: before authentication and CSRF
    if app.config.get("TRUSTED_PROXIES"):
        # The client's address (login throttling) and scheme come from the proxies' X-Forwarded-* headers.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Rome",
                   default_translation_directories=str(PACKAGE_DIR / "translations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(_("Accedi per continuare."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    diagram.init_app(app)
    app.jinja_env.filters["rome"] = format_datetime_rome
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["num_it"] = format_score
    app.jinja_env.filters["share_pct"] = format_percent
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject():
        return {"languages": app.config["LANGUAGES"], "current_lang": select_locale(), "current_user": current_user,
                "nav_items": nav_items, "has_endpoint": lambda name: name in app.view_functions,
                "unread_notifications": unread_notifications}

    @app.before_request
    def request_id():
        # Flask-Babel caches the locale in `g`; a request always decides its own (matters when an
        # application context outlives requests, as in tests and CLI-driven code).
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)  # Flask-Login's cache: each request loads its own user
        g.pop("csrf_token", None)  # Flask-WTF's cache: each request's form token comes from its own session
        g.pop("unread_notifications", None)  # unread_notifications()'s count: each request counts its own
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def finish(response):
        # One commit per request, at the end, and only for a request that succeeded.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return security_headers(response)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if _is_api():
            return jsonify(exc.to_dict()), exc.status
        return render_template("errors.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        return render_template("errors.html", status=400,
                               message=_("Il modulo è scaduto o non è valido. Ricarica la pagina e riprova.")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        # the headers the status needs (Allow on a 405, RFC 9110) survive our own error body
        kept = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}
        if _is_api():
            response = error_response(exc.code or 500)
            response = response if not isinstance(response, tuple) else response[0]
            response.status_code = exc.code or 500
            response.headers.update(kept)
            return response
        messages = {
            400: _("La richiesta non è valida."),
            403: _("Non hai i permessi per vedere questa pagina."),
            404: _("La pagina che cerchi non esiste o non è visibile con il tuo profilo."),
            405: _("Operazione non consentita."),
            413: _("Il file è troppo grande."),
        }
        return render_template("errors.html", status=exc.code,
                               message=messages.get(exc.code, exc.description)), exc.code, kept

    @app.errorhandler(Exception)
    def unexpected(exc):
        db.session.rollback()
        app.logger.exception("unexpected error")
        if _is_api():
            return error_response(500, "Errore interno", code="internal_error")
        return render_template("errors.html", status=500,
                               message=_("Si è verificato un errore imprevisto. Riprova più tardi.")), 500

    app.register_blueprint(bp)
