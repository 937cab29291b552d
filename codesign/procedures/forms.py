"""Forms for the call's pages. They only carry the admin's input to the domain: every rule about the
call's data lives in `codesign.procedures.schemas` (its shape) and `validation` (publishing), which the operations
call.

The lists of the call (funding sources, lots, criteria, indicators, declarations, required attachments)
are rows of fields (a FieldList of FormFields), added and taken away with buttons that work without
JavaScript (`core.forms.change_rows`). `ProcedureForm.to_data()` turns the form into the same dict the API
takes; `ProcedureForm.initial()` does the reverse.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from codesign.core.forms import (AmountField, NumberField, amount_input, choice_list, number_input, row_is_empty)
from codesign.core.validation import aware_datetime
from codesign.procedures.schemas import MAX_ANSWER, MAX_QUESTION

ROME = ZoneInfo("Europe/Rome")

SCALAR_TEXT = ("title", "programme", "cup", "rup", "office", "contact_email", "contact_phone", "act_ref")
# The moments typed as a day and an hour in Rome: the API's field and the form's two fields.
MOMENTS = {"submission_deadline": ("submission_date", "submission_time"),
           "questions_until": ("questions_date", "questions_time")}
SCALAR_INTEGERS = ("min_publication_days", "codesign_months", "startup_months", "monitoring_months",
                   "reporting_every_months")
SCALAR_DECIMALS = ("budget_total", "cofinancing_min_pct", "threshold")


def _code(label, description=None):
    return StringField(label, validators=[Optional(), Length(max=20)], description=description,
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


class FundingRow(Form):
    code = _code(_l("Fonte"), _l("Per esempio FSE, FESR, fondi propri."))
    share_pct = NumberField(_l("Quota (%)"))


class LotRow(Form):
    code = _code(_l("Codice del lotto"), _l("Per esempio A."))
    title = StringField(_l("Titolo del lotto"), validators=[Optional(), Length(max=300)])
    budget = AmountField(_l("Budget del lotto (euro)"))


class CriterionRow(Form):
    code = _code(_l("Numero del criterio"), _l("Per esempio 1; lo si usa per i pari merito."))
    title = StringField(_l("Criterio"), validators=[Optional(), Length(max=400)])
    max_points = NumberField(_l("Punteggio massimo"))
    min_points = NumberField(_l("Punteggio minimo (facoltativo)"),
                             description=_l("Sotto questo punteggio la proposta non è idonea."))


class IndicatorRow(Form):
    code = _code(_l("Codice dell'indicatore"), _l("Per esempio P1."))
    title = StringField(_l("Indicatore"), validators=[Optional(), Length(max=300)])
    unit = StringField(_l("Unità di misura (facoltativa)"), validators=[Optional(), Length(max=50)],
                       description=_l("Per esempio: persone."))


class DeclarationRow(Form):
    text = TextAreaField(_l("Testo della dichiarazione"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})
    code = _code(_l("Codice breve (facoltativo)"), _l("Se lo lasci vuoto, lo assegna il sistema."))


class AttachmentRow(Form):
    title = StringField(_l("Documento richiesto"), validators=[Optional(), Length(max=300)],
                        description=_l("Per esempio: Piano economico."))
    kind = _code(_l("Codice breve (facoltativo)"), _l("Se lo lasci vuoto, lo assegna il sistema."))


# Each list of the call: its row, and the prefix of the codes the form gives to rows left without one.
ROWS = {"funding_sources": (FundingRow, None), "lots": (LotRow, None), "criteria": (CriterionRow, None),
        "indicators": (IndicatorRow, None), "declarations": (DeclarationRow, "D"),
        "required_attachments": (AttachmentRow, "A")}
LISTS = tuple(ROWS)


def _rows(row, label, description):
    return FieldList(FormField(row), label=label, description=description, min_entries=1)


def _row_values(row) -> dict:
    """A row as the API's object: numbers in plain notation (or as typed when they do not read, so that the
    domain names them), optional columns left empty as null."""
    out = {}
    for f in row:
        typed = (f.data or "").strip()
        value = (f.decimal_text or typed) if isinstance(f, AmountField) else typed
        out[f.short_name] = value or (None if f.short_name in ("min_points", "unit") or isinstance(f, AmountField)
                                      else "")
    return out


def _given_codes(items: list[dict], key: str, prefix: str) -> None:
    """Codes for the rows left without one: the prefix and the first free number (D1, D2, …)."""
    used = {item[key] for item in items if item[key]}
    n = 0
    for item in items:
        if not item[key]:
            n += 1
            while f"{prefix}{n}" in used:
                n += 1
            item[key] = f"{prefix}{n}"


def row_field_path(name: str, rest: str, rows: list[int]) -> str | None:
    """The form's field that a domain path inside a list names: `lots.2.budget` (the third item sent) as
    `lots.<its row in the form>.budget`; an item's fault that names no field of the row goes on the row's code;
    None when the path is about the whole list."""
    index, _dot, key = rest.partition(".")
    if not index.isdigit():
        return None
    row = rows[int(index)] if int(index) < len(rows) else int(index)
    if not key or not hasattr(ROWS[name][0], key.partition(".")[0]):
        key = "kind" if name == "required_attachments" else "code"
    return f"{name}.{row}.{key}"


def _rome_date_field(label, **kwargs):
    return DateField(label, format=["%Y-%m-%d", "%d/%m/%Y"],
                     invalid_value_message=_l("Data non valida: usare il formato GG/MM/AAAA."), **kwargs)


def _rome_time_field(label, **kwargs):
    return TimeField(label, format=["%H:%M", "%H:%M:%S", "%H.%M"],
                     invalid_value_message=_l("Ora non valida: usare il formato HH:MM."), **kwargs)


def rome_datetime(date: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A date and an hour read in Europe/Rome, as an aware UTC datetime (None when no date)."""
    if date is None:
        return None
    return aware_datetime(dt.datetime.combine(date, time or dt.time(12, 0)))


