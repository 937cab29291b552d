"""The anonymised scores of an approved ranking: the file anyone can recompute the ranking from.

At approval the ranking's inputs are written once, as canonical JSON text, and kept beside the act
(`ApprovedRanking.scores`): the call's rules (scoring method, threshold, criteria with their maximum and
minimum, re-scaling, tie-break criterion, lots with their budgets), each admissible proposal's final
reviews (the ones that entered the ranking: no draft, no conflicted evaluator) with the evaluator as a
pseudonym (V1, V2, ... in the committee's order, the same across the call), and the ranking as approved.
Evaluators' names, e-mails and written reasons are never in it.

The text is kept as published, so its SHA-256 (printed on the ranking's page and PDF) stays what it was
whatever the code does later. `recompute_ranking.py`, shipped beside this module and importing nothing
of codesign, recomputes the ranking from it (docs/transparency.md). Pure functions: no database, no web.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

FORMAT = "codesign-ranking-scores/1"
CSV_HEADER = ("lotto", "protocollo", "proposta", "valutatore", "criterio", "punteggio")


@dataclass(frozen=True)
class ScoredProposal:
    """One admissible proposal as it entered the ranking: `reviews` are (pseudonym, {criterion: value})."""

    proposal_id: int
    protocol_number: int
    lot: str
    requested_amount: Decimal
    title: str
    organization: str
    reviews: Sequence[tuple[str, Mapping[str, Decimal]]]


def pseudonyms(user_ids: Iterable[int]) -> dict[int, str]:
    """The evaluators' pseudonyms, V1..Vn in the order given (the committee's)."""
    return {uid: f"V{n}" for n, uid in enumerate(user_ids, start=1)}


def _two(value: Decimal | int | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def document(*, procedure: Mapping, rules: Mapping, proposals: Iterable[ScoredProposal], ranking: Mapping) -> str:
    """The canonical text of the scores file.

    `procedure`: id, title, administration, approved_at (aware datetime), act_ref; `rules`: scoring, threshold,
    rescale, tie_break_criterion, criteria [(code, max_points, min_points)], lots [(code, budget)]; `ranking`:
    the approved ranking JSON (`{"lots": {code: {"budget_left", "ranking": [...]}}}`); titles and bodies of its
    entries are left out (each proposal carries its own). Keys sorted, two-space indent, UTF-8, one final newline.
    """
    approved_at = procedure["approved_at"].astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {
        "format": FORMAT,
        "procedure": {"id": procedure["id"], "title": procedure["title"],
                      "administration": procedure["administration"], "approved_at": approved_at,
                      "act_ref": procedure.get("act_ref")},
        "rules": {
            "scoring": rules["scoring"], "threshold": _two(rules["threshold"]), "rescale": bool(rules["rescale"]),
            "tie_break_criterion": rules["tie_break_criterion"],
            "criteria": [{"code": code, "max_points": _two(top), "min_points": _two(low)}
                         for code, top, low in rules["criteria"]],
            "lots": [{"code": code, "budget": _two(budget)} for code, budget in rules["lots"]],
        },
        "proposals": [
            {"proposal_id": p.proposal_id, "protocol_number": p.protocol_number, "lot": p.lot,
             "requested_amount": _two(p.requested_amount), "title": p.title, "organization": p.organization,
             "reviews": [{"evaluator": who, "scores": {code: _two(v) for code, v in scores.items()}}
                         for who, scores in sorted(p.reviews, key=lambda r: _pseudonym_order(r[0]))]}
            for p in sorted(proposals, key=lambda p: p.protocol_number)
        ],
        "ranking": {code: {"budget_left": lot["budget_left"],
                           "ranking": [{k: e[k] for k in ("proposal_id", "rank", "total", "criteria", "outcome")}
                                       for e in lot["ranking"]]}
                    for code, lot in ranking["lots"].items()},
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _pseudonym_order(name: str) -> tuple[int, str]:
    digits = name[1:]
    return (int(digits), name) if digits.isdigit() else (0, name)


def sha256(text: str) -> str:
    """The SHA-256 of the file as served (UTF-8 bytes), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def as_csv(text: str) -> str:
    """The same scores as a table, one row per proposal, evaluator and criterion (the JSON is the file of
    record: it also holds the call's rules and the approved ranking)."""
    doc = json.loads(text)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for p in doc["proposals"]:
        for review in p["reviews"]:
            for code, value in sorted(review["scores"].items()):
                writer.writerow([p["lot"], p["protocol_number"], p["proposal_id"], review["evaluator"], code, value])
    return buf.getvalue()
