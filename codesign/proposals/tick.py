"""Time-driven work of proposals (run by `codesign tick`): a reminder two days before an integration's due day,
and the exclusion of integrations unanswered after it."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from codesign.auth.operations import system_user
from codesign.core.errors import DomainError
from codesign.db import db
from codesign.proposals.models import IntegrationRequest, Proposal
from codesign.proposals.notify import integration_what_to_do, notify_body, numbered
from codesign.proposals.workflow import rome_today, workflow


REMIND_DAYS_BEFORE = 2


def remind_integrations(now) -> list[str]:
    """Tell the body, once, when an unanswered integration is due within two days: the request's column is set by
    a conditional UPDATE that only one tick can win, in the transaction that queues the notification."""
    today = rome_today(now)
    rows = db.session.execute(
        sa.select(IntegrationRequest.id, IntegrationRequest.due, Proposal)
        .join(Proposal, Proposal.id == IntegrationRequest.proposal_id)
        .where(Proposal.state == "integration_requested", IntegrationRequest.answered_at.is_(None),
               IntegrationRequest.reminded_at.is_(None), IntegrationRequest.due >= today,
               IntegrationRequest.due <= today + dt.timedelta(days=REMIND_DAYS_BEFORE))
        .order_by(IntegrationRequest.due, IntegrationRequest.id)).unique().all()
    lines = []
    for request_id, due, p in rows:
        won = db.session.execute(sa.update(IntegrationRequest).where(
            IntegrationRequest.id == request_id, IntegrationRequest.reminded_at.is_(None)).values(reminded_at=now))
        if not won.rowcount:
            continue
        left = (due - today).days

        def subject():
            if left == 0:
                return _("Promemoria: l'integrazione della proposta «%(title)s» scade oggi", title=p.title[:200])
            if left == 1:
                return _("Promemoria: l'integrazione della proposta «%(title)s» scade domani", title=p.title[:200])
            return ngettext("Promemoria: l'integrazione della proposta «%(title)s» scade tra %(num)s giorno",
                            "Promemoria: l'integrazione della proposta «%(title)s» scade tra %(num)s giorni",
                            left, title=p.title[:200])

        notify_body(p, subject,
                    lambda: _("L'integrazione richiesta per la proposta %(proposal)s dell'avviso «%(call)s» non è "
                              "ancora arrivata.", proposal=numbered(p), call=p.procedure.title)
                    + "\n\n" + integration_what_to_do(due))
        db.session.commit()
        lines.append(f"Proposta {p.id}: promemoria dell'integrazione in scadenza il {due.strftime('%d/%m/%Y')}.")
    return lines


def exclude_unanswered_integrations(now) -> list[str]:
    today = rome_today(now)
    lines = []
    ids = db.session.execute(
        sa.select(Proposal.id).join(IntegrationRequest, IntegrationRequest.proposal_id == Proposal.id)
        .where(Proposal.state == "integration_requested", IntegrationRequest.answered_at.is_(None),
               IntegrationRequest.due < today)).scalars().all()
    for pid in sorted(set(ids)):
        proposal = db.session.execute(sa.select(Proposal).where(Proposal.id == pid).with_for_update(of=Proposal)
                                      ).unique().scalar_one()
        if proposal.state != "integration_requested":
            db.session.rollback()
            continue
        try:
            workflow.fire(proposal, "exclude", system_user(), {"reason": "integrazione non pervenuta nei termini"},
                          now=now)
            db.session.commit()
            lines.append(f"Proposta {pid} esclusa: integrazione non pervenuta nei termini.")
        except DomainError:
            db.session.rollback()
    return lines
