"""The committee's ranking (DOMAIN.md, "Evaluation and ranking (exact rules)").

Every expected value below is computed by hand in the comment next to it.
"""

from __future__ import annotations

import json
import pathlib
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.evaluation.ranking import (
    Candidate,
    Criterion,
    Lot,
    compute_ranking,
    quantize2,
    scroll,
)

D = Decimal
DEMO = pathlib.Path(__file__).resolve().parents[2] / "codesign/demo/quartieri-connessi.json"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def crit(code: str, max_points: str, min_points: str | None = None) -> Criterion:
    return Criterion(code, D(max_points), None if min_points is None else D(min_points))


def cand(pid: str, protocol: int, reviews: list[dict[str, str]], amount: str = "10000.00",
         lot: str = "L") -> Candidate:
    return Candidate(
        proposal_id=pid,
        lot=lot,
        protocol_number=protocol,
        requested_amount=D(amount),
        reviews=[{k: D(v) for k, v in r.items()} for r in reviews],
    )


def rank(candidates, *, criteria, lots=None, scoring="points", threshold="0", rescale=False,
         tie_break="a"):
    return compute_ranking(
        criteria=criteria,
        lots=lots if lots is not None else [Lot("L", D("100000.00"))],
        candidates=candidates,
        scoring=scoring,
        threshold=D(threshold),
        rescale=rescale,
        tie_break_criterion=tie_break,
    )


def table(lot_result):
    """(id, rank, total, outcome) per entry, amounts as strings so '60.0' != '60.00'."""
    return [(e.proposal_id, e.rank, str(e.total), e.outcome) for e in lot_result.entries]


def scores(entry, raw=False):
    return {k: str(v) for k, v in (entry.raw_criteria if raw else entry.criteria).items()}


def by_id(lot_result):
    return {e.proposal_id: e for e in lot_result.entries}


AB = [crit("a", "50"), crit("b", "50")]


# --------------------------------------------------------------------------------------------
# The worked example
# --------------------------------------------------------------------------------------------


def _demo():
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    call = data["call"]
    criteria = [
        Criterion(c["code"], D(c["max_points"]),
                  None if c["min_points"] is None else D(c["min_points"]))
        for c in call["criteria"]
    ]
    lots = [Lot(lot["code"], D(lot["budget"])) for lot in call["lots"]]
    candidates = [
        Candidate(
            proposal_id=p["ref"],
            lot=p["lot"],
            protocol_number=p["protocol_order"],
            requested_amount=D(p["requested_amount"]),
            reviews=[
                {code: D(value) for code, value in r["scores"].items()}
                for r in data["reviews"]
                if r["proposal"] == p["ref"] and not r["conflict"]
            ],
        )
        for p in data["proposals"]
        if p["admissible"]
    ]
    result = compute_ranking(
        criteria=criteria,
        lots=lots,
        candidates=candidates,
        scoring=call["scoring"],
        threshold=D(call["threshold"]),
        rescale=call["rescale"],
        tie_break_criterion=call["tie_break_criterion"],
    )
    return data, result


def test_worked_example_lots_in_call_order():
    data, result = _demo()
    assert list(result.lots) == [lot["code"] for lot in data["call"]["lots"]]
    assert set(result.lots) == set(data["expected"])


@pytest.mark.parametrize("lot", ["A", "B", "C"])
def test_worked_example_matches_expected_to_the_cent(lot):
    data, result = _demo()
    expected = data["expected"][lot]
    got = result.lots[lot]
    assert [
        {
            "proposal": e.proposal_id,
            "rank": e.rank,
            "total": str(e.total),
            "criteria": {k: str(v) for k, v in e.criteria.items()},
            "outcome": e.outcome,
        }
        for e in got.entries
    ] == expected["ranking"]
    assert str(got.budget_left) == expected["budget_left"]
    # no re-scaling in this call: the shown scores are the raw ones
    for e in got.entries:
        assert e.criteria == e.raw_criteria and e.total == e.raw_total


def test_worked_example_details():
    data, result = _demo()
    inadmissible = {p["ref"] for p in data["proposals"] if not p["admissible"]}
    ranked = {e.proposal_id for lot in result.lots.values() for e in lot.entries}
    assert inadmissible == {"B4"} and not ranked & inadmissible
    a = by_id(result.lots["A"])
    # A5 totals 85.00, above 60, but criterion 3 is 6.67 < min 8
    assert (a["A5"].passed, str(a["A5"].raw_criteria["3"])) == (False, "6.67")
    assert [str(a[p].allotted) for p in ("A1", "A2", "A3", "A4", "A5")] == [
        "90000.00", "80000.00", "0.00", "30000.00", "0.00"]
    # C1: 26 + 21.67 + 14.67 + 11 + 8.67 = 82.01, while the exact means sum to 82.00
    assert str(by_id(result.lots["C"])["C1"].total) == "82.01"


