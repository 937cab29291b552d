"""Forms of the monitoring pages. They only mirror the domain's checks (monitoring.schemas and the report
machine's guards) and turn what a person types into the body of `PUT /reports/{id}`: amounts and values with a
dot, blank expense rows left out."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from codesign.core.forms import choice_list
from codesign.proposals.forms import REQUIRED, AmountField

_VALUE_RE = re.compile(r"^\d{1,15}([.,]\d{1,6})?$")
BLANK_ROWS = 3


class ValueField(StringField):
    """An indicator's value, a non-negative decimal typed with a dot or the Italian comma."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, render_kw={"inputmode": "decimal", "autocomplete": "off"}, **kwargs)

    def pre_validate(self, form):
        if self.data and not _VALUE_RE.match(self.data.strip()):
            raise ValidationError(_l("Valore non valido: scrivi un numero non negativo, es. 120 oppure 12,5."))

    @property
    def decimal_text(self) -> str | None:
        return self.data.strip().replace(",", ".") if self.data and self.data.strip() else None


class ReportForm(FlaskForm):
    """The content of a report; the indicator fields and the expense rows are added per report by `report_form`."""

    narrative = TextAreaField(_l("Attività svolte nel periodo"), validators=[Optional(), Length(max=100_000)],
                              render_kw={"rows": 8},
                              description=_l("Che cosa è stato fatto, con chi, dove; che cosa è cambiato rispetto "
                                             "al progetto. Obbligatoria per presentare la relazione."))
    cofinancing_amount = AmountField(_l("Cofinanziamento apportato nel periodo (euro)"),
                                     validators=[DataRequired(message=REQUIRED)],
                                     description=_l("Risorse proprie dell'ente, anche valorizzate. Scrivi 0 se "
                                                    "nessuna."))
    sustainability = TextAreaField(_l("Sostenibilità: come proseguono le attività dopo il periodo finanziato"),
                                   validators=[Optional(), Length(max=50_000)], render_kw={"rows": 5},
                                   description=_l("Obbligatoria nella relazione finale."))
    overspending_justification = TextAreaField(
        _l("Giustificazione della spesa oltre il budget"), validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 4},
        description=_l("Perché la spesa supera il budget del progetto definitivo e come sarà coperta. Obbligatoria "
                       "per presentare la relazione quando la spesa lo supera."))

    indicator_fields: list[tuple[str, str]] = []
    expense_rows: list[dict[str, str]] = []
    receipt_fields: list[str] = []      # per row: the hidden field with the ids of the row's receipts

    def body(self, final: bool) -> tuple[dict, dict[str, str]]:
        """The API's body, and where each of its fields is on this form (for the domain's 422 messages)."""
        where = {"narrative": "narrative", "cofinancing_amount": "cofinancing_amount",
                 "sustainability": "sustainability"}
        indicators = {}
        for code, name in self.indicator_fields:
            value = self[name].decimal_text
            if value is not None:
                indicators[code] = value
                where[f"indicators.{code}"] = name
        expenses = []
        for row, receipts in zip(self.expense_rows, self.receipt_fields):
            values = {k: (self[name].data or "").strip() for k, name in row.items()}
            if not any(values.values()):
                continue                    # a blank row, or one the person emptied: gone, with its receipts
            i = len(expenses)
            for k, name in row.items():
                where[f"expenses.{i}.{k}"] = name
            where[f"expenses.{i}.receipts"] = row["description"]
            expenses.append({"category": values["category"], "funding_source": values["funding_source"],
                             "amount": self[row["amount"]].decimal_text or "", "description": values["description"],
                             "receipts": [int(x) for x in (self[receipts].data or "").split() if x.isdecimal()]})
        body = {"narrative": self.narrative.data or "", "indicators": indicators, "expenses": expenses,
                "cofinancing_amount": self.cofinancing_amount.decimal_text,
                "overspending_justification": self.overspending_justification.data or None}
        where["overspending_justification"] = "overspending_justification"
        if final:
            body["sustainability"] = self.sustainability.data or None
        return body, where


