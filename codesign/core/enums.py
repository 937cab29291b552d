"""Enums whose members carry an Italian label (translated through Flask-Babel when shown)."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class LabelledEnum(str, enum.Enum):
    """A string enum stored by value; `label` is what a person reads."""

    def __new__(cls, value: str, label=None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj._label = label or value
        return obj

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def choices(cls):
        return [(m.value, m.label) for m in cls]


class Role(LabelledEnum):
    admin = "admin", _l("Amministratore")
    evaluator = "evaluator", _l("Valutatore")
    applicant = "applicant", _l("Richiedente")


class OrgKind(LabelledEnum):
    pa = "pa", _l("Pubblica amministrazione")
    ets = "ets", _l("Ente del Terzo settore")
    other = "other", _l("Altro")


def N_(text: str) -> str:
    """Marks a string for the translation catalog without translating it here (state and button
    labels in the machine tables: pages translate them with `_()` when they render them)."""
    return text
