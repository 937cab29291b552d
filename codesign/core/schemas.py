"""Input declared once: pydantic models for every body, query string and transition's parameters.

A module declares its inputs in `<module>/schemas.py` as subclasses of `Input` (unknown keys refused,
types strict: a number is not a text and a text is not a number), with the shared field types below
(`Money`, `Text`, `Date`, …). `parse(Model, data)` validates a JSON value and returns the model, or raises
`Invalid` (422) with one Italian message per field, keyed by its path (`activities.0.title`). The same
models give the OpenAPI document its schemas (`Model.model_json_schema()`), so the two cannot drift,
and pages may build them from their forms' data to call the same operations.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal  # noqa: F401  (Literal: re-exported for the modules' schemas)

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError,
                      WithJsonSchema)
from pydantic_core import PydanticCustomError

from codesign.core.errors import BadRequest, Invalid
from codesign.core.validation import aware_datetime, date_value, email_address, storable

# The database's integer range (PostgreSQL `integer`): ids, numbers and months beyond it are refused.
INT_MAX = 2_147_483_647
_DECIMAL_RE = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")
MAX_DEPTH = 20


class Input(BaseModel):
    """A request body or query: unknown keys refused, values of the declared type only."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, frozen=True)


# --- shared field types -------------------------------------------------------------------------------------------
def decimal_from_text(value: Any) -> Decimal:
    """A decimal number as the API takes it: a text in plain notation (or an integer), never a float."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("campo obbligatorio")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("usare una stringa in notazione decimale, es. \"1000.00\"")
    text = str(value).strip()
    if not _DECIMAL_RE.match(text):
        raise ValueError("usare la notazione decimale, es. \"1000.00\"")
    return Decimal(text)


def _money(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("l'importo non può essere negativo")
    if value.as_tuple().exponent < -2:
        raise ValueError("al massimo due decimali")
    if value >= Decimal("1e12"):
        raise ValueError("importo troppo grande")
    return value.quantize(Decimal("0.01"))


def within(value: Decimal, lo: Decimal, hi: Decimal, places: int = 2) -> Decimal:
    """A number from lo to hi with at most `places` decimals (a percentage, a score), else ValueError in words."""
    if value.as_tuple().exponent < -places:
        raise ValueError(f"al massimo {places} decimali")
    if value < lo:
        raise ValueError(f"il valore minimo è {lo}")
    if value > hi:
        raise ValueError(f"il valore massimo è {hi}")
    return value


def money_text(d) -> str | None:
    """An amount as the API and the open data write it: plain decimal notation, two decimals ("1500.00")."""
    return None if d is None else f"{Decimal(d):.2f}"


Money = Annotated[Decimal, BeforeValidator(decimal_from_text), AfterValidator(_money),
                  PlainSerializer(money_text, return_type=str),
                  WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
                                  "description": "importo in euro, stringa in notazione decimale",
                                  "examples": ["1000.00"]})]
DecimalText = Annotated[Decimal, BeforeValidator(decimal_from_text), PlainSerializer(str, return_type=str),
                        WithJsonSchema({"type": "string", "pattern": _DECIMAL_RE.pattern,
                                        "description": "numero decimale come stringa"})]
# A date's year within core.validation.YEARS (2000 to 2100), as the JSON Schema says it (a test holds the two
# together).
_IN_YEARS = "^(20[0-9]{2}|2100)-"
Date = Annotated[dt.date, BeforeValidator(date_value), PlainSerializer(lambda d: d.isoformat(), return_type=str),
                 WithJsonSchema({"type": "string", "format": "date", "pattern": _IN_YEARS})]
DateTime = Annotated[dt.datetime, BeforeValidator(aware_datetime),
                     PlainSerializer(lambda d: d.isoformat(), return_type=str),
                     WithJsonSchema({"type": "string", "format": "date-time", "pattern": _IN_YEARS})]


NO_NUL = "^[^\\u0000]*$"   # a text's JSON Schema: no NUL (core.validation.storable)


def Text(max_length: int = 10_000, min_length: int = 1):  # noqa: N802  (a type factory, used like a type)
    """A text of at most `max_length` characters (after trimming), never empty unless min_length=0."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length,
                                json_schema_extra={"pattern": NO_NUL}), AfterValidator(storable)]


def Checked(max_length: int, check: Callable[[str], str], schema: dict):  # noqa: N802
    """A text of at most `max_length` characters that `check` accepts (its ValueError is the message), shown in the
    JSON Schema by `schema` (the check as a pattern): Text's own pattern would override it."""
    return Annotated[str, Field(min_length=1, max_length=max_length), AfterValidator(storable), AfterValidator(check),
                     WithJsonSchema({"type": "string", "maxLength": max_length, **schema})]


@dataclass(frozen=True)
class JsonSchemaOf:
    """A type's JSON Schema made when a document asks for it, as WithJsonSchema gives one made at import: a list
    read from a file (the territory's municipalities) is not read when a process starts."""

    make: Callable[[], dict]

    def __get_pydantic_json_schema__(self, core_schema, handler) -> dict:
        return self.make()


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def OptionalText(max_length: int = 10_000):  # noqa: N802
    """A text that may be left empty: blank or null is none."""
    return Annotated[Text(max_length) | None, BeforeValidator(_blank_is_none)]


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


# The domains no address may have (email_validator's special-use names, RFC 6761), as the JSON Schema says it.
_SPECIAL_USE = {"pattern": "(^|[.@])(" + "|".join(_any_case(d) for d in SPECIAL_USE_DOMAIN_NAMES) + r")\.?$"}
Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(storable), AfterValidator(email_address),
                  WithJsonSchema({"type": "string", "format": "email", "maxLength": 254, "not": _SPECIAL_USE})]


