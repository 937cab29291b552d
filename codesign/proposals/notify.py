"""Telling a proposal's parties: the body's members, the administration's admins; each notification linked to the
proposal's page (core.notifications says how, organizations.operations.notify_members to whom). NOTICES says what
each move of a proposal tells, from the submission to the revocation, once: registration.py adds them to the
machine's transitions (the moves whose module tells more, the tables' and the agreements', tell it there)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.core import notifications
from codesign.core.calendar import format_rome
from codesign.core.enums import Role
from codesign.core.notifications import Words
from codesign.core.workflow import Context
from codesign.db import db
from codesign.organizations.operations import notify_members, recipients
from codesign.proposals.models import Proposal


def notify_body(proposal: Proposal, subject: Words, body: Words, *, link: str | None = None) -> None:
    """Tell the body's members about their proposal, with a link to its page (or to `link`)."""
    notify_members(proposal.organization_id, Role.applicant, subject, body,
                   link=link or notifications.path("proposals.edit", proposal_id=proposal.id))


def notify_admins(proposal: Proposal, subject: Words, body: Words, *, link: str | None = None) -> None:
    """Tell the administration's admins about a proposal to one of its calls, with a link to its page (or to
    `link`)."""
    notify_members(proposal.procedure.administration_id, Role.admin, subject, body,
                   link=link or notifications.path("proposals.edit", proposal_id=proposal.id))


# --- what each move of a proposal tells, and to whom (contributed to the machine's transitions) ----------------
# Each text is written by a function, so that every person reads it in their language (core.notifications).
def numbered(p: Proposal) -> str:
    """A proposal as the messages name it: its title, and its receipt number once it has one."""
    return (_("«%(title)s» (n. %(number)s)", title=p.title, number=p.protocol_number) if p.protocol_number
            else f"«{p.title}»")


def reason(ctx: Context) -> str:
    return "\n\n" + _("Motivo: %(reason)s", reason=ctx.params["reason"])


def on_submitted(ctx: Context) -> None:
    p = ctx.row
    deadline = p.procedure.submission_deadline

    def body():
        text = _("La proposta «%(title)s» per l'avviso «%(call)s» è stata inviata il %(when)s con il numero di "
                 "protocollo %(number)s.", title=p.title, call=p.procedure.title, when=format_rome(ctx.now),
                 number=p.protocol_number)
        text += "\n\n" + _("La ricevuta firmata si scarica dalla pagina della proposta.")
        if deadline:
            text += " " + _("Fino alla scadenza dell'avviso (%(when)s) la proposta si può ancora ritirare.",
                            when=format_rome(deadline))
        return text

    notify_body(p, lambda: _("Proposta inviata: %(title)s", title=p.title), body)


def on_integration_requested(ctx: Context) -> None:
    p, due = ctx.row, ctx.params["due"]
    notify_body(p, lambda: _("Richiesta di integrazione: %(title)s", title=p.title),
                lambda: _("L'amministrazione chiede di integrare la proposta %(proposal)s per l'avviso «%(call)s» "
                          "(soccorso istruttorio).", proposal=numbered(p), call=p.procedure.title)
                + reason(ctx) + "\n\n" + integration_what_to_do(due))


def integration_what_to_do(due: dt.date) -> str:
    return _("Rispondi entro la fine del %(day)s (ora italiana) dalla pagina della proposta: si aggiungono "
             "documenti e dichiarazioni, il contenuto della proposta non cambia. Senza risposta entro quel giorno la "
             "proposta è esclusa.", day=due.strftime("%d/%m/%Y"))


def on_integration_provided(ctx: Context) -> None:
    p = ctx.row
    notify_admins(p, lambda: _("Integrazione ricevuta: %(title)s", title=p.title),
                  lambda: _("L'ente «%(body)s» ha inviato il %(when)s l'integrazione richiesta per la proposta "
                            "%(proposal)s dell'avviso «%(call)s». Ora si può dichiararla ammissibile o escluderla.",
                            body=p.organization.name, when=format_rome(ctx.now), proposal=numbered(p),
                            call=p.procedure.title))


def on_admissible(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Proposta ammissibile: %(title)s", title=p.title),
                lambda: _("La proposta %(proposal)s per l'avviso «%(call)s» è stata dichiarata ammissibile: passa "
                          "alla valutazione della commissione. L'esito arriverà con l'approvazione della "
                          "graduatoria.", proposal=numbered(p), call=p.procedure.title))


def on_excluded(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Proposta esclusa: %(title)s", title=p.title),
                lambda: _("La proposta %(proposal)s per l'avviso «%(call)s» è stata esclusa.", proposal=numbered(p),
                          call=p.procedure.title) + reason(ctx))


def on_finalized(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Co-progettazione conclusa: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha approvato il progetto definitivo della proposta %(proposal)s: la "
                          "co-progettazione è conclusa. Il passo seguente è la convenzione, che riceverai da "
                          "firmare.", proposal=numbered(p)))


def on_codesign_failed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Co-progettazione chiusa senza accordo: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha chiuso il tavolo di co-progettazione della proposta %(proposal)s "
                          "senza accordo.", proposal=numbered(p)) + reason(ctx))


def on_agreement_signed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Convenzione sottoscritta: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha registrato la convenzione sottoscritta del progetto %(proposal)s. "
                          "Il passo seguente è l'avvio del progetto.", proposal=numbered(p)))


def on_completed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Progetto concluso: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha dichiarato concluso il progetto %(proposal)s.", proposal=numbered(p)))


def on_revoked(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, lambda: _("Revoca del contributo: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha revocato il contributo del progetto %(proposal)s.",
                          proposal=numbered(p)) + reason(ctx))


NOTICES = {"submit": on_submitted, "request_integration": on_integration_requested,
           "provide_integration": on_integration_provided, "declare_admissible": on_admissible,
           "exclude": on_excluded, "finalize": on_finalized, "fail_codesign": on_codesign_failed,
           "sign_agreement": on_agreement_signed, "complete": on_completed, "revoke": on_revoked}


def on_call_cancelled(ctx: Context) -> None:
    """Effect of the call's `cancel`: every body with a proposal to it, a draft included, is told why."""
    procedure = ctx.row
    org_ids = set(db.session.execute(sa.select(Proposal.organization_id).where(
        Proposal.procedure_id == procedure.id)).scalars())
    told = recipients(org_ids, Role.applicant)   # a member of two of these bodies is told once
    notifications.notify([person for org_id in sorted(org_ids) for person in told.get(org_id, [])],
                         lambda: _("Avviso annullato: %(title)s", title=procedure.title[:200]),
                         lambda: _("L'amministrazione ha annullato l'avviso «%(title)s».", title=procedure.title)
                         + reason(ctx),
                         link=notifications.path("procedures.public_detail", procedure_id=procedure.id),
                         now=ctx.now)
