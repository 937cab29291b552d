"""Forms for the call's pages. They only carry the admin's input to the domain: every rule about the
call's data lives in `codesign.procedures.validation`, called by the operations.

The lists of the call (funding sources, lots, criteria, indicators, declarations, required attachments)
are textareas with one item per line and the item's fields separated by `|`. `ProcedureForm.to_data()`
turns the form into the same dict the API takes; `ProcedureForm.initial()` does the reverse.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from codesign.core.forms import choice_list
from codesign.core.validation import aware_datetime
from codesign.procedures.schemas import MAX_ANSWER, MAX_QUESTION

ROME = ZoneInfo("Europe/Rome")

SCALAR_TEXT = ("title", "programme", "cup", "rup", "office", "contact_email", "contact_phone", "act_ref")
# The moments typed as a day and an hour in Rome: the API's field and the form's two fields.
MOMENTS = {"submission_deadline": ("submission_date", "submission_time"),
           "questions_until": ("questions_date", "questions_time")}
SCALAR_NUMBERS = ("min_publication_days", "budget_total", "cofinancing_min_pct", "codesign_months",
                  "startup_months", "monitoring_months", "reporting_every_months", "threshold")
DECIMALS = ("budget_total", "cofinancing_min_pct", "threshold")


class ListSpec:
    """One list of the call as a textarea: its columns (API keys), how many are required, which are decimals."""

    def __init__(self, keys: tuple[str, ...], required: int, decimals: tuple[str, ...] = ()):
        self.keys = keys
        self.required = required
        self.decimals = decimals


LISTS = {
    "funding_sources": ListSpec(("code", "share_pct"), 2, ("share_pct",)),
    "lots": ListSpec(("code", "title", "budget"), 3, ("budget",)),
    "criteria": ListSpec(("code", "title", "max_points", "min_points"), 3, ("max_points", "min_points")),
    "indicators": ListSpec(("code", "title", "unit"), 2),
    "declarations": ListSpec(("code", "text"), 2),
    "required_attachments": ListSpec(("kind", "title"), 2),
}

# The column names people read, for the messages about a line.
COLUMN_LABELS = {
    "code": _l("codice"),
    "kind": _l("tipo"),
    "title": _l("titolo"),
    "text": _l("testo"),
    "unit": _l("unità di misura"),
    "share_pct": _l("quota %"),
    "budget": _l("budget"),
    "max_points": _l("punteggio massimo"),
    "min_points": _l("punteggio minimo"),
}

_ELEMENT_RE = re.compile(r"^elemento (\d+): (?:(\w+): )?(.*)$", re.S)


def _decimal_text(value: str) -> str:
    """Accept the Italian decimal comma when it is the only separator ("10,5" -> "10.5")."""
    value = value.strip()
    if "," in value and "." not in value and value.count(",") == 1:
        return value.replace(",", ".")
    return value


MONEY = ("budget_total", "budget")


def _format_number(value, key: str | None = None) -> str:
    """A Decimal as the plain notation the form takes back: amounts with two decimals, other numbers
    without trailing zeros."""
    if value is None:
        return ""
    if key in MONEY:
        return f"{value:.2f}"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_lines(name: str, text: str | None) -> tuple[list[dict], list[int], str | None]:
    """A textarea's lines as the API's list of objects.

    Returns (items, line_numbers, error): line_numbers[i] is the textarea line of items[i], so the
    domain's "elemento i" can be reported as the line a person sees; `error` names a malformed line.
    """
    spec = LISTS[name]
    items, lines = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|", len(spec.keys) - 1)]
        if len(parts) < spec.required:
            return [], [], _("riga %(line)s: servono %(n)s campi separati da «|» (%(columns)s)", line=number,
                             n=spec.required,
                             columns=", ".join(str(COLUMN_LABELS[k]) for k in spec.keys[:spec.required]))
        item = {}
        for key, value in zip(spec.keys, parts + [""] * (len(spec.keys) - len(parts))):
            if key in spec.decimals:
                value = _decimal_text(value)
            if value == "" and spec.keys.index(key) >= spec.required:
                value = None  # an optional trailing column left empty
            item[key] = value
        items.append(item)
        lines.append(number)
    return items, lines, None


def list_error_message(message: str, line_numbers: list[int]) -> str:
    """The domain's "elemento 2: budget: …" as "riga 3, budget: …" (the line in the textarea)."""
    m = _ELEMENT_RE.match(message)
    if not m:
        return message
    index = int(m.group(1)) - 1
    line = line_numbers[index] if 0 <= index < len(line_numbers) else index + 1
    key, rest = m.group(2), m.group(3)
    if key and key in COLUMN_LABELS:
        return _("riga %(line)s, %(column)s: %(message)s", line=line, column=COLUMN_LABELS[key], message=rest)
    if key:
        rest = f"{key}: {rest}"
    return _("riga %(line)s: %(message)s", line=line, message=rest)