# --------------------------------------------------------------------------------------------
# Ties
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tie_break", "order"),
    [("a", ["P1", "P2"]), ("b", ["P2", "P1"])],
)
def test_tie_on_total_broken_by_tie_break_criterion(tie_break, order):
    # both total 60.00; P1 is earlier by protocol, so only the criterion can put P2 first
    result = rank(
        [cand("P1", 1, [{"a": "40", "b": "20"}]), cand("P2", 2, [{"a": "20", "b": "40"}])],
        criteria=AB, tie_break=tie_break,
    )
    assert table(result.lots["L"]) == [
        (order[0], 1, "60.00", "admitted"), (order[1], 2, "60.00", "admitted")]


def test_tie_on_total_and_tie_break_broken_by_protocol_number():
    # identical scores; given in the order P7, P3 but P3 has the earlier protocol number
    reviews = [{"a": "30", "b": "25"}]
    result = rank([cand("P7", 7, reviews), cand("P3", 3, reviews)], criteria=AB)
    assert table(result.lots["L"]) == [
        ("P3", 1, "55.00", "admitted"), ("P7", 2, "55.00", "admitted")]


def test_ties_among_below_threshold_follow_the_same_rules():
    result = rank(
        [
            cand("X", 9, [{"a": "10", "b": "10"}]),   # 20.00, tie-break a 10
            cand("Y", 4, [{"a": "10", "b": "10"}]),   # 20.00, same, earlier protocol
            cand("Z", 1, [{"a": "5", "b": "15"}]),    # 20.00, tie-break a 5
            cand("W", 5, [{"a": "1", "b": "20"}]),    # 21.00
        ],
        criteria=AB, threshold="50",
    )
    assert table(result.lots["L"]) == [
        ("W", 1, "21.00", "below_threshold"),
        ("Y", 2, "20.00", "below_threshold"),
        ("X", 3, "20.00", "below_threshold"),
        ("Z", 4, "20.00", "below_threshold"),
    ]


# --------------------------------------------------------------------------------------------
# Re-scaling
# --------------------------------------------------------------------------------------------

ABC = [crit("a", "40"), crit("b", "40", min_points="10"), crit("c", "20")]
RESCALE_CANDIDATES = [
    # a = (30+31)/2 = 30.50, b = (20+21)/2 = 20.50, c = 0  -> raw 51.00
    cand("P1", 1, [{"a": "30", "b": "20", "c": "0"}, {"a": "31", "b": "21", "c": "0"}]),
    # a = (20+21)/2 = 20.50, b = (25+26)/2 = 25.50, c = 0  -> raw 46.00
    cand("P2", 2, [{"a": "20", "b": "25", "c": "0"}, {"a": "21", "b": "26", "c": "0"}]),
    # a = 40, b = 5 (< min 10), c = 20 -> raw 65.00 but below threshold
    cand("P3", 3, [{"a": "40", "b": "5", "c": "20"}, {"a": "40", "b": "5", "c": "20"}]),
]


def test_rescaling_on():
    result = rank(RESCALE_CANDIDATES, criteria=ABC, threshold="30", rescale=True)
    lot = result.lots["L"]
    e = by_id(lot)
    # best among the PASSING proposals only: a 30.50 (P3's 40 does not count), b 25.50, c 0.00
    # P1: a 30.50*40/30.50 = 40.00; b 20.50*40/25.50 = 32.156.. -> 32.16; c best 0 -> keep 0.00
    assert scores(e["P1"]) == {"a": "40.00", "b": "32.16", "c": "0.00"}
    # P2: a 20.50*40/30.50 = 26.885.. -> 26.89; b 40.00; c 0.00
    assert scores(e["P2"]) == {"a": "26.89", "b": "40.00", "c": "0.00"}
    # P3 is below threshold and keeps its raw scores
    assert scores(e["P3"]) == {"a": "40.00", "b": "5.00", "c": "20.00"}
    assert table(lot) == [
        ("P1", 1, "72.16", "admitted"),         # 40 + 32.16 + 0
        ("P2", 2, "66.89", "admitted"),         # 26.89 + 40 + 0
        ("P3", 3, "65.00", "below_threshold"),  # raw
    ]
    # raw scores are kept alongside
    assert scores(e["P2"], raw=True) == {"a": "20.50", "b": "25.50", "c": "0.00"}
    assert (str(e["P1"].raw_total), str(e["P2"].raw_total)) == ("51.00", "46.00")


