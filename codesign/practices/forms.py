"""Forms of the good practices' pages: they say what is missing before a round trip and turn what a person types
into the API's body (practices.schemas checks it)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from codesign.proposals.forms import REQUIRED


class PracticeForm(FlaskForm):
    what = TextAreaField(_l("Che cosa è stato fatto"), validators=[DataRequired(message=REQUIRED), Length(max=5000)],
                         description=_l("Il progetto in poche righe, per chi non lo conosce."))
    audience = TextAreaField(_l("Per chi"), validators=[DataRequired(message=REQUIRED), Length(max=3000)],
                             description=_l("Le persone e i luoghi a cui si rivolge."))
    results = TextAreaField(_l("Risultati"), validators=[DataRequired(message=REQUIRED), Length(max=5000)],
                            description=_l("Che cosa è cambiato, con i numeri che lo misurano."))
    reuse = TextAreaField(_l("Che cosa possono riprendere gli altri"),
                          validators=[DataRequired(message=REQUIRED), Length(max=5000)],
                          description=_l("Strumenti, accordi, modelli di documenti, errori da evitare."))
    contact_name = StringField(_l("Referente"), validators=[DataRequired(message=REQUIRED), Length(max=200)],
                               description=_l("Una persona o un ufficio a cui chiedere."),
                               render_kw={"autocomplete": "off"})
    contact_email = StringField(_l("E-mail del referente"),
                                validators=[DataRequired(message=REQUIRED), Length(max=254)],
                                render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false"})
    contact_phone = StringField(_l("Telefono del referente"), validators=[Optional(), Length(max=40)],
                                render_kw={"type": "tel", "autocomplete": "off"})

    def to_body(self) -> dict:
        return {name: (getattr(self, name).data or "").strip() for name in
                ("what", "audience", "results", "reuse", "contact_name", "contact_email")} | {
            "contact_phone": (self.contact_phone.data or "").strip() or None}


class PhotoForm(FlaskForm):
    file = FileField(_l("Foto (JPEG, PNG o WebP, al massimo 10 MB)"),
                     validators=[FileRequired(message=_l("Scegli la foto da caricare."))],
                     render_kw={"accept": "image/jpeg,image/png,image/webp"})
    caption = StringField(_l("Che cosa mostra la foto"), validators=[DataRequired(message=REQUIRED), Length(max=300)],
                          description=_l("Una frase per chi non può vedere l'immagine, es. «Il cortile della casa "
                                         "di quartiere durante la festa di apertura»."))


def practice_data(practice) -> dict:
    return {name: getattr(practice, name) for name in
            ("what", "audience", "results", "reuse", "contact_name", "contact_email", "contact_phone")}
