"""The proposal machine's checks and effects on submission and admissibility (named by its table in
workflow.py; kept apart from operations.py, which fires the machine, so that neither imports the other
in a circle)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import sqlalchemy as sa

from codesign.core import receipts
from codesign.core.web import format_money, format_percent, format_share
from codesign.core.workflow import Context
from codesign.db import db
from codesign.procedures.models import Procedure
from codesign.proposals.models import IntegrationRequest, Proposal


# --- submission -----------------------------------------------------------------------------------------
def submission_problems(proposal: Proposal, declarations, *, check_declarations: bool = True) -> list[str]:
    proc = proposal.procedure
    problems = []
    if not proposal.title:
        problems.append("manca il titolo")
    if not proposal.summary:
        problems.append("manca la descrizione della proposta")
    if proposal.requested_amount is None or proposal.requested_amount <= 0:
        problems.append("indicare il contributo richiesto")
    if proposal.requested_amount is not None and proposal.requested_amount > proposal.lot.budget:
        problems.append(f"il contributo richiesto supera il budget del lotto {proposal.lot.code} "
                        f"({format_money(proposal.lot.budget)})")
    minimum = proc.cofinancing_min_pct or Decimal(0)
    total = (proposal.requested_amount or 0) + (proposal.cofinancing_amount or 0)
    if total and Decimal(proposal.cofinancing_amount) * 100 < minimum * Decimal(total):
        problems.append(f"la quota di cofinanziamento ({format_share(proposal.cofinancing_amount, total)}) è inferiore "
                        f"al minimo dell'avviso ({format_percent(minimum)})")
    kinds = {a.kind for a in proposal.attachments}
    for req in proc.required_attachments or []:
        if req["kind"] not in kinds:
            problems.append(f"manca l'allegato obbligatorio «{req['title']}»")
    given = declarations if isinstance(declarations, dict) else {}
    for d in (proc.declarations or []) if check_declarations else []:
        if given.get(d["code"]) is not True:
            problems.append(f"manca la dichiarazione «{d['text']}»")
    return problems


def content_digest(proposal: Proposal) -> str:
    content = {
        "procedure_id": proposal.procedure_id,
        "organization_id": proposal.organization_id,
        "lot": proposal.lot.code,
        "title": proposal.title,
        "summary": proposal.summary,
        "requested_amount": f"{proposal.requested_amount:.2f}",
        "cofinancing_amount": f"{proposal.cofinancing_amount:.2f}",
        "partners": proposal.partners or [],
        "attachments": sorted(a.sha256 for a in proposal.attachments if a.for_integration_id is None),
        "declarations": proposal.declarations or {},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def receipt_of(proposal: Proposal) -> dict:
    """What the submission receipt attests, as signed (core/receipts.py; the PDF shows the same): who submitted
    what to which call, its receipt number and time, and the SHA-256 of its content and of each document."""
    proc = proposal.procedure
    sent = sorted((a for a in proposal.attachments if a.for_integration_id is None), key=lambda a: a.id)
    return {
        "format": receipts.FORMAT,
        "administration": proc.administration.name,
        "procedure": {"id": proc.id, "title": proc.title, "cup": proc.cup},
        "organization": {"name": proposal.organization.name, "tax_code": proposal.organization.tax_code},
        "proposal": {"id": proposal.id, "title": proposal.title, "lot": proposal.lot.code,
                     "requested_amount": f"{proposal.requested_amount:.2f}",
                     "cofinancing_amount": f"{proposal.cofinancing_amount:.2f}"},
        "protocol_number": proposal.protocol_number,
        "submitted_at": proposal.submitted_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "content_sha256": proposal.content_sha256,
        "attachments": [{"kind": a.kind, "name": a.name, "sha256": a.sha256} for a in sent],
        "declarations": sorted(proposal.declarations or {}),
    }


def next_protocol_number(procedure_id: int) -> int:
    """Atomic: the UPDATE takes the procedure row's lock, so numbers have no gaps and no repeats."""
    return db.session.execute(
        sa.update(Procedure).where(Procedure.id == procedure_id)
        .values(last_protocol=Procedure.last_protocol + 1).returning(Procedure.last_protocol)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def on_submit(ctx: Context) -> None:
    p = ctx.row
    p.declarations = {k: True for k, val in (ctx.params.get("declarations") or {}).items() if val is True}
    p.submitted_at = ctx.now
    with db.session.no_autoflush:  # the state is already `submitted`: flush only once it is numbered
        p.protocol_number = next_protocol_number(p.procedure_id)
    p.content_sha256 = content_digest(p)
    p.receipt = receipts.sign(receipt_of(p))


def on_request_integration(ctx: Context) -> None:
    db.session.add(IntegrationRequest(proposal=ctx.row, reason=ctx.params["reason"], due=ctx.params["due"],
                                      requested_by_id=ctx.user.id, requested_at=ctx.now))


def on_provide_integration(ctx: Context) -> None:
    req = ctx.row.open_integration
    if req is not None:
        req.answered_at = ctx.now
        req.answer_note = ctx.params.get("note")
        extra = ctx.params.get("declarations")
        req.declarations = {k: True for k, val in (extra or {}).items() if val is True}


def on_exclude(ctx: Context) -> None:
    ctx.row.outcome_reason = ctx.params["reason"]


