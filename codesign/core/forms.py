"""Form helpers shared by every module: domain errors (Invalid) carried onto WTForms fields, choices, and
the amount field that reads numbers as people write them."""
import re
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from codesign.core.errors import DomainError, GuardFailed, Invalid, TooLarge
from codesign.core.web import format_score
from codesign.db import db


def apply_errors(form, exc: DomainError, where: dict | None = None) -> str | None:
    """Attach per-field messages to the form; return the message that belongs to no field. `where`: the field a
    domain path names when the form does not hold it at that path (the body left blank rows out), a path's parent
    standing for what is inside it."""
    if isinstance(exc, Invalid):
        leftover = []
        where = where or {}
        for name, message in exc.fields.items():
            field = where.get(name) or where.get(name.rpartition(".")[0]) or field_at(form, name)
            if field is None:
                field, message = _row_of_text(form, name, message)
            if field is not None and hasattr(field, "errors") and not isinstance(field.errors, dict):
                field.errors = list(field.errors) + [message]
            else:
                leftover.append(f"{name}: {message}")
        if leftover and exc.explained:
            return exc.message
        return "; ".join(leftover) or None
    return exc.message


def _row_of_text(form, path: str, message: str):
    """A list's item that a form types as lines of one text (`partners.1.tax_code`, the partners' text area): the
    text's field, the message naming the line."""
    name, _dot, rest = path.partition(".")
    index = rest.partition(".")[0]
    field = getattr(form, name, None) if index.isdigit() else None
    if field is None or hasattr(field, "entries"):
        return None, message
    return field, _("Riga %(n)s: %(message)s", n=int(index) + 1, message=message)


def refusal(form, exc: DomainError, label: str) -> dict | None:
    """A refused operation of a page's form: the transaction rolled back, each field's message beside its field (a
    file too large beside the file), and what belongs to no field as the failure the page shows (`failure_alert`:
    {label, reasons}); None when every message found its field."""
    db.session.rollback()
    if isinstance(exc, GuardFailed):
        return {"label": label, "reasons": exc.reasons}
    if isinstance(exc, TooLarge) and hasattr(form, "file"):
        form.file.errors = list(form.file.errors) + [exc.message]
        return None
    message = apply_errors(form, exc)
    return {"label": label, "reasons": [message]} if message else None


def field_at(form, path: str):
    """The field a domain path names: `title`, or `activities.0.end_month` inside a FieldList of FormFields."""
    node = form
    for part in path.split("."):
        if part.isdigit():
            entries = getattr(node, "entries", None)
            node = entries[int(part)] if entries is not None and int(part) < len(entries) else None
        else:
            node = getattr(getattr(node, "form", node), part, None)
        if node is None:
            return None
    return node


def choice_list(pairs):
    """(value, label) pairs as WTForms SelectChoice objects."""
    return [SelectChoice(value, label) for value, label in pairs]


# What an amount may be written with: a sign, digits and the two separators (so never "NaN", "Infinity", "1e5").
AMOUNT_CHARS = re.compile(r"^[+-]?[0-9][0-9.,]*$")


def parse_amount(text: str) -> Decimal | None:
    """An amount as a person types it: "90.000,50", "90000,50" and "90000.50" alike. Babel reads it the
    Italian way first (dot for thousands, comma for decimals), then the international way; None when
    neither reads it, and for what Decimal would read but no amount is: NaN, infinities, exponents."""
    if not isinstance(text, str) or not AMOUNT_CHARS.match(text):
        return None
    for locale in ("it_IT", "en_US"):
        try:
            return parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            continue
    return None


class AmountField(StringField):
    """An amount in euro typed as people write it ("1.500,50", "1500,50" or "1500.50").

    `data` keeps what was typed (so a wrong value is shown back as typed); `decimal_text` is the value
    for the domain, in plain decimal notation with a dot."""

    invalid = _l("Importo non valido: scrivi le cifre con la virgola per i decimali (al massimo due) e, se vuoi, "
                 "il punto per le migliaia, es. 1.500,50.")

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip().replace(" ", "").replace("\u00a0", "").removesuffix("€")

    def pre_validate(self, form):
        if not self.data:
            return
        value = parse_amount(self.data)
        if value is None or value < 0 or value.as_tuple().exponent < -2:
            raise ValidationError(self.invalid)

    @property
    def decimal_text(self) -> str | None:
        value = parse_amount(self.data) if self.data else None
        return None if value is None else format(value, "f")


class NumberField(AmountField):
    """A number that is not an amount (a percentage, a score), typed as people write it: "10,5" or "10.5"."""

    invalid = _l("Numero non valido: scrivi le cifre con la virgola per i decimali (al massimo due), es. 10,5.")


def amount_input(value) -> str:
    """An amount as a form shows it back to be changed, the reader's way ("200.000,00"); AmountField reads it."""
    return "" if value is None else format_decimal(Decimal(value), format="#,##0.00")


def number_input(value) -> str:
    """A number as a form shows it back ("8,5", "30"); NumberField reads it."""
    return "" if value is None else format_score(value)


# --- lists of rows (FieldList of FormFields) -------------------------------------------------------------------
def change_rows(form, formdata) -> bool:
    """The buttons of a list of rows, without JavaScript: `add_row=<list>` appends an empty row to that FieldList,
    `remove_row=<list>-<n>` takes row n away (the rows after it move up). True when the post was one of them: the
    page then shows the form again and nothing is saved."""
    add, remove = formdata.get("add_row"), formdata.get("remove_row")
    if add is None and remove is None:
        return False
    if remove:
        name, _sep, n = remove.rpartition("-")
        rows = getattr(form, name, None)
        if isinstance(rows, FieldList) and n.isdecimal():
            gone = f"{rows.name}-{n}-"
            form.process(formdata=MultiDict([(k, v) for k, v in formdata.items(multi=True)
                                             if not k.startswith(gone) and k != "remove_row"]))
    else:
        rows = getattr(form, add, None)
        if isinstance(rows, FieldList) and not (rows.max_entries and len(rows) >= rows.max_entries):
            rows.append_entry()
    return True


def row_is_empty(row) -> bool:
    """A row of a FieldList where nothing was typed (left out of what is saved)."""
    return not any((f.data or "").strip() if isinstance(f.data, str) else f.data for f in row)
