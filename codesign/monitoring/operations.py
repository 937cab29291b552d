"""Service functions of monitoring: the reporting calendar (effect of the proposal's `start`), the reports
(content, transitions), the payments of the agreement's tranches, the guard of `complete`, the late-report
tick job and the dashboards' figures.

Who may do what is asked of `monitoring.permissions`; the report machine is `monitoring.workflow`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from codesign.agreements.models import Agreement
from codesign.agreements.operations import agreement_of, final_version, tranche_amounts
from codesign.core import audit, files, images
from codesign.core.calendar import add_months, rome_today
from codesign.core.enums import N_
from codesign.core.errors import Conflict, GuardFailed, Invalid, NotFound
from codesign.core.schemas import parse
from codesign.core.web import format_money
from codesign.core.workflow import Context, flush_or_conflict
from codesign.db import count_rows, db, utcnow
from codesign.monitoring import permissions, rules
from codesign.monitoring.models import ExpenseReceipt, Payment, PaymentReversal, Report, ReportReminder
from codesign.monitoring.schemas import MAX_RECEIPTS, MAX_REPORT_RECEIPTS, PaymentIn, ReportIn, ReversalIn
from codesign.monitoring.workflow import workflow
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props
from codesign.proposals.models import Proposal
from codesign.proposals.notify import notify_body
from codesign.proposals.operations import can_view
from codesign.tables.models import CodesignTable, ProjectVersion

DUE_AFTER_DAYS = 30
OPEN_STATES = ("due", "returned")
MONITORED_STATES = ("started", "completed")          # the projects the dashboards follow
PAYABLE_STATES = ("agreement_signed", "started", "completed")
ZERO = Decimal("0.00")


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


# --- the calendar -----------------------------------------------------------------------------------------------
def calendar(start: dt.date, monitoring_months: int, every_months: int) -> list[tuple[dt.date, dt.date, dt.date]]:
    """DOMAIN.md: period N runs from start + (N-1) x period to the day before start + N x period (both ends
    inclusive), until the monitoring duration ends; each is due 30 days after its last day."""
    out = []
    n = 1
    end_of_monitoring = add_months(start, monitoring_months) - dt.timedelta(days=1)
    while True:
        first = add_months(start, (n - 1) * every_months)
        if first > end_of_monitoring:
            break
        last = min(add_months(start, n * every_months) - dt.timedelta(days=1), end_of_monitoring)
        out.append((first, last, last + dt.timedelta(days=DUE_AFTER_DAYS)))
        n += 1
    return out


def generate_calendar(ctx: Context) -> None:
    """Effect of `start` (after the agreement's effect recorded the start date)."""
    p = ctx.row
    agreement = agreement_of(p)
    proc = p.procedure
    periods = calendar(agreement.started_on, proc.monitoring_months or 0, proc.reporting_every_months or 0) \
        if proc.monitoring_months and proc.reporting_every_months else []
    for i, (first, last, due) in enumerate(periods, start=1):
        db.session.add(Report(proposal_id=p.id, number=i, period_start=first, period_end=last, due_on=due,
                              final=i == len(periods), state="due", indicators={}, expenses=[]))


def reports(user, proposal: Proposal, *, limit=100, offset=0) -> tuple[list[Report], int]:
    permissions.require_party(user, proposal)
    q = sa.select(Report).where(Report.proposal_id == proposal.id)
    total = count_rows(q)
    rows = db.session.execute(q.order_by(Report.number).limit(limit).offset(offset)).unique().scalars().all()
    return list(rows), total


def _all_reports(proposal: Proposal) -> list[Report]:
    return list(db.session.execute(sa.select(Report).where(Report.proposal_id == proposal.id)
                                   .order_by(Report.number)).unique().scalars())


def is_late(report: Report, now=None) -> bool:
    return report.state in OPEN_STATES and rome_today(now or utcnow()) > report.due_on


# --- one report ---------------------------------------------------------------------------------------------------
def get_report(user, report_id: int) -> Report:
    """The report, for the parties; an evaluator who sees the proposal is told 403, anyone else 404."""
    report = db.session.execute(sa.select(Report).where(Report.id == report_id)).unique().scalar_one_or_none()
    if report is None or user is None or not can_view(user, report.proposal):
        raise NotFound("relazione non trovata")
    permissions.require_party(user, report.proposal)
    return report


def _check_content(report: Report, clean: ReportIn, version: ProjectVersion | None) -> None:
    """The rules of the report's own data that depend on the call and the agreement (422 per field)."""
    errors = {}
    uploaded = {r.attachment_id for r in report.receipts}
    for i, e in enumerate(clean.expenses):
        strangers = [str(x) for x in e.receipts or [] if x not in uploaded]
        if strangers:
            errors[f"expenses.{i}.receipts"] = ("giustificativi non caricati per questa relazione: "
                                                + ", ".join(strangers))
    known = {ind["code"] for ind in report.proposal.procedure.indicators or []}
    for code in clean.indicators:
        if code not in known:
            errors[f"indicators.{code}"] = "indicatore sconosciuto per questo avviso"
    lines = version.budget_lines if version is not None else []
    categories = {b["category"] for b in lines or []}
    sources = {b["funding_source"] for b in lines or []}
    for i, e in enumerate(clean.expenses):
        if categories and e.category not in categories:
            errors[f"expenses.{i}.category"] = ("categoria di spesa non prevista dal progetto definitivo (previste: "
                                                + ", ".join(sorted(categories)) + ")")
        if sources and e.funding_source not in sources:
            errors[f"expenses.{i}.funding_source"] = ("fonte di finanziamento non prevista dal progetto definitivo "
                                                      "(previste: " + ", ".join(sorted(sources)) + ")")
    if errors:
        raise Invalid(errors)


def _flush_or_conflict() -> None:
    flush_or_conflict("la relazione è stata modificata nello stesso momento da un'altra operazione: ricarica e "
                      "riprova")


def save_report(actor, report: Report, data: dict, *, now=None) -> Report:
    """Write (or rewrite) the content of a report: the body, while it is `due` or `returned`. Saved even when
    incomplete (a draft): `submit` checks that it is complete."""
    now = now or utcnow()
    permissions.require_owner(actor, report)
    clean = parse(ReportIn, data)
    permissions.require_editable(actor, report)
    version = final_version(report.proposal)
    _check_content(report, clean, version)
    report.narrative = clean.narrative or None
    report.indicators = {code: str(value) for code, value in clean.indicators.items()}
    before = report.expenses or []
    report.expenses = [{"category": e.category, "funding_source": e.funding_source, "amount": _money(e.amount),
                        "description": e.description,
                        "receipts": list(dict.fromkeys(e.receipts)) if e.receipts is not None
                        else list(before[i].get("receipts", []) if i < len(before) else [])}
                       for i, e in enumerate(clean.expenses)]
    report.cofinancing_amount = clean.cofinancing_amount
    report.sustainability = clean.sustainability or None
    report.overspending_justification = clean.overspending_justification or None
    report.updated_at = now
    _flush_or_conflict()
    _discard_unnamed_receipts(report)
    audit.record(actor=actor, entity_type="report", entity_id=report.id, trigger="save_report",
                 data={"proposal_id": report.proposal_id, "number": report.number})
    return report


# --- the receipts of the expense lines -------------------------------------------------------------------------
RECEIPT_KIND = "expense_receipt"
RECEIPT_TYPES = "sono accettati documenti PDF e immagini JPEG, PNG o WebP"
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def receipt_upload_rule(actor, proposal, kind):
    """A receipt is uploaded on its expense line (add_receipt), never as a document of the proposal."""
    if kind != RECEIPT_KIND:
        return None
    return GuardFailed("i giustificativi si caricano sulla riga di spesa della relazione a cui si riferiscono")


def _receipt_type(data: bytes) -> str:
    """The media type of a receipt checked by its content: a PDF, or an image that Pillow reads whole."""
    if files.looks_like_pdf(data):
        return "application/pdf"
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return images.media_type(data)
    raise Invalid({"file": f"il contenuto non è un documento PDF né un'immagine: {RECEIPT_TYPES}"})


def _line(report: Report, n: int) -> dict:
    lines = report.expenses or []
    if not 1 <= n <= len(lines):
        raise NotFound(f"la relazione non ha una riga di spesa n. {n}: salva la relazione con la riga, poi carica "
                       "i giustificativi")
    return lines[n - 1]


def _with_receipts(report: Report, n: int, ids: list[int], now) -> None:
    lines = [dict(e) for e in report.expenses]
    lines[n - 1]["receipts"] = ids
    report.expenses = lines
    report.updated_at = now or utcnow()
    _flush_or_conflict()


def add_receipt(actor, report: Report, n: int, *, filename: str, stream, now=None):
    """A receipt for expense line n (from 1) of a report the body is writing: a PDF or an image, checked by its
    content and size, kept as uploaded; at most MAX_RECEIPTS per line and MAX_REPORT_RECEIPTS per report."""
    permissions.require_editable(actor, report)
    ids = list(_line(report, n).get("receipts", []))
    if len(ids) >= MAX_RECEIPTS:
        raise GuardFailed(f"la riga di spesa n. {n} ha già {MAX_RECEIPTS} giustificativi: riuniscili in un solo PDF")
    if len(_named(report.expenses)) >= MAX_REPORT_RECEIPTS:
        raise GuardFailed(f"la relazione ha già {MAX_REPORT_RECEIPTS} giustificativi, il massimo ammesso: riunisci "
                          "quelli di una stessa riga in un solo PDF")
    name = files.checked_upload_name(filename)
    data = files.read_upload(stream)
    att = props.new_attachment(actor, report.proposal, kind=RECEIPT_KIND, name=name, data=data,
                               content_type=_receipt_type(data))
    db.session.add(ExpenseReceipt(report=report, attachment=att))
    _with_receipts(report, n, ids + [att.id], now)
    audit.record(actor=actor, entity_type="report", entity_id=report.id, trigger="add_receipt",
                 data={"proposal_id": report.proposal_id, "line": n, "attachment_id": att.id, "sha256": att.sha256})
    return att


def remove_receipt(actor, report: Report, n: int, attachment_id: int, *, now=None) -> None:
    """Take a receipt off expense line n while the body writes the report (kept if a submission named it)."""
    permissions.require_editable(actor, report)
    ids = list(_line(report, n).get("receipts", []))
    if attachment_id not in ids:
        raise NotFound(f"giustificativo non trovato sulla riga di spesa n. {n}")
    _with_receipts(report, n, [x for x in ids if x != attachment_id], now)
    _discard_unnamed_receipts(report)
    audit.record(actor=actor, entity_type="report", entity_id=report.id, trigger="remove_receipt",
                 data={"proposal_id": report.proposal_id, "line": n, "attachment_id": attachment_id})


def _named(expenses) -> set[int]:
    return {x for e in expenses or [] for x in e.get("receipts", [])}


def _discard_unnamed_receipts(report: Report) -> None:
    """Delete the receipts that no line names any more and no submission ever named (row now, file at commit)."""
    named = _named(report.expenses)
    for sub in report.submissions:
        named |= _named(sub.content.get("expenses"))
    for receipt in [r for r in report.receipts if r.attachment_id not in named]:
        att = receipt.attachment
        report.receipts.remove(receipt)
        db.session.delete(receipt)
        props.forget_attachment(att)


def receipt_to_dict(att) -> dict:
    return {**props.document_summary(att), "content_type": att.content_type}


def expense_lines(report: Report) -> list[dict]:
    """The report's expense lines, each with its receipts (id, name, size, media type, SHA-256)."""
    by_id = {r.attachment_id: r.attachment for r in report.receipts}
    return [{**e, "receipts": [receipt_to_dict(by_id[x]) for x in e.get("receipts", []) if x in by_id]}
            for e in report.expenses or []]


def submissions(user, report: Report) -> list[dict]:
    """Every submitted version of the report, each with what changed since the previous one."""
    permissions.require_party(user, report.proposal)
    out, previous = [], None
    for sub in report.submissions:
        out.append({"number": sub.number, "submitted_at": sub.submitted_at.isoformat(), "content": sub.content,
                    "changes": rules.changes(previous, sub.content) if previous is not None else None})
        previous = sub.content
    return out


def problems(report: Report, version=None, over=None) -> list[str]:
    """What is still missing before the report can be submitted (the page shows it beside the form); the final
    project and the overspending when the caller has them already."""
    return rules.report_problems(report, version, over)


def overspending(report: Report, version=None) -> list[dict]:
    """Where this report brings the project's spending beyond the final project's budget (with the reports already
    submitted or approved, to its period): `{category or None for a whole funding source, funding_source, budget,
    spent}`."""
    return rules.report_overspending(report, version if version is not None else final_version(report.proposal))


def to_dict(r: Report, user=None, *, now=None, content: bool = False) -> dict:
    out = {"id": r.id, "proposal_id": r.proposal_id, "number": r.number,
           "period_start": r.period_start.isoformat(), "period_end": r.period_end.isoformat(),
           "due_on": r.due_on.isoformat(), "state": r.state, "late": is_late(r, now), "final": r.final,
           "allowed_triggers": workflow.allowed_triggers(r, user, now=now)}
    if content:
        out.update({
            "narrative": r.narrative or "",
            "indicators": dict(r.indicators or {}),
            "expenses": expense_lines(r),
            "cofinancing_amount": _money(r.cofinancing_amount) if r.cofinancing_amount is not None else None,
            "sustainability": r.sustainability,
            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            "approved_at": r.approved_at.isoformat() if r.approved_at else None,
            "return_reason": r.return_reason,
            "overspending": [{**o, "budget": _money(o["budget"]), "spent": _money(o["spent"])} for o in overspending(r)],
            "overspending_justification": r.overspending_justification,
            "reminders": [{"kind": m.kind, "sent_at": m.sent_at.isoformat()} for m in r.reminders],
        })
    return out


# --- the guard of `complete` (contributed to the proposal's machine) ---------------------------------------------
def every_report_approved(ctx: Context):
    """Every report of the calendar is approved (the last one is the final report)."""
    pending = db.session.execute(sa.select(Report.number).where(Report.proposal_id == ctx.row.id,
                                                               Report.state != "approved")
                                 .order_by(Report.number)).scalars().all()
    if pending:
        return "non sono ancora approvate le relazioni n. " + ", ".join(str(n) for n in pending)
    return None


# --- payments ---------------------------------------------------------------------------------------------------
def _contribution(agreement: Agreement) -> Decimal:
    return db.session.execute(sa.select(ProjectVersion.requested_amount).where(
        ProjectVersion.proposal_id == agreement.proposal_id,
        ProjectVersion.number == agreement.version_number)).scalar_one()


def tranche_block(t: dict, agreement: Agreement, by_number: dict[int, Report]) -> str | None:
    """Why a tranche is not yet payable, or None once its condition is met (DOMAIN.md: signature, approval of
    report N, approval of the final report)."""
    if t["after"] == "signature":
        return None if agreement.signed_at is not None else "la convenzione non è ancora sottoscritta"
    if t["after"] == "report":
        r = by_number.get(t["report_number"])
        if r is None or r.state != "approved":
            return f"la relazione n. {t['report_number']} non è ancora approvata"
        return None
    final = next((r for r in by_number.values() if r.final), None)
    if final is None or final.state != "approved":
        return "la relazione finale non è ancora approvata"
    return None


@dataclass
class Tranche:
    number: int
    pct: str
    after: str
    report_number: int | None
    amount: Decimal
    block: str | None          # why it is not payable yet (None: payable or paid)
    payment: Payment | None = None

    @property
    def status(self) -> str:
        return "paid" if self.payment else ("payable" if self.block is None else "not_due")

    def to_dict(self) -> dict:
        return {"number": self.number, "pct": self.pct, "after": self.after, "report_number": self.report_number,
                "amount": _money(self.amount), "status": self.status, "block": self.block,
                "payment": payment_to_dict(self.payment) if self.payment else None}


def _tranches(agreement: Agreement | None, contribution: Decimal | None, reports_: list[Report],
              payments_: list[Payment]) -> list[Tranche]:
    if agreement is None or contribution is None:
        return []
    by_number = {r.number: r for r in reports_}
    paid = {p.tranche_number: p for p in payments_ if p.active}   # one at most (uq_payments_active_tranche)
    return [Tranche(t["number"], t["pct"], t["after"], t.get("report_number"), Decimal(t["amount"]),
                    tranche_block(t, agreement, by_number), paid.get(t["number"]))
            for t in tranche_amounts(agreement, contribution)]


def _payments_of(proposal_ids) -> list[Payment]:
    ids = list(proposal_ids)
    if not ids:
        return []
    return list(db.session.execute(sa.select(Payment).where(Payment.proposal_id.in_(ids))
                                   .order_by(Payment.proposal_id, Payment.tranche_number, Payment.id)).scalars())


def tranches(user, proposal: Proposal) -> list[Tranche]:
    permissions.require_party(user, proposal)
    agreement = agreement_of(proposal)
    return _tranches(agreement, _contribution(agreement) if agreement else None, _all_reports(proposal),
                     _payments_of([proposal.id]))


def payments(user, proposal: Proposal) -> list[Payment]:
    permissions.require_party(user, proposal)
    return _payments_of([proposal.id])


def paid_amount(proposal: Proposal) -> Decimal:
    """The net sum of the payments recorded for the project, counter-entries deducted (the public portal shows it
    as `paid_amount`)."""
    return paid_amounts([proposal.id]).get(proposal.id, Decimal("0.00"))


def paid_amounts(proposal_ids) -> dict[int, Decimal]:
    """The same for many projects in two queries (payments, then their counter-entries)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    paid = dict(db.session.execute(sa.select(Payment.proposal_id, sa.func.sum(Payment.amount))
                                   .where(Payment.proposal_id.in_(ids)).group_by(Payment.proposal_id)).all())
    back = dict(db.session.execute(
        sa.select(Payment.proposal_id, sa.func.sum(PaymentReversal.amount))
        .join(Payment, Payment.id == PaymentReversal.payment_id)
        .where(Payment.proposal_id.in_(ids)).group_by(Payment.proposal_id)).all())
    return {pid: (Decimal(total) - Decimal(back.get(pid) or 0)).quantize(Decimal("0.01")) for pid, total in paid.items()}


def last_activity(proposal_ids) -> dict[int, dt.date]:
    """The day of each project's latest monitoring event: a report submitted or a tranche paid (two queries)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    out: dict[int, dt.date] = {}
    for pid, at in db.session.execute(sa.select(Report.proposal_id, sa.func.max(Report.submitted_at))
                                      .where(Report.proposal_id.in_(ids), Report.submitted_at.is_not(None))
                                      .group_by(Report.proposal_id)):
        out[pid] = rome_today(at) if isinstance(at, dt.datetime) else dt.date.fromisoformat(str(at)[:10])
    for pid, day in db.session.execute(sa.select(Payment.proposal_id, sa.func.max(Payment.paid_on))
                                       .where(Payment.proposal_id.in_(ids)).group_by(Payment.proposal_id)):
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        out[pid] = max(out.get(pid, day), day)
    return out


# Conditions a later module adds before any tranche is paid (the law's: the project's transparency record is
# published, art. 26 D.Lgs. 33/2013): each `(proposal) -> reason or None`, registered at its init_app.
PAYMENT_CONDITIONS: list = []


def register_payment_condition(condition) -> None:
    if condition not in PAYMENT_CONDITIONS:
        PAYMENT_CONDITIONS.append(condition)


def payment_blocks(proposal: Proposal) -> list[str]:
    """Why no tranche of the project can be paid now, whatever its own condition (empty: nothing blocks)."""
    return [r for r in (c(proposal) for c in PAYMENT_CONDITIONS) if r]


def record_payment(actor, proposal: Proposal, data: dict, *, now=None) -> Payment:
    """The administration records the payment of a tranche once its condition is met; each tranche is paid
    once, for its amount (so the total never exceeds the grant)."""
    now = now or utcnow()
    permissions.require_admin(actor, proposal)
    clean = parse(PaymentIn, data)
    if clean.paid_on > rome_today(now):
        raise Invalid({"paid_on": "la data del pagamento non può essere nel futuro"})
    # the proposal's row lock makes two payments of the same project wait for each other
    db.session.execute(sa.select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    if proposal.state not in PAYABLE_STATES:
        raise GuardFailed("si pagano le tranche dei progetti con la convenzione sottoscritta (non revocati)")
    by_number = {t.number: t for t in tranches(actor, proposal)}
    t = by_number.get(clean.tranche_number)
    if t is None:
        raise Invalid({"tranche_number": "la convenzione non prevede questa tranche (previste: "
                                         + ", ".join(str(n) for n in sorted(by_number)) + ")"})
    if clean.amount is not None and clean.amount != t.amount:
        raise Invalid({"amount": f"l'importo della tranche {t.number} è {_money(t.amount)} EUR"})
    if t.payment is not None:
        raise GuardFailed(f"la tranche {t.number} è già stata pagata il {t.payment.paid_on.strftime('%d/%m/%Y')}")
    if t.block is not None:
        raise GuardFailed(f"la tranche {t.number} non è ancora dovuta: {t.block}")
    blocks = payment_blocks(proposal)
    if blocks:
        raise GuardFailed(blocks)
    payment = Payment(proposal_id=proposal.id, tranche_number=t.number, amount=t.amount, paid_on=clean.paid_on,
                      reference=clean.reference or None, recorded_by_id=actor.id, recorded_at=now)
    db.session.add(payment)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("la tranche è stata registrata nello stesso momento da un'altra operazione") from exc
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="record_payment",
                 data={"tranche": t.number, "amount": _money(t.amount), "paid_on": clean.paid_on.isoformat()})
    notify_body(proposal, lambda: _("Pagamento registrato: %(title)s", title=proposal.title),
                lambda: _("L'amministrazione ha registrato il pagamento della tranche %(number)s del progetto "
                          "«%(title)s»: %(amount)s, disposto il %(day)s.", number=t.number, title=proposal.title,
                          amount=format_money(t.amount), day=clean.paid_on.strftime("%d/%m/%Y")))
    return payment


def reverse_payment(actor, payment_id: int, data: dict, *, now=None) -> Payment:
    """A counter-entry on a payment (storno): a reason, the date, optionally the reference of the recovery order and
    an amount (by default what the payment still counts for). Never more than the payment's net amount; reversed in
    full, the payment is no longer active and its tranche can be paid again. The payment is never deleted."""
    now = now or utcnow()
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound("pagamento non trovato")
    proposal = db.session.get(Proposal, payment.proposal_id)
    permissions.require_admin(actor, proposal)
    clean = parse(ReversalIn, data)
    if clean.reversed_on > rome_today(now):
        raise Invalid({"reversed_on": "la data dello storno non può essere nel futuro"})
    if clean.reversed_on < payment.paid_on:
        raise Invalid({"reversed_on": "lo storno non può precedere il pagamento "
                                      f"(del {payment.paid_on.strftime('%d/%m/%Y')})"})
    # the proposal's row lock makes two counter-entries (and a payment) of the same project wait for each other;
    # then the payment's counter-entries are read again, with what the other one committed
    db.session.execute(sa.select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    db.session.refresh(payment)
    net = payment.net_amount
    if not payment.active or net <= 0:
        raise GuardFailed(f"il pagamento della tranche {payment.tranche_number} è già stato stornato per intero")
    amount = clean.amount if clean.amount is not None else net
    if amount <= 0:
        raise Invalid({"amount": "lo storno deve essere maggiore di zero"})
    if amount > net:
        raise Invalid({"amount": f"lo storno supera quanto resta del pagamento ({_money(net)} EUR)"})
    reversal = PaymentReversal(payment_id=payment.id, amount=amount, reason=clean.reason,
                               reference=clean.reference or None, reversed_on=clean.reversed_on,
                               recorded_by_id=actor.id, recorded_at=now)
    payment.reversals.append(reversal)   # into the session with its payment
    if amount == net:
        payment.active = False
    db.session.flush()
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="reverse_payment",
                 reason=clean.reason, data={"payment_id": payment.id, "tranche": payment.tranche_number,
                                            "amount": _money(amount), "reversed_on": clean.reversed_on.isoformat()})
    notify_body(proposal, lambda: _("Storno di un pagamento: %(title)s", title=proposal.title),
                lambda: _("L'amministrazione ha stornato %(amount)s del pagamento della tranche %(number)s del "
                          "progetto «%(title)s» (disposto il %(day)s).", amount=format_money(amount),
                          number=payment.tranche_number, title=proposal.title,
                          day=payment.paid_on.strftime("%d/%m/%Y"))
                + " " + _("Motivo: %(reason)s", reason=clean.reason))
    return payment


def payment_to_dict(p: Payment) -> dict:
    return {"id": p.id, "proposal_id": p.proposal_id, "tranche_number": p.tranche_number, "amount": _money(p.amount),
            "paid_on": p.paid_on.isoformat(), "reference": p.reference, "recorded_at": p.recorded_at.isoformat(),
            "net_amount": _money(p.net_amount), "active": p.active,
            "reversals": [{"id": r.id, "amount": _money(r.amount), "reason": r.reason, "reference": r.reference,
                           "reversed_on": r.reversed_on.isoformat(), "recorded_at": r.recorded_at.isoformat()}
                          for r in p.reversals]}


# --- late reports (codesign tick) ---------------------------------------------------------------------------------
def flag_late_reports(now: dt.datetime) -> list[str]:
    """Flag, once, each report past its due day (Europe/Rome) still due or returned: a mail to the body."""
    today = rome_today(now)
    rows = db.session.execute(
        sa.select(Report).join(Proposal, Proposal.id == Report.proposal_id)
        .where(Proposal.state == "started", Report.state.in_(OPEN_STATES), Report.due_on < today,
               Report.late_flagged_at.is_(None))
        .order_by(Report.id).with_for_update(of=Report, skip_locked=True)).unique().scalars().all()
    done = []
    for r in rows:
        r.late_flagged_at = now
        p = r.proposal
        notify_body(p, lambda: _("Relazione in ritardo: %(title)s", title=p.title),
                    lambda: _("La %(report)s del progetto «%(title)s» doveva essere presentata entro il %(day)s: "
                              "compilala e presentala al più presto.", report=rules.title(r), title=p.title,
                              day=r.due_on.strftime("%d/%m/%Y")))
        audit.record(actor=None, entity_type="report", entity_id=r.id, trigger="flag_late_report",
                     data={"proposal_id": p.id, "number": r.number, "due_on": r.due_on.isoformat()})
        done.append(f"relazione n. {r.number} del progetto {p.id} scaduta il {r.due_on.isoformat()}: segnalata")
    db.session.commit()
    return done


# --- reminders (codesign tick) --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reminder:
    """A reminder about a report still to submit, sent once while today (Rome) is within [first, last] days of its
    due day (last None: any day after), so a tick missed for a few days still sends it, late but once."""

    kind: str
    label: str          # on the report's page (translated there)
    first: int
    last: int | None
    subject: str
    text: str


REMINDERS = (
    Reminder("before", N_("15 giorni prima della scadenza"), -15, -1,
             N_("Promemoria: relazione da presentare entro il %(due)s"),
             N_("La %(title)s del progetto «%(project)s» va presentata entro il %(due)s, tra %(days)s giorni. "
                "Compilala e presentala in codesign.")),
    Reminder("due", N_("alla scadenza"), 0, 14, N_("Relazione in scadenza il %(due)s: %(project)s"),
             N_("La %(title)s del progetto «%(project)s» va presentata entro il %(due)s e non è ancora stata "
                "presentata.")),
    Reminder("after", N_("15 giorni dopo la scadenza"), 15, None, N_("Relazione ancora mancante: %(project)s"),
             N_("La %(title)s del progetto «%(project)s» doveva essere presentata entro il %(due)s: sono passati "
                "%(late)s giorni. Presentala al più presto: le quote del contributo legate alla relazione restano "
                "sospese.")),
)

REMINDER_LABELS = {r.kind: r.label for r in REMINDERS}


def remind_reports(now: dt.datetime) -> list[str]:
    """Remind the body of each report still due or returned (project started): 15 days before its due day, on
    it, and 15 days after, once each (a row in report_reminders, unique per kind, written in a savepoint before
    the mail is queued; reports another tick holds are skipped)."""
    today = rome_today(now)
    done = []
    for reminder in REMINDERS:
        window = [Report.due_on <= today - dt.timedelta(days=reminder.first)]
        if reminder.last is not None:
            window.append(Report.due_on >= today - dt.timedelta(days=reminder.last))
        sent = sa.select(ReportReminder.id).where(ReportReminder.report_id == Report.id,
                                                  ReportReminder.kind == reminder.kind)
        rows = db.session.execute(
            sa.select(Report).join(Proposal, Proposal.id == Report.proposal_id)
            .where(Proposal.state == "started", Report.state.in_(OPEN_STATES), *window, ~sa.exists(sent))
            .order_by(Report.id).with_for_update(of=Report, skip_locked=True)).unique().scalars().all()
        for r in rows:
            try:  # the unique (report, kind) decides between two ticks that both saw it unsent
                with db.session.begin_nested():
                    db.session.add(ReportReminder(report_id=r.id, kind=reminder.kind, sent_at=now))
            except IntegrityError:
                continue
            p = r.proposal
            words = {"project": p.title, "due": r.due_on.strftime("%d/%m/%Y"), "days": (r.due_on - today).days,
                     "late": (today - r.due_on).days}
            notify_body(p, lambda: _(reminder.subject, **words),
                        lambda: _(reminder.text, title=rules.title(r), **words))
            done.append(f"promemoria «{reminder.kind}» per la relazione {r.number} del progetto {p.id} "
                        f"(scadenza {r.due_on.isoformat()})")
        db.session.commit()
    return done


# --- dashboards -----------------------------------------------------------------------------------------------------
def _dec(value) -> Decimal:
    return Decimal(str(value))


@dataclass
class Figures:
    """What a dashboard shows of one project, computed from rows already loaded (no query)."""
    proposal: Proposal
    version: ProjectVersion | None
    reports: list[Report]
    tranches: list[Tranche]
    by_source: list[dict] = field(default_factory=list)     # {funding_source, budget, spent, remaining}
    by_category: list[dict] = field(default_factory=list)   # {category, funding_source, budget, spent, over}
    indicators: list[dict] = field(default_factory=list)    # {code, title, unit, target, achieved, pct}
    budget: Decimal = ZERO
    spent: Decimal = ZERO
    cofinancing_planned: Decimal = ZERO
    cofinancing_provided: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    late: list[Report] = field(default_factory=list)
    open_reports: list[Report] = field(default_factory=list)
    to_review: list[Report] = field(default_factory=list)
    approved: int = 0

    @property
    def overspent(self) -> list[dict]:
        return [c for c in self.by_category if c["over"]]

    def to_dict(self) -> dict:
        money = lambda d: _money(d)  # noqa: E731
        return {
            "proposal_id": self.proposal.id, "title": self.proposal.title,
            "organization": self.proposal.organization.name, "state": self.proposal.state,
            "budget": money(self.budget), "spent": money(self.spent), "granted": money(self.granted),
            "paid": money(self.paid), "cofinancing_planned": money(self.cofinancing_planned),
            "cofinancing_provided": money(self.cofinancing_provided),
            "by_source": [{k: money(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                          for row in self.by_source],
            "by_category": [{k: money(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                            for row in self.by_category],
            "indicators": rules.indicators_json(self.indicators),
            "reports": {"total": len(self.reports), "approved": self.approved,
                        "late": [r.number for r in self.late], "to_review": [r.number for r in self.to_review]},
            "tranches": [t.to_dict() for t in self.tranches],
        }


def figures(proposal: Proposal, version: ProjectVersion | None, reports_: list[Report], tranches_: list[Tranche],
            *, now: dt.datetime) -> Figures:
    """Spending against budget (the final version's budget lines against the approved reports' expenses), by
    funding source and by category; indicators against target (the latest approved value); reports due, late,
    to review; tranches and payments."""
    f = Figures(proposal, version, reports_, tranches_)
    approved = [r for r in reports_ if r.state == "approved"]
    f.approved = len(approved)
    spent_lines = [e for r in approved for e in r.expenses or []]
    f.cofinancing_provided = sum((r.cofinancing_amount or ZERO for r in approved), ZERO)
    budget_lines = (version.budget_lines if version is not None else []) or []
    for src, budget, spent in rules.against_budget(budget_lines, spent_lines, rules.by_source):
        f.by_source.append({"funding_source": src, "budget": budget, "spent": spent, "remaining": budget - spent})
    for key, budget, spent in rules.against_budget(budget_lines, spent_lines, rules.by_category):
        f.by_category.append({"category": key[0], "funding_source": key[1], "budget": budget, "spent": spent,
                              "remaining": budget - spent, "over": spent > budget})
    f.budget = sum((row["budget"] for row in f.by_source), ZERO)
    f.spent = sum((row["spent"] for row in f.by_source), ZERO)
    titles = {i["code"]: i for i in proposal.procedure.indicators or []}
    for ind in (version.indicators if version is not None else []) or []:
        target = _dec(ind["target"])
        achieved = None
        for r in sorted(approved, key=lambda r: r.number):
            if ind["code"] in (r.indicators or {}):
                achieved = _dec(r.indicators[ind["code"]])
        meta = titles.get(ind["code"], {})
        f.indicators.append({"code": ind["code"], "title": meta.get("title", ind["code"]), "unit": meta.get("unit", ""),
                             "target": target, "achieved": achieved, "pct": rules.pct(achieved, target)})
    if version is not None:
        f.cofinancing_planned = version.cofinancing_amount
        f.granted = version.requested_amount
    f.paid = sum((t.payment.net_amount for t in tranches_ if t.payment), ZERO)
    f.late = [r for r in reports_ if is_late(r, now)]
    f.open_reports = [r for r in reports_ if r.state in OPEN_STATES]
    f.to_review = [r for r in reports_ if r.state == "submitted"]
    return f


def project_dashboard(user, proposal: Proposal, *, now=None) -> Figures:
    now = now or utcnow()
    permissions.require_party(user, proposal)
    agreement = agreement_of(proposal)
    version = final_version(proposal)
    reports_ = _all_reports(proposal)
    tr = _tranches(agreement, _contribution(agreement) if agreement else None, reports_, _payments_of([proposal.id]))
    return figures(proposal, version, reports_, tr, now=now)


def call_dashboard(user, procedure: Procedure, *, now=None) -> list[Figures]:
    """Every started (or completed) project of the call with the same figures, in a fixed number of queries."""
    now = now or utcnow()
    permissions.require_procedure_admin(user, procedure)
    rows = db.session.execute(
        sa.select(Proposal, Agreement).join(Agreement, Agreement.proposal_id == Proposal.id)
        .where(Proposal.procedure_id == procedure.id, Proposal.state.in_(MONITORED_STATES))
        .order_by(Proposal.lot_id, Proposal.protocol_number)).unique().all()
    ids = [p.id for p, _ in rows]
    if not ids:
        return []
    finals = dict(db.session.execute(sa.select(CodesignTable.proposal_id, CodesignTable.final_version)
                                     .where(CodesignTable.proposal_id.in_(ids))).all())
    versions = {}
    for v in db.session.execute(sa.select(ProjectVersion).where(ProjectVersion.proposal_id.in_(ids))
                                .order_by(ProjectVersion.proposal_id, ProjectVersion.number)).scalars():
        if finals.get(v.proposal_id) in (None, v.number):   # the finalized one, else the latest
            versions[v.proposal_id] = v
    by_proposal: dict[int, list[Report]] = {}
    for r in db.session.execute(sa.select(Report).where(Report.proposal_id.in_(ids))
                                .order_by(Report.proposal_id, Report.number)).unique().scalars():
        by_proposal.setdefault(r.proposal_id, []).append(r)
    pays: dict[int, list[Payment]] = {}
    for pay in _payments_of(ids):
        pays.setdefault(pay.proposal_id, []).append(pay)
    out = []
    for p, agreement in rows:
        version = versions.get(p.id)
        contribution = version.requested_amount if version is not None else None
        reps = by_proposal.get(p.id, [])
        out.append(figures(p, version, reps, _tranches(agreement, contribution, reps, pays.get(p.id, [])), now=now))
    return out


@dataclass
class Combined:
    """The call's started and completed projects taken together, for its dashboard (same shapes as `Figures`)."""
    by_source: list[dict]
    by_category: list[dict]
    indicators: list[dict]


def combined(procedure: Procedure, rows: list[Figures]) -> Combined:
    """Budget and approved spending by funding source and by category, and the indicators (targets and latest
    approved values summed), over the call's dashboard rows (no query)."""
    def add_up(key_of, extra):
        totals: dict = {}
        for f in rows:
            for row in getattr(f, extra):
                budget, spent = totals.get(key_of(row), (ZERO, ZERO))
                totals[key_of(row)] = (budget + row["budget"], spent + row["spent"])
        return totals

    sources = add_up(lambda r: r["funding_source"], "by_source")
    categories = add_up(lambda r: (r["category"], r["funding_source"]), "by_category")
    return Combined(
        by_source=[{"funding_source": k, "budget": b, "spent": s, "remaining": b - s} for k, (b, s) in sources.items()],
        by_category=[{"category": k[0], "funding_source": k[1], "budget": b, "spent": s, "remaining": b - s,
                      "over": s > b} for k, (b, s) in categories.items()],
        indicators=rules.indicator_totals(
            procedure.indicators, [(i["code"], i["target"]) for f in rows for i in f.indicators],
            [(i["code"], i["achieved"]) for f in rows for i in f.indicators if i["achieved"] is not None]))


REPORT_STATE_HELP = {
    "due": N_("da compilare e presentare"),
    "submitted": N_("in esame presso l'amministrazione"),
    "approved": N_("approvata"),
    "returned": N_("da correggere e presentare di nuovo"),
}


def achieved_indicators(proposal_ids) -> dict[int, dict[str, Decimal]]:
    """Per project, each indicator's value in its latest approved report (one query, for the public lists)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    out: dict[int, dict[str, Decimal]] = {}
    rows = db.session.execute(sa.select(Report.proposal_id, Report.indicators)
                              .where(Report.proposal_id.in_(ids), Report.state == "approved")
                              .order_by(Report.proposal_id, Report.number)).all()
    for pid, values in rows:
        for code, value in (values or {}).items():
            out.setdefault(pid, {})[code] = _dec(value)
    return out
