"""Points where later phases plug into the procedure machine's guards (the committee, the ranking)."""
from __future__ import annotations


def committee_problem(procedure) -> str | None:
    try:
        from codesign.evaluation.committee import committee_problem as check
    except ImportError:
        return "la commissione di valutazione non è stata nominata"
    return check(procedure)
