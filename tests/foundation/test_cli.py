"""The command line as API.md fixes it, against a database of its own."""
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from codesign.cli import main


@pytest.fixture()
def cli_env(tmp_path, monkeypatch, database_url):
    # A database of its own: a fresh SQLite file (the CLI creates it through the migrations).
    monkeypatch.setenv("CODESIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("CODESIGN_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def count(tmp_path, table):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return n


def test_init_is_idempotent(cli_env):
    assert run("init").exit_code == 0
    assert run("init").exit_code == 0
    assert count(cli_env, "users") == 0


def test_users_add_and_token(cli_env):
    run("init")
    r = run("users", "add", "rup@comune.example", "--name", "Anna Bianchi", "--role", "admin",
            "--organization", "Comune di Test", "--password", "una-password-lunga")
    assert r.exit_code == 0, r.output
    r = run("tokens", "issue", "rup@comune.example")
    assert r.exit_code == 0
    assert re.fullmatch(r"cds_[A-Za-z0-9_\-]{30,}\n", r.output), r.output
    # the administration was created as kind pa, and the admin belongs to it
    engine = sa.create_engine(f"sqlite:///{cli_env / 'cli.sqlite'}")
    with engine.connect() as conn:
        kind = conn.execute(sa.text("SELECT kind FROM organizations WHERE name='Comune di Test'")).scalar_one()
        role = conn.execute(sa.text("SELECT role FROM memberships")).scalar_one()
    engine.dispose()
    assert (kind, role) == ("pa", "admin")


def test_admin_needs_organization(cli_env):
    run("init")
    r = CliRunner().invoke(main, ["users", "add", "x@example.org", "--name", "X", "--role", "admin"])
    assert r.exit_code != 0
    assert "--organization" in r.output
    assert count(cli_env, "users") == 0


def test_users_add_duplicate_is_refused(cli_env):
    run("init")
    assert run("users", "add", "a@example.org", "--name", "A", "--role", "evaluator").exit_code == 0
    r = CliRunner().invoke(main, ["users", "add", "a@example.org", "--name", "A", "--role", "evaluator"])
    assert r.exit_code != 0 and "esiste già" in r.output
    assert count(cli_env, "users") == 1


def test_generated_password_is_printed(cli_env):
    run("init")
    r = run("users", "add", "b@example.org", "--name", "B", "--role", "applicant")
    assert "Password:" in r.output


def test_tokens_issue_unknown_user(cli_env):
    run("init")
    r = CliRunner().invoke(main, ["tokens", "issue", "nobody@example.org"])
    assert r.exit_code != 0


def test_demo_twice_changes_nothing(cli_env):
    r1 = run("demo")
    assert r1.exit_code == 0, r1.output
    assert "admin@comune.milano.example" in r1.output and "codesign-demo-2026" in r1.output
    counts = {t: count(cli_env, t) for t in ("users", "organizations", "memberships", "procedures", "proposals",
                                             "audit_records")}
    assert counts["users"] == 11 and counts["organizations"] == 8   # with the Città metropolitana's office
    # the worked example in admissibility with its 11 proposals, an open call, and an earlier edition carried
    # from the ranking to three monitored projects (one completed) and an agreement waiting for its signature
    assert counts["procedures"] == 3 and counts["proposals"] == 22
    assert count(cli_env, "codesign_tables") == 7 and count(cli_env, "project_versions") == 7
    assert count(cli_env, "agreements") == 4 and count(cli_env, "reports") == 12
    # reports in every state, each expense with its receipt, the tranches paid as due, one corrected by a reversal
    engine = sa.create_engine(f"sqlite:///{cli_env / 'cli.sqlite'}")
    with engine.connect() as conn:
        states = dict(conn.execute(sa.text("SELECT state, count(*) FROM reports GROUP BY state")).all())
        projects = dict(conn.execute(sa.text("SELECT state, count(*) FROM proposals WHERE state IN "
                                             "('agreement_signed', 'started', 'completed') GROUP BY state")).all())
        receipts = conn.execute(sa.text("SELECT count(*) FROM expense_receipts")).scalar_one()
        paid = conn.execute(sa.text("SELECT count(*) FROM payments")).scalar_one()
        reversals = conn.execute(sa.text("SELECT count(*) FROM payment_reversals")).scalar_one()
    engine.dispose()
    assert states == {"approved": 7, "returned": 1, "submitted": 1, "due": 3}
    assert projects == {"started": 2, "completed": 1}
    assert receipts == 2 * 9 and paid == 6 and reversals == 1
    # the observatory: a dozen projects funded elsewhere (imported), the signed agreements' projects, opportunities
    assert count(cli_env, "projects") == 15 and count(cli_env, "opportunities") == 3
    # one of them a good practice, with a photo
    assert count(cli_env, "good_practices") == 1 and count(cli_env, "practice_photos") == 1
    counts |= {t: count(cli_env, t) for t in ("projects", "project_updates", "opportunities", "good_practices",
                                             "practice_photos")}
    r2 = run("demo")
    assert r2.exit_code == 0
    assert {t: count(cli_env, t) for t in counts} == counts


def test_audit_verify(cli_env):
    run("demo")
    r = run("audit", "verify")
    assert r.exit_code == 0 and "integro" in r.output
    engine = sa.create_engine(f"sqlite:///{cli_env / 'cli.sqlite'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_records SET reason='manomesso' WHERE seq=3"))
    engine.dispose()
    r = CliRunner().invoke(main, ["audit", "verify"])
    assert r.exit_code == 1 and "NON integro" in r.output


def test_tick_runs(cli_env):
    run("init")
    r = run("tick", "--now", "2026-01-01T00:00:00+01:00")
    assert r.exit_code == 0
    r = CliRunner().invoke(main, ["tick", "--now", "ieri"])
    assert r.exit_code == 2