def test_rescaling_off():
    result = rank(RESCALE_CANDIDATES, criteria=ABC, threshold="30", rescale=False)
    lot = result.lots["L"]
    assert scores(by_id(lot)["P1"]) == {"a": "30.50", "b": "20.50", "c": "0.00"}
    assert scores(by_id(lot)["P2"]) == {"a": "20.50", "b": "25.50", "c": "0.00"}
    assert table(lot) == [
        ("P1", 1, "51.00", "admitted"),
        ("P2", 2, "46.00", "admitted"),
        ("P3", 3, "65.00", "below_threshold"),
    ]


@pytest.mark.parametrize(
    ("rescale", "expected"),
    [
        # raw: P1 50 + 10 = 60.00, P2 30 + 25 = 55.00
        (False, [("P1", 1, "60.00", "admitted"), ("P2", 2, "55.00", "reserve")]),
        # b best 25 -> x2: P1 50 + 20 = 70.00, P2 30 + 50 = 80.00
        (True, [("P2", 1, "80.00", "admitted"), ("P1", 2, "70.00", "reserve")]),
    ],
)
def test_rescaling_changes_the_order(rescale, expected):
    result = rank(
        [
            cand("P1", 1, [{"a": "50", "b": "10"}], amount="60000.00"),
            cand("P2", 2, [{"a": "30", "b": "25"}], amount="60000.00"),
        ],
        criteria=AB, rescale=rescale,
    )
    assert table(result.lots["L"]) == expected


def test_rescaling_uses_the_rounded_score_in_one_step():
    crits = [crit("a", "10"), crit("b", "90")]
    result = rank(
        [
            # a = (6+7+7)/3 = 6.666.. -> 6.67 (the best)
            cand("P1", 1, [{"a": "6", "b": "0"}, {"a": "7", "b": "0"}, {"a": "7", "b": "0"}]),
            # a = (3+3+4)/3 = 3.333.. -> 3.33
            cand("P2", 2, [{"a": "3", "b": "0"}, {"a": "3", "b": "0"}, {"a": "4", "b": "0"}]),
        ],
        criteria=crits, rescale=True,
    )
    e = by_id(result.lots["L"])
    # 3.33 * 10 / 6.67 = 4.9925.. -> 4.99 (from the exact means it would be 5.00)
    assert scores(e["P2"]) == {"a": "4.99", "b": "0.00"}
    assert scores(e["P1"]) == {"a": "10.00", "b": "0.00"}


def test_rescaling_orders_by_shown_total_then_shown_tie_break():
    # raw: P1 a 20 + b 30 = 50.00, P2 a 40 + b 15 = 55.00 (P2 first, also by protocol number)
    # re-scaled (a best 40 -> x50/40, b best 30 -> x50/30):
    # P1 a 25.00 + b 50.00 = 75.00; P2 a 50.00 + b 25.00 = 75.00: a tie on the shown total,
    # broken by the shown tie-break score b: P1 50.00 > P2 25.00
    result = rank(
        [cand("P1", 2, [{"a": "20", "b": "30"}]), cand("P2", 1, [{"a": "40", "b": "15"}])],
        criteria=AB, rescale=True, tie_break="b",
    )
    assert table(result.lots["L"]) == [
        ("P1", 1, "75.00", "admitted"), ("P2", 2, "75.00", "admitted")]
    assert scores(by_id(result.lots["L"])["P2"]) == {"a": "50.00", "b": "25.00"}


# --------------------------------------------------------------------------------------------
# Points and coefficients
# --------------------------------------------------------------------------------------------


def test_points_mode_mean_of_points():
    crits = [crit("a", "10"), crit("b", "90")]
    # a = (7+8+8)/3 = 7.666.. -> 7.67; b = (80+85.5+90)/3 = 85.1666.. -> 85.17
    result = rank(
        [cand("P", 1, [{"a": "7", "b": "80"}, {"a": "8", "b": "85.5"}, {"a": "8", "b": "90"}])],
        criteria=crits,
    )
    (entry,) = result.lots["L"].entries
    assert scores(entry) == {"a": "7.67", "b": "85.17"}
    assert str(entry.total) == "92.84"


