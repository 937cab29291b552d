"""Benchmark: API calls and pages with tens of thousands of proposals (PostgreSQL by default).

    .venv/bin/python bench/pages.py [--proposals 20000] [--url postgresql+psycopg://postgres@127.0.0.1:5432]

Bulk-inserts the proposals, then times each URL (median of 5, in-process test client) and counts
its SQL statements. The statement count must not depend on the number of proposals.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import fresh_database, published_call  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proposals", type=int, default=20000)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    import sqlalchemy as sa

    fresh_database(args.pg, "codesign_bench_pages")
    from codesign import create_app
    from codesign.core.migrate import upgrade
    from codesign.db import db
    from codesign.organizations.models import Organization
    from codesign.proposals.models import Proposal
    app = create_app({"SERVER_NAME": "localhost"})
    upgrade(app)
    with app.app_context():
        proc, admin, token = published_call(app)
        orgs = [{"name": f"Ente {i}", "kind": "ets"} for i in range(args.proposals)]
        db.session.execute(sa.insert(Organization), orgs)
        org_ids = db.session.execute(sa.select(Organization.id).where(Organization.kind == "ets")
                                     .order_by(Organization.id)).scalars().all()
        now = dt.datetime.now(dt.timezone.utc)
        rows = [{"procedure_id": proc.id, "organization_id": oid, "lot_id": proc.lots[i % 3].id, "state": "submitted",
                 "version": 1, "title": f"Proposta {i}", "summary": "S", "requested_amount": "1000.00",
                 "cofinancing_amount": "200.00", "partners": [], "declarations": {}, "protocol_number": i + 1,
                 "submitted_at": now, "created_at": now, "updated_at": now} for i, oid in enumerate(org_ids)]
        for k in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Proposal), rows[k:k + 5000])
        proc.last_protocol = len(rows)
        db.session.commit()
        pid = proc.id

    statements = []
    engine_events = []
    with app.app_context():
        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        urls = [("/api/v1/procedures", headers), (f"/api/v1/procedures/{pid}", headers),
                (f"/api/v1/procedures/{pid}/proposals?limit=100", headers),
                (f"/api/v1/procedures/{pid}/proposals?limit=100&offset=15000", headers),
                ("/", {}), ("/avvisi", {}), (f"/avvisi/{pid}", {})]
        print(f"{args.proposals} proposals on PostgreSQL; median of 5 requests")
        print(f"{'URL':58} {'status':>6} {'ms':>8} {'SQL':>5}")
        for url, h in urls:
            times = []
            for _ in range(5):
                statements.clear()
                t0 = time.perf_counter()
                r = client.get(url, headers=h)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"{url:58} {r.status_code:>6} {statistics.median(times):>8.1f} {len(statements):>5}")
    del engine_events


if __name__ == "__main__":
    main()