def report_form(report, version, indicator_titles: dict[str, str], categories: list[str], sources: list[str],
                extra_rows: int = 0, **kwargs) -> ReportForm:
    """A ReportForm with a field per indicator of the final project and a row per expense (those stored, then
    three blank ones, and `extra_rows` more when the person asked for them)."""

    class _Form(ReportForm):
        pass

    codes = [i["code"] for i in (version.indicators if version is not None else []) or []]
    _Form.indicator_fields = [(code, f"ind_{code}") for code in codes]
    for code, name in _Form.indicator_fields:
        setattr(_Form, name, ValueField(_l("%(title)s (%(code)s)", title=indicator_titles.get(code, code),
                                           code=code), validators=[Optional()]))
    rows = len(report.expenses or []) + BLANK_ROWS + extra_rows
    _Form.expense_rows, _Form.receipt_fields = [], []
    category_choices = choice_list([("", _l("— scegli —"))] + [(c, c) for c in categories])
    source_choices = choice_list([("", _l("— scegli —"))] + [(s, s) for s in sources])
    for i in range(rows):
        n = i + 1
        names = {"category": f"exp_{i}_category", "funding_source": f"exp_{i}_funding_source",
                 "amount": f"exp_{i}_amount", "description": f"exp_{i}_description"}
        setattr(_Form, names["category"], SelectField(_l("Categoria di spesa, riga %(n)s", n=n),
                                                      choices=category_choices, validators=[Optional()]))
        setattr(_Form, names["funding_source"], SelectField(_l("Fonte di finanziamento, riga %(n)s", n=n),
                                                            choices=source_choices, validators=[Optional()]))
        setattr(_Form, names["amount"], AmountField(_l("Importo in euro, riga %(n)s", n=n), validators=[Optional()]))
        setattr(_Form, names["description"], StringField(_l("Descrizione, riga %(n)s", n=n),
                                                         validators=[Optional(), Length(max=2000)]))
        setattr(_Form, f"exp_{i}_receipts", HiddenField())
        _Form.expense_rows.append(names)
        _Form.receipt_fields.append(f"exp_{i}_receipts")
    return _Form(**kwargs)


def report_form_data(report) -> dict:
    """What the form shows for a stored report (amounts with the Italian comma)."""
    data = {"narrative": report.narrative or "", "sustainability": report.sustainability or "",
            "overspending_justification": report.overspending_justification or "",
            "cofinancing_amount": f"{report.cofinancing_amount:.2f}".replace(".", ",")
            if report.cofinancing_amount is not None else ""}
    for code, value in (report.indicators or {}).items():
        data[f"ind_{code}"] = str(value).replace(".", ",")
    for i, e in enumerate(report.expenses or []):
        data.update({f"exp_{i}_category": e["category"], f"exp_{i}_funding_source": e["funding_source"],
                     f"exp_{i}_amount": str(e["amount"]).replace(".", ","), f"exp_{i}_description": e.get("description", ""),
                     f"exp_{i}_receipts": " ".join(str(x) for x in e.get("receipts", []))})
    return data


class ReceiptForm(FlaskForm):
    """A receipt for one expense line (monitoring.operations.add_receipt checks content and size)."""

    file = FileField(_l("Giustificativo (PDF o immagine JPEG, PNG, WebP)"), validators=[FileRequired(message=REQUIRED)])


class ReviewForm(FlaskForm):
    """The admin's buttons on a submitted report: approve, or return with a reason."""

    reason = TextAreaField(_l("Motivazione della restituzione"), validators=[Optional(), Length(max=5000)],
                           render_kw={"rows": 3},
                           description=_l("Obbligatoria per restituire la relazione: è comunicata all'ente."))


class SubmitForm(FlaskForm):
    """The body's button to submit the stored report."""


class ReversalForm(FlaskForm):
    """A counter-entry on a payment (monitoring.operations.reverse_payment checks the amounts and dates)."""

    payment_id = SelectField(_l("Pagamento da stornare"), coerce=int, validators=[DataRequired(message=REQUIRED)])
    amount = AmountField(_l("Importo da stornare (euro)"), validators=[Optional()],
                         description=_l("Lascia vuoto per stornare tutto quanto resta del pagamento."))
    reason = TextAreaField(_l("Motivo dello storno"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])
    reference = StringField(_l("Riferimento della reversale o del recupero"), validators=[Optional(), Length(max=200)])
    reversed_on = DateField(_l("Data dello storno"), validators=[DataRequired(message=REQUIRED)])


class PaymentForm(FlaskForm):
    tranche_number = SelectField(_l("Tranche"), coerce=int, validators=[DataRequired(message=REQUIRED)])
    paid_on = DateField(_l("Data del pagamento (mandato)"), validators=[DataRequired(message=REQUIRED)])
    reference = StringField(_l("Riferimento del mandato di pagamento"), validators=[Optional(), Length(max=200)],
                            description=_l("Ad esempio «Mandato n. 1234 del 10/01/2022»."))