def test_coefficients_mode_mean_coefficient_times_max_rounded_once():
    crits = [crit("a", "30"), crit("b", "25"), crit("c", "45")]
    result = rank(
        [cand("P", 1, [{"a": "0.8", "b": "0.8", "c": "0"},
                       {"a": "1", "b": "0.8", "c": "0.2"},
                       {"a": "0.8", "b": "0.6", "c": "0.4"}])],
        criteria=crits, scoring="coefficients",
    )
    (entry,) = result.lots["L"].entries
    # a = 2.6/3 * 30 = 26.00 (rounding the coefficient first: 0.87 * 30 = 26.10)
    # b = 2.2/3 * 25 = 18.333.. -> 18.33 (rounding the coefficient first: 0.73 * 25 = 18.25)
    # c = 0.6/3 * 45 = 9.00
    assert scores(entry) == {"a": "26.00", "b": "18.33", "c": "9.00"}
    assert str(entry.total) == "53.33"


def test_same_numbers_differ_by_mode():
    crits = [crit("a", "50"), crit("b", "50")]
    reviews = [{"a": "0.5", "b": "1"}]
    points = rank([cand("P", 1, reviews)], criteria=crits, scoring="points")
    coeffs = rank([cand("P", 1, reviews)], criteria=crits, scoring="coefficients")
    assert scores(points.lots["L"].entries[0]) == {"a": "0.50", "b": "1.00"}
    assert scores(coeffs.lots["L"].entries[0]) == {"a": "25.00", "b": "50.00"}


# --------------------------------------------------------------------------------------------
# Rounding
# --------------------------------------------------------------------------------------------


def test_rounding_half_up_at_exactly_005():
    crits = [crit("a", "50"), crit("b", "50")]
    result = rank(
        # a = (10.00+10.01)/2 = 10.005 -> 10.01; b = (10.02+10.03)/2 = 10.025 -> 10.03
        # (half-even would give 10.00 and 10.02)
        [cand("P", 1, [{"a": "10.00", "b": "10.02"}, {"a": "10.01", "b": "10.03"}])],
        criteria=crits,
    )
    assert scores(result.lots["L"].entries[0]) == {"a": "10.01", "b": "10.03"}
    assert str(result.lots["L"].entries[0].total) == "20.04"


def test_rounding_half_up_in_coefficients_mode():
    crits = [crit("a", "15"), crit("b", "85")]
    # a = (0.41+0.42)/2 * 15 = 0.415 * 15 = 6.225 -> 6.23 (a binary float gives 6.2249999..)
    # b = (0.01+0.02)/2 * 85 = 0.015 * 85 = 1.275 -> 1.28
    result = rank(
        [cand("P", 1, [{"a": "0.41", "b": "0.01"}, {"a": "0.42", "b": "0.02"}])],
        criteria=crits, scoring="coefficients",
    )
    assert scores(result.lots["L"].entries[0]) == {"a": "6.23", "b": "1.28"}


@pytest.mark.parametrize(
    ("reviews", "each", "total"),
    [
        # each mean 10/3 = 3.333.. -> 3.33; total 9.99, while the exact means sum to 10.00
        ([{"a": "3", "b": "3", "c": "3"}, {"a": "3", "b": "3", "c": "3"},
          {"a": "4", "b": "4", "c": "4"}], "3.33", "9.99"),
        # each mean 2/3 = 0.666.. -> 0.67; total 2.01, while the exact means sum to 2.00
        ([{"a": "0", "b": "0", "c": "0"}, {"a": "1", "b": "1", "c": "1"},
          {"a": "1", "b": "1", "c": "1"}], "0.67", "2.01"),
    ],
)
def test_total_is_sum_of_rounded_scores(reviews, each, total):
    crits = [crit("a", "30"), crit("b", "30"), crit("c", "40")]
    result = rank([cand("P", 1, reviews)], criteria=crits)
    entry = result.lots["L"].entries[0]
    assert scores(entry) == {"a": each, "b": each, "c": each}
    assert (str(entry.total), str(entry.raw_total)) == (total, total)


def test_threshold_compares_the_sum_of_rounded_scores():
    # exact means sum to 10.00 but the total is 9.99: below a threshold of 10
    crits = [crit("a", "30"), crit("b", "30"), crit("c", "40")]
    reviews = [{"a": "3", "b": "3", "c": "3"}, {"a": "3", "b": "3", "c": "3"},
               {"a": "4", "b": "4", "c": "4"}]
    result = rank([cand("P", 1, reviews)], criteria=crits, threshold="10")
    assert table(result.lots["L"]) == [("P", 1, "9.99", "below_threshold")]


