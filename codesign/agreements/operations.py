"""Service functions of the agreement (convenzione): its terms from the final project, the recorded checks,
the guards of `sign_agreement` and `start` and their effects (contributed to the proposal's machine)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.agreements import permissions
from codesign.agreements.models import Agreement, PremisesHandover
from codesign.agreements.schemas import AgreementIn, HandoverIn
from codesign.core import audit, files
from codesign.core.calendar import add_months
from codesign.core.enums import N_
from codesign.core.errors import GuardFailed, Invalid, NotFound
from codesign.core.schemas import CUP_RE, parse
from codesign.core.workflow import Context
from codesign.db import db, utcnow
from codesign.proposals import operations as props
from codesign.proposals.models import Attachment, Proposal
from codesign.proposals.notify import notify_body
from codesign.tables.models import CodesignTable, ProjectVersion

# D.Lgs. 159/2011: the anti-mafia information is due when the grant exceeds this amount.
ANTIMAFIA_THRESHOLD = Decimal("150000.00")
CHECKS = {"runts": N_("iscrizione al RUNTS"), "durc": N_("regolarità contributiva (DURC)"),
          "antimafia": N_("informazione antimafia"), "criminal_records": N_("casellario giudiziale")}
# What a recorded check says: verified by a person, not yet verified (also when never recorded), not due.
CHECK_STATES = {False: N_("non ancora verificato"), True: N_("verificato, esito regolare"), None: N_("non dovuto")}
EDITABLE_STATES = ("finalized",)
# Proposals a call funds: from the approved final project on.
FUNDED_STATES = ("finalized", "agreement_signed", "started", "completed", "revoked")

# Who else may hold a CUP, added by a later module at its init_app (the observatory's external projects):
# each `(cup) -> the title of the project that holds it, or None`.
CUP_HOLDERS: list = []


def register_cup_holder(holder) -> None:
    if holder not in CUP_HOLDERS:
        CUP_HOLDERS.append(holder)


def cup_holder(cup: str, proposal: Proposal) -> str | None:
    """The title of another project that holds this CUP (another agreement, or a project a later module keeps),
    or None: a CUP identifies one project."""
    title = db.session.execute(sa.select(Proposal.title).join(Agreement, Agreement.proposal_id == Proposal.id)
                               .where(Agreement.cup == cup, Agreement.proposal_id != proposal.id).limit(1)
                               ).scalar_one_or_none()
    if title is not None:
        return title
    return next((t for t in (h(cup) for h in CUP_HOLDERS) if t is not None), None)


def suggested_cup(proposal: Proposal) -> str | None:
    """The call's CUP, offered as a starting point only when the call funds this project alone and no other
    project holds it."""
    cup = proposal.procedure.cup
    if not cup:
        return None
    funded = db.session.execute(sa.select(sa.func.count(Proposal.id)).where(
        Proposal.procedure_id == proposal.procedure_id, Proposal.state.in_(FUNDED_STATES))).scalar_one()
    return cup if funded == 1 and cup_holder(cup, proposal) is None else None


def antimafia_due(amount: Decimal) -> bool:
    return amount > ANTIMAFIA_THRESHOLD


def unverified_checks(checks: dict, amount: Decimal | None) -> list[str]:
    """The due checks not yet recorded as verified by a person (`true`): RUNTS, DURC and criminal records
    unless marked not due, the anti-mafia information when the grant exceeds the threshold."""
    out = []
    for code, label in CHECKS.items():
        value = checks.get(code, False)
        due = antimafia_due(amount) if code == "antimafia" and amount is not None else value is not None
        if due and value is not True:
            out.append(label)
    return out


def planned_reports(procedure) -> int:
    """How many reports the calendar holds: one per reporting period until the monitoring duration ends."""
    every, months = procedure.reporting_every_months, procedure.monitoring_months
    if not every or not months:
        return 0
    return -(-months // every)


def final_version(proposal: Proposal) -> ProjectVersion | None:
    """The version `finalize` approved (else the latest one)."""
    number = db.session.execute(sa.select(CodesignTable.final_version)
                                .where(CodesignTable.proposal_id == proposal.id)).scalar_one_or_none()
    q = sa.select(ProjectVersion).where(ProjectVersion.proposal_id == proposal.id)
    q = q.where(ProjectVersion.number == number) if number else q.order_by(ProjectVersion.number.desc()).limit(1)
    return db.session.execute(q).scalar_one_or_none()


def agreement_of(proposal: Proposal) -> Agreement | None:
    return db.session.execute(sa.select(Agreement).where(Agreement.proposal_id == proposal.id)
                              ).unique().scalar_one_or_none()


def get_agreement(user, proposal: Proposal) -> Agreement:
    permissions.require_party(user, proposal)
    agreement = agreement_of(proposal)
    if agreement is None:
        raise NotFound("la convenzione non è ancora stata predisposta")
    return agreement


def _check_terms(proposal: Proposal, clean: AgreementIn, version: ProjectVersion) -> dict:
    """The rules of the agreement's own data (API.md: 422 at the PUT that carries them)."""
    errors = {}
    total = sum((t.pct for t in clean.tranches), Decimal(0))
    if total != 100:
        errors["tranches"] = f"le percentuali delle tranche sommano a {total} invece di 100"
    numbers = set()
    reports = planned_reports(proposal.procedure)
    for i, t in enumerate(clean.tranches):
        if t.number in numbers:
            errors[f"tranches.{i}.number"] = "numero di tranche ripetuto"
        numbers.add(t.number)
        if t.pct <= 0 or t.pct > 100:
            errors[f"tranches.{i}.pct"] = "la percentuale deve essere maggiore di 0 e al massimo 100"
        elif t.pct.as_tuple().exponent < -2:
            errors[f"tranches.{i}.pct"] = "al massimo due decimali"
        if t.after == "report":
            if t.report_number is None:
                errors[f"tranches.{i}.report_number"] = "indicare dopo quale relazione si paga la tranche"
            elif reports and t.report_number > reports:
                errors[f"tranches.{i}.report_number"] = f"il calendario prevede {reports} relazioni"
    cup = (clean.cup or "").upper() or None
    if cup is not None and not CUP_RE.match(cup):
        errors["cup"] = "il CUP è composto da 15 lettere e cifre"
    elif cup is not None and (holder := cup_holder(cup, proposal)) is not None:
        errors["cup"] = f"il CUP {cup} è già del progetto «{holder}»: ogni progetto ha il proprio CUP"
    if clean.declaration_checks.antimafia is None and antimafia_due(version.requested_amount):
        errors["declaration_checks.antimafia"] = (
            f"l'informazione antimafia è dovuta: il contributo ({version.requested_amount:.2f} EUR) supera "
            f"{ANTIMAFIA_THRESHOLD:.2f} EUR (D.Lgs. 159/2011)")
    if errors:
        raise Invalid(errors)
    return {"cup": cup}