def _number(label, description=None, inputmode="decimal"):
    return StringField(label, validators=[Optional(), Length(max=30)], description=description,
                       render_kw={"inputmode": inputmode, "autocomplete": "off"})


class ProcedureForm(FlaskForm):
    """Every field of the call. Numbers are text so that the domain's messages are the ones shown."""

    version = HiddenField()
    administration = SelectField(_l("Amministrazione"), choices=[], validate_choice=False)
    title = StringField(_l("Titolo dell'avviso"),
                        validators=[InputRequired(message=_l("Campo obbligatorio.")), Length(max=400)])
    programme = StringField(_l("Programma"), validators=[Length(max=300)],
                            description=_l("Per esempio: PON Metro 2014-2020 - Asse 3 (FSE)."))
    cup = StringField(_l("CUP (Codice Unico di Progetto)"), validators=[Length(max=30)],
                      description=_l("15 lettere e cifre, per esempio B41H20000150006."),
                      render_kw={"autocomplete": "off", "spellcheck": "false"})
    rup = StringField(_l("Responsabile del procedimento (RUP)"), validators=[Length(max=200)])
    office = StringField(_l("Ufficio"), validators=[Length(max=200)])
    contact_email = StringField(_l("E-mail per informazioni"), validators=[Length(max=254)],
                                description=_l("Dove gli enti scrivono per informazioni sull'avviso."),
                                render_kw={"type": "email", "autocomplete": "off"})
    contact_phone = StringField(_l("Telefono per informazioni"), validators=[Length(max=40)],
                                render_kw={"type": "tel", "autocomplete": "off"})
    act_ref = StringField(_l("Atto di approvazione"), validators=[Length(max=200)],
                          description=_l("Numero e data della determina, per esempio: Determina n. 8123 del 18/12/2020."))
    min_publication_days = _number(
        _l("Periodo minimo di pubblicazione (giorni)"),
        _l("Giorni che devono passare almeno tra la pubblicazione e la scadenza; di solito da 15 a 30."),
        inputmode="numeric")
    budget_total = AmountField(_l("Budget totale (euro)"), description=_l("Per esempio 516.500,00."))
    cofinancing_min_pct = NumberField(_l("Quota minima di cofinanziamento (%)"),
                                      description=_l("Percentuale da 0 a 100, per esempio 10."))
    submission_date = _rome_date_field(_l("Scadenza: giorno"), validators=[Optional()],
                                       description=_l("Giorno di scadenza per la presentazione delle proposte."))
    submission_time = _rome_time_field(_l("Scadenza: ora"), validators=[Optional()],
                                       description=_l("Ora italiana (Europe/Rome), per esempio 12:00."))
    questions_date = _rome_date_field(
        _l("Termine per le domande di chiarimento: giorno"), validators=[Optional()],
        description=_l("Se lasciato vuoto, le domande si inviano fino a cinque giorni prima della scadenza."))
    questions_time = _rome_time_field(_l("Termine per le domande di chiarimento: ora"), validators=[Optional()],
                                      description=_l("Ora italiana (Europe/Rome)."))
    codesign_months = _number(_l("Durata della co-progettazione (mesi)"), inputmode="numeric")
    startup_months = _number(_l("Durata dello start-up (mesi)"), inputmode="numeric")
    monitoring_months = _number(_l("Durata del monitoraggio (mesi)"), inputmode="numeric")
    reporting_every_months = _number(_l("Periodicità delle relazioni (mesi)"),
                                     _l("Ogni quanti mesi l'ente presenta una relazione, per esempio 6."),
                                     inputmode="numeric")
    scoring = SelectField(_l("Metodo di valutazione"), default="", choices=choice_list([
        ("", _l("— scegli —")),
        ("points", _l("Punti: ogni commissario assegna un punteggio da 0 al massimo del criterio")),
        ("coefficients", _l("Coefficienti: ogni commissario assegna un coefficiente da 0 a 1")),
    ]))
    rescale = BooleanField(_l("Riparametrazione dei punteggi"),
                           description=_l("In ogni lotto, tra le proposte che superano la soglia, il punteggio "
                                          "migliore di ciascun criterio è riportato al massimo e gli altri in "
                                          "proporzione."))
    threshold = NumberField(_l("Soglia di punteggio"),
                            description=_l("Punteggio totale minimo (da 0 a 100) per essere idonei, per esempio 60."))
    tie_break_criterion = StringField(_l("Criterio per i pari merito"), validators=[Length(max=20)],
                                      description=_l("Codice del criterio che decide tra proposte con lo stesso "
                                                     "punteggio, per esempio 1."))
    funding_sources = _rows(FundingRow, _l("Fonti di finanziamento"), _l("Le quote devono sommare a 100."))
    lots = _rows(LotRow, _l("Lotti"), _l("I budget dei lotti devono sommare al budget totale."))
    criteria = _rows(CriterionRow, _l("Criteri di valutazione"), _l("I punteggi massimi devono sommare a 100."))
    indicators = _rows(IndicatorRow, _l("Indicatori"),
                       _l("Gli indicatori che ogni progetto misura nelle relazioni di monitoraggio."))
    declarations = _rows(DeclarationRow, _l("Dichiarazioni richieste"),
                         _l("Ciò che l'ente dichiara inviando la proposta, per esempio: Dichiaro l'iscrizione al "
                            "RUNTS."))
    required_attachments = _rows(AttachmentRow, _l("Allegati obbligatori"),
                                 _l("I documenti che ogni proposta deve allegare."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_problems: dict[str, list[str]] = {}  # what the domain says about a whole list

    def set_administrations(self, organizations) -> None:
        """Offer the choice only to an admin of more than one administration."""
        orgs = sorted(organizations, key=lambda o: o.id)
        self.administration.choices = [(o.name, o.name) for o in orgs]
        self.show_administration = len(orgs) > 1
        if not self.administration.data and orgs:
            self.administration.data = orgs[0].name

    def to_data(self) -> tuple[dict, dict[str, str], dict[str, list[int]]]:
        """The API's body, the problems found before the domain is asked (per form field), and, per list,
        the form's row of each item (rows where nothing was typed are left out)."""
        data: dict = {}
        problems: dict[str, str] = {}
        rows: dict[str, list[int]] = {}
        for name in SCALAR_TEXT + ("tie_break_criterion",):
            value = (self[name].data or "").strip()
            data[name] = value or None
        for name in SCALAR_INTEGERS:
            data[name] = (self[name].data or "").strip() or None
        for name in SCALAR_DECIMALS:
            data[name] = self[name].decimal_text or (self[name].data or "").strip() or None
        data["scoring"] = self.scoring.data or None
        data["rescale"] = bool(self.rescale.data)
        for key, (day, hour) in MOMENTS.items():
            day, hour = self[day], self[hour]
            if day.errors or hour.errors:
                continue  # the field already says what is wrong
            if day.data is None and hour.data is not None:
                problems[day.name] = _("Indicare anche il giorno.")
            elif day.data is not None and hour.data is None:
                problems[hour.name] = _("Indicare anche l'ora.")
            else:
                data[key] = rome_datetime(day.data, hour.data)
        for name, (_row, prefix) in ROWS.items():
            entries = [(i, entry.form) for i, entry in enumerate(self[name].entries) if not row_is_empty(entry.form)]
            data[name] = [_row_values(row) for _i, row in entries]
            rows[name] = [i for i, _row in entries]
            if prefix:
                _given_codes(data[name], "kind" if name == "required_attachments" else "code", prefix)
        if getattr(self, "show_administration", False) and self.administration.data:
            data["administration"] = self.administration.data
        return data, problems, rows

    @staticmethod
    def initial(proc) -> dict:
        """The form's values for an existing call, numbers written the reader's way."""
        values = {name: getattr(proc, name) or "" for name in SCALAR_TEXT + ("tie_break_criterion",)}
        for name in SCALAR_INTEGERS:
            value = getattr(proc, name)
            values[name] = "" if value is None else str(value)
        values["budget_total"] = amount_input(proc.budget_total)
        values["cofinancing_min_pct"] = number_input(proc.cofinancing_min_pct)
        values["threshold"] = number_input(proc.threshold)
        values["scoring"] = proc.scoring or ""
        values["rescale"] = bool(proc.rescale)
        values["version"] = str(proc.version)
        for key, (day, hour) in MOMENTS.items():
            if getattr(proc, key) is not None:
                local = getattr(proc, key).astimezone(ROME)
                values[day] = local.date()
                values[hour] = local.time().replace(second=0, microsecond=0)
        values["funding_sources"] = [{"code": f["code"], "share_pct": number_input(f["share_pct"])}
                                     for f in proc.funding_sources or []]
        values["declarations"] = [dict(d) for d in proc.declarations or []]
        values["required_attachments"] = [dict(a) for a in proc.required_attachments or []]
        values["indicators"] = [{**i, "unit": i.get("unit") or ""} for i in proc.indicators or []]
        values["lots"] = [{"code": lot.code, "title": lot.title, "budget": amount_input(lot.budget)}
                          for lot in proc.lots]
        values["criteria"] = [{"code": c.code, "title": c.title, "max_points": number_input(c.max_points),
                               "min_points": number_input(c.min_points)} for c in proc.criteria]
        return values


class ActionForm(FlaskForm):
    """One action button of the manage page (prefixed with its trigger, so ids stay unique)."""

    reason = TextAreaField(_l("Motivazione"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3},
                           description=_l("Obbligatoria: resta nel registro delle operazioni."))
    lot = SelectField(_l("Lotto"), choices=[], validate_choice=False)  # for the triggers that need one (scroll_ranking)


class ExtendForm(FlaskForm):
    """The deadline extension (proroga) of a published call."""

    date = _rome_date_field(_l("Nuova scadenza: giorno"),
                            validators=[InputRequired(message=_l("Campo obbligatorio."))])
    time = _rome_time_field(_l("Nuova scadenza: ora"),
                            validators=[InputRequired(message=_l("Campo obbligatorio."))],
                            description=_l("Ora italiana (Europe/Rome)."))


REQUIRED = _l("Campo obbligatorio.")


class CallDocumentForm(FlaskForm):
    """A document of the call (a PDF), with what it is."""

    kind = SelectField(_l("Tipo di documento"), choices=[], validators=[DataRequired(message=REQUIRED)])
    title = StringField(_l("Titolo del documento"), validators=[DataRequired(message=REQUIRED), Length(max=300)],
                        description=_l("Come lo leggono gli enti, per esempio: Allegato A - Modulo di domanda."))
    file = FileField(_l("File PDF"), validators=[FileRequired(message=_l("Scegli il file da allegare."))],
                     render_kw={"accept": "application/pdf,.pdf"})


class QuestionForm(FlaskForm):
    """A question on the call, from an applicant."""

    question = TextAreaField(_l("La tua domanda"), validators=[DataRequired(message=REQUIRED),
                                                               Length(max=MAX_QUESTION)],
                             render_kw={"rows": 4},
                             description=_l("La risposta sarà pubblicata tra i chiarimenti, senza il tuo nome."))


class AnswerForm(FlaskForm):
    """The administration's answer to a question, and the question as it will be published."""

    question = TextAreaField(_l("Domanda come sarà pubblicata"),
                             validators=[DataRequired(message=REQUIRED), Length(max=MAX_QUESTION)],
                             render_kw={"rows": 3},
                             description=_l("Riformulala se nomina chi l'ha posta o un ente riconoscibile."))
    answer = TextAreaField(_l("Risposta"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_ANSWER)],
                           render_kw={"rows": 4})


class ErratumForm(FlaskForm):
    """An erratum to a published call (avviso di rettifica)."""

    title = StringField(_l("Che cosa si rettifica"), validators=[DataRequired(message=REQUIRED), Length(max=300)],
                        description=_l("Per esempio: Art. 6 – Budget del lotto B."))
    text = TextAreaField(_l("Testo della rettifica"), validators=[DataRequired(message=REQUIRED),
                                                                  Length(max=MAX_ANSWER)], render_kw={"rows": 5})


class ClarificationForm(FlaskForm):
    """A clarification the administration publishes of its own."""

    question = TextAreaField(_l("Domanda o tema"), validators=[DataRequired(message=REQUIRED),
                                                               Length(max=MAX_QUESTION)],
                             render_kw={"rows": 2})
    answer = TextAreaField(_l("Chiarimento"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_ANSWER)],
                           render_kw={"rows": 4})
