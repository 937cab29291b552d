"""The `codesign` command line (API.md, "Command line": names fixed)."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys

import secrets
from pathlib import Path

import click
import sqlalchemy as sa

from codesign.app import create_app
from codesign.auth import operations as auth_ops
from codesign.auth import throttle
from codesign.core import audit as audit_mod
from codesign.core import backup as backup_mod
from codesign.core import receipts as receipts_mod
from codesign.core.enums import Role
from codesign.core.errors import DomainError
from codesign.core.migrate import revision, upgrade
from codesign.core.tick import run_tick
from codesign.core.validation import aware_datetime
from codesign.db import db
from codesign.demo.loader import load_demo
from codesign.docs_cli import docs
from codesign.organizations import operations as org_ops
from codesign.organizations.models import Organization


def _app():
    return create_app()


@click.group(help="codesign: co-progettazione tra amministrazioni e Terzo settore.")
def main():
    pass


@main.command(help="Crea o aggiorna il database all'ultima revisione (si può ripetere).")
def init():
    app = _app()
    upgrade(app)
    click.echo("Database aggiornato all'ultima revisione.")


@main.command(help="Esegue init e carica i dati dimostrativi (si può ripetere).")
def demo():
    app = _app()
    upgrade(app)
    with app.app_context():
        accounts = load_demo()
        db.session.commit()
    click.echo("Dati dimostrativi caricati. Utenti (e-mail / password / ruolo):")
    for email, password, role in accounts:
        click.echo(f"  {email:45} {password:22} {role}")


@main.command(help="Avvia l'applicazione (gunicorn; il server di sviluppo di Flask solo con --debug).")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int, show_default="5000")
@click.option("--workers", default=2, type=int, show_default=True)
@click.option("--debug", is_flag=True, help="Server di sviluppo di Flask, con ricaricamento.")
def run(host, port, workers, debug):
    app = _app()
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from gunicorn.app.base import BaseApplication  # only the server needs it (heavy, and absent on Windows)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return app

    click.echo(f"codesign in ascolto su http://{host}:{port}")
    Server().run()


@main.group(help="Gestione degli utenti.")
def users():
    pass


@users.command("add", help="Crea un utente con il ruolo indicato.")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "evaluator", "applicant"]))
@click.option("--organization", help="Per un admin: l'amministrazione (creata se nuova).")
@click.option("--password", help="Se omessa, ne viene generata una e stampata.")
def users_add(email, name, role, organization, password):
    if role == "admin" and not organization:
        raise click.UsageError("un admin deve indicare l'amministrazione con --organization")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    app = _app()
    with app.app_context():
        try:
            user = auth_ops.create_user(email=email, name=name, password=password, verified=True)
            org = None
            if organization:
                if role == "admin":
                    org = org_ops.get_or_create_administration(organization, actor=user)
                else:
                    org = org_ops.get_or_create_administration(organization, actor=user) if role == "evaluator" \
                        else _find_org(organization)
            auth_ops.grant_role(user, Role(role), org)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from exc
        click.echo(f"Utente creato: {user.email} ({role})")
        if generated:
            click.echo(f"Password: {password}")


@users.command("unlock", help="Toglie il blocco dei tentativi di accesso di un account (prima della fine della finestra).")
@click.argument("email")
def users_unlock(email):
    app = _app()
    with app.app_context():
        counted = throttle.unlock(email)
        db.session.commit()
    click.echo(f"Tentativi di accesso azzerati per {email}." if counted else f"Nessun tentativo registrato per {email}.")


def _find_org(name):
    org = db.session.execute(sa.select(Organization).where(Organization.name == name)).scalars().first()
    if org is None:
        raise click.ClickException(f"organizzazione sconosciuta: {name}")
    return org


@main.group(help="Token per la API.")
def tokens():
    pass


@tokens.command("issue", help="Stampa un nuovo token per l'utente indicato.")
@click.argument("email")
def tokens_issue(email):
    app = _app()
    with app.app_context():
        user = auth_ops.get_user_by_email(email)
        if user is None or not user.is_active:
            raise click.ClickException(f"utente sconosciuto: {email}")
        token = auth_ops.issue_token(user)
        db.session.commit()
    click.echo(token)


@main.command(help="Esegue una volta le operazioni legate al tempo (scadenze, integrazioni, ritardi).")
@click.option("--now", "now_text", help="L'istante con cui ragiona questa esecuzione (ISO 8601).")
def tick(now_text):
    if now_text:
        try:
            now = aware_datetime(now_text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from exc
    else:
        now = dt.datetime.now(dt.timezone.utc)
    app = _app()
    with app.app_context():
        report = run_tick(now)
    for line in report:
        click.echo(line)


@main.group(help="Registro delle operazioni (audit).")
def audit():
    pass


@audit.command("verify", help="Verifica la catena del registro con la chiave e, se indicati, i punti di controllo.")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
              help="File dei punti di controllo (scritto da `codesign audit checkpoint --file`).")
def audit_verify(checkpoint_file):
    app = _app()
    with app.app_context():
        try:
            marks = audit_mod.read_checkpoints(checkpoint_file) if checkpoint_file else None
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        ok, n, problem = audit_mod.verify(marks)
    if ok:
        extra = f", {len(marks)} punti di controllo ritrovati" if marks else ""
        click.echo(f"Registro integro: {n} record verificati{extra}.")
    else:
        click.echo(f"Registro NON integro dopo {n} record: {problem}", err=True)
        sys.exit(1)


@audit.command("checkpoint", help="Stampa la testa del registro (numero e hash) e la aggiunge al file indicato.")
@click.option("--file", "checkpoint_file", type=click.Path(dir_okay=False),
              help="File a cui aggiungere il punto di controllo (una riga JSON; il file cresce soltanto).")
def audit_checkpoint(checkpoint_file):
    app = _app()
    with app.app_context():
        try:
            mark = audit_mod.checkpoint()
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
    if checkpoint_file:
        audit_mod.append_checkpoint(checkpoint_file, mark)
    click.echo(json.dumps(mark, sort_keys=True))


@audit.command("rekey", help="Sigilla con la chiave attuale una catena scritta senza chiave (una volta, dopo l'aggiornamento).")
@click.option("--from-unkeyed", is_flag=True, required=True,
              help="La catena esistente è stata scritta senza chiave (SHA-256 semplice).")
def audit_rekey(from_unkeyed):
    app = _app()
    with app.app_context():
        try:
            n = audit_mod.rekey(audit_mod.UNKEYED)
        except ValueError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
    click.echo(f"Registro sigillato con la chiave: {n} record.")


@main.group(help="Ricevute di presentazione firmate (Ed25519).")
def receipts():
    pass


@receipts.command("verify", help="Verifica una ricevuta firmata (file JSON) con le chiavi pubbliche dell'amministrazione.")
@click.argument("receipt_file", type=click.Path(exists=True, dir_okay=False))
def receipts_verify(receipt_file):
    app = _app()
    raw = Path(receipt_file).read_bytes()
    with app.app_context():
        problems = receipts_mod.verify(raw)
    if problems:
        click.echo("Ricevuta NON autentica:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    receipt = json.loads(raw)["receipt"]
    click.echo(f"Ricevuta autentica: n. {receipt['protocol_number']} del {receipt['submitted_at']}, "
               f"avviso {receipt['procedure']['id']}, impronta del contenuto {receipt['content_sha256']}.")


@receipts.command("keys", help="Stampa le chiavi pubbliche che firmano le ricevute (attuale e ritirate), in JSON.")
def receipts_keys():
    app = _app()
    with app.app_context():
        click.echo(json.dumps(receipts_mod.published_keys(), indent=2))


@receipts.command("rotate-key", help="Crea una nuova chiave di firma; la precedente resta pubblicata per le ricevute già emesse.")
def receipts_rotate_key():
    app = _app()
    try:
        old, new = receipts_mod.rotate(Path(app.instance_path), dt.datetime.now(dt.timezone.utc))
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Nuova chiave {new}; la chiave {old} è ritirata e resta pubblicata. Riavvia l'applicazione.")


@main.command("backup", help="Copia il database e i documenti caricati nella cartella DIR (nuova o vuota), con i checksum.")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_command(directory):
    try:
        manifest = backup_mod.backup(_app(), Path(directory))
    except (backup_mod.BackupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(f"Copia scritta in {directory}: database {manifest['database']['dialect']}, {uploads} documenti, "
               f"registro fino al record {manifest['audit']['seq']}.")


@main.command("restore", help="Ripristina da DIR il database e i documenti, dopo averne verificato i checksum.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Sostituisce un database o una cartella dei documenti non vuoti.")
def restore_command(directory, force):
    try:
        manifest, n = backup_mod.restore(_app(), Path(directory), force=force)
    except backup_mod.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(f"Ripristino completato da {directory}: {uploads} documenti; registro integro, {n} record verificati.")


@main.group("db", help="Strumenti per gli sviluppatori.")
def db_group():
    pass


@db_group.command("revision", help="Genera una nuova revisione Alembic confrontando i modelli con il database.")
@click.option("-m", "--message", required=True)
def db_revision(message):
    revision(_app(), message)


main.add_command(docs)


if __name__ == "__main__":  # pragma: no cover
    main()
