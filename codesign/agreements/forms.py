"""Forms of the agreement page: what a person types, turned into the declared input of `agreements.schemas`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from codesign.agreements.operations import CHECK_STATES
from codesign.core.forms import choice_list

REQUIRED = _l("Campo obbligatorio.")


def check_choice(value) -> str:
    """A recorded check as the form's choice: true, false (not yet verified, also when never recorded) or null
    (not due)."""
    return "null" if value is None else "true" if value else "false"


CHECK_CHOICES = choice_list([(check_choice(value), _l(label)) for value, label in CHECK_STATES.items()])
AFTER_CHOICES = choice_list([("signature", _l("alla sottoscrizione")), ("report", _l("dopo la relazione n.")),
                             ("final", _l("dopo la relazione finale"))])


class PremisesRow(Form):
    address = StringField(_l("Indirizzo dell'immobile"), validators=[Optional(), Length(max=300)])
    description = StringField(_l("Descrizione"), validators=[Optional(), Length(max=2000)])


class TrancheRow(Form):
    pct = StringField(_l("Percentuale"), validators=[Optional(), Length(max=10)], render_kw={"inputmode": "decimal"})
    after = SelectField(_l("Quando si eroga"), choices=AFTER_CHOICES)
    report_number = IntegerField(_l("Numero della relazione"), validators=[Optional(), NumberRange(min=1, max=1000)])


class AgreementForm(FlaskForm):
    start_date = DateField(_l("Data di avvio prevista"), validators=[InputRequired(message=REQUIRED)])
    cup = StringField(_l("CUP del progetto"), validators=[Optional(), Length(max=15)],
                      description=_l("Il CUP proprio del progetto (15 lettere e cifre), necessario per sottoscrivere."))
    premises = FieldList(FormField(PremisesRow), min_entries=0)
    tranches = FieldList(FormField(TrancheRow), min_entries=0)
    runts = SelectField(_l("Iscrizione al RUNTS"), choices=CHECK_CHOICES)
    durc = SelectField(_l("Regolarità contributiva (DURC)"), choices=CHECK_CHOICES)
    antimafia = SelectField(_l("Informazione antimafia"), choices=CHECK_CHOICES,
                            description=_l("Dovuta quando il contributo supera 150.000 euro (D.Lgs. 159/2011)."))
    criminal_records = SelectField(_l("Casellario giudiziale"), choices=CHECK_CHOICES)

    def to_input(self) -> dict:
        def check(field):
            return {"true": True, "null": None}.get(field.data, False)

        return {
            "start_date": self.start_date.data.isoformat() if self.start_date.data else "",
            "cup": (self.cup.data or "").strip() or None,
            "premises": [{"address": r.address.data or "", "description": r.description.data or ""}
                         for r in (e.form for e in self.premises) if r.address.data or r.description.data],
            "tranches": [{"number": i, "pct": (r.pct.data or "").strip().replace(",", "."), "after": r.after.data,
                          **({"report_number": r.report_number.data} if r.after.data == "report" else {})}
                         for i, r in enumerate((e.form for e in self.tranches if e.form.pct.data), start=1)],
            "declaration_checks": {name: check(self[name]) for name in ("runts", "durc", "antimafia", "criminal_records")},
        }


class SignedCopyForm(FlaskForm):
    file = FileField(_l("Convenzione firmata digitalmente (PDF)"), validators=[FileRequired(message=REQUIRED)])


class HandoverForm(FlaskForm):
    """The hand-over of one premises (agreements.operations.record_handover checks it)."""

    handed_over_on = DateField(_l("Data della consegna"), validators=[InputRequired(message=REQUIRED)])
    condition = TextAreaField(_l("Stato dei locali alla consegna"), validators=[InputRequired(message=REQUIRED),
                                                                               Length(max=5000)],
                              render_kw={"rows": 3},
                              description=_l("Come sono stati trovati: impianti, arredi, chiavi consegnate, lavori da "
                                             "fare."))
    file = FileField(_l("Verbale di consegna firmato (PDF)"), validators=[FileRequired(message=REQUIRED)])


class ActionForm(FlaskForm):
    reason = TextAreaField(_l("Motivazione"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3},
                           description=_l("Obbligatoria: resta nel registro delle operazioni."))
    start_date = DateField(_l("Data di avvio effettiva"), validators=[Optional()])
