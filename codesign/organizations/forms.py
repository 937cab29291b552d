from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from codesign.core.forms import choice_list
from wtforms.validators import DataRequired, Length, Optional


class OrganizationForm(FlaskForm):
    name = StringField(_l("Denominazione"), validators=[DataRequired(message=_l("Campo obbligatorio.")), Length(max=300)])
    kind = SelectField(_l("Tipo"), choices=choice_list([("ets", _l("Ente del Terzo settore")), ("other", _l("Altro"))]))
    tax_code = StringField(_l("Codice fiscale"), validators=[DataRequired(message=_l("Campo obbligatorio."))],
                           description=_l("11 cifre per gli enti, 16 caratteri per le persone fisiche."))
    runts_id = StringField(_l("Numero di iscrizione al RUNTS"), validators=[Optional(), Length(max=50)])
    pec = EmailField(_l("PEC"), validators=[Optional(), Length(max=254)])
    municipality = StringField(_l("Comune"), validators=[Optional(), Length(max=120)])
