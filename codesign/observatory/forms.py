"""Forms of the observatory's pages. They mirror the domain's checks (observatory.schemas) only to say what is
missing before a round trip, and turn what a person types into the API's body: amounts with a dot, dates ISO."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from codesign.core import territory
from codesign.core.enums import N_
from codesign.core.forms import AmountField, choice_list
from codesign.observatory.models import STATES
from codesign.proposals.forms import REQUIRED

STATE_LABELS = {"planned": N_("Programmato"), "in_progress": N_("In corso"), "completed": N_("Concluso"),
                "interrupted": N_("Interrotto")}
PROGRESS = _l("Avanzamento fisico (%)")


def _states(blank: bool):
    pairs = [(s, _l(STATE_LABELS[s])) for s in STATES]
    return choice_list(([("", _l("— invariato —"))] if blank else []) + pairs)


class ProjectForm(FlaskForm):
    cup = StringField(_l("CUP"), validators=[DataRequired(message=REQUIRED), Length(max=15)],
                      description=_l("Codice unico di progetto: 15 lettere e cifre, es. B41H20000150006."),
                      render_kw={"autocomplete": "off", "spellcheck": "false"})
    title = StringField(_l("Titolo"), validators=[DataRequired(message=REQUIRED), Length(max=500)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=20_000)])
    programme = StringField(_l("Programma di finanziamento"), validators=[DataRequired(message=REQUIRED),
                                                                         Length(max=300)],
                            description=_l("Ad esempio «PNRR M5C2 - Rigenerazione urbana», «PON Metro 2014-2020», "
                                           "«Bando Periferie 2016», «Fondi propri»."))
    theme = StringField(_l("Tema"), validators=[DataRequired(message=REQUIRED), Length(max=200)],
                        description=_l("Scegli uno dei temi di OpenCoesione proposti o scrivine uno."),
                        render_kw={"list": "oc-themes", "autocomplete": "off"})
    municipality = SelectField(_l("Comune"), validators=[DataRequired(message=REQUIRED)])
    municipio = SelectField(_l("Municipio"), validators=[Optional()],
                            description=_l("Solo per i progetti del Comune di Milano."))
    nil = SelectField(_l("Quartiere (NIL)"), validators=[Optional()],
                      description=_l("Solo per Milano: uno degli 88 Nuclei di Identità Locale del PGT 2030."))
    beneficiary_name = StringField(_l("Beneficiario"), validators=[DataRequired(message=REQUIRED), Length(max=300)])
    beneficiary_tax_code = StringField(_l("Codice fiscale del beneficiario"), validators=[Optional(), Length(max=16)],
                                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    public_funding = AmountField(_l("Finanziamento pubblico (euro)"), validators=[DataRequired(message=REQUIRED)])
    other_funding = AmountField(_l("Altri finanziamenti (euro)"), validators=[Optional()])
    paid_amount = AmountField(_l("Pagamenti effettuati (euro)"), validators=[Optional()])
    planned_start = DateField(_l("Inizio previsto"), validators=[DataRequired(message=REQUIRED)])
    planned_end = DateField(_l("Fine prevista"), validators=[DataRequired(message=REQUIRED)])
    actual_start = DateField(_l("Inizio effettivo"), validators=[Optional()])
    actual_end = DateField(_l("Fine effettiva"), validators=[Optional()])
    state = SelectField(_l("Stato"), validators=[DataRequired(message=REQUIRED)])
    progress_pct = IntegerField(PROGRESS, validators=[Optional(), NumberRange(min=0, max=100)],
                                render_kw={"inputmode": "numeric", "min": 0, "max": 100})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = choice_list([("", _l("— scegli il comune —"))] + territory.choices())
        self.state.choices = _states(False)
        self.municipio.choices = choice_list([("", _l("— nessuno —"))]
                                             + [(str(n), _l("Municipio %(n)s", n=n)) for n in territory.MUNICIPI])
        self.nil.choices = choice_list([("", _l("— nessuno —"))] + territory.nil_choices())

    def to_body(self) -> dict:
        d = lambda v: v.isoformat() if v else None  # noqa: E731
        return {
            "cup": self.cup.data or "", "title": self.title.data or "", "description": self.description.data or None,
            "programme": self.programme.data or "", "theme": self.theme.data or "",
            "municipality": self.municipality.data or "",
            "municipio": self.municipio.data or None, "nil": self.nil.data or None,
            "beneficiary": {"name": self.beneficiary_name.data or "",
                            "tax_code": self.beneficiary_tax_code.data or None},
            "public_funding": self.public_funding.decimal_text or "", "other_funding": self.other_funding.decimal_text,
            "paid_amount": self.paid_amount.decimal_text,
            "planned_start": d(self.planned_start.data), "planned_end": d(self.planned_end.data),
            "actual_start": d(self.actual_start.data), "actual_end": d(self.actual_end.data),
            "state": self.state.data, "progress_pct": self.progress_pct.data,
        }



class UpdateForm(FlaskForm):
    date = DateField(_l("Data dell'aggiornamento"), validators=[DataRequired(message=REQUIRED)])
    paid_amount = AmountField(_l("Pagamenti effettuati a quella data (euro)"), validators=[Optional()])
    progress_pct = IntegerField(PROGRESS, validators=[Optional(), NumberRange(min=0, max=100)],
                                render_kw={"inputmode": "numeric", "min": 0, "max": 100})
    state = SelectField(_l("Stato"), validators=[Optional()])
    note = TextAreaField(_l("Nota"), validators=[DataRequired(message=REQUIRED), Length(max=5000)],
                         description=_l("Che cosa è cambiato: lavori conclusi, collaudi, ritardi e loro cause."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = _states(True)

    def to_body(self) -> dict:
        return {"date": self.date.data.isoformat() if self.date.data else "",
                "paid_amount": self.paid_amount.decimal_text, "progress_pct": self.progress_pct.data,
                "state": self.state.data or None, "note": self.note.data or ""}


def _text(number: int | None) -> str:
    return "" if number is None else str(number)


def project_data(p) -> dict:
    """A stored external project as the form's initial data."""
    money = lambda v: None if v is None else format(v, "f")  # noqa: E731
    return {"cup": p.cup, "title": p.title, "description": p.description, "programme": p.programme,
            "theme": p.theme, "municipality": p.municipality, "municipio": _text(p.municipio), "nil": _text(p.nil),
            "beneficiary_name": p.beneficiary_name,
            "beneficiary_tax_code": p.beneficiary_tax_code, "public_funding": money(p.public_funding),
            "other_funding": money(p.other_funding), "paid_amount": money(p.paid_amount),
            "planned_start": p.planned_start, "planned_end": p.planned_end, "actual_start": p.actual_start,
            "actual_end": p.actual_end, "state": p.state, "progress_pct": p.progress_pct}


class ImportForm(FlaskForm):
    file = FileField(_l("File CSV (UTF-8)"), validators=[FileRequired(message=_l("Scegli il file da importare."))],
                     description=_l("Una riga di intestazione con le colonne di codesign o quelle di OpenCoesione; "
                                    "una riga per progetto."), render_kw={"accept": ".csv,text/csv"})