def test_quantize2():
    assert str(quantize2(D("2.675"))) == "2.68"
    assert str(quantize2(D("2.665"))) == "2.67"
    assert str(quantize2(D("2.6649999"))) == "2.66"
    assert str(quantize2(D("-2.675"))) == "-2.68"  # ROUND_HALF_UP: away from zero
    assert str(quantize2(D("5"))) == "5.00"
    assert str(quantize2(7)) == "7.00"
    assert str(quantize2(D("1E+3"))) == "1000.00"
    with pytest.raises(TypeError):
        quantize2(2.675)


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False,
                   places=6))
def test_quantize2_is_round_half_up_to_the_cent(d):
    got = quantize2(d)
    assert got == d.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert got.as_tuple().exponent == -2


# --------------------------------------------------------------------------------------------
# Threshold and criterion minimum
# --------------------------------------------------------------------------------------------


def test_criterion_minimum_makes_a_high_total_below_threshold():
    crits = [crit("a", "50"), crit("b", "50", min_points="20")]
    result = rank(
        [
            cand("HIGH", 1, [{"a": "50", "b": "19.99"}]),                # 69.99 but b < 20
            cand("EQ", 2, [{"a": "40", "b": "20"}]),                     # b == 20: passes
            # b = (19.99+20.00)/2 = 19.995 -> 20.00: the ROUNDED score meets the minimum
            cand("RND", 3, [{"a": "30", "b": "19.99"}, {"a": "30", "b": "20.00"}]),
        ],
        criteria=crits, threshold="50",
    )
    lot = result.lots["L"]
    assert table(lot) == [
        ("EQ", 1, "60.00", "admitted"),
        ("RND", 2, "50.00", "admitted"),
        ("HIGH", 3, "69.99", "below_threshold"),
    ]
    high = by_id(lot)["HIGH"]
    assert (high.passed, str(high.allotted)) == (False, "0.00")


def test_threshold_equality_passes():
    result = rank(
        [
            cand("EQ", 1, [{"a": "30", "b": "30"}]),      # 60.00 == threshold: passes
            cand("UNDER", 2, [{"a": "30", "b": "29.99"}]),  # 59.99: below
        ],
        criteria=AB, threshold="60",
    )
    assert table(result.lots["L"]) == [
        ("EQ", 1, "60.00", "admitted"), ("UNDER", 2, "59.99", "below_threshold")]
    assert [e.passed for e in result.lots["L"].entries] == [True, False]


def test_threshold_is_checked_before_rescaling():
    # raw P2 = 10 + 15 = 25 < 30: below, even though re-scaled it would be 50 + 25 = 75
    result = rank(
        [cand("P1", 1, [{"a": "2", "b": "30"}]), cand("P2", 2, [{"a": "10", "b": "15"}])],
        criteria=AB, threshold="30", rescale=True,
    )
    e = by_id(result.lots["L"])
    # P1 alone passes: a 2*50/2 = 50.00, b 30*50/30 = 50.00
    assert table(result.lots["L"]) == [("P1", 1, "100.00", "admitted"),
                                       ("P2", 2, "25.00", "below_threshold")]
    assert scores(e["P2"]) == {"a": "10.00", "b": "15.00"}


def test_lot_with_no_passing_proposal():
    result = rank(
        [
            cand("P1", 1, [{"a": "10", "b": "10"}], amount="5000.00"),  # 20.00
            cand("P2", 2, [{"a": "20", "b": "15"}], amount="5000.00"),  # 35.00
        ],
        criteria=AB, threshold="60",
        lots=[Lot("L", D("50000.00"))],
    )
    lot = result.lots["L"]
    assert table(lot) == [("P2", 1, "35.00", "below_threshold"),
                          ("P1", 2, "20.00", "below_threshold")]
    assert str(lot.budget_left) == "50000.00"
    assert [str(e.allotted) for e in lot.entries] == ["0.00", "0.00"]


def test_empty_lot_and_lot_order():
    result = rank(
        [cand("P", 1, [{"a": "40", "b": "40"}], amount="1000", lot="Y")],
        criteria=AB,
        lots=[Lot("X", D("20000")), Lot("Y", D("3000.50")), Lot("Z", D("0"))],
    )
    assert list(result.lots) == ["X", "Y", "Z"]
    assert result.lots["X"].entries == []
    assert str(result.lots["X"].budget_left) == "20000.00"
    assert str(result.lots["Y"].budget_left) == "2000.50"
    assert str(result.lots["Y"].entries[0].allotted) == "1000.00"
    assert (result.lots["Z"].entries, str(result.lots["Z"].budget_left)) == ([], "0.00")


