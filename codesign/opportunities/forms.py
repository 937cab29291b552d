"""The admins' form of a funding opportunity: it turns what a person types into the API's body (amounts with a
dot, dates ISO, themes one per line, the territory from ISTAT's list); the rules are the domain's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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
