from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from codesign.core.enums import LegalForm, Position
from codesign.core.forms import choice_list
from codesign.organizations.schemas import OrganizationPatch

REQUIRED = _l("Campo obbligatorio.")


class DetailsForm(FlaskForm):
    """A body's details, as its legal representative changes them (the tax code stays)."""

    name = StringField(_l("Denominazione"), validators=[DataRequired(message=REQUIRED), Length(max=300)])
    legal_form = SelectField(_l("Forma giuridica"), validators=[Optional()],
                             choices=choice_list([("", _l("Non indicata"))] + LegalForm.choices()))
    runts_id = StringField(_l("Numero di iscrizione al RUNTS"), validators=[Optional(), Length(max=50)])
    pec = EmailField(_l("PEC"), validators=[Optional(), Length(max=254)])
    address = StringField(_l("Indirizzo della sede"), validators=[Optional(), Length(max=300)],
                          render_kw={"autocomplete": "street-address"})
    municipality = StringField(_l("Comune"), validators=[Optional(), Length(max=120)])

    def to_body(self) -> dict:
        """The fields as the API takes them: an empty optional field is no value."""
        return {name: (self[name].data or "").strip() or None for name in OrganizationPatch.model_fields}


class OrganizationForm(DetailsForm):
    kind = SelectField(_l("Tipo"), choices=choice_list([("ets", _l("Ente del Terzo settore")), ("other", _l("Altro"))]))
    tax_code = StringField(_l("Codice fiscale"), validators=[DataRequired(message=REQUIRED)],
                           description=_l("11 cifre per gli enti, 16 caratteri per le persone fisiche."))

    def to_body(self) -> dict:
        return super().to_body() | {"kind": self.kind.data, "tax_code": self.tax_code.data or ""}


class JoinForm(FlaskForm):
    tax_code = StringField(_l("Codice fiscale dell'ente"), validators=[DataRequired(message=REQUIRED)],
                           description=_l("Lo trovi nello statuto o nei documenti dell'ente."))
    message = TextAreaField(_l("Messaggio per i membri dell'ente (facoltativo)"),
                            validators=[Optional(), Length(max=2000)],
                            description=_l("Per esempio chi sei e di che cosa ti occupi nell'ente."))

    def to_body(self) -> dict:
        return {"tax_code": self.tax_code.data or "", "message": (self.message.data or "").strip() or None}


class PositionForm(FlaskForm):
    """One per member on the members page; the request's CSRF token is checked by CSRFProtect."""

    class Meta:
        csrf = False

    position = SelectField(_l("Ruolo nell'ente"), choices=choice_list(Position.choices()))
