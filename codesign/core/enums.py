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
        """(value, label) pairs for a form's choices, the labels still lazy (translated when the page renders)."""
        return [(m.value, m._label) for m in cls]


class Role(LabelledEnum):
    admin = "admin", _l("Amministratore")
    evaluator = "evaluator", _l("Valutatore")
    applicant = "applicant", _l("Richiedente")


class OrgKind(LabelledEnum):
    pa = "pa", _l("Pubblica amministrazione")
    ets = "ets", _l("Ente del Terzo settore")
    other = "other", _l("Altro")


class Position(LabelledEnum):
    """A member's place in a body's account: a legal representative manages the body's members and details."""

    legal_representative = "legal_representative", _l("Legale rappresentante")
    member = "member", _l("Membro")


class LegalForm(LabelledEnum):
    aps = "aps", _l("Associazione di promozione sociale (APS)")
    odv = "odv", _l("Organizzazione di volontariato (ODV)")
    cooperativa_sociale = "cooperativa_sociale", _l("Cooperativa sociale")
    impresa_sociale = "impresa_sociale", _l("Impresa sociale")
    fondazione = "fondazione", _l("Fondazione")
    associazione = "associazione", _l("Altra associazione")
    altro = "altro", _l("Altra forma giuridica")


def N_(text: str) -> str:
    """Marks a string for the translation catalog without translating it here (state and button
    labels in the machine tables: pages translate them with `_()` when they render them)."""
    return text
