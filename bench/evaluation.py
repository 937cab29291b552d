"""Benchmark: the staff pages of a call under evaluation at metropolitan scale (PostgreSQL by default).

    .venv/bin/python bench/evaluation.py [--proposals 1000] [--members 3] [--samples 5] [--missing 0]
                                         [--only manage,board] [--profile manage] [--approve]

Bulk-inserts a call in evaluation with N admissible proposals, a committee of `--members` evaluators, each
with a declaration and a final review scoring every criterion of the worked example (`--missing` reviews left
out, so the ranking is not yet ready); then times each URL (median of `--samples`, in-process test client,
after one warm-up) and counts its SQL statements. `--profile NAME` prints cProfile's top functions of that
page instead. `--approve` then approves the ranking once (every proposal moves), timed with its statements, and
times the co-design board that then lists every proposal.
Figures go to docs/performance.md with the machine they ran on.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import fresh_database, published_call  # noqa: E402


def build(app, n: int, members: int, missing: int):
    import sqlalchemy as sa

    from codesign.auth import operations as auth_ops
    from codesign.core.enums import Role
    from codesign.db import db
    from codesign.evaluation.models import CommitteeMember, ConflictDeclaration, Review, ReviewScore
    from codesign.organizations.models import Organization
    from codesign.procedures.models import Procedure
    from codesign.proposals.models import Proposal

    with app.app_context():
        proc, admin, token = published_call(app)
        evaluators = []
        for i in range(members):
            u = auth_ops.create_user(email=f"val{i}@bench.example", name=f"Valutatore {i}", password="password-bench",
                                     verified=True)
            auth_ops.grant_role(u, Role.evaluator)
            evaluators.append(u)
        db.session.commit()
        now = dt.datetime.now(dt.timezone.utc)
        db.session.execute(sa.insert(Organization), [{"name": f"Ente {i}", "kind": "ets",
                                                         "tax_code": f"{90000000000 + i}"} for i in range(n)])
        org_ids = db.session.execute(sa.select(Organization.id).where(Organization.kind == "ets")
                                     .order_by(Organization.id)).scalars().all()
        lots = [lot.id for lot in proc.lots]
        rows = [{"procedure_id": proc.id, "organization_id": oid, "lot_id": lots[i % len(lots)], "state": "admissible",
                 "version": 1, "title": f"Proposta {i}", "summary": "S", "requested_amount": "1000.00",
                 "cofinancing_amount": "200.00", "partners": [], "declarations": {}, "protocol_number": i + 1,
                 "submitted_at": now, "created_at": now, "updated_at": now} for i, oid in enumerate(org_ids)]
        for k in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Proposal), rows[k:k + 5000])
        pids = db.session.execute(sa.select(Proposal.id).where(Proposal.procedure_id == proc.id)
                                  .order_by(Proposal.protocol_number)).scalars().all()
        db.session.execute(sa.insert(CommitteeMember), [
            {"procedure_id": proc.id, "user_id": u.id, "substitute": False, "appointed_at": now} for u in evaluators])
        criteria = [(c.code, Decimal(c.max_points)) for c in proc.criteria]
        skipped = set(pids[:missing])
        decls, reviews = [], []
        for pid in pids:
            for u in evaluators:
                decls.append({"proposal_id": pid, "user_id": u.id, "conflict": False, "declared_at": now})
                if pid not in skipped:
                    reviews.append({"proposal_id": pid, "user_id": u.id, "final": True, "updated_at": now,
                                    "finalized_at": now, "version": 1})
        for k in range(0, len(decls), 5000):
            db.session.execute(sa.insert(ConflictDeclaration), decls[k:k + 5000])
        for k in range(0, len(reviews), 5000):
            db.session.execute(sa.insert(Review), reviews[k:k + 5000])
        review_ids = db.session.execute(sa.select(Review.id, Review.proposal_id).join(Proposal)
                                        .where(Proposal.procedure_id == proc.id)).all()
        scale = Decimal(1) if proc.scoring == "coefficients" else None  # a coefficient, or points up to the max
        scores = [{"review_id": rid, "criterion_code": code,
                   "value": (scale or top) * Decimal((pid * 7 + j * 3) % 10 + 1) / 10, "reason": None}
                  for rid, pid in review_ids for j, (code, top) in enumerate(criteria)]
        for k in range(0, len(scores), 10000):
            db.session.execute(sa.insert(ReviewScore), scores[k:k + 10000])
        db.session.execute(sa.update(Procedure).where(Procedure.id == proc.id).values(
            state="evaluation", last_protocol=n, submission_deadline=now - dt.timedelta(days=30)))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))  # the statistics a database has after a bulk load settles
        return proc.id, pids[len(pids) // 2], token, admin.id, admin.session_version


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proposals", type=int, default=1000)
    ap.add_argument("--members", type=int, default=3)
    ap.add_argument("--missing", type=int, default=0, help="proposals whose reviews are all left out")
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated names of the URLs to time")
    ap.add_argument("--profile", default="", help="the name of one URL to profile instead of timing")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    ap.add_argument("--approve", action="store_true", help="then approve the ranking once, timed (it moves every "
                    "proposal, so it comes last)")
    args = ap.parse_args()
    import sqlalchemy as sa

    fresh_database(args.pg, "codesign_bench_evaluation")
    from codesign import create_app
    from codesign.core.migrate import upgrade
    from codesign.db import db

    app = create_app({"SERVER_NAME": "localhost", "WTF_CSRF_ENABLED": False})
    upgrade(app)
    t0 = time.perf_counter()
    pid, one, token, admin_id, session_version = build(app, args.proposals, args.members, args.missing)
    print(f"built {args.proposals} proposals x {args.members} reviews in {time.perf_counter() - t0:.1f} s")

    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        client = app.test_client()
        with client.session_transaction() as s:
            s["_user_id"] = f"{admin_id}:{session_version}"
            s["_fresh"] = True
        api = {"Authorization": f"Bearer {token}"}
        urls = [("api-list", f"/api/v1/procedures/{pid}/proposals?limit=60", api),
                ("api-proposal", f"/api/v1/proposals/{one}", api),
                ("manage", f"/gestione/avvisi/{pid}", {}),
                ("board", f"/gestione/avvisi/{pid}/valutazione", {}),
                ("board-filter", f"/gestione/avvisi/{pid}/valutazione?lotto=A&situazione=complete&pagina=3", {}),
                ("preview-csv", f"/gestione/avvisi/{pid}/valutazione/anteprima.csv", {}),
                ("api-ranking", f"/api/v1/procedures/{pid}/ranking", api),
                ("admissibility", f"/gestione/avvisi/{pid}/ammissibilita", {}),
                ("adm-filter", f"/gestione/avvisi/{pid}/ammissibilita?lotto=A&q=proposta&ordine=importo&pagina=3", {}),
                ("adm-search", f"/gestione/avvisi/{pid}/ammissibilita?q=90000000777", {}),
                ("adm-csv", f"/gestione/avvisi/{pid}/ammissibilita.csv", {}),
                ("api-search", f"/api/v1/procedures/{pid}/proposals?q=ente+77&sort=body&limit=60", api)]
        chosen = set(filter(None, args.only.split(",")))
        urls = [u for u in urls if not chosen or u[0] in chosen]
        if args.profile == "approve":
            prof = cProfile.Profile()
            prof.enable()
            client.post(f"/api/v1/procedures/{pid}/transitions", headers=api,
                        json={"trigger": "approve_ranking", "act_ref": "Determina n. 1"})
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
            return
        if args.profile:
            _name, url, headers = next(u for u in urls if u[0] == args.profile)
            client.get(url, headers=headers)
            prof = cProfile.Profile()
            prof.enable()
            client.get(url, headers=headers)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            return
        print(f"{args.proposals} proposals x {args.members} reviews x 5 criteria on PostgreSQL; "
              f"median of {args.samples} requests after one warm-up")
        print(f"{'page':14} {'URL':72} {'status':>6} {'ms':>9} {'SQL':>5}")
        for name, url, headers in urls:
            client.get(url, headers=headers)
            times = []
            for _ in range(args.samples):
                statements.clear()
                t = time.perf_counter()
                r = client.get(url, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
            print(f"{name:14} {url:72} {r.status_code:>6} {statistics.median(times):>9.1f} {len(statements):>5}")
        if args.approve:
            url = f"/api/v1/procedures/{pid}/transitions"
            statements.clear()
            t = time.perf_counter()
            r = client.post(url, headers=api, json={"trigger": "approve_ranking", "act_ref": "Determina n. 1"})
            ms = (time.perf_counter() - t) * 1000
            print(f"{'approve':14} {'POST ' + url:72} {r.status_code:>6} {ms:>9.1f} {len(statements):>5}")
            # every proposal now after the ranking: the co-design board lists them all
            for name, url in (("codesign", f"/gestione/avvisi/{pid}/coprogettazione"),
                              ("codesign-find", f"/gestione/avvisi/{pid}/coprogettazione?lotto=A&q=ente+7&pagina=2")):
                client.get(url)
                times = []
                for _ in range(args.samples):
                    statements.clear()
                    t = time.perf_counter()
                    r = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                print(f"{name:14} {url:72} {r.status_code:>6} {statistics.median(times):>9.1f} {len(statements):>5}")


if __name__ == "__main__":
    main()