def test_no_candidates_at_all():
    result = rank([], criteria=AB, lots=[Lot("L", D("10.00"))])
    assert result.lots["L"].entries == [] and str(result.lots["L"].budget_left) == "10.00"


# --------------------------------------------------------------------------------------------
# Budget walk
# --------------------------------------------------------------------------------------------


def test_budget_walk_skips_a_big_proposal_and_admits_a_smaller_later_one():
    def p(pid, protocol, a, amount):
        return cand(pid, protocol, [{"a": a, "b": "0"}], amount=amount)

    result = rank(
        [
            p("P1", 1, "50", "60000.00"),  # 100000 -> admitted, 40000 left
            p("P2", 2, "45", "50000.00"),  # does not fit -> reserve
            p("P3", 3, "40", "40000.01"),  # does not fit by one cent -> reserve
            p("P4", 4, "35", "30000.00"),  # fits -> admitted, 10000 left
            p("P5", 5, "30", "10000.00"),  # fits exactly -> admitted, 0 left
            p("P6", 6, "25", "0.01"),      # nothing left -> reserve
            p("P7", 7, "5", "1.00"),       # below threshold: never admitted
        ],
        criteria=AB, threshold="10",
    )
    lot = result.lots["L"]
    assert [(e.proposal_id, e.rank, e.outcome, str(e.allotted)) for e in lot.entries] == [
        ("P1", 1, "admitted", "60000.00"),
        ("P2", 2, "reserve", "0.00"),
        ("P3", 3, "reserve", "0.00"),
        ("P4", 4, "admitted", "30000.00"),
        ("P5", 5, "admitted", "10000.00"),
        ("P6", 6, "reserve", "0.00"),
        ("P7", 7, "below_threshold", "0.00"),
    ]
    assert str(lot.budget_left) == "0.00"


def test_budget_left_is_the_unspent_budget():
    result = rank(
        [cand("P1", 1, [{"a": "50", "b": "0"}], amount="30000.00"),
         cand("P2", 2, [{"a": "40", "b": "0"}], amount="80000.00")],
        criteria=AB, lots=[Lot("L", D("100000.00"))],
    )
    lot = result.lots["L"]
    assert [e.outcome for e in lot.entries] == ["admitted", "reserve"]
    assert str(lot.budget_left) == "70000.00"


# --------------------------------------------------------------------------------------------
# Scrolling
# --------------------------------------------------------------------------------------------


def test_scroll_admits_what_fits_and_skips_the_rest():
    reserves = [("R1", D("50000.00")), ("R2", D("30000.00")), ("R3", D("25000.00")),
                ("R4", D("10000.00")), ("R5", D("5000.00"))]
    # 45000: R1 no; R2 yes (15000 left); R3 no; R4 yes (5000 left); R5 yes, exactly (0 left)
    assert scroll(reserves, D("45000.00")) == ["R2", "R4", "R5"]
    # 60000: R1 yes (10000 left); R2, R3 no; R4 yes, exactly (0 left); R5 no
    assert scroll(reserves, D("60000.00")) == ["R1", "R4"]
    assert scroll(reserves, D("4999.99")) == []
    assert scroll(reserves, D("200000.00")) == ["R1", "R2", "R3", "R4", "R5"]
    assert scroll([], D("1000.00")) == []


def test_scroll_keeps_rank_order():
    # both fit alone but not together: the first in rank order wins
    assert scroll([("B", D("700")), ("A", D("600"))], D("1000")) == ["B"]


# --------------------------------------------------------------------------------------------
# Input that cannot be ranked
# --------------------------------------------------------------------------------------------


def test_candidate_without_reviews_is_refused():
    with pytest.raises(ValueError, match="P9.*no final review"):
        rank([cand("P9", 1, [])], criteria=AB)


def test_review_missing_a_criterion_is_refused():
    with pytest.raises(ValueError, match="review 2 of proposal 'P1'.*criterion 'b'"):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}, {"a": "1"}])], criteria=AB)


def test_review_with_an_unknown_criterion_is_refused():
    with pytest.raises(ValueError, match="unknown criterion 'z'"):
        rank([cand("P1", 1, [{"a": "1", "b": "1", "z": "1"}])], criteria=AB)


