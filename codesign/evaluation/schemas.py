"""What the committee's people send, declared once: the API parses with these, the OpenAPI document shows them, the
pages build them from their forms. What depends on the call (its criteria, a score's maximum, a final review
complete) is checked by the operations against the call."""
from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from codesign.core.schemas import DecimalText, Email, Input, OptionalText, Text
from codesign.procedures.schemas import Code

MAX_MEMBERS = 51
MAX_NOTE = 4000
MAX_REASON = 10_000


class CommitteeIn(Input):
    """The committee: an odd number of evaluators, at least 3, and substitutes if any (registered evaluators,
    by e-mail address)."""

    evaluators: list[Email] = Field(max_length=MAX_MEMBERS)
    substitutes: list[Email] | None = Field(None, max_length=MAX_MEMBERS)


class ConflictIn(Input):
    """A member's declaration on one proposal: a conflict of interests, described in `note`, or none."""

    conflict: bool
    note: OptionalText(MAX_NOTE) = Field(None, validate_default=True,
                                        description="obbligatoria quando `conflict` è true")

    @field_validator("note")
    @classmethod
    def _described(cls, value, info: ValidationInfo):
        if value is None and info.data.get("conflict") is True:
            raise ValueError("descrivere il conflitto di interessi")
        return value


class ReviewIn(Input):
    """A review, criterion by criterion (by the criterion's code): points from 0 to the criterion's maximum, or a
    coefficient from 0 to 1, with a reason each; `null` clears a score. A final review has every score and every
    reason and is locked."""

    scores: dict[Code, DecimalText | None] = Field(default_factory=dict, max_length=200)
    reasons: dict[Code, Text(MAX_REASON, min_length=0) | None] | None = Field(default_factory=dict, max_length=200)
    final: bool = False
