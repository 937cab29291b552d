"""Forms of the evaluation pages. They only carry what a person types to the operations
(`committee.appoint`, `declare_conflict`, `save_review`, the `approve_ranking` transition): every rule
lives there. The scoring form is built from the call's criteria, one score and one reason per criterion
(as indico's `make_review_form` builds a review form from its questions)."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from codesign.core.forms import choice_list

# The usual judgement scale of the `coefficients` method (DOMAIN.md): value, word.
JUDGEMENT_SCALE = (
    ("0", _l("assente")),
    ("0.2", _l("insufficiente")),
    ("0.4", _l("sufficiente")),
    ("0.6", _l("buono")),
    ("0.8", _l("ottimo")),
    ("1", _l("eccellente")),
)


def decimal_separator() -> str:
    locale = get_locale()
    return "," if locale is None or locale.language == "it" else "."


def plain_decimal(value) -> str:
    """A stored score as a person types it: 0,8 or 22,5 (no trailing zeros; the locale's separator)."""
    if value is None:
        return ""
    d = Decimal(value)
    text = f"{d:.2f}".rstrip("0").rstrip(".") if d != d.to_integral_value() else str(d.to_integral_value())
    return text.replace(".", decimal_separator())


# --- conflict of interest ------------------------------------------------------------------------------------
class ConflictForm(FlaskForm):
    conflict = RadioField(
        _l("Hai un conflitto di interessi rispetto a questa proposta, all'ente proponente o ai suoi partner?"),
        choices=choice_list([("no", _l("No, dichiaro di non trovarmi in conflitto di interessi")),
                             ("yes", _l("Sì, dichiaro un conflitto di interessi e mi astengo dal valutarla"))]),
        invalid_choice_message=_l("Scegli una delle due risposte."))
    note = TextAreaField(
        _l("Descrizione del conflitto di interessi"),
        description=_l("Obbligatoria se dichiari un conflitto: indica il legame con l'ente o con i partner."),
        validators=[Length(max=5000)], render_kw={"rows": 3})

    def validate_note(self, field):
        if self.conflict.data == "yes" and not (field.data or "").strip():
            raise ValidationError(_l("Descrivi il conflitto di interessi."))

    def to_data(self) -> dict:
        note = (self.note.data or "").strip() or None
        return {"conflict": self.conflict.data == "yes", "note": note}


# --- scoring ------------------------------------------------------------------------------------------------
class ScoreField(StringField):
    """A score or coefficient typed with a dot or the Italian comma. `data` keeps what was typed."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip().replace(" ", "").replace("\u00a0", "")

    @property
    def decimal_text(self) -> str | None:
        return self.data.replace(",", ".") if self.data else None


class ReviewFormBase(FlaskForm):
    """Subclassed per call by `review_form`; `rows` pairs every criterion with its two fields."""

    rows: list

    def to_data(self, *, final: bool) -> dict:
        """The body `save_review` takes: every criterion named, so an emptied field clears its value."""
        scores, reasons = {}, {}
        for criterion, score, reason in self.rows:
            scores[criterion.code] = score.decimal_text
            reasons[criterion.code] = (reason.data or "").strip() or None
        return {"scores": scores, "reasons": reasons, "final": final}

    def apply_domain_errors(self, fields: dict) -> list[str]:
        """`Invalid.fields` keyed scores.<code> / reasons.<code> onto the matching inputs; the rest is returned."""
        by_key = {}
        for criterion, score, reason in self.rows:
            by_key[f"scores.{criterion.code}"] = score
            by_key[f"reasons.{criterion.code}"] = reason
        leftover = []
        for key, message in fields.items():
            target = by_key.get(key)
            if target is None:
                leftover.append(f"{key}: {message}")
            else:
                target.errors = list(target.errors) + [message]
        return leftover


def _score_help(procedure, criterion):
    if procedure.scoring == "coefficients":
        return _("Coefficiente da 0 a 1, con al massimo due decimali. Scala di giudizio: 0 assente, "
                 "0,2 insufficiente, 0,4 sufficiente, 0,6 buono, 0,8 ottimo, 1 eccellente. Il punteggio del "
                 "criterio è la media dei coefficienti moltiplicata per %(max)s.",
                 max=plain_decimal(criterion.max_points))
    return _("Punteggio da 0 a %(max)s, con al massimo due decimali (es. %(example)s).",
             max=plain_decimal(criterion.max_points), example=plain_decimal(criterion.max_points / 2))


def review_form(procedure, review=None, **kwargs) -> ReviewFormBase:
    """The scoring form of a call: for each criterion a value (coefficient or points) and a reason.
    Fields are named by position (score_0, reason_0, …) so any criterion code makes a valid name."""
    class ReviewForm(ReviewFormBase):
        pass

    coefficients = procedure.scoring == "coefficients"
    for i, criterion in enumerate(procedure.criteria):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", "size": 6}
        if coefficients:
            render_kw["list"] = "judgement-scale"
            label = _("Coefficiente (da 0 a 1)")
        else:
            label = _("Punteggio (da 0 a %(max)s)", max=plain_decimal(criterion.max_points))
        setattr(ReviewForm, f"score_{i}", ScoreField(label, description=_score_help(procedure, criterion),
                                                     render_kw=render_kw))
        setattr(ReviewForm, f"reason_{i}", TextAreaField(
            _("Motivazione"), description=_("Obbligatoria per confermare la valutazione definitiva."),
            validators=[Length(max=10000)], render_kw={"rows": 3}))
    if review is not None and kwargs.get("formdata") is None:  # a GET: the saved draft, not the request
        data = {}
        by_code = {s.criterion_code: s for s in review.scores}
        for i, criterion in enumerate(procedure.criteria):
            s = by_code.get(criterion.code)
            if s is not None:
                data[f"score_{i}"] = plain_decimal(s.value)
                data[f"reason_{i}"] = s.reason or ""
        kwargs["data"] = data
    form = ReviewForm(**kwargs)
    form.rows = [(c, form[f"score_{i}"], form[f"reason_{i}"]) for i, c in enumerate(procedure.criteria)]
    return form


# --- committee and approval (admin) --------------------------------------------------------------------------
class CommitteeForm(FlaskForm):
    """Checkboxes over the registered evaluators (choices set by the view: (user id, label))."""

    evaluators = SelectMultipleField(
        _l("Componenti della commissione"), coerce=int, validate_choice=False,
        description=_l("Scegli un numero dispari di valutatori, almeno 3."))
    substitutes = SelectMultipleField(
        _l("Supplenti"), coerce=int, validate_choice=False,
        description=_l("Facoltativi: valutano solo le proposte per cui, a causa dei conflitti di interessi, "
                       "restano meno di 3 componenti."))

    def validate_substitutes(self, field):
        if set(field.data or ()) & set(self.evaluators.data or ()):
            raise ValidationError(_l("Un valutatore non può essere insieme componente e supplente."))


class ApproveForm(FlaskForm):
    act_ref = StringField(
        _l("Estremi dell'atto di approvazione"),
        description=_l("Facoltativo: ad esempio «Determinazione dirigenziale n. 77 del 12/05/2021». Compare "
                       "nella graduatoria pubblicata."),
        validators=[Length(max=200)])