def format_lines(name: str, items: list[dict] | None) -> str:
    spec = LISTS[name]
    out = []
    for item in items or []:
        values = []
        for key in spec.keys:
            value = item.get(key)
            if key in spec.decimals and value is not None and not isinstance(value, str):
                value = _format_number(value, key)
            values.append("" if value is None else str(value))
        while len(values) > spec.required and values[-1] == "":
            values.pop()
        out.append(" | ".join(values))
    return "\n".join(out)


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
    budget_total = _number(_l("Budget totale (euro)"),
                           _l("Importo in euro con il punto per i decimali e senza separatore delle migliaia, "
                              "per esempio 516500.00."))
    cofinancing_min_pct = _number(_l("Quota minima di cofinanziamento (%)"),
                                  _l("Percentuale da 0 a 100, per esempio 10."))
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
    threshold = _number(_l("Soglia di punteggio"),
                        _l("Punteggio totale minimo (da 0 a 100) per essere idonei, per esempio 60."))
    tie_break_criterion = StringField(_l("Criterio per i pari merito"), validators=[Length(max=20)],
                                      description=_l("Codice del criterio che decide tra proposte con lo stesso "
                                                     "punteggio, per esempio 1."))
    funding_sources = TextAreaField(
        _l("Fonti di finanziamento"), render_kw={"rows": 3},
        description=_l("Una fonte per riga: codice | quota percentuale. Per esempio: FSE | 100. "
                       "Le quote devono sommare a 100."))
    lots = TextAreaField(
        _l("Lotti"), render_kw={"rows": 4},
        description=_l("Un lotto per riga: codice | titolo | budget in euro. Per esempio: "
                       "A | Portinerie sociali | 200000.00. I budget devono sommare al budget totale."))
    criteria = TextAreaField(
        _l("Criteri di valutazione"), render_kw={"rows": 6},
        description=_l("Un criterio per riga: codice | titolo | punteggio massimo | punteggio minimo (facoltativo). "
                       "Per esempio: 3 | Coinvolgimento di inquilini ERP | 20 | 8. "
                       "I punteggi massimi devono sommare a 100."))
    indicators = TextAreaField(
        _l("Indicatori"), render_kw={"rows": 4},
        description=_l("Un indicatore per riga: codice | titolo | unità di misura (facoltativa). "
                       "Per esempio: P1 | Partecipanti alle attività | persone."))
    declarations = TextAreaField(
        _l("Dichiarazioni richieste"), render_kw={"rows": 4},
        description=_l("Una dichiarazione per riga: codice | testo. Per esempio: "
                       "runts | Dichiaro l'iscrizione al RUNTS."))
    required_attachments = TextAreaField(
        _l("Allegati obbligatori"), render_kw={"rows": 3},
        description=_l("Un allegato per riga: tipo | titolo. Per esempio: budget | Piano economico."))

    def set_administrations(self, organizations) -> None:
        """Offer the choice only to an admin of more than one administration."""
        orgs = sorted(organizations, key=lambda o: o.id)
        self.administration.choices = [(o.name, o.name) for o in orgs]
        self.show_administration = len(orgs) > 1
        if not self.administration.data and orgs:
            self.administration.data = orgs[0].name

    def to_data(self) -> tuple[dict, dict[str, str], dict[str, list[int]]]:
        """The API's body, the problems found before the domain is asked (per form field), and, per list,
        the textarea line of each item."""
        data: dict = {}
        problems: dict[str, str] = {}
        lines: dict[str, list[int]] = {}
        for name in SCALAR_TEXT + ("tie_break_criterion",):
            value = (self[name].data or "").strip()
            data[name] = value or None
        for name in SCALAR_NUMBERS:
            value = (self[name].data or "").strip()
            if name in DECIMALS:
                value = _decimal_text(value)
            data[name] = value or None
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
        for name in LISTS:
            items, numbers, error = parse_lines(name, self[name].data)
            if error:
                problems[name] = error
            else:
                data[name] = items
                lines[name] = numbers
        if getattr(self, "show_administration", False) and self.administration.data:
            data["administration"] = self.administration.data
        return data, problems, lines

    @staticmethod
    def initial(proc) -> dict:
        """The form's values for an existing call."""
        values = {name: getattr(proc, name) or "" for name in SCALAR_TEXT + ("tie_break_criterion",)}
        for name in SCALAR_NUMBERS:
            value = getattr(proc, name)
            values[name] = "" if value is None else (
                _format_number(value, name) if name in DECIMALS else str(value))
        values["scoring"] = proc.scoring or ""
        values["rescale"] = bool(proc.rescale)
        values["version"] = str(proc.version)
        for key, (day, hour) in MOMENTS.items():
            if getattr(proc, key) is not None:
                local = getattr(proc, key).astimezone(ROME)
                values[day] = local.date()
                values[hour] = local.time().replace(second=0, microsecond=0)
        values["funding_sources"] = format_lines("funding_sources", proc.funding_sources)
        values["declarations"] = format_lines("declarations", proc.declarations)
        values["required_attachments"] = format_lines("required_attachments", proc.required_attachments)
        values["indicators"] = format_lines("indicators", proc.indicators)
        values["lots"] = format_lines("lots", [{"code": lot.code, "title": lot.title, "budget": lot.budget}
                                               for lot in proc.lots])
        values["criteria"] = format_lines("criteria", [{"code": c.code, "title": c.title, "max_points": c.max_points,
                                                        "min_points": c.min_points} for c in proc.criteria])
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
                             render_kw={"rows": 4, "maxlength": MAX_QUESTION},
                             description=_l("La risposta sarà pubblicata tra i chiarimenti, senza il tuo nome."))


class AnswerForm(FlaskForm):
    """The administration's answer to a question, and the question as it will be published."""

    question = TextAreaField(_l("Domanda come sarà pubblicata"),
                             validators=[DataRequired(message=REQUIRED), Length(max=MAX_QUESTION)],
                             render_kw={"rows": 3, "maxlength": MAX_QUESTION},
                             description=_l("Riformulala se nomina chi l'ha posta o un ente riconoscibile."))
    answer = TextAreaField(_l("Risposta"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_ANSWER)],
                           render_kw={"rows": 4, "maxlength": MAX_ANSWER})


class ClarificationForm(FlaskForm):
    """A clarification the administration publishes of its own."""

    question = TextAreaField(_l("Domanda o tema"), validators=[DataRequired(message=REQUIRED),
                                                               Length(max=MAX_QUESTION)],
                             render_kw={"rows": 2, "maxlength": MAX_QUESTION})
    answer = TextAreaField(_l("Chiarimento"), validators=[DataRequired(message=REQUIRED), Length(max=MAX_ANSWER)],
                           render_kw={"rows": 4, "maxlength": MAX_ANSWER})
