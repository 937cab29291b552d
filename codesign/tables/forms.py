"""Forms of the co-design table's pages. They turn what a person types into the declared inputs of
`tables.schemas` (the operations check them, exactly as for the API)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from codesign.core.forms import AmountField

REQUIRED = _l("Campo obbligatorio.")
EXTRA_ROWS = 1  # empty rows offered after the filled ones; "Aggiungi una riga" adds one more


class MeetingForm(FlaskForm):
    date = DateField(_l("Giorno"), validators=[InputRequired(message=REQUIRED)])
    time = TimeField(_l("Ora (ora italiana)"), validators=[InputRequired(message=REQUIRED)])
    place = StringField(_l("Luogo"), validators=[InputRequired(message=REQUIRED), Length(max=300)],
                        description=_l("Indirizzo e sala, oppure «videoconferenza» con il collegamento."))
    participants = TextAreaField(_l("Partecipanti"), validators=[Optional(), Length(max=20000)],
                                 render_kw={"rows": 3}, description=_l("Uno per riga, con il ruolo."))
    minutes = TextAreaField(_l("Verbale"), validators=[Optional(), Length(max=100000)], render_kw={"rows": 5},
                            description=_l("Si può scrivere anche dopo l'incontro."))

    def participants_list(self) -> list[str]:
        return [line.strip() for line in (self.participants.data or "").splitlines() if line.strip()]


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Verbale"), validators=[Optional(), Length(max=100000)], render_kw={"rows": 6})


class ActivityRow(Form):
    title = StringField(_l("Attività"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 2})
    start_month = IntegerField(_l("Mese di inizio"), validators=[Optional(), NumberRange(min=1, max=1200)])
    end_month = IntegerField(_l("Mese di fine"), validators=[Optional(), NumberRange(min=1, max=1200)])

    def is_empty(self) -> bool:
        return not (self.title.data or self.description.data or self.start_month.data or self.end_month.data)


class BudgetRow(Form):
    category = StringField(_l("Categoria di costo"), validators=[Optional(), Length(max=200)])
    funding_source = SelectField(_l("Fonte di finanziamento"), choices=[], validate_choice=False)
    amount = AmountField(_l("Importo (euro)"))

    def is_empty(self) -> bool:
        return not (self.category.data or self.amount.data)


class IndicatorRow(Form):
    code = StringField(_l("Codice"), render_kw={"readonly": True})
    target = StringField(_l("Valore obiettivo"), validators=[Optional(), Length(max=30)],
                         render_kw={"inputmode": "decimal"})


class VersionForm(FlaskForm):
    summary = TextAreaField(_l("Descrizione del progetto"), validators=[InputRequired(message=REQUIRED),
                                                                         Length(max=50000)], render_kw={"rows": 6})
    requested_amount = AmountField(_l("Contributo richiesto (euro)"), validators=[InputRequired(message=REQUIRED)])
    cofinancing_amount = AmountField(_l("Cofinanziamento (euro)"), validators=[InputRequired(message=REQUIRED)])
    activities = FieldList(FormField(ActivityRow), min_entries=0)
    budget_lines = FieldList(FormField(BudgetRow), min_entries=0)
    indicators = FieldList(FormField(IndicatorRow), min_entries=0)
    note = TextAreaField(_l("Nota sulla versione"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2},
                         description=_l("Che cosa cambia rispetto alla versione precedente."))

    def to_input(self) -> dict:
        """The declared input (tables.schemas.VersionIn) from what was typed; empty rows are left out."""

        def number(text):
            return text.strip().replace(",", ".") if text else ""

        return {
            "summary": self.summary.data or "",
            "requested_amount": self.requested_amount.decimal_text or "",
            "cofinancing_amount": self.cofinancing_amount.decimal_text or "",
            "activities": [{"title": r.title.data or "", "description": r.description.data or "",
                            "start_month": r.start_month.data, "end_month": r.end_month.data}
                           for r in (e.form for e in self.activities) if not r.is_empty()],
            "budget_lines": [{"category": r.category.data or "", "funding_source": r.funding_source.data or "",
                              "amount": r.amount.decimal_text or ""}
                             for r in (e.form for e in self.budget_lines) if not r.is_empty()],
            "indicators": [{"code": r.code.data, "target": number(r.target.data)}
                           for r in (e.form for e in self.indicators) if r.target.data],
            **({"note": self.note.data} if self.note.data else {}),
        }


class DocumentForm(FlaskForm):
    file = FileField(_l("Documento PDF"), validators=[FileRequired(message=REQUIRED)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Motivazione"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3},
                           description=_l("Obbligatoria: resta nel registro delle operazioni."))
