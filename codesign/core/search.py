"""The text a person types in a list's "Cerca" box, one rule for every list (proposals, projects, good practices,
the evaluation board): a row matches when the text (spaces at its ends dropped, case ignored) is found in one of
the list's text columns, or is a number equal to one of its number columns (the receipt's progressive number).
`condition` says it in SQL, the same on SQLite and PostgreSQL; `matches` says it for rows already read (the board
counts over plain tuples). A `%`, `_` or `\\` typed is a character, never a wildcard.

Case: the text is folded in Python and compared with the column's `lower()`. PostgreSQL lowers every letter;
SQLite lowers only ASCII letters, so there an upper-case accented letter stored (`È`) is matched only by itself.
"""
from __future__ import annotations

import sqlalchemy as sa

MAX_LENGTH = 200  # the longest text a search box takes (maxlength of the inputs, the API's `q`)
ESCAPE = "\\"


def needle(text: str | None) -> str:
    """What is searched for: the text's first MAX_LENGTH characters, ends trimmed, folded to lower case."""
    return (text or "")[:MAX_LENGTH].strip().lower()


def _pattern(found: str) -> str:
    escaped = found.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def _number(found: str) -> int | None:
    return int(found) if found.isascii() and found.isdigit() and len(found) <= 9 else None


def condition(text: str | None, columns, numbers=()):
    """The SQL condition for `text` over `columns` (text) and `numbers` (integers); None when there is no text."""
    found = needle(text)
    if not found:
        return None
    either = [sa.func.lower(c).like(_pattern(found), escape=ESCAPE) for c in columns]
    n = _number(found)
    if n is not None:
        either += [c == n for c in numbers]
    return sa.or_(*either)


def matches(text: str | None, values, numbers=()) -> bool:
    """`condition` for a row already read: its text `values` and its `numbers`."""
    found = needle(text)
    if not found:
        return True
    n = _number(found)
    return any(found in (v or "").lower() for v in values) or (n is not None and n in numbers)
