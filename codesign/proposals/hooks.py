"""Where the evaluation committee plugs into proposal visibility (filled in by the evaluation module)."""
from __future__ import annotations


def evaluator_can_view(user, proposal) -> bool:
    try:
        from codesign.evaluation.committee import evaluator_can_view as check
    except ImportError:
        return False
    return check(user, proposal)


def evaluator_condition(user, procedure):
    try:
        from codesign.evaluation.committee import evaluator_condition as cond
    except ImportError:
        return None
    return cond(user, procedure)