def put_agreement(actor, proposal: Proposal, data: dict, *, now=None) -> Agreement:
    """Draft or redraft the agreement of a finalized project (admin); the body is told once it is ready."""
    now = now or utcnow()
    permissions.require_admin(actor, proposal)
    clean = parse(AgreementIn, data)
    if proposal.state not in EDITABLE_STATES:
        raise GuardFailed("la convenzione si predispone dopo l'approvazione del progetto definitivo e prima della "
                          "sottoscrizione")
    version = final_version(proposal)
    if version is None:  # pragma: no cover - finalize needs a version
        raise GuardFailed("manca il progetto definitivo")
    extra = _check_terms(proposal, clean, version)
    agreement = agreement_of(proposal)
    if agreement is None:
        agreement = Agreement(proposal_id=proposal.id, created_at=now)
        db.session.add(agreement)
    agreement.version_number = version.number
    agreement.start_date = clean.start_date
    agreement.cup = extra["cup"]
    agreement.municipality = clean.municipality or project_municipality(proposal)
    agreement.premises = [p.model_dump() for p in clean.premises]
    agreement.tranches = [{"number": t.number, "pct": f"{t.pct:.2f}", "after": t.after,
                           "report_number": t.report_number if t.after == "report" else None}
                          for t in sorted(clean.tranches, key=lambda t: t.number)]
    before = dict(agreement.declaration_checks or {})
    agreement.declaration_checks = clean.declaration_checks.model_dump()
    agreement.updated_by_id = actor.id
    agreement.updated_at = now
    db.session.flush()
    # who recorded each check, and when, is the audit record of the change
    changed = {k: v for k, v in agreement.declaration_checks.items() if k not in before or before[k] != v}
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="put_agreement",
                 data={"version": version.number, "cup": agreement.cup, "checks": changed})
    if agreement.ready_notified_at is None:
        agreement.ready_notified_at = now
        notify_body(proposal, lambda: _("Convenzione pronta per la firma: %(title)s", title=proposal.title),
                    lambda: _("La convenzione del progetto «%(title)s» è pronta: scaricala, firmala digitalmente e "
                              "caricane la copia firmata nella pagina della convenzione.", title=proposal.title))
    return agreement


