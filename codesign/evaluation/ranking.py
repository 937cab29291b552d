"""The committee's ranking: a pure function from reviews to ranked lots.

This module knows nothing about the database or the web: callers load the call's grid, its lots
and, for every admissible proposal, the final reviews of the non-conflicted evaluators, and get
back the ranking of each lot. The rules are those of DOMAIN.md, "Evaluation and ranking (exact
rules)" and "Scrolling the ranking":

* a criterion score is the arithmetic mean over the reviews (in ``coefficients`` mode the mean
  coefficient times ``max_points``), computed exactly and rounded half-up to 2 decimals once;
* the total is the sum of the rounded criterion scores;
* a proposal is below the threshold when its total is under the call's threshold or any rounded
  criterion score is under that criterion's ``min_points`` (always before re-scaling);
* optional re-scaling, per lot, among the passing proposals only:
  ``round_half_up(S * max_points / B, 2)`` with S the rounded score and B the best rounded score of
  that criterion among the lot's passing proposals (when B > 0; otherwise S is kept);
* per lot: passing proposals first, then the others; within each group total descending, then the
  higher shown score on the tie-break criterion, then the earlier protocol number;
* budget walk over the passing proposals in rank order: admitted while the remaining budget covers
  the requested amount, otherwise reserve, and the walk goes on.

All arithmetic is exact: sums and comparisons of ``decimal.Decimal`` values in a context that cannot
round (``_EXACT``), each mean or ratio divided once with integers and rounded half-up; every value handed
back is a ``Decimal``; binary floats are refused. (At 10,000 proposals x 5 reviews x 6 criteria a
``Fraction`` per score took seconds: ``bench/ranking.py``.)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from typing import Literal

__all__ = [
    "Candidate",
    "Criterion",
    "Entry",
    "Lot",
    "LotResult",
    "Outcome",
    "RankingResult",
    "Scoring",
    "compute_ranking",
    "quantize2",
    "scroll",
]

Scoring = Literal["points", "coefficients"]
Outcome = Literal["admitted", "reserve", "below_threshold"]

SCORING_METHODS: tuple[str, ...] = ("points", "coefficients")
ADMITTED: Outcome = "admitted"
RESERVE: Outcome = "reserve"
BELOW_THRESHOLD: Outcome = "below_threshold"

_ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_NOTHING = Decimal(0)
# Decimal additions under this context are exact (no precision can be exceeded by a sum of finite values), so the
# sums of a proposal's scores are exact rationals without a Fraction per value; an operation that would round
# (a quantize dropping digits) raises Inexact instead.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact])


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One line of the evaluation grid."""

    code: str
    max_points: Decimal
    min_points: Decimal | None = None


@dataclass(frozen=True)
class Lot:
    """A lot of the call and its budget."""

    code: str
    budget: Decimal