def test_unknown_lot_is_refused():
    with pytest.raises(ValueError, match="lot 'Q'"):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}], lot="Q")], criteria=AB)


@pytest.mark.parametrize(
    ("scoring", "value"),
    [("points", "50.01"), ("points", "-1"), ("coefficients", "1.01")],
)
def test_value_out_of_range_is_refused(scoring, value):
    with pytest.raises(ValueError, match="outside"):
        rank([cand("P1", 1, [{"a": value, "b": "0"}])], criteria=AB, scoring=scoring)


def test_floats_are_refused():
    with pytest.raises(TypeError, match="float"):
        rank([Candidate("P1", "L", 1, D("1"), [{"a": 0.5, "b": D("0")}])], criteria=AB)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scoring": "votes"}, "scoring"),
        ({"tie_break": "zz"}, "tie-break"),
    ],
)
def test_bad_call_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}])], criteria=AB, **kwargs)


def test_duplicates_are_refused():
    with pytest.raises(ValueError, match="given twice"):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}]), cand("P1", 2, [{"a": "1", "b": "1"}])],
             criteria=AB)
    with pytest.raises(ValueError, match="protocol number 1"):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}]), cand("P2", 1, [{"a": "1", "b": "1"}])],
             criteria=AB)


def test_amount_with_fractions_of_a_cent_is_refused():
    with pytest.raises(ValueError, match="two decimals"):
        rank([cand("P1", 1, [{"a": "1", "b": "1"}], amount="10.001")], criteria=AB)


# --------------------------------------------------------------------------------------------
# Properties on random input
# --------------------------------------------------------------------------------------------


