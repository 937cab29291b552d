"""Where the evaluation committee plugs into proposal visibility."""
from __future__ import annotations


def evaluator_can_view(user, proposal) -> bool:
    from codesign.evaluation.committee import evaluator_can_view as check

    return check(user, proposal)


def evaluator_condition(user, procedure):
    from codesign.evaluation.committee import evaluator_condition as cond

    return cond(user, procedure)
