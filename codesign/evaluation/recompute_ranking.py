#!/usr/bin/env python3
"""Recompute a codesign ranking from its anonymised scores file, without trusting the server.

    python3 recompute_ranking.py punteggi.json [--sha256 HEX]

The file is the one published beside every approved ranking (`/avvisi/<id>/graduatoria/punteggi.json`,
or `GET /api/v1/procedures/<id>/ranking/scores`): the call's rules, each proposal's final scores by
evaluator pseudonym, and the ranking as approved. This script reads it, recomputes every lot's ranking
by the rules summarised below (codesign's DOMAIN.md, "Evaluation and ranking"), prints it, and compares
it with the approved one, entry by entry, to the cent. With `--sha256` it first checks that the file is
the one whose fingerprint is printed on the ranking's page and PDF.

Exit status: 0 when the file matches (and its SHA-256, if given); 1 when anything differs, each
difference printed; 2 when the file cannot be read as a scores file.

The rules, all in exact arithmetic (fractions, never binary floats):

* a criterion's score is the mean of the evaluators' values (in "coefficients" mode the mean
  coefficient times the criterion's maximum), rounded half-up to 2 decimals once;
* the total is the sum of the rounded criterion scores;
* a proposal passes when its total reaches the threshold and every criterion score reaches that
  criterion's minimum (checked before any re-scaling);
* with re-scaling, per lot and among passing proposals only, each criterion score becomes
  round_half_up(S * maximum / B, 2), B being the best score of that criterion among them (kept when B is 0);
* per lot: passing proposals first, then the others; by total descending, then by the shown score
  on the tie-break criterion descending, then by protocol number ascending;
* walking the passing proposals in rank order, each is admitted while the lot's remaining budget covers
  its requested amount, otherwise it stays in reserve; the walk goes on to the next.

Standard library only, and on purpose it shares no code with codesign: it is a second, independent
reading of the rules, meant to be read and run by anyone.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction

FORMAT = "codesign-ranking-scores/1"
OUTCOME_WORDS = {"admitted": "ammessa", "reserve": "idonea non finanziata", "below_threshold": "non idonea"}


class BadFile(Exception):
    """The file is not a scores file this script can read."""


def number(text, what: str) -> Fraction:
    """An exact number from its decimal text (the file writes every number as a string)."""
    if not isinstance(text, str):
        raise BadFile(f"{what}: expected a decimal number written as text, found {text!r}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadFile(f"{what}: {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise BadFile(f"{what}: {text!r} is not a finite number")
    return Fraction(value)


def cents(value: Fraction) -> Fraction:
    """Round half-up (away from zero on a tie) to the cent."""
    scaled = abs(value) * 100
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    return Fraction(whole if value >= 0 else -whole, 100)


def text(value: Fraction) -> str:
    """A value already rounded to the cent, written with two decimals."""
    hundredths = value * 100
    assert hundredths.denominator == 1
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths.numerator), 100)
    return f"{sign}{whole}.{part:02d}"


def field(obj, key: str, what: str):
    if not isinstance(obj, dict) or key not in obj:
        raise BadFile(f"{what}: the field {key!r} is missing")
    return obj[key]


def recompute(doc: dict) -> dict:
    """The ranking of every lot: {lot: {"budget_left": "…", "ranking": [{proposal_id, rank, total, criteria,
    outcome}]}}, amounts and scores as text with two decimals."""
    if field(doc, "format", "file") != FORMAT:
        raise BadFile(f"file: format {doc.get('format')!r}, this script reads {FORMAT!r}")
    rules = field(doc, "rules", "file")
    scoring = field(rules, "scoring", "rules")
    if scoring not in ("points", "coefficients"):
        raise BadFile(f"rules: unknown scoring method {scoring!r}")
    threshold = number(field(rules, "threshold", "rules"), "rules.threshold")
    rescale = field(rules, "rescale", "rules") is True
    tie_break = field(rules, "tie_break_criterion", "rules")
    maxima, minima, codes = {}, {}, []
    for c in field(rules, "criteria", "rules"):
        code = field(c, "code", "rules.criteria")
        codes.append(code)
        maxima[code] = number(field(c, "max_points", f"criterion {code}"), f"criterion {code}: max_points")
        if field(c, "min_points", f"criterion {code}") is not None:
            minima[code] = number(c["min_points"], f"criterion {code}: min_points")
    if tie_break not in maxima:
        raise BadFile(f"rules: the tie-break criterion {tie_break!r} is not among the criteria")
    budgets = {}
    for lot in field(rules, "lots", "rules"):
        code = field(lot, "code", "rules.lots")
        budgets[code] = number(field(lot, "budget", f"lot {code}"), f"lot {code}: budget")

    rows = {code: [] for code in budgets}
    for p in field(doc, "proposals", "file"):
        pid = field(p, "proposal_id", "proposal")
        who = f"proposal {pid}"
        lot = field(p, "lot", who)
        if lot not in rows:
            raise BadFile(f"{who}: lot {lot!r} is not among the call's lots")
        reviews = field(p, "reviews", who)
        if not reviews:
            raise BadFile(f"{who}: no review, it cannot be ranked")
        raw = {}
        for code in codes:
            values = []
            for r in reviews:
                scores = field(r, "scores", who)
                evaluator = r.get("evaluator", "?")
                value = number(field(scores, code, f"{who}, evaluator {evaluator}"),
                               f"{who}, evaluator {evaluator}, criterion {code}")
                top = Fraction(1) if scoring == "coefficients" else maxima[code]
                if not 0 <= value <= top:
                    raise BadFile(f"{who}, evaluator {evaluator}, criterion {code}: {scores[code]} is outside 0..{top}")
                values.append(value)
            mean = sum(values, Fraction(0)) / len(values)
            raw[code] = cents(mean * maxima[code] if scoring == "coefficients" else mean)
        total = sum(raw.values(), Fraction(0))
        passed = total >= threshold and all(raw[code] >= low for code, low in minima.items())
        rows[lot].append({"proposal_id": pid, "protocol": int(field(p, "protocol_number", who)),
                          "requested": number(field(p, "requested_amount", who), f"{who}: requested_amount"),
                          "shown": dict(raw), "total": total, "passed": passed,
                          "title": p.get("title", ""), "organization": p.get("organization", "")})

    out = {}
    for lot, entries in rows.items():
        passing = [e for e in entries if e["passed"]]
        if rescale:
            for code in codes:
                best = max((e["shown"][code] for e in passing), default=Fraction(0))
                if best > 0:
                    for e in passing:
                        e["shown"][code] = cents(e["shown"][code] * maxima[code] / best)
            for e in passing:
                e["total"] = sum(e["shown"].values(), Fraction(0))
        entries.sort(key=lambda e: (not e["passed"], -e["total"], -e["shown"][tie_break], e["protocol"]))
        left = budgets[lot]
        ranking = []
        for rank, e in enumerate(entries, start=1):
            if not e["passed"]:
                outcome = "below_threshold"
            elif e["requested"] <= left:
                outcome = "admitted"
                left -= e["requested"]
            else:
                outcome = "reserve"
            ranking.append({"proposal_id": e["proposal_id"], "rank": rank, "total": text(e["total"]),
                            "criteria": {code: text(e["shown"][code]) for code in codes}, "outcome": outcome,
                            "title": e["title"], "organization": e["organization"]})
        out[lot] = {"budget_left": text(cents(left)), "ranking": ranking}
    return out


def differences(recomputed: dict, approved: dict) -> list[str]:
    """What the approved ranking says that the recomputation does not, entry by entry."""
    found = []
    for lot in sorted(set(recomputed) | set(approved)):
        if lot not in approved:
            found.append(f"lot {lot}: recomputed, but not in the approved ranking")
            continue
        if lot not in recomputed:
            found.append(f"lot {lot}: in the approved ranking, but not among the call's lots")
            continue
        mine, theirs = recomputed[lot], approved[lot]
        if mine["budget_left"] != theirs.get("budget_left"):
            found.append(f"lot {lot}: budget left {theirs.get('budget_left')} approved, {mine['budget_left']} recomputed")
        given = theirs.get("ranking", [])
        for position in range(max(len(mine["ranking"]), len(given))):
            a = mine["ranking"][position] if position < len(mine["ranking"]) else None
            b = given[position] if position < len(given) else None
            if a is None or b is None:
                extra = a or b
                side = "recomputed only" if b is None else "approved only"
                found.append(f"lot {lot}, position {position + 1}: proposal {extra.get('proposal_id')} {side}")
                continue
            for key in ("proposal_id", "rank", "total", "criteria", "outcome"):
                if a[key] != b.get(key):
                    found.append(f"lot {lot}, position {position + 1}: {key} {b.get(key)!r} approved, "
                                 f"{a[key]!r} recomputed")
    return found


def report(recomputed: dict) -> str:
    lines = []
    for lot, data in recomputed.items():
        lines.append(f"Lot {lot} (budget left {data['budget_left']})")
        for e in data["ranking"]:
            lines.append(f"  {e['rank']:>3}. {e['total']:>7}  {OUTCOME_WORDS[e['outcome']]:<22} "
                         f"proposal {e['proposal_id']}: {e['title']} ({e['organization']})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a codesign ranking from its anonymised scores file.")
    parser.add_argument("file", help="the scores file (punteggi.json)")
    parser.add_argument("--sha256", help="the SHA-256 printed on the ranking's page and PDF")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    problems = []
    digest = hashlib.sha256(raw).hexdigest()
    print(f"SHA-256 {digest}")
    if args.sha256 is not None and args.sha256.strip().lower() != digest:
        problems.append(f"SHA-256: the file's is {digest}, the expected one {args.sha256.strip().lower()}: "
                        "this is not the published file")
    try:
        doc = json.loads(raw.decode("utf-8"))
        recomputed = recompute(doc)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"{args.file} is not a JSON file in UTF-8: {exc}", file=sys.stderr)
        return 2
    except (BadFile, TypeError, ValueError, AttributeError) as exc:
        print(f"{args.file} cannot be read as a scores file: {exc}", file=sys.stderr)
        return 2
    print(report(recomputed))
    approved = doc.get("ranking")
    if not isinstance(approved, dict):
        problems.append("the file holds no approved ranking to compare with")
    else:
        problems += differences(recomputed, approved)
    if problems:
        print(f"\nDOES NOT MATCH ({len(problems)}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("\nThe recomputed ranking matches the approved one, entry by entry, to the cent.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
