from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from codesign.auth.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Indirizzo e-mail"), validators=[DataRequired(message=_l("Campo obbligatorio."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Campo obbligatorio."))])


class RegisterForm(FlaskForm):
    name = StringField(_l("Nome e cognome"), validators=[DataRequired(message=_l("Campo obbligatorio.")), Length(max=200)])
    email = EmailField(_l("Indirizzo e-mail"), validators=[DataRequired(message=_l("Campo obbligatorio."))])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Campo obbligatorio.")),
                    Length(min=MIN_PASSWORD_LENGTH, message=_l("Almeno %(n)s caratteri.", n=MIN_PASSWORD_LENGTH))],
        description=_l("Almeno %(n)s caratteri.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(_l("Ripeti la password"),
                            validators=[EqualTo("password", message=_l("Le password non coincidono."))])
    privacy = BooleanField(_l("Ho letto l'informativa sulla privacy"),
                           validators=[DataRequired(message=_l("Per registrarti dichiara di aver letto l'informativa "
                                                               "sulla privacy."))])


class ForgotForm(FlaskForm):
    email = EmailField(_l("Indirizzo e-mail"), validators=[DataRequired(message=_l("Campo obbligatorio."))],
                       description=_l("L'indirizzo con cui accedi: vi riceverai un collegamento per scegliere una "
                                      "nuova password."))


class ResetForm(FlaskForm):
    new_password = PasswordField(
        _l("Nuova password"),
        validators=[DataRequired(message=_l("Campo obbligatorio.")),
                    Length(min=MIN_PASSWORD_LENGTH, message=_l("Almeno %(n)s caratteri.", n=MIN_PASSWORD_LENGTH))],
        description=_l("Almeno %(n)s caratteri.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(_l("Ripeti la nuova password"),
                            validators=[EqualTo("new_password", message=_l("Le password non coincidono."))])


class PasswordForm(ResetForm):
    """The password change of someone logged in: the current password, then the new one twice."""

    current_password = PasswordField(_l("Password attuale"), validators=[DataRequired(message=_l("Campo obbligatorio."))])


class InviteForm(FlaskForm):
    """A person invited by e-mail: an evaluator from the committee page, a colleague from the administration's."""

    name = StringField(_l("Nome e cognome"), validators=[Length(min=1, max=200, message=_l("Campo obbligatorio."))])
    email = StringField(_l("Indirizzo e-mail"), validators=[Length(min=3, max=254, message=_l("Campo obbligatorio."))],
                        render_kw={"type": "email", "autocomplete": "off"})