def integral(value: Any) -> Any:
    """JSON's integer as JSON Schema reads it: 16.0 is the integer 16 (a float with a fraction stays a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Int(lo: int = 0, hi: int = INT_MAX):  # noqa: N802
    return Annotated[int, Field(ge=lo, le=hi), BeforeValidator(integral)]


def _whole(low: int, high: int):
    """A whole number from low to high: an integer, or its ASCII digits as a text ("40"), as a form sends it."""
    def check(value):
        value = integral(value)
        if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
            return int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"indicare un numero intero da {low} a {high}")
        return value
    return check


def Whole(lo: int, hi: int):  # noqa: N802
    """An integer from lo to hi, also given as its digits in a text."""
    return Annotated[int, Field(ge=lo, le=hi), BeforeValidator(_whole(lo, hi))]   # Field first: the schema's bounds


# The CUP (Codice Unico di Progetto, law 3/2003): 15 letters and digits, written upper-case.
CUP_RE = re.compile(r"^[A-Z0-9]{15}$")


def cup_code(value: str) -> str:
    value = value.upper()
    if not CUP_RE.match(value):
        raise ValueError("il CUP è composto da 15 lettere e cifre (es. B41H20000150006)")
    return value


Cup = Checked(100, cup_code, {"pattern": "^[A-Za-z0-9]{15}$", "description": "il CUP: 15 lettere e cifre"})


def may_be_absent(*names: str) -> ConfigDict:
    """The config of a change's body (PATCH) whose fields `names` may be left out (unchanged) but not sent as
    null: declared `name: Type = None`, which pydantic never validates when absent, and shown in the JSON Schema
    without that default, which the type does not allow."""
    def drop_defaults(schema: dict) -> None:
        for name in names:
            schema["properties"][name].pop("default", None)
    return ConfigDict(Input.model_config, json_schema_extra=drop_defaults)


# A fault a list's validator finds in one of its items: ctx["at"] is the item's path inside the list.
ITEM_ERROR = "item_error"


def unique_by(key: str):
    """A list's check that no two of its items share `key` (a code): the repeated one is named at its own field
    (`lots.2.code`)."""
    def check(items: list) -> list:
        seen = set()
        for i, item in enumerate(items):
            code = getattr(item, key)
            if code in seen:
                raise PydanticCustomError(ITEM_ERROR, "codice «{code}» ripetuto", {"at": (i, key), "code": code})
            seen.add(code)
        return items
    return check


# --- parsing -------------------------------------------------------------------------------------------------------
_MESSAGES = {
    "missing": "campo obbligatorio",
    "extra_forbidden": "campo non previsto",
    "string_type": "deve essere un testo",
    "int_type": "deve essere un numero intero",
    "bool_type": "deve essere vero o falso (true/false)",
    "list_type": "deve essere un elenco",
    "dict_type": "deve essere un oggetto",
    "model_type": "deve essere un oggetto",
    "model_attributes_type": "deve essere un oggetto",
    "string_too_short": "campo obbligatorio",
    "string_too_long": "al massimo {max_length} caratteri",
    "too_long": "al massimo {max_length} elementi",
    "too_short": "almeno {min_length} elementi",
    "greater_than_equal": "il valore minimo è {ge}",
    "less_than_equal": "il valore massimo è {le}",
    "greater_than": "deve essere maggiore di {gt}",
    "less_than": "deve essere minore di {lt}",
    "literal_error": "valore non ammesso: usare uno di {expected}",
    "enum": "valore non ammesso: usare uno di {expected}",
}


def _message(err: dict) -> str:
    if err["type"] == ITEM_ERROR:
        return err["msg"]
    if err["type"] in ("value_error", "assertion_error"):
        msg = str(err.get("ctx", {}).get("error") or err["msg"])
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _MESSAGES.get(err["type"])
    if template is None:
        return "valore non valido"
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


TOO_DEEP = f"Il corpo della richiesta è annidato troppo in profondità (al massimo {MAX_DEPTH} livelli)"


def check_json(data: Any) -> None:
    """A decoded JSON body as the application may read it, checked before any operation sees it: nested at most
    MAX_DEPTH levels (400), and no text, key or value, with a NUL or a lone surrogate, which no database keeps (422
    naming every place). Walked without recursion, so no body can exhaust the stack."""
    errors: dict[str, str] = {}
    stack = [(data, 0, "")]
    while stack:
        value, level, path = stack.pop()
        if isinstance(value, dict):
            for key in value:
                _storable_at(errors, path or "body", key)
            items = value.items()
        elif isinstance(value, list):
            items = ((str(i), v) for i, v in enumerate(value))
        else:
            if isinstance(value, str):
                _storable_at(errors, path or "body", value)
            continue
        if level >= MAX_DEPTH:
            raise BadRequest(TOO_DEEP)
        for key, item in items:
            stack.append((item, level + 1, f"{path}.{key}" if path else key))
    if errors:
        raise Invalid(errors)


def _storable_at(errors: dict[str, str], path: str, text: str) -> None:
    try:
        storable(text)
    except ValueError as exc:
        errors.setdefault(path, str(exc))


def parse(model: type[BaseModel], data: Any, context: dict | None = None) -> Any:
    """Validate `data` (a decoded JSON value) against `model`: the model, or Invalid with every field's message.
    `context`: what the model's own validators check against (the call whose lot a proposal names)."""
    if not isinstance(data, dict):
        raise BadRequest("Il corpo della richiesta deve essere un oggetto JSON")
    check_json(data)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in (*err["loc"], *(err.get("ctx") or {}).get("at", ()))) or "body"
            fields.setdefault(loc, _message(err))
        raise Invalid(fields) from None
