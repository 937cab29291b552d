"""What is sent about a call, declared once: the API parses with these, the OpenAPI document shows them, the pages
build them from their forms. A draft may be incomplete or inconsistent: these models refuse malformed values at once
(422 per field); the rules of DOMAIN.md that need the whole call are checked at `publish`
(procedures.validation.publish_problems)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema, field_validator

from codesign.core.schemas import (Checked, Cup, DateTime, Email, Input, Literal, Money, OptionalText, Text, Whole,
                                   NO_NUL, decimal_from_text, integral, may_be_absent, parse, unique_by, within)
from codesign.core.validation import storable

MAX_QUESTION = 2000
MAX_ANSWER = 5000
MAX_ITEMS = 200
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ./-]{4,38}$")


def _code_text(value: Any) -> Any:
    """A code as a text; an integer code ("criterion 1") is taken as its digits."""
    value = integral(value)
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _phone(value: str) -> str:
    if not PHONE_RE.match(value):
        raise ValueError("numero di telefono non valido: cifre, spazi e il prefisso internazionale, es. 02 7740 1234")
    return value


_ZERO = {"pattern": r"^0+(\.0+)?$"}


def _up_to_hundred(low: str, what: str):
    """A number from `low` to 100 with at most two decimals (a percentage, a score), given as a text."""
    schema = {"type": "string", "pattern": r"^(0{0,12}100(\.0{1,2})?|0{0,13}[0-9]{1,2}(\.[0-9]{1,2})?)$",
              "description": f"{what}: da {low} a 100, come stringa, es. \"60.5\""}
    return Annotated[Decimal, BeforeValidator(decimal_from_text),
                     AfterValidator(lambda value: within(value, Decimal(low), Decimal(100))),
                     WithJsonSchema(schema | ({"not": _ZERO} if Decimal(low) > 0 else {}))]


Code = Annotated[str, BeforeValidator(_code_text), Field(min_length=1, max_length=20),
                 AfterValidator(storable),
                 WithJsonSchema({"oneOf": [{"type": "string", "minLength": 1, "maxLength": 20, "pattern": NO_NUL},
                                           {"type": "integer", "minimum": -10**19 + 1, "maximum": 10**20 - 1}],
                                 "description": "un codice (1, \"A\", \"FSE\"), al massimo 20 caratteri"})]
Percent = _up_to_hundred("0", "percentuale o punteggio")
Points = _up_to_hundred("0.01", "punteggio massimo")
Months = Whole(1, 120)
Phone = Checked(40, _phone, {"pattern": PHONE_RE.pattern,
                             "description": "cifre, spazi e il prefisso internazionale, es. 02 7740 1234"})


class FundingIn(Input):
    code: Code
    share_pct: Percent


class DeclarationIn(Input):
    code: Code
    text: Text(2000)


class AttachmentKindIn(Input):
    kind: Code
    title: Text(300)


class IndicatorIn(Input):
    code: Code
    title: Text(300)
    unit: Text(50) | None = None


class LotIn(Input):
    code: Code
    title: Text(300)
    budget: Money


class CriterionIn(Input):
    code: Code
    title: Text(400)
    max_points: Points
    min_points: Percent | None = None

    @field_validator("min_points")
    @classmethod
    def _not_above_maximum(cls, value, info: ValidationInfo):
        if value is not None and info.data.get("max_points") is not None and value > info.data["max_points"]:
            raise ValueError("il minimo non può superare il massimo")
        return value


def _items(model, key: str = "code"):
    """A list of the call (up to MAX_ITEMS), each item's `key` its own."""
    return Annotated[list[model], AfterValidator(unique_by(key)), Field(max_length=MAX_ITEMS)] | None


AttachmentKinds = _items(AttachmentKindIn, "kind")


class ProcedurePatch(Input):
    """In draft, any field of the call; `null` clears an optional one (a list: empties it). Once published, only
    `submission_deadline`, later, before the current one passes (else 409 guard_failed)."""

    model_config = may_be_absent("title")   # an absent title is left as it is; null is no title

    title: Text(400) = None
    programme: OptionalText(300) = None
    administration: Text(300) | None = Field(None, description="se indicata, deve essere l'amministrazione "
                                                                 "dell'admin")
    cup: Cup | None = None
    rup: OptionalText(200) = None
    office: OptionalText(200) = None
    act_ref: OptionalText(200) = None
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    questions_until: DateTime | None = Field(None, description="il termine per le domande di chiarimento; se "
                                                               "assente, cinque giorni prima della scadenza")
    min_publication_days: Whole(0, 365) | None = None
    budget_total: Money | None = None
    cofinancing_min_pct: Percent | None = None
    submission_deadline: DateTime | None = None
    codesign_months: Months | None = None
    startup_months: Months | None = None
    monitoring_months: Months | None = None
    reporting_every_months: Months | None = None
    scoring: Literal["points", "coefficients"] | None = None
    rescale: bool | None = None
    threshold: Percent | None = None
    tie_break_criterion: Code | None = None
    funding_sources: _items(FundingIn) = None
    declarations: _items(DeclarationIn) = None
    required_attachments: AttachmentKinds = None
    indicators: _items(IndicatorIn) = None
    lots: _items(LotIn) = None
    criteria: _items(CriterionIn) = None


class ProcedureCreate(ProcedurePatch):
    """The call as in the scenario file (`call`). A draft may be incomplete: malformed values are 422 at once, the
    rules of DOMAIN.md are checked at `publish` (409). `null` clears an optional field."""

    title: Text(400)


class DeadlineIn(Input):
    """A published call's deadline extension (proroga)."""

    submission_deadline: DateTime


LISTS = ("funding_sources", "declarations", "required_attachments", "indicators", "lots", "criteria")


def parse_call(data: Any, *, partial: bool) -> dict:
    """The call's fields present in `data`, clean (a list as a list of dicts, `null` as an empty list, `rescale`
    null as false), or Invalid naming every field."""
    body = parse(ProcedurePatch if partial else ProcedureCreate, data)
    clean = {name: getattr(body, name) for name in body.model_fields_set}
    for name in LISTS:
        if name in clean:
            clean[name] = [{key: getattr(item, key) for key in type(item).model_fields} for item in clean[name] or []]
    if "funding_sources" in clean:
        clean["funding_sources"] = [{**f, "share_pct": str(f["share_pct"])} for f in clean["funding_sources"]]
    if "rescale" in clean and clean["rescale"] is None:
        clean["rescale"] = False
    return clean


class QuestionIn(Input):
    """A question on the call, from an applicant."""

    question: Text(MAX_QUESTION)


class ClarificationIn(Input):
    """A clarification the call's administration publishes of its own: a question and its answer."""

    question: Text(MAX_QUESTION)
    answer: Text(MAX_ANSWER)


class ErratumIn(Input):
    """An erratum (avviso di rettifica) to a published call: what it corrects, and the correction."""

    title: Text(300)
    text: Text(MAX_ANSWER)


class AnswerIn(Input):
    """The administration's answer to a question; `question` rewords it for publication (so that nobody is named
    or recognised), else it is published as asked."""

    answer: Text(MAX_ANSWER)
    question: Text(MAX_QUESTION) | None = None
