"""Forms of the monitoring pages. They only mirror the domain's checks (monitoring.schemas and the report
machine's guards) and turn what a person types into the body of `PUT /reports/{id}`: amounts and values with a
dot, blank expense rows left out."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from codesign.core.forms import amount_input, choice_list, row_is_empty
from codesign.monitoring.schemas import MAX_ROWS
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


class ExpenseRow(Form):
    """One expense of the report (the choices of category and source are the final project's: `report_form`)."""

    category = SelectField(_l("Categoria di spesa"), validators=[Optional()])
    funding_source = SelectField(_l("Fonte di finanziamento"), validators=[Optional()])
    amount = AmountField(_l("Importo in euro"), validators=[Optional()])
    description = StringField(_l("Descrizione"), validators=[Optional(), Length(max=2000)])
    receipts = HiddenField()            # the ids of the row's receipts, carried as the row moves


class ReportForm(FlaskForm):
    """The content of a report; the indicator fields and the expense rows (`expenses`, a FieldList of ExpenseRow)
    are added per report by `report_form`."""

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

    def body(self, final: bool) -> tuple[dict, dict[str, object]]:
        """The API's body, and the field each of its paths names on this form (for the domain's 422 messages)."""
        where = {name: self[name] for name in ("narrative", "cofinancing_amount", "sustainability",
                                                "overspending_justification")}
        indicators = {}
        for code, name in self.indicator_fields:
            value = self[name].decimal_text
            if value is not None:
                indicators[code] = value
                where[f"indicators.{code}"] = self[name]
        expenses = []
        for entry in self.expenses:
            row = entry.form
            if row_is_empty([row.category, row.funding_source, row.amount, row.description]):
                continue                    # a blank row, or one the person emptied: gone, with its receipts
            i = len(expenses)
            for k in ("category", "funding_source", "amount", "description"):
                where[f"expenses.{i}.{k}"] = row[k]
            where[f"expenses.{i}"] = where[f"expenses.{i}.receipts"] = row.description
            expenses.append({"category": row.category.data or "", "funding_source": row.funding_source.data or "",
                             "amount": row.amount.decimal_text or "", "description": (row.description.data or "").strip(),
                             "receipts": [int(x) for x in (row.receipts.data or "").split() if x.isdecimal()]})
        body = {"narrative": self.narrative.data or "", "indicators": indicators, "expenses": expenses,
                "cofinancing_amount": self.cofinancing_amount.decimal_text,
                "overspending_justification": self.overspending_justification.data or None}
        if final:
            body["sustainability"] = self.sustainability.data or None
        return body, where


def report_form(report, version, indicator_titles: dict[str, str], categories: list[str], sources: list[str],
                rows: int = 0, **kwargs) -> ReportForm:
    """A ReportForm with a field per indicator of the final project and the expense rows (those given or posted,
    and empty ones up to `rows`), choosing among the final project's categories and sources."""

    class _Row(ExpenseRow):
        pass

    _Row.category = SelectField(_l("Categoria di spesa"), validators=[Optional()],
                                choices=choice_list([("", _l("— scegli —"))] + [(c, c) for c in categories]))
    _Row.funding_source = SelectField(_l("Fonte di finanziamento"), validators=[Optional()],
                                      choices=choice_list([("", _l("— scegli —"))] + [(s, s) for s in sources]))

    class _Form(ReportForm):
        pass

    _Form.expenses = FieldList(FormField(_Row), label=_l("Spese sostenute nel periodo"), max_entries=MAX_ROWS,
                               min_entries=min(rows, MAX_ROWS))
    codes = [i["code"] for i in (version.indicators if version is not None else []) or []]
    _Form.indicator_fields = [(code, f"ind_{code}") for code in codes]
    for code, name in _Form.indicator_fields:
        setattr(_Form, name, ValueField(_l("%(title)s (%(code)s)", title=indicator_titles.get(code, code),
                                           code=code), validators=[Optional()]))
    return _Form(**kwargs)


def report_form_data(report) -> dict:
    """What the form shows for a stored report (amounts with the Italian comma)."""
    data = {"narrative": report.narrative or "", "sustainability": report.sustainability or "",
            "overspending_justification": report.overspending_justification or "",
            "cofinancing_amount": amount_input(report.cofinancing_amount),
            "expenses": [{"category": e["category"], "funding_source": e["funding_source"],
                          "amount": amount_input(e["amount"]), "description": e.get("description", ""),
                          "receipts": " ".join(str(x) for x in e.get("receipts", []))}
                         for e in report.expenses or []]}
    for code, value in (report.indicators or {}).items():
        data[f"ind_{code}"] = str(value).replace(".", ",")
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
