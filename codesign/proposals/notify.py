"""Telling a proposal's parties: the body's members, the administration's admins; each notification linked to the
proposal's page (core.notifications says how, organizations.operations.notify_members to whom). NOTICES says what
each move of a proposal tells, from the submission to the revocation, once: registration.py adds them to the
machine's transitions (the moves whose module tells more, the tables' and the agreements', tell it there)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from codesign.core import notifications
from codesign.core.calendar import format_rome
from codesign.core.enums import Role
from codesign.core.workflow import Context
from codesign.db import db
from codesign.organizations.operations import notify_members, recipients
from codesign.proposals.models import Proposal


def notify_body(proposal: Proposal, subject: str, body: str, *, link: str | None = None) -> None:
    """Tell the body's members about their proposal, with a link to its page (or to `link`)."""
    notify_members(proposal.organization_id, Role.applicant, subject, body,
                   link=link or notifications.path("proposals.edit", proposal_id=proposal.id))


def notify_admins(proposal: Proposal, subject: str, body: str, *, link: str | None = None) -> None:
    """Tell the administration's admins about a proposal to one of its calls, with a link to its page (or to
    `link`)."""
    notify_members(proposal.procedure.administration_id, Role.admin, subject, body,
                   link=link or notifications.path("proposals.edit", proposal_id=proposal.id))


# --- what each move of a proposal tells, and to whom (contributed to the machine's transitions) ----------------
def numbered(p: Proposal) -> str:
    """A proposal as the messages name it: its title, and its receipt number once it has one."""
    return f"«{p.title}» (n. {p.protocol_number})" if p.protocol_number else f"«{p.title}»"


def on_submitted(ctx: Context) -> None:
    p = ctx.row
    deadline = p.procedure.submission_deadline
    notify_body(p, f"Proposta inviata: {p.title}",
                f"La proposta «{p.title}» per l'avviso «{p.procedure.title}» è stata inviata il "
                f"{format_rome(ctx.now)} con il numero di protocollo {p.protocol_number}.\n\n"
                "La ricevuta firmata si scarica dalla pagina della proposta."
                + (f" Fino alla scadenza dell'avviso ({format_rome(deadline)}) la proposta si può ancora ritirare."
                   if deadline else ""))


def on_integration_requested(ctx: Context) -> None:
    p, due = ctx.row, ctx.params["due"]
    notify_body(p, f"Richiesta di integrazione: {p.title}",
                f"L'amministrazione chiede di integrare la proposta {numbered(p)} per l'avviso «{p.procedure.title}» "
                f"(soccorso istruttorio).\n\nMotivo: {ctx.params['reason']}\n\n"
                + integration_what_to_do(due))


def integration_what_to_do(due: dt.date) -> str:
    return (f"Rispondi entro la fine del {due.strftime('%d/%m/%Y')} (ora italiana) dalla pagina della proposta: si "
            "aggiungono documenti e dichiarazioni, il contenuto della proposta non cambia. Senza risposta entro quel "
            "giorno la proposta è esclusa.")


def on_integration_provided(ctx: Context) -> None:
    p = ctx.row
    notify_admins(p, f"Integrazione ricevuta: {p.title}",
                  f"L'ente «{p.organization.name}» ha inviato il {format_rome(ctx.now)} l'integrazione richiesta per "
                  f"la proposta {numbered(p)} dell'avviso «{p.procedure.title}». Ora si può dichiararla ammissibile "
                  "o escluderla.")


def on_admissible(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Proposta ammissibile: {p.title}",
                f"La proposta {numbered(p)} per l'avviso «{p.procedure.title}» è stata dichiarata ammissibile: "
                "passa alla valutazione della commissione. L'esito arriverà con l'approvazione della graduatoria.")


def on_excluded(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Proposta esclusa: {p.title}",
                f"La proposta {numbered(p)} per l'avviso «{p.procedure.title}» è stata esclusa.\n\n"
                f"Motivo: {ctx.params['reason']}")


def on_finalized(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Co-progettazione conclusa: {p.title}",
                f"L'amministrazione ha approvato il progetto definitivo della proposta {numbered(p)}: la "
                "co-progettazione è conclusa. Il passo seguente è la convenzione, che riceverai da firmare.")


def on_codesign_failed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Co-progettazione chiusa senza accordo: {p.title}",
                f"L'amministrazione ha chiuso il tavolo di co-progettazione della proposta {numbered(p)} senza "
                f"accordo.\n\nMotivo: {ctx.params['reason']}")


def on_agreement_signed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Convenzione sottoscritta: {p.title}",
                f"L'amministrazione ha registrato la convenzione sottoscritta del progetto {numbered(p)}. Il "
                "passo seguente è l'avvio del progetto.")


def on_completed(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Progetto concluso: {p.title}",
                f"L'amministrazione ha dichiarato concluso il progetto {numbered(p)}.")


def on_revoked(ctx: Context) -> None:
    p = ctx.row
    notify_body(p, f"Revoca del contributo: {p.title}",
                f"L'amministrazione ha revocato il contributo del progetto {numbered(p)}.\n\n"
                f"Motivo: {ctx.params['reason']}")


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
                         f"Avviso annullato: {procedure.title[:200]}",
                         f"L'amministrazione ha annullato l'avviso «{procedure.title}».\n\n"
                         f"Motivo: {ctx.params['reason']}",
                         link=notifications.path("procedures.public_detail", procedure_id=procedure.id),
                         now=ctx.now)
