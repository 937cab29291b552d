"""Forms of the proposal pages. They only mirror the domain's checks (proposals.schemas and the guards)
and turn what a person types into what the operations expect: amounts with a dot, partners as a list."""
from __future__ import annotations


from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from codesign.core.forms import AmountField

REQUIRED = _l("Campo obbligatorio.")


def proposal_label(p) -> str:
    """A proposal as a confirmation names it: its receipt number once it has one, and its title."""
    if p.protocol_number:
        return _("Proposta n. %(number)s «%(title)s»", number=p.protocol_number, title=p.title)
    return _("Proposta «%(title)s»", title=p.title)


def parse_partners(text: str | None) -> list[dict]:
    """One partner per line, `name | tax code | role` (the role may be left out)."""
    partners = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise ValidationError(_l("Riga %(n)s: usa il formato «denominazione | codice fiscale | ruolo».", n=n))
        partners.append({"name": parts[0], "tax_code": parts[1], "role": parts[2] if len(parts) == 3 else ""})
    return partners


def format_partners(partners: list | None) -> str:
    return "\n".join(f"{p.get('name', '')} | {p.get('tax_code', '')} | {p.get('role', '')}" for p in partners or [])


class ProposalContentForm(FlaskForm):
    """The proposal's content: what `update_proposal` may change while it is a draft."""

    lot = SelectField(_l("Lotto"), validators=[DataRequired(message=REQUIRED)])
    title = StringField(_l("Titolo della proposta"), validators=[DataRequired(message=REQUIRED), Length(max=400)])
    summary = TextAreaField(_l("Descrizione della proposta"), validators=[Optional(), Length(max=20000)],
                            description=_l("Obiettivi, attività, destinatari e territorio. Obbligatoria per "
                                           "inviare la proposta."), render_kw={"rows": 8})
    requested_amount = AmountField(_l("Contributo richiesto (euro)"), validators=[DataRequired(message=REQUIRED)],
                                   description=_l("Ad esempio 90000 oppure 90000,50. Non può superare il budget "
                                                  "del lotto."))
    cofinancing_amount = AmountField(_l("Cofinanziamento dell'ente (euro)"),
                                     validators=[DataRequired(message=REQUIRED)],
                                     description=_l("Risorse proprie dell'ente, anche valorizzate (personale, "
                                                    "spazi). Scrivi 0 se non previsto."))
    partners = TextAreaField(
        _l("Partner dell'ATS (associazione temporanea di scopo)"), validators=[Optional(), Length(max=20000)],
        description=_l("Un partner per riga: denominazione | codice fiscale | ruolo. Lascia vuoto se l'ente "
                       "presenta la proposta da solo."), render_kw={"rows": 4})

    def validate_partners(self, field):
        self.partner_list = parse_partners(field.data)

    def content(self) -> dict:
        """The data for the operations (the keys are the domain's)."""
        partners = getattr(self, "partner_list", None)
        if partners is None:
            partners = parse_partners(self.partners.data)
        return {"lot": self.lot.data, "title": self.title.data, "summary": self.summary.data or None,
                "requested_amount": self.requested_amount.decimal_text,
                "cofinancing_amount": self.cofinancing_amount.decimal_text, "partners": partners}


class NewProposalForm(ProposalContentForm):
    organization_id = SelectField(_l("Ente proponente"), coerce=int, validators=[DataRequired(message=REQUIRED)],
                                  description=_l("In una ATS, l'ente capofila che presenta la proposta."))

    def content(self) -> dict:
        data = super().content()
        data["organization_id"] = self.organization_id.data
        return data


ATTACHMENT_OTHER = "altro"


def attachment_kind_choices(proc) -> list[tuple[str, str]]:
    """The kinds of document a proposal to `proc` may carry: the call's required ones, then any other."""
    return ([(a["kind"], a["title"]) for a in proc.required_attachments or []]
            + [(ATTACHMENT_OTHER, _("Altro documento"))])


def attachment_kind_titles(proc) -> dict[str, str]:
    return dict(attachment_kind_choices(proc))


class UploadForm(FlaskForm):
    kind = SelectField(_l("Tipo di documento"), validators=[DataRequired(message=REQUIRED)])
    file = FileField(_l("File PDF"), validators=[FileRequired(message=_l("Scegli il file da allegare."))],
                     render_kw={"accept": "application/pdf,.pdf"})


class MessageForm(FlaskForm):
    """A message in the proposal's thread, with a PDF if wanted."""

    text = TextAreaField(_l("Messaggio"), validators=[DataRequired(message=REQUIRED), Length(max=5000)],
                         render_kw={"rows": 4})
    file = FileField(_l("Documento PDF (facoltativo)"), render_kw={"accept": "application/pdf,.pdf"})


class ActionForm(FlaskForm):
    """The applicant's buttons (submit, withdraw, provide_integration): the call's self-declarations as
    checkboxes (added per call by `action_form`) and the note that may accompany an integration."""

    note = TextAreaField(_l("Nota per l'amministrazione (facoltativa)"), validators=[Optional(), Length(max=5000)],
                         render_kw={"rows": 3})

    declaration_fields: list[tuple[str, str]] = []

    def declarations(self) -> dict:
        """{code: True} for every ticked declaration."""
        return {code: True for code, name in self.declaration_fields if self[name].data}


def action_form(procedure, **kwargs) -> ActionForm:
    """An ActionForm with one checkbox per declaration of the call (label: its text)."""
    fields = [(d["code"], f"declaration_{i}") for i, d in enumerate(procedure.declarations or [])]

    class _Form(ActionForm):
        pass

    for (code, name), d in zip(fields, procedure.declarations or []):
        setattr(_Form, name, BooleanField(d["text"]))
    _Form.declaration_fields = fields
    return _Form(**kwargs)


class AdminActionForm(FlaskForm):
    """The admin's buttons on the admissibility list; the fields shown are the transition's `needs`."""

    reason = TextAreaField(_l("Motivazione"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3},
                           description=_l("È comunicata all'ente e registrata nel fascicolo."))
    due = DateField(_l("Termine per l'integrazione"), validators=[Optional()],
                    description=_l("Data entro cui l'ente deve rispondere (compresa)."))

    def keep_only(self, needs) -> "AdminActionForm":
        for name in ("reason", "due"):
            if name not in needs:
                delattr(self, name)
            else:
                self[name].flags.required = True
        return self

    def params(self) -> dict:
        out = {}
        if "reason" in self:
            out["reason"] = self.reason.data
        if "due" in self:
            out["due"] = self.due.data
        return out