@dataclass(frozen=True)
class Candidate:
    """An admissible proposal with its final, non-conflicted reviews.

    Each review maps criterion code -> value (points in ``points`` mode, a coefficient in [0, 1]
    in ``coefficients`` mode). Callers leave out drafts and conflicted evaluators.
    """

    proposal_id: Hashable
    lot: str
    protocol_number: int
    requested_amount: Decimal
    reviews: Sequence[Mapping[str, Decimal]]


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a lot's ranking.

    ``criteria`` and ``total`` are the scores shown (re-scaled where re-scaling applies);
    ``raw_criteria`` and ``raw_total`` are the scores before re-scaling, on which the threshold
    and the criterion minimums were checked. Every amount has exactly two decimals.
    """

    proposal_id: Hashable
    rank: int
    total: Decimal
    criteria: dict[str, Decimal]
    raw_criteria: dict[str, Decimal]
    raw_total: Decimal
    passed: bool
    outcome: Outcome
    allotted: Decimal


@dataclass(frozen=True)
class LotResult:
    budget_left: Decimal
    entries: list[Entry]


@dataclass(frozen=True)
class RankingResult:
    lots: dict[str, LotResult]


# --------------------------------------------------------------------------------------------
# Rounding and exact arithmetic
# --------------------------------------------------------------------------------------------


def _round_half_up_fraction(value: Fraction) -> Decimal:
    """Round an exact rational half-up (away from zero on a tie) to 2 decimals."""
    scaled = abs(value) * 100
    cents = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    if value < 0:
        cents = -cents
    # Built from a string, so no decimal context (precision, rounding) can touch it.
    return Decimal(f"{cents}E-2")


def quantize2(d: Decimal | int | Fraction) -> Decimal:
    """Round half-up to 2 decimals (the cent); the result always has exponent -2.

    Accepts a ``Decimal``, an ``int`` or an exact ``Fraction``; binary floats are refused.
    """
    if isinstance(d, bool) or not isinstance(d, (Decimal, int, Fraction)):
        raise TypeError(f"quantize2 needs a Decimal, an int or a Fraction, not {type(d).__name__}")
    if isinstance(d, Decimal) and not d.is_finite():
        raise ValueError(f"cannot round {d} to the cent")
    return _round_half_up_fraction(Fraction(d))


def _exact(value: object, what: str) -> Fraction:
    """An exact rational from a Decimal or int; floats and anything else are refused."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal (never a float), got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value}")
    return Fraction(value)


def _money(value: object, what: str) -> Decimal:
    """A non-negative amount in euro with at most two decimals, returned with exponent -2."""
    if type(value) is Decimal and value.is_finite() and value >= 0:  # the usual case, without a Fraction
        try:
            return _EXACT.quantize(value, _CENT)
        except Inexact:
            raise ValueError(f"{what} must have at most two decimals (cents), got {value}") from None
    exact = _exact(value, what)
    if exact < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    if (exact * 100).denominator != 1:
        raise ValueError(f"{what} must have at most two decimals (cents), got {value}")
    return quantize2(exact)


# --------------------------------------------------------------------------------------------
# The ranking
# --------------------------------------------------------------------------------------------


@dataclass
class _Scored:
    candidate: Candidate
    requested: Decimal
    raw: dict[str, Decimal]
    raw_total: Decimal
    passed: bool
    shown: dict[str, Decimal]
    total: Decimal


def _round_ratio(numerator: int, denominator: int) -> Decimal:
    """Round the exact rational numerator/denominator (denominator > 0, not necessarily in lowest terms) half-up to
    2 decimals: _round_half_up_fraction without building a Fraction, for the ranking's hot loops."""
    cents = (abs(numerator) * 200 + denominator) // (denominator * 2)
    return Decimal(f"{-cents if numerator < 0 else cents}E-2")




def _criterion_scores(
    candidate: Candidate,
    criteria: Sequence[Criterion],
    uppers: Mapping[str, Decimal],
    maxima: Mapping[str, Fraction],
    scoring: str,
) -> dict[str, Decimal]:
    """Rounded criterion scores of one candidate: exact mean, rounded once. `uppers`: each criterion's highest
    value a review may give (its max_points, or 1 for a coefficient)."""
    who = f"proposal {candidate.proposal_id!r}"
    if not candidate.reviews:
        raise ValueError(f"{who} has no final review: it cannot be ranked")
    sums: dict[str, Decimal] = dict.fromkeys(uppers, _NOTHING)
    add, limits = _EXACT.add, uppers.items()
    for number, review in enumerate(candidate.reviews, start=1):
        if review.keys() != uppers.keys():
            missing = [c.code for c in criteria if c.code not in review]
            if missing:
                raise ValueError(
                    f"review {number} of {who} has no score for criterion "
                    + ", ".join(repr(m) for m in missing)
                )
            unknown = sorted(str(k) for k in review if k not in uppers)
            raise ValueError(
                f"review {number} of {who} scores unknown criterion "
                + ", ".join(map(repr, unknown))
            )
        for code, upper in limits:
            value = review[code]
            if type(value) is not Decimal or not value.is_finite():
                what = f"score of criterion {code!r} in review {number} of {who}"
                _exact(value, what)  # refuses a float, a bool, NaN, infinity
                value = Decimal(value)
            if not _NOTHING <= value <= upper:
                raise ValueError(
                    f"score of criterion {code!r} in review {number} of {who} is {review[code]}, "
                    f"outside 0..{upper}"
                )
            sums[code] = add(sums[code], value)
    count = len(candidate.reviews)
    scores: dict[str, Decimal] = {}
    for code, total in sums.items():
        numerator, denominator = total.as_integer_ratio()
        if scoring == "coefficients":  # the mean coefficient times max_points
            numerator *= maxima[code].numerator
            denominator *= maxima[code].denominator
        scores[code] = _round_ratio(numerator, denominator * count)
    return scores