@st.composite
def ranking_inputs(draw):
    scoring = draw(st.sampled_from(["points", "coefficients"]))
    n_criteria = draw(st.integers(1, 4))
    criteria = []
    for i in range(n_criteria):
        max_points = D(draw(st.integers(1, 50)))
        min_points = draw(st.one_of(st.none(), st.integers(0, int(max_points))))
        criteria.append(
            Criterion(f"c{i}", max_points, None if min_points is None else D(min_points)))
    lots = [Lot(f"L{i}", D(draw(st.integers(0, 10_000_00))).scaleb(-2))
            for i in range(draw(st.integers(1, 3)))]
    protocols = draw(st.lists(st.integers(1, 1000), unique=True, max_size=10))
    candidates = []
    for j, protocol in enumerate(protocols):
        n_reviews = draw(st.integers(1, 4))
        reviews = []
        for _ in range(n_reviews):
            review = {}
            for c in criteria:
                top = 100 if scoring == "coefficients" else int(c.max_points) * 100
                # coarse values make ties (on totals and on the tie-break) frequent
                cents = draw(st.one_of(st.integers(0, top), st.sampled_from([0, top // 2, top])))
                review[c.code] = D(cents).scaleb(-2)
            reviews.append(review)
        candidates.append(Candidate(
            proposal_id=f"P{j}",
            lot=draw(st.sampled_from(lots)).code,
            protocol_number=protocol,
            requested_amount=D(draw(st.integers(0, 5_000_00))).scaleb(-2),
            reviews=reviews,
        ))
    return {
        "criteria": criteria,
        "lots": lots,
        "candidates": candidates,
        "scoring": scoring,
        "threshold": D(draw(st.integers(0, 100))),
        "rescale": draw(st.booleans()),
        "tie_break_criterion": draw(st.sampled_from(criteria)).code,
    }


def _oracle_score(candidate, criterion, scoring):
    """Independent check: the mean with the decimal module at high precision, ROUND_HALF_UP."""
    with localcontext() as ctx:
        ctx.prec = 60
        mean = sum(r[criterion.code] for r in candidate.reviews) / len(candidate.reviews)
        if scoring == "coefficients":
            mean *= criterion.max_points
        return mean.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(ranking_inputs())
def test_ranking_invariants(inputs):
    result = compute_ranking(**inputs)
    criteria = {c.code: c for c in inputs["criteria"]}
    tie = inputs["tie_break_criterion"]
    assert list(result.lots) == [lot.code for lot in inputs["lots"]]
    cands = {c.proposal_id: c for c in inputs["candidates"]}
    ranked = [e.proposal_id for lot in result.lots.values() for e in lot.entries]
    assert sorted(ranked) == sorted(cands)

    for lot in inputs["lots"]:
        res = result.lots[lot.code]
        entries = res.entries
        assert {e.proposal_id for e in entries} == {
            c.proposal_id for c in inputs["candidates"] if c.lot == lot.code}
        # ranks are 1..n in order
        assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
        # passing first, then failing
        passed = [e.passed for e in entries]
        assert passed == sorted(passed, reverse=True)
        # the order inside each group
        for x, y in zip(entries, entries[1:]):
            if x.passed == y.passed:
                kx = (x.total, x.criteria[tie], -cands[x.proposal_id].protocol_number)
                ky = (y.total, y.criteria[tie], -cands[y.proposal_id].protocol_number)
                assert kx > ky
        # budget
        admitted = sum((e.allotted for e in entries), D("0"))
        assert admitted <= lot.budget
        assert res.budget_left == lot.budget - admitted
        # a reserve did not fit when it was reached, so it cannot fit what is left at the end
        reserves = [(e.proposal_id, cands[e.proposal_id].requested_amount)
                    for e in entries if e.outcome == "reserve"]
        assert all(amount > res.budget_left for _, amount in reserves)
        assert scroll(reserves, res.budget_left) == []

        for e in entries:
            c = cands[e.proposal_id]
            # every amount and score has exactly two decimals
            for value in [e.total, e.raw_total, e.allotted, res.budget_left,
                          *e.criteria.values(), *e.raw_criteria.values()]:
                assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
            assert list(e.criteria) == list(criteria) == list(e.raw_criteria)
            # raw scores: the mean rounded once; totals: sums of the rounded scores
            for code, criterion in criteria.items():
                assert e.raw_criteria[code] == _oracle_score(c, criterion, inputs["scoring"])
                assert 0 <= e.raw_criteria[code] <= criterion.max_points
            assert e.raw_total == sum(e.raw_criteria.values())
            assert e.total == sum(e.criteria.values())
            # threshold and minimums on the raw scores
            assert e.passed == (
                e.raw_total >= inputs["threshold"]
                and all(c_.min_points is None or e.raw_criteria[code] >= c_.min_points
                        for code, c_ in criteria.items()))
            if e.passed:
                assert e.outcome in ("admitted", "reserve")
            else:
                assert e.outcome == "below_threshold"
            assert e.allotted == (c.requested_amount if e.outcome == "admitted" else 0)
            if not inputs["rescale"] or not e.passed:
                assert e.criteria == e.raw_criteria and e.total == e.raw_total

        # with re-scaling, the best passing score of each criterion becomes its max points
        passing = [e for e in entries if e.passed]
        if inputs["rescale"] and passing:
            for code, criterion in criteria.items():
                best_raw = max(e.raw_criteria[code] for e in passing)
                best_shown = max(e.criteria[code] for e in passing)
                assert best_shown == (criterion.max_points if best_raw > 0 else D("0"))


def test_means_are_exact_beyond_the_decimal_context():
    """Scores with more digits than the default decimal context keeps (28) are summed exactly and the mean rounded
    once, as with Fractions: a sum rounded to 28 digits would make 0.00499…9 (32 digits) 0.005, then 0.01."""
    tiny = Decimal("0.00499999999999999999999999999999")
    coefficient = Decimal("0.1234567890123456789012345678901")
    result = compute_ranking(
        criteria=[Criterion("k", Decimal(30)), Criterion("t", Decimal(10))], lots=[Lot("A", Decimal("100.00"))],
        candidates=[Candidate(1, "A", 1, Decimal("1.00"), [{"k": tiny, "t": tiny}, {"k": tiny, "t": tiny}])],
        scoring="points", threshold=Decimal(0), rescale=False, tie_break_criterion="k")
    assert result.lots["A"].entries[0].raw_criteria == {"k": Decimal("0.00"), "t": Decimal("0.00")}
    with localcontext() as ctx:  # what a sum in the default context would have given
        ctx.prec = 28
        assert quantize2((Decimal(0) + tiny + tiny) / 2) == Decimal("0.01")
    values = [coefficient, Decimal("0.9999999999999999999999999999999"), Decimal("0.5000000000000000000000000000001")]
    result = compute_ranking(
        criteria=[Criterion("k", Decimal(30))], lots=[Lot("A", Decimal("100.00"))],
        candidates=[Candidate(1, "A", 1, Decimal("1.00"), [{"k": v} for v in values])],
        scoring="coefficients", threshold=Decimal(0), rescale=False, tie_break_criterion="k")
    exact = sum(map(Fraction, values), Fraction(0)) / 3 * 30
    assert result.lots["A"].entries[0].raw_criteria["k"] == quantize2(exact) == Decimal("16.23")
