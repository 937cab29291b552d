"""Load benchmark: 400 submissions from 20 concurrent clients against a real server on PostgreSQL.

    .venv/bin/python bench/load_submissions.py [--clients 20] [--per-client 20] [--workers 4]

Creates a fresh database (codesign_bench), prepares a published call with 400 drafts (20 bodies),
starts `codesign run` (gunicorn) on 127.0.0.1, fires the submissions over HTTP from 20 threads,
then checks that the receipt numbers are exactly 1..400 and prints the rate. Only loopback traffic.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--per-client", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = ap.parse_args()

    import sqlalchemy as sa

    admin_engine = sa.create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as c:
        c.execute(sa.text('DROP DATABASE IF EXISTS codesign_bench WITH (FORCE)'))
        c.execute(sa.text('CREATE DATABASE codesign_bench'))
    url = f"{args.pg}/codesign_bench"
    os.environ["CODESIGN_DATABASE_URL"] = url
    os.environ.setdefault("CODESIGN_INSTANCE_PATH", str(ROOT / "instance" / "bench"))

    from codesign import create_app
    from codesign.auth import operations as auth_ops
    from codesign.core.enums import Role
    from codesign.core.migrate import upgrade
    from codesign.db import db
    from codesign.organizations.models import Organization
    from codesign.procedures import operations as procs
    from codesign.procedures.workflow import workflow as procedure_workflow
    from codesign.proposals import operations as props
    app = create_app()
    upgrade(app)
    scenario = json.loads((ROOT / "codesign/demo/quartieri-connessi.json").read_text())
    call = scenario["call"] | {"submission_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)).isoformat()}
    tokens, drafts = [], []
    with app.app_context():
        pa = Organization(name="Comune di Milano", kind="pa")
        db.session.add(pa)
        admin = auth_ops.create_user(email="admin@bench.example", name="Admin", password="password-bench")
        auth_ops.grant_role(admin, Role.admin, pa)
        proc = procs.create_procedure(admin, call)
        procedure_workflow.fire(proc, "publish", admin)
        for c in range(args.clients):
            from stdnum import luhn

            base = f"{9000000 + c:07d}015"
            tax = base + luhn.calc_check_digit(base)
            org = Organization(name=f"Ente {c}", kind="ets", tax_code=tax)
            db.session.add(org)
            user = auth_ops.create_user(email=f"ente{c}@bench.example", name=f"Ente {c}", password="password-bench")
            auth_ops.grant_role(user, Role.applicant, org)
            db.session.flush()
            tokens.append(auth_ops.issue_token(user))
            mine = []
            for k in range(args.per_client):
                p = props.create_proposal(user, proc, {"organization_id": org.id, "lot": "A", "title": f"P {c}-{k}",
                                                       "summary": "S", "requested_amount": "1000.00",
                                                       "cofinancing_amount": "200.00"})
                mine.append(p.id)
            drafts.append(mine)
        db.session.commit()
        decl = {d["code"]: True for d in call["declarations"]}

    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/codesign"), "run", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/procedures", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        statuses = []
        lock = threading.Lock()

        def client(i):
            for pid in drafts[i]:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/proposals/{pid}/transitions", method="POST",
                    data=json.dumps({"trigger": "submit", "declarations": decl}).encode(),
                    headers={"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        code = r.status
                except urllib.error.HTTPError as e:
                    code = e.code
                with lock:
                    statuses.append(code)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(10)
    with app.app_context():
        from codesign.proposals.models import Proposal

        numbers = sorted(db.session.execute(sa.select(Proposal.protocol_number)).scalars())
    n = args.clients * args.per_client
    ok = statuses.count(200)
    print(f"submissions: {n} from {args.clients} clients, {args.workers} gunicorn workers")
    print(f"succeeded: {ok}; elapsed: {elapsed:.2f} s; rate: {n / elapsed:.1f} submissions/s")
    print(f"receipt numbers 1..{n} without gaps or repeats: {numbers == list(range(1, n + 1))}")
    return 0 if ok == n and numbers == list(range(1, n + 1)) else 1


if __name__ == "__main__":
    sys.exit(main())