def _sum(values: Iterable[Decimal]) -> Decimal:
    """Exact sum of amounts with two decimals, independent of the decimal context."""
    total = Decimal(0)
    for v in values:
        total = _EXACT.add(total, v)
    return _EXACT.quantize(total, _CENT)


def _rescale(
    passing: list[_Scored], criteria: Sequence[Criterion], maxima: Mapping[str, Fraction]
) -> None:
    """Re-scale (riparametrazione) the shown scores of a lot's passing proposals, in place."""
    for criterion in criteria:
        code = criterion.code
        best = max((s.raw[code] for s in passing), default=Decimal(0))
        if best <= 0:
            continue  # no one scored: keep S
        best_n, best_d = best.as_integer_ratio()
        top = maxima[code]
        for s in passing:  # S * max_points / B, exactly
            n, d = s.raw[code].as_integer_ratio()
            s.shown[code] = _round_ratio(n * top.numerator * best_d, d * top.denominator * best_n)
    for s in passing:
        s.total = _sum(s.shown.values())


def compute_ranking(
    *,
    criteria: Sequence[Criterion],
    lots: Sequence[Lot],
    candidates: Iterable[Candidate],
    scoring: str,
    threshold: Decimal,
    rescale: bool,
    tie_break_criterion: str,
) -> RankingResult:
    """Rank the candidates of every lot and walk each lot's budget.

    Returns the lots in the order given, each with its entries in rank order (passing proposals
    first) and the unspent budget. Raises ``ValueError`` (``TypeError`` for floats) on input that
    cannot be ranked: a candidate without reviews, a review missing a criterion or scoring one the
    grid does not have, a value out of range, an unknown lot, duplicate identifiers.
    """
    if scoring not in SCORING_METHODS:
        raise ValueError(f"unknown scoring method {scoring!r}: expected 'points' or 'coefficients'")
    if not criteria:
        raise ValueError("the evaluation grid has no criteria")
    maxima: dict[str, Fraction] = {}
    minima: dict[str, Decimal] = {}
    for criterion in criteria:
        if criterion.code in maxima:
            raise ValueError(f"criterion {criterion.code!r} appears twice in the grid")
        maxima[criterion.code] = _exact(criterion.max_points, f"max_points of {criterion.code!r}")
        if maxima[criterion.code] < 0:
            raise ValueError(f"max_points of criterion {criterion.code!r} must not be negative")
        if criterion.min_points is not None:
            _exact(criterion.min_points, f"min_points of {criterion.code!r}")
            minima[criterion.code] = Decimal(criterion.min_points)
    if tie_break_criterion not in maxima:
        raise ValueError(f"tie-break criterion {tie_break_criterion!r} is not in the grid")
    _exact(threshold, "threshold")
    threshold = Decimal(threshold)  # Decimals compare exactly, with no Fraction per proposal
    uppers = {
        c.code: Decimal(1) if scoring == "coefficients" else Decimal(c.max_points)
        for c in criteria
    }

    budgets: dict[str, Decimal] = {}
    for lot in lots:
        if lot.code in budgets:
            raise ValueError(f"lot {lot.code!r} appears twice")
        budgets[lot.code] = _money(lot.budget, f"budget of lot {lot.code!r}")

    by_lot: dict[str, list[_Scored]] = {code: [] for code in budgets}
    seen_ids: set[Hashable] = set()
    seen_protocols: set[int] = set()
    for candidate in candidates:
        who = f"proposal {candidate.proposal_id!r}"
        if candidate.lot not in by_lot:
            raise ValueError(
                f"{who} belongs to lot {candidate.lot!r}, which the call does not have"
            )
        if candidate.proposal_id in seen_ids:
            raise ValueError(f"{who} is given twice")
        seen_ids.add(candidate.proposal_id)
        if candidate.protocol_number in seen_protocols:
            raise ValueError(
                f"protocol number {candidate.protocol_number} is used by more than one proposal"
            )
        seen_protocols.add(candidate.protocol_number)
        requested = _money(candidate.requested_amount, f"requested amount of {who}")
        raw = _criterion_scores(candidate, criteria, uppers, maxima, scoring)
        raw_total = _sum(raw.values())
        passed = raw_total >= threshold and all(
            raw[code] >= minimum for code, minimum in minima.items()
        )
        by_lot[candidate.lot].append(
            _Scored(candidate, requested, raw, raw_total, passed, dict(raw), raw_total)
        )

    def order(s: _Scored) -> tuple[bool, Decimal, Decimal, int]:
        return (
            not s.passed,
            -s.total,
            -s.shown[tie_break_criterion],
            s.candidate.protocol_number,
        )

    results: dict[str, LotResult] = {}
    for code, scored in by_lot.items():
        passing = [s for s in scored if s.passed]
        if rescale:
            _rescale(passing, criteria, maxima)
        remaining = budgets[code]
        entries: list[Entry] = []
        for rank, s in enumerate(sorted(scored, key=order), start=1):
            if not s.passed:
                outcome, allotted = BELOW_THRESHOLD, _ZERO
            elif s.requested <= remaining:
                outcome, allotted = ADMITTED, s.requested
                remaining = _EXACT.subtract(remaining, s.requested)
            else:
                outcome, allotted = RESERVE, _ZERO
            entries.append(
                Entry(
                    proposal_id=s.candidate.proposal_id,
                    rank=rank,
                    total=s.total,
                    criteria=dict(s.shown),
                    raw_criteria=dict(s.raw),
                    raw_total=s.raw_total,
                    passed=s.passed,
                    outcome=outcome,
                    allotted=allotted,
                )
            )
        results[code] = LotResult(budget_left=_EXACT.quantize(remaining, _CENT), entries=entries)
    return RankingResult(lots=results)


# --------------------------------------------------------------------------------------------
# Scrolling the ranking (scorrimento)
# --------------------------------------------------------------------------------------------


def scroll(
    reserve_in_rank_order: Iterable[tuple[Hashable, Decimal]], available: Decimal
) -> list[Hashable]:
    """The reserve proposals to admit when the ranking is scrolled.

    Walks the lot's reserves in rank order and admits each whose requested amount fits the budget
    still available (after the ones admitted before it), skipping those that do not fit. Returns
    the admitted proposal ids in rank order; an empty list when none fits.
    """
    remaining = _exact(available, "available budget")
    admitted: list[Hashable] = []
    for proposal_id, requested in reserve_in_rank_order:
        amount = _exact(requested, f"requested amount of proposal {proposal_id!r}")
        if amount < 0:
            raise ValueError(f"requested amount of proposal {proposal_id!r} must not be negative")
        if amount <= remaining:
            admitted.append(proposal_id)
            remaining -= amount
    return admitted
