"""The admins' form of a funding opportunity: it turns what a person types into the API's body (amounts with a
dot, dates ISO, themes one per line, the territory from ISTAT's list); the rules are the domain's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from codesign.core import territory
from codesign.core.forms import AmountField, choice_list
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS
from codesign.opportunities.operations import APPLICANT_LABELS, LEVEL_LABELS
from codesign.proposals.forms import REQUIRED


class OpportunityForm(FlaskForm):
    title = StringField(_l("Titolo del bando"), validators=[DataRequired(message=REQUIRED), Length(max=500)])
    funder_level = SelectField(_l("Livello del finanziatore"), validators=[DataRequired(message=REQUIRED)])
    funder = StringField(_l("Finanziatore"), validators=[DataRequired(message=REQUIRED), Length(max=300)],
                         description=_l("Ad esempio «Regione Lombardia», «Fondazione Cariplo»."))
    programme = StringField(_l("Programma"), validators=[DataRequired(message=REQUIRED), Length(max=300)])
    link = StringField(_l("Indirizzo web del bando"), validators=[DataRequired(message=REQUIRED), Length(max=1000)],
                       render_kw={"inputmode": "url", "autocomplete": "off"})
    eligible = SelectMultipleField(_l("Chi può partecipare"), validators=[DataRequired(message=REQUIRED)],
                                   description=_l("Tieni premuto Ctrl (o Cmd) per sceglierne più d'uno."),
                                   render_kw={"size": 3})
    themes = TextAreaField(_l("Temi (uno per riga)"), validators=[DataRequired(message=REQUIRED), Length(max=4000)])
    territory = SelectMultipleField(_l("Comuni ammessi"), validators=[Optional()],
                                    description=_l("Nessuno scelto: tutto il territorio della Città metropolitana."),
                                    render_kw={"size": 8})
    budget = AmountField(_l("Dotazione del bando (euro)"), validators=[DataRequired(message=REQUIRED)])
    max_grant = AmountField(_l("Contributo massimo per progetto (euro)"), validators=[Optional()])
    cofinancing_min_pct = StringField(_l("Cofinanziamento minimo (%)"), validators=[Optional(), Length(max=10)],
                                      render_kw={"inputmode": "decimal"})
    opens_on = DateField(_l("Apertura"), validators=[DataRequired(message=REQUIRED)])
    deadline = DateField(_l("Scadenza"), validators=[DataRequired(message=REQUIRED)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.funder_level.choices = choice_list([(v, _l(LEVEL_LABELS[v])) for v in FUNDER_LEVELS])
        self.eligible.choices = choice_list([(v, _l(APPLICANT_LABELS[v])) for v in APPLICANTS])
        self.territory.choices = choice_list(territory.choices())

    def to_body(self) -> dict:
        pct = (self.cofinancing_min_pct.data or "").strip().replace(",", ".") or None
        return {"title": self.title.data or "", "funder_level": self.funder_level.data, "funder": self.funder.data or "",
                "programme": self.programme.data or "", "link": (self.link.data or "").strip(),
                "eligible": list(self.eligible.data or []),
                "themes": [t.strip() for t in (self.themes.data or "").splitlines() if t.strip()],
                "territory": list(self.territory.data) if self.territory.data else "all",
                "budget": self.budget.decimal_text or "", "max_grant": self.max_grant.decimal_text,
                "cofinancing_min_pct": pct, "opens_on": self.opens_on.data.isoformat(),
                "deadline": self.deadline.data.isoformat()}


def opportunity_data(o) -> dict:
    """A stored call as the form shows it to be changed (amounts with a decimal comma, themes one per line)."""
    def amount(value):
        return None if value is None else f"{value:.2f}".replace(".", ",")
    return {"title": o.title, "funder_level": o.funder_level, "funder": o.funder, "programme": o.programme,
            "link": o.link, "eligible": list(o.eligible or []), "themes": "\n".join(o.themes or []),
            "territory": list(o.territory or []), "budget": amount(o.budget), "max_grant": amount(o.max_grant),
            "cofinancing_min_pct": None if o.cofinancing_min_pct is None else f"{o.cofinancing_min_pct:.2f}",
            "opens_on": o.opens_on, "deadline": o.deadline}


def party_choices(bodies) -> dict:
    """The lead's and partners' choices, grouped: the territory's municipalities (`m:<ISTAT>`) and the registered
    bodies (`o:<id>`)."""
    return {_l("Comuni"): [(f"m:{code}", name) for code, name in territory.choices()],
            _l("Enti registrati"): [(f"o:{b.id}", b.name) for b in bodies]}


def _party(value: str | None) -> dict:
    kind, _sep, key = (value or "").partition(":")
    if kind == "o" and key.isascii() and key.isdigit():
        return {"organization_id": int(key)}
    return {"municipality": key}


class ApplicationForm(FlaskForm):
    title = StringField(_l("Progetto candidato"), validators=[DataRequired(message=REQUIRED), Length(max=500)])
    lead = SelectField(_l("Capofila"), validators=[DataRequired(message=REQUIRED)])
    partners = SelectMultipleField(_l("Partner"), validators=[Optional()], render_kw={"size": 6},
                                   description=_l("Comuni ed enti della rete. Tieni premuto Ctrl (o Cmd) per "
                                                  "sceglierne più d'uno."))
    requested_amount = AmountField(_l("Contributo richiesto (euro)"), validators=[Optional()])
    note = TextAreaField(_l("Nota"), validators=[Optional(), Length(max=5000)])

    def __init__(self, bodies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = party_choices(bodies)
        self.lead.choices = {"": [("", _l("Scegli il capofila"))], **choices}
        self.partners.choices = choices

    def to_body(self) -> dict:
        return {"title": self.title.data or "", "lead": _party(self.lead.data),
                "partners": [_party(v) for v in self.partners.data or [] if v != self.lead.data],
                "requested_amount": self.requested_amount.decimal_text, "note": self.note.data or None}


class FundForm(FlaskForm):
    """One per submitted application on the office's page, told apart by a prefix (`a<id>-cup`); the request's
    CSRF token is checked for every POST by CSRFProtect, so the form carries no prefixed copy of it."""

    class Meta:
        csrf = False

    cup = StringField(_l("CUP"), validators=[DataRequired(message=REQUIRED), Length(max=15)],
                      render_kw={"autocomplete": "off", "spellcheck": "false"})
    public_funding = AmountField(_l("Contributo concesso (euro)"), validators=[DataRequired(message=REQUIRED)])
    planned_start = DateField(_l("Inizio previsto"), validators=[DataRequired(message=REQUIRED)])
    planned_end = DateField(_l("Fine prevista"), validators=[DataRequired(message=REQUIRED)])
    theme = SelectField(_l("Tema del progetto"), validators=[Optional()])

    def __init__(self, themes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = [(t, t) for t in themes]

    def params(self) -> dict:
        return {"cup": (self.cup.data or "").strip().upper(), "public_funding": self.public_funding.decimal_text or "",
                "planned_start": self.planned_start.data.isoformat(), "planned_end": self.planned_end.data.isoformat(),
                "theme": self.theme.data or None}


class NoticeForm(FlaskForm):
    parties = SelectMultipleField(_l("A chi segnalarlo"), validators=[DataRequired(message=REQUIRED)],
                                  render_kw={"size": 8},
                                  description=_l("Comuni (gli amministratori del comune registrati in codesign) ed "
                                                 "enti (i loro membri). Tieni premuto Ctrl (o Cmd) per sceglierne "
                                                 "più d'uno."))
    message = TextAreaField(_l("Messaggio"), validators=[Optional(), Length(max=5000)],
                            description=_l("Facoltativo: apre il messaggio, prima della scheda del bando."))

    def __init__(self, bodies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties.choices = party_choices(bodies)

    def to_body(self) -> dict:
        return {"parties": [_party(v) for v in self.parties.data or []], "message": self.message.data or None}


class ImportForm(FlaskForm):
    file = FileField(_l("File CSV (UTF-8)"), validators=[FileRequired(message=_l("Scegli il file da importare."))],
                     description=_l("Una riga di intestazione con le colonne qui sotto; una riga per bando."),
                     render_kw={"accept": ".csv,text/csv"})
