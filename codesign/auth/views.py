"""Login, logout, self-registration of applicants, password change."""
from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from codesign.auth import operations as ops
from codesign.auth import throttle
from codesign.auth.forms import ForgotForm, LoginForm, PasswordForm, RegisterForm, ResetForm
from codesign.core import mail, notifications
from codesign.core.errors import DomainError, GuardFailed
from codesign.core.forms import apply_errors
from codesign.core.redirects import safe_path
from codesign.core.web import Pager, landing_url
from codesign.db import db

bp = Blueprint("auth", __name__)
PAGE_SIZE = 20  # messages per page of the outbox


def _throttled_message(wait: int) -> str:
    return ngettext(
        "Troppi tentativi di accesso non riusciti: per sicurezza l'accesso è sospeso. Riprova tra %(num)s minuto.",
        "Troppi tentativi di accesso non riusciti: per sicurezza l'accesso è sospeso. Riprova tra %(num)s minuti.",
        math.ceil(wait / 60))


@bp.route("/accedi", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        wait = throttle.attempt(form.email.data, request.remote_addr)
        if wait is not None:
            form.password.errors = [_throttled_message(wait)]
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = ops.authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.succeeded(form.email.data, request.remote_addr)
            login_user(user)
            flash(_("Benvenuto, %(name)s.", name=user.name), "success")
            return redirect(safe_path(request.args.get("next"), landing_url(user)))
        form.password.errors = [_("E-mail o password non corretti.")]
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/esci", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        ops.end_sessions(current_user._get_current_object())  # a copy of this session's cookie ends too
    logout_user()
    flash(_("Sei uscito dall'area riservata."), "info")
    return redirect(url_for("core.home"))


@bp.route("/registrati", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("organizations.mine"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = ops.register(email=form.email.data, name=form.name.data, password=form.password.data,
                                privacy=form.privacy.data, verify_url=_verify_url, locale=str(get_locale()))
        except DomainError as exc:
            db.session.rollback()
            message = apply_errors(form, exc)
            if message:
                flash(message, "danger")
            return render_template("auth/register.html", form=form), 422
        login_user(user)
        flash(_("Registrazione completata. Ti abbiamo scritto a %(email)s: apri il collegamento per confermare "
                "l'indirizzo. Intanto registra il tuo ente.", email=user.email), "success")
        return redirect(url_for("organizations.new"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _verify_url(secret: str) -> str:
    return url_for("auth.verify_email", secret=secret, _external=True)


@bp.route("/conferma-email/<secret>", methods=["GET", "POST"])
def verify_email(secret: str):
    """The link mailed at registration: the page asks to confirm (a mail scanner that opens links confirms
    nothing), the button confirms."""
    link = ops.open_link(secret, "verify")
    if link is None:
        return render_template("auth/verify.html", person=None), 404
    if request.method == "POST":
        user = ops.confirm_email(secret)
        flash(_("Indirizzo %(email)s confermato.", email=user.email), "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(landing_url(user), 303)
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/verify.html", person=link.user)


@bp.route("/conferma-email", methods=["POST"])
@login_required
def resend_verification():
    user = current_user._get_current_object()
    if user.email_verified:
        flash(_("Il tuo indirizzo è già confermato."), "info")
    else:
        ops.send_verification(user, _verify_url)
        flash(_("Ti abbiamo scritto di nuovo a %(email)s: apri il collegamento entro tre giorni.", email=user.email),
              "success")
    return redirect(safe_path(request.form.get("next"), landing_url(user)), 303)


@bp.route("/profilo/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        # Guessing the current password from a borrowed session counts like guessing at the login.
        wait = throttle.attempt(user.email, request.remote_addr)
        if wait is not None:
            form.current_password.errors = [_throttled_message(wait)]
            return render_template("auth/password.html", form=form), 429, {"Retry-After": str(wait)}
        try:
            ops.change_password(user, form.current_password.data, form.new_password.data)
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            return render_template("auth/password.html", form=form), 422
        throttle.succeeded(user.email, request.remote_addr)
        login_user(user)  # this session goes on with the new version; every other one has ended
        flash(_("Password aggiornata."), "success")
        return redirect(url_for("core.home"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/password-dimenticata", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        # throttled like the login, and answered the same whether or not the address has an account
        wait = throttle.attempt(form.email.data, request.remote_addr)
        if wait is not None:
            form.email.errors = [_throttled_message(wait)]
            return render_template("auth/forgot.html", form=form), 429, {"Retry-After": str(wait)}
        ops.request_password_reset(form.email.data,
                                   lambda secret: url_for("auth.reset", secret=secret, _external=True))
        flash(_("Se l'indirizzo corrisponde a un account, riceverai a breve un messaggio con il collegamento per "
                "scegliere una nuova password (vale due ore e una volta sola)."), "info")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reimposta-password/<secret>", methods=["GET", "POST"])
def reset(secret: str):
    if ops.open_link(secret, "reset") is None:
        return render_template("auth/reset.html", form=None), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            ops.reset_password(secret, form.new_password.data)
        except GuardFailed:
            db.session.rollback()
            return render_template("auth/reset.html", form=None), 409
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            return render_template("auth/reset.html", form=form), 422
        logout_user()
        flash(_("Password reimpostata: accedi con la nuova password."), "success")
        return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.route("/invito/<secret>", methods=["GET", "POST"])
def invitation(secret: str):
    link = ops.open_link(secret, "invite")
    if link is None:
        return render_template("auth/invitation.html", form=None, person=None), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = ops.accept_invitation(secret, form.new_password.data)
        except GuardFailed:
            db.session.rollback()
            return render_template("auth/invitation.html", form=None, person=None), 409
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            return render_template("auth/invitation.html", form=form, person=link.user), 422
        login_user(user)
        flash(_("Account attivato. Benvenuto, %(name)s.", name=user.name), "success")
        return redirect(url_for("core.home"), 303)
    return render_template("auth/invitation.html", form=form, person=link.user), 422 if form.errors else 200


@bp.route("/posta-in-uscita")
@login_required
def outbox():
    """The outbox on a page, for admins, where no mail leaves (the demo): who was invited or asked for a new
    password follows the link from here. Absent in production and wherever CODESIGN_SMTP_URL is set."""
    if not mail.outbox_page_enabled():
        abort(404)
    if not current_user.is_admin:
        abort(403)
    to = (request.args.get("a") or "").strip()[:254]
    pager = Pager.from_request(PAGE_SIZE)
    rows, total = mail.messages(to=to or None, limit=pager.size, offset=pager.offset)
    return render_template("auth/outbox.html", rows=rows, pager=pager.counted(total), to=to)


@bp.route("/notifiche")
@login_required
def notifications_page():
    """What the person was told, unread first: each notification with what happened and a button to the page
    where to act, which marks it read."""
    pager = Pager.from_request(PAGE_SIZE)
    rows, total = notifications.of_person(current_user.id, limit=pager.size, offset=pager.offset)
    return render_template("auth/notifications.html", rows=rows, pager=pager.counted(total))


@bp.route("/notifiche/<int:notification_id>", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    n = notifications.mark_read(current_user.id, notification_id)
    return redirect(safe_path(n.link, url_for("auth.notifications_page")), 303)


@bp.route("/notifiche/lette", methods=["POST"])
@login_required
def read_all():
    count = notifications.mark_all_read(current_user.id)
    flash(ngettext("%(num)s notifica segnata come letta.", "%(num)s notifiche segnate come lette.", count)
          if count else _("Nessuna notifica da leggere."), "success")
    return redirect(url_for("auth.notifications_page"), 303)