def project_municipality(proposal: Proposal) -> str | None:
    """Where a project runs when the agreement does not say: the body's municipality, else the municipality
    of the administration when it is a Comune ("Comune di Milano" -> "Milano")."""
    if proposal.organization.municipality:
        return proposal.organization.municipality
    name = proposal.procedure.administration.name or ""
    return name[len("Comune di "):].strip() or None if name.startswith("Comune di ") else None


def tranche_amounts(agreement: Agreement, contribution: Decimal) -> list[dict]:
    """Each tranche with its amount; the last one takes the cents the rounding leaves."""
    out, paid = [], Decimal("0.00")
    for i, t in enumerate(agreement.tranches or []):
        last = i == len(agreement.tranches) - 1
        amount = contribution - paid if last else (contribution * Decimal(t["pct"]) / 100).quantize(Decimal("0.01"))
        paid += amount
        out.append(t | {"amount": f"{amount:.2f}"})
    return out


def end_date(agreement: Agreement, procedure) -> dt.date | None:
    start = agreement.started_on or agreement.start_date
    if start is None or not procedure.startup_months:
        return None
    return add_months(start, procedure.startup_months) - dt.timedelta(days=1)


def to_dict(agreement: Agreement) -> dict:
    p = agreement.proposal
    version = db.session.execute(sa.select(ProjectVersion).where(
        ProjectVersion.proposal_id == p.id, ProjectVersion.number == agreement.version_number)).scalar_one()
    end = end_date(agreement, p.procedure)
    return {
        "proposal_id": p.id, "version_number": agreement.version_number,
        "start_date": agreement.start_date.isoformat(), "end_date": end.isoformat() if end else None,
        "duration_months": p.procedure.startup_months, "cup": agreement.cup, "municipality": agreement.municipality,
        "premises": list(agreement.premises or []),
        "handovers": handover_to_dict(agreement),
        "tranches": tranche_amounts(agreement, version.requested_amount),
        "declaration_checks": dict(agreement.declaration_checks or {}),
        "contribution": f"{version.requested_amount:.2f}", "cofinancing_amount": f"{version.cofinancing_amount:.2f}",
        "parties": {"administration": p.procedure.administration.name,
                    "beneficiary": {"name": p.organization.name, "tax_code": p.organization.tax_code}},
        "object": p.title, "state": p.state,
        "signed_at": agreement.signed_at.isoformat() if agreement.signed_at else None,
        "started_on": agreement.started_on.isoformat() if agreement.started_on else None,
    }


def document(user, proposal: Proposal) -> dict:
    """What the agreement's PDF shows (the parties see it)."""
    agreement = get_agreement(user, proposal)
    version = db.session.execute(sa.select(ProjectVersion).where(
        ProjectVersion.proposal_id == proposal.id, ProjectVersion.number == agreement.version_number)).scalar_one()
    return {"agreement": agreement, "data": to_dict(agreement), "version": version, "proposal": proposal,
            "procedure": proposal.procedure, "reports": planned_reports(proposal.procedure), "checks": CHECKS,
            "check_states": CHECK_STATES,
            "end_date": end_date(agreement, proposal.procedure)}


# --- guards and effects contributed to the proposal's machine ------------------------------------------------------
def _signed_copy(proposal: Proposal) -> Attachment | None:
    return next((a for a in reversed(proposal.attachments) if a.kind == permissions.SIGNED_AGREEMENT), None)


def sign_guard(ctx: Context):
    """Agreement data complete with the project's own CUP, every due check verified by a person, the signed copy
    attached."""
    p = ctx.row
    agreement = agreement_of(p)
    if agreement is None:
        return "la convenzione non è stata predisposta"
    problems = []
    if not agreement.cup:
        problems.append("manca il CUP del progetto: indicalo nella convenzione")
    elif (holder := cup_holder(agreement.cup, p)) is not None:
        problems.append(f"il CUP {agreement.cup} è già del progetto «{holder}»: ogni progetto ha il proprio CUP")
    version = final_version(p)
    unverified = unverified_checks(agreement.declaration_checks or {}, version.requested_amount if version else None)
    if unverified:
        problems.append("controlli non ancora verificati: " + ", ".join(unverified))
    if _signed_copy(p) is None:
        problems.append("manca la copia firmata della convenzione: caricala nella pagina della convenzione")
    return problems or None


def on_sign(ctx: Context) -> None:
    agreement = agreement_of(ctx.row)
    agreement.signed_at = ctx.now
    agreement.signed_attachment_id = _signed_copy(ctx.row).id


