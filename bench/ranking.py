"""Benchmark: the ranking itself (evaluation.ranking.compute_ranking, no database) at metropolitan scale.

    .venv/bin/python bench/ranking.py [--proposals 10000] [--members 5] [--criteria 6] [--samples 5]

N proposals over 5 lots, each with `--members` final reviews scoring `--criteria` criteria (seeded, so every run
ranks the same data), in both scoring methods, with and without re-scaling; median of `--samples` runs and a digest
of the result, which stays the same while the arithmetic does. Figures go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    from codesign.evaluation.ranking import Candidate, Criterion, Lot, compute_ranking

    ap = argparse.ArgumentParser()
    ap.add_argument("--proposals", type=int, default=10000)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--criteria", type=int, default=6)
    ap.add_argument("--samples", type=int, default=5)
    args = ap.parse_args()
    rnd = random.Random(1)
    criteria = [Criterion(f"{i + 1}", Decimal(20), Decimal(4) if i == 0 else None) for i in range(args.criteria)]
    lots = [Lot(code, Decimal("500000.00")) for code in "ABCDE"]
    for scoring, top in (("points", 2000), ("coefficients", 100)):
        candidates = [Candidate(i, "ABCDE"[i % 5], i + 1, Decimal("1000.00"),
                                [{c.code: Decimal(rnd.randint(0, top)) / 100 for c in criteria}
                                 for _ in range(args.members)]) for i in range(args.proposals)]
        for rescale in (False, True):
            times = []
            for _ in range(args.samples):
                t = time.perf_counter()
                result = compute_ranking(criteria=criteria, lots=lots, candidates=candidates, scoring=scoring,
                                         threshold=Decimal(60), rescale=rescale, tie_break_criterion="2")
                times.append((time.perf_counter() - t) * 1000)
            digest = hashlib.sha256(repr(result).encode()).hexdigest()[:12]
            print(f"{args.proposals} x {args.members} x {args.criteria} {scoring:12} rescale={rescale!s:5} "
                  f"median {statistics.median(times):7.1f} ms  result {digest}")


if __name__ == "__main__":
    main()