def start_guard(ctx: Context):
    agreement = agreement_of(ctx.row)
    if agreement is None or (agreement.start_date is None and not ctx.params.get("start_date")):
        return "manca la data di avvio del progetto"
    return None


def handovers_recorded(ctx: Context):
    """Every premises the agreement lists has its hand-over recorded (day, state, signed minutes)."""
    agreement = agreement_of(ctx.row)
    missing = missing_handovers(agreement) if agreement is not None else []
    if missing:
        return ("manca il verbale di consegna dei locali: " + "; ".join(
            f"n. {n} ({agreement.premises[n - 1]['address']})" for n in missing))
    return None


def missing_handovers(agreement: Agreement) -> list[int]:
    done = {h.number for h in agreement.handovers}
    return [n for n in range(1, len(agreement.premises or []) + 1) if n not in done]


HANDOVER_STATES = ("agreement_signed",)   # the agreement is signed (its premises fixed), the project not yet started


def record_handover(actor, proposal: Proposal, n: int, data: dict, *, filename: str, stream) -> PremisesHandover:
    """Record (or record again, until `start`) the hand-over of premises n (from 1) of the signed agreement: the
    day, the state of the premises, the signed minutes as a PDF. The administration only."""
    permissions.require_admin(actor, proposal)
    agreement = get_agreement(actor, proposal)
    if proposal.state not in HANDOVER_STATES:
        raise GuardFailed("la consegna dei locali si registra dopo la sottoscrizione della convenzione e prima "
                          "dell'avvio del progetto")
    if not 1 <= n <= len(agreement.premises or []):
        raise NotFound(f"la convenzione non elenca i locali n. {n}")
    clean = parse(HandoverIn, data)
    name = files.checked_upload_name(filename)
    minutes = props.new_attachment(actor, proposal, kind=permissions.HANDOVER_MINUTES, name=name,
                                   data=files.read_pdf(stream), content_type="application/pdf")
    record = next((h for h in agreement.handovers if h.number == n), None)
    replaced = record.minutes if record is not None else None
    if record is None:
        record = PremisesHandover(number=n)
        agreement.handovers.append(record)
    record.handed_over_on, record.condition = clean.handed_over_on, clean.condition
    record.minutes, record.recorded_by_id, record.recorded_at = minutes, actor.id, utcnow()
    db.session.flush()
    if replaced is not None:
        props.forget_attachment(replaced)
    audit.record(actor=actor, entity_type="proposal", entity_id=proposal.id, trigger="record_handover",
                 data={"premises": n, "handed_over_on": clean.handed_over_on.isoformat(),
                       "minutes_sha256": minutes.sha256})
    return record


def handover_to_dict(agreement: Agreement) -> list[dict]:
    """Each premises of the agreement with its hand-over, or None while not recorded."""
    by_number = {h.number: h for h in agreement.handovers}
    out = []
    for n, premises in enumerate(agreement.premises or [], start=1):
        h = by_number.get(n)
        out.append({"number": n, "address": premises["address"], "handover": None if h is None else {
            "handed_over_on": h.handed_over_on.isoformat(), "condition": h.condition,
            "minutes": props.document_summary(h.minutes),
            "recorded_at": h.recorded_at.isoformat()}})
    return out


def on_start(ctx: Context) -> None:
    """Effect of `start`: the start date (the one given, else the agreement's); the premises handed over on the
    days their records say."""
    p = ctx.row
    agreement = agreement_of(p)
    agreement.started_on = ctx.params.get("start_date") or agreement.start_date
    if agreement.handovers:
        agreement.premises_handed_over_on = max(h.handed_over_on for h in agreement.handovers)
    notify_body(p, lambda: _("Progetto avviato: %(title)s", title=p.title),
                lambda: _("Il progetto «%(title)s» è avviato dal %(day)s. Il calendario delle relazioni periodiche "
                          "è nella pagina del progetto.", title=p.title, day=agreement.started_on.strftime("%d/%m/%Y")))


def body_next_step_finalized(p: Proposal, now) -> str | None:
    """The body's next step once the final project is approved: upload the signed copy, or wait for the record."""
    if _signed_copy(p) is not None:
        return _("La copia firmata della convenzione è caricata: l'amministrazione completerà le verifiche e "
                 "registrerà la convenzione sottoscritta.")
    return None


def admin_next_step_finalized(p: Proposal, now) -> str | None:
    if _signed_copy(p) is not None:
        return _("La copia firmata è caricata: completa le verifiche delle dichiarazioni e registra la convenzione "
                 "sottoscritta.")
    return None


def on_revoke(ctx: Context) -> None:
    ctx.row.outcome_reason = ctx.params["reason"]
