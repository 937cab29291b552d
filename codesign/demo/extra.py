"""The demo's calls: the worked example (deadline passed, proposals received, in admissibility), an open
copy that the demo applicants can answer, and an earlier edition carried through the whole second half
(ranking approved, co-design tables with meetings and versions, one table failed and the ranking scrolled,
agreements, three projects monitored: one completed, its reports with their receipts, its tranches paid and one
corrected by a reversal; one with a report returned and the last one late; one with a report waiting for review).
Everything goes through the service functions, with the clock set where the story needs it. Idempotent: a call
whose CUP exists is left alone."""
from __future__ import annotations

import copy
import datetime as dt
import io

import sqlalchemy as sa

from codesign.agreements import operations as agreements
from codesign.auth import operations as auth_ops
from codesign.auth.models import User
from codesign.core.validation import aware_datetime
from codesign.db import db
from codesign.evaluation import committee
from codesign.evaluation import operations as evaluation
from codesign.monitoring import operations as monitoring
from codesign.monitoring.workflow import workflow as report_workflow
from codesign.organizations.models import Membership, Organization
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals import operations as props
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.tables import operations as tables

OPEN_CALL_CUP = "B41H26000990006"
LIFECYCLE_CUP = "B41H25000120006"
A1_CUP, B2_CUP = "B41H25000130006", "B41H25000140006"   # each funded project its own CUP
A3_CUP, C1_CUP = "B41H25000150006", "B41H25000160006"
# A one-page PDF for the demo's signed copy (the upload checks the content, as for every attachment).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] "
            b"/Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _exists(cup: str) -> bool:
    return db.session.execute(sa.select(Procedure.id).where(Procedure.cup == cup)).first() is not None


def load(data: dict, accounts) -> None:
    admin = auth_ops.get_user_by_email("admin@comune.milano.example")
    call = data["call"]
    if not _exists(call["cup"]):
        _worked_example(data, admin)
    if not _exists(OPEN_CALL_CUP):
        open_call = copy.deepcopy(call)
        open_call.update({
            "title": "Quartieri Connessi 3 - portinerie sociali e animazione di comunità",
            "cup": OPEN_CALL_CUP,
            "act_ref": "Determina n. 1042 del 02/11/2026",
            "min_publication_days": 15,
            "submission_deadline": (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=45))
            .replace(hour=11, minute=0, second=0, microsecond=0).isoformat(),
        })
        proc = procs.create_procedure(admin, open_call)
        procedure_workflow.fire(proc, "publish", admin)
    if not _exists(LIFECYCLE_CUP):
        _whole_lifecycle(data, admin)


def _worked_example(data: dict, admin, call: dict | None = None):
    call = call or data["call"]
    deadline = aware_datetime(call["submission_deadline"])
    proc = procs.create_procedure(admin, call)
    procedure_workflow.fire(proc, "publish", admin, now=deadline - dt.timedelta(days=30))
    orgs = {o["ref"]: db.session.execute(sa.select(Organization).where(Organization.tax_code == o["tax_code"]))
            .scalar_one() for o in data["organizations"]}
    members = {}
    for i, o in enumerate(data["organizations"], start=1):
        members[o["ref"]] = auth_ops.get_user_by_email(f"ente{i}@terzosettore.example")
    declarations = {d["code"]: True for d in call["declarations"]}
    for k, p in enumerate(sorted(data["proposals"], key=lambda x: x["protocol_order"])):
        at = deadline - dt.timedelta(days=10) + dt.timedelta(hours=k)
        user = members[p["org"]]
        proposal = props.create_proposal(user, proc, {
            "organization_id": orgs[p["org"]].id, "lot": p["lot"], "title": p["title"],
            "summary": f"{p['title']}: attività nel quartiere per il lotto {p['lot']}.",
            "requested_amount": p["requested_amount"], "cofinancing_amount": p["cofinancing_amount"],
        }, now=at)
        proposal_workflow.fire(proposal, "submit", user, {"declarations": declarations}, now=at)
    procedure_workflow.fire(proc, "close", admin, now=deadline)
    procedure_workflow.fire(proc, "start_admissibility", admin, now=deadline + dt.timedelta(days=1))
    return proc


def _version(p, requested: str, cofinancing: str, summary: str) -> dict:
    return {"summary": summary, "requested_amount": requested, "cofinancing_amount": cofinancing,
            "activities": [{"title": "Apertura e accoglienza", "description": "Lo spazio aperto al quartiere",
                            "start_month": 1, "end_month": 24},
                           {"title": "Laboratori con gli inquilini", "description": "Ogni settimana",
                            "start_month": 3, "end_month": 20}],
            "budget_lines": [{"category": "personale", "funding_source": "FSE", "amount": requested},
                             {"category": "personale", "funding_source": "cofinancing", "amount": cofinancing}],
            "indicators": [{"code": "P1", "target": "300"}, {"code": "P3", "target": "1200"}]}


def _whole_lifecycle(data: dict, admin) -> None:
    """An earlier edition of the worked example, from the deadline to a started project."""
    call = copy.deepcopy(data["call"])
    call.update({"title": "Quartieri Connessi 1 - spazi di prossimità nei quartieri ERP", "cup": LIFECYCLE_CUP,
                 "act_ref": "Determina n. 2210 del 12/10/2023",
                 "submission_deadline": "2024-01-15T12:00:00+01:00"})
    proc = _worked_example(data, admin, call)
    deadline = aware_datetime(call["submission_deadline"])
    by_ref = {}
    for p in sorted(data["proposals"], key=lambda x: x["protocol_order"]):
        by_ref[p["ref"]] = next(x for x in props.list_visible(admin, proc, limit=1000)[0] if x.title == p["title"])
        if p["admissible"]:
            proposal_workflow.fire(by_ref[p["ref"]], "declare_admissible", admin, now=deadline + dt.timedelta(days=3))
        else:
            proposal_workflow.fire(by_ref[p["ref"]], "exclude", admin,
                                   {"reason": "manca la documentazione richiesta dall'avviso"},
                                   now=deadline + dt.timedelta(days=3))
    evaluators = [f"valutatore{i}@comune.milano.example" for i in range(1, len(data["evaluators"]) + 1)]
    committee.appoint(admin, proc, {"evaluators": evaluators})
    procedure_workflow.fire(proc, "start_evaluation", admin, now=deadline + dt.timedelta(days=5))
    for rv in data["reviews"]:
        user = auth_ops.get_user_by_email(evaluators[data["evaluators"].index(rv["evaluator"])])
        proposal = by_ref[rv["proposal"]]
        evaluation.declare_conflict(user, proposal, {"conflict": bool(rv.get("conflict")),
                                                     "note": "socio dell'ente" if rv.get("conflict") else None})
        if not rv.get("conflict"):
            evaluation.save_review(user, proposal, {"scores": rv["scores"], "final": True,
                                                    "reasons": {k: "Valutazione motivata nel verbale" for k in rv["scores"]}})
    procedure_workflow.fire(proc, "approve_ranking", admin, {"act_ref": "Determina n. 3301 del 20/03/2024"})
    procedure_workflow.fire(proc, "open_codesign", admin)
    amounts = {p["ref"]: (p["requested_amount"], p["cofinancing_amount"]) for p in data["proposals"]}
    # A1: two meetings (the second still to be held) and two versions; A2 renounces; the ranking scrolls
    a1 = by_ref["A1"]
    proposal_workflow.fire(a1, "start_codesign", admin)
    now = dt.datetime.now(dt.timezone.utc)
    tables.record_meeting(admin, a1, {"held_at": (now - dt.timedelta(days=20)).isoformat(),
                                      "place": "Palazzo Marino, sala Alessi",
                                      "participants": ["Giulia Rossi (Comune di Milano)", "Referente Il Portico"],
                                      "minutes": "Si condividono obiettivi e attività; l'ente presenterà una prima "
                                                 "versione del progetto entro due settimane."})
    tables.record_meeting(admin, a1, {"held_at": (now + dt.timedelta(days=7)).isoformat(),
                                      "place": "Via Odazio 9, Milano", "participants": []})
    tables.save_version(admin, a1, _version(a1, "95000.00", "8000.00", "Prima stesura del progetto"))
    tables.save_version(admin, a1, _version(a1, *amounts["A1"], "Versione concordata al tavolo"))
    proposal_workflow.fire(a1, "finalize", admin)
    proposal_workflow.fire(by_ref["A2"], "start_codesign", admin)
    proposal_workflow.fire(by_ref["A2"], "fail_codesign", admin, {"reason": "L'ente ha rinunciato al contributo"})
    procedure_workflow.fire(proc, "scroll_ranking", admin, {"lot": "A"})
    for ref in ("A3", "A4", "B2", "C1", "C2"):
        p = by_ref[ref]
        proposal_workflow.fire(p, "start_codesign", admin)
        tables.save_version(admin, p, _version(p, *amounts[ref], "Progetto definitivo"))
        proposal_workflow.fire(p, "finalize", admin)
    procedure_workflow.fire(proc, "close_codesign", admin)
    # A1's, C1's and A3's agreements signed and the projects started; B2's drafted, waiting for the body's signature
    terms = {"start_date": "2024-07-01", "premises": [{"address": "Via Odazio 9, Milano",
                                                       "description": "locale al piano terra, 120 mq"}],
             "tranches": [{"number": 1, "pct": "40", "after": "signature"},
                          {"number": 2, "pct": "40", "after": "report", "report_number": 2},
                          {"number": 3, "pct": "20", "after": "final"}],
             "declaration_checks": {"runts": True, "durc": True, "antimafia": None, "criminal_records": True}}
    starts = {"A1": (A1_CUP, "2024-07-01"), "C1": (C1_CUP, "2024-10-01"), "A3": (A3_CUP, "2025-01-01")}
    for ref, (cup, start) in starts.items():
        agreements.put_agreement(admin, by_ref[ref], terms | {"cup": cup, "start_date": start})
        props.add_attachment(admin, by_ref[ref], kind="signed_agreement", filename="convenzione-firmata.pdf",
                             stream=io.BytesIO(DEMO_PDF))
        proposal_workflow.fire(by_ref[ref], "sign_agreement", admin)
    agreements.put_agreement(admin, by_ref["B2"], terms | {"cup": B2_CUP})
    procedure_workflow.fire(proc, "start_implementation", admin)
    for ref, (cup, start) in starts.items():
        handed = dt.date.fromisoformat(start) - dt.timedelta(days=3)
        agreements.record_handover(admin, by_ref[ref], 1, {"handed_over_on": handed.isoformat(), "condition": (
            "Locale in buono stato, impianti a norma; consegnate tre copie delle chiavi. Da tinteggiare la sala "
            "piccola.")}, filename="verbale-consegna-via-odazio.pdf", stream=io.BytesIO(DEMO_PDF))
        proposal_workflow.fire(by_ref[ref], "start", admin, {"start_date": start})
    _monitoring(admin, by_ref)


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+01:00")


def _body_user(proposal):
    return db.session.execute(sa.select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.organization_id == proposal.organization_id)).scalars().first()


def _report(admin, report, day: str, values: tuple[str, str], *, spent: str, outcome: str = "approved",
            reason: str | None = None) -> None:
    """The body writes the report (expenses with a receipt each) and submits it on `day`; the administration then
    approves it, returns it with `reason`, or has not looked at it yet (`outcome` "submitted")."""
    body = _body_user(report.proposal)
    when = _at(day)
    content = {"narrative": f"Nel periodo lo spazio è stato aperto cinque giorni su sette; {values[0]} persone hanno "
                            "partecipato alle attività, tra cui laboratori settimanali con gli inquilini.",
               "indicators": {"P1": values[0], "P3": values[1]},
               "expenses": [{"category": "personale", "funding_source": "FSE", "amount": spent,
                             "description": "educatori e coordinamento"},
                            {"category": "personale", "funding_source": "cofinancing", "amount": "2000.00",
                             "description": "ore dei volontari valorizzate"}],
               "cofinancing_amount": "2000.00"}
    if report.final:
        content["sustainability"] = ("Lo spazio resta aperto con fondi propri dell'ente e una convenzione con il "
                                     "Municipio per l'uso dei locali.")
    monitoring.save_report(body, report, content, now=when)
    for n, name in ((1, "fattura-educatori"), (2, "registro-volontari")):
        monitoring.add_receipt(body, report, n, filename=f"{name}-relazione-{report.number}.pdf",
                               stream=io.BytesIO(DEMO_PDF), now=when)
    report_workflow.fire(report, "submit", body, now=when)
    if outcome == "returned":
        report_workflow.fire(report, "return", admin, {"reason": reason}, now=when + dt.timedelta(days=7))
    elif outcome == "approved":
        report_workflow.fire(report, "approve", admin, now=when + dt.timedelta(days=8))


def _pay(admin, proposal, tranche: int, day: str, reference: str):
    return monitoring.record_payment(admin, proposal, {"tranche_number": tranche, "paid_on": day,
                                                       "reference": reference}, now=_at(day))


def _monitoring(admin, by_ref) -> None:
    """A1 to completed: each report with its receipts (the first returned once and corrected), the three tranches
    paid, the first corrected by a reversal. C1: two reports approved, the third returned, the final one late. A3:
    the first report approved, the second waiting for review, the third late, the fourth not due yet."""
    a1, c1, a3 = by_ref["A1"], by_ref["C1"], by_ref["A3"]
    first = _pay(admin, a1, 1, "2024-07-15", "Mandato n. 4512/2024")
    monitoring.reverse_payment(admin, first.id, {
        "amount": "450.00", "reason": "Importo eccedente per un errore di calcolo della tranche",
        "reference": "Reversale n. 88/2024", "reversed_on": "2024-09-02"}, now=_at("2024-09-02"))
    r1, r2, r3, r4 = monitoring.reports(admin, a1)[0]
    _report(admin, r1, "2025-01-20", ("70", "280"), spent="19000.00", outcome="returned",
            reason="Manca il registro delle presenze di dicembre: allegalo e presenta di nuovo la relazione.")
    monitoring.save_report(_body_user(a1), r1, {"narrative": r1.narrative + " Allegato il registro di dicembre.",
                                                "indicators": r1.indicators, "expenses": r1.expenses,
                                                "cofinancing_amount": str(r1.cofinancing_amount)}, now=_at("2025-02-03"))
    report_workflow.fire(r1, "submit", _body_user(a1), now=_at("2025-02-03"))
    report_workflow.fire(r1, "approve", admin, now=_at("2025-02-10"))
    _report(admin, r2, "2025-07-20", ("150", "600"), spent="23000.00")
    _pay(admin, a1, 2, "2025-08-05", "Mandato n. 3120/2025")
    _report(admin, r3, "2026-01-25", ("230", "900"), spent="22000.00")
    _report(admin, r4, "2026-07-25", ("310", "1180"), spent="21500.00")
    _pay(admin, a1, 3, "2026-08-20", "Mandato n. 2987/2026")
    proposal_workflow.fire(a1, "complete", admin)

    _pay(admin, c1, 1, "2024-10-15", "Mandato n. 5120/2024")
    r1, r2, r3, _r4 = monitoring.reports(admin, c1)[0]
    _report(admin, r1, "2025-04-22", ("60", "250"), spent="15000.00")
    _report(admin, r2, "2025-10-24", ("130", "560"), spent="17000.00")
    _pay(admin, c1, 2, "2025-11-10", "Mandato n. 4033/2025")
    _report(admin, r3, "2026-04-28", ("190", "820"), spent="16000.00", outcome="returned",
            reason="Le spese di aprile superano il preventivo del laboratorio: spiega la differenza.")

    _pay(admin, a3, 1, "2025-01-20", "Mandato n. 0211/2025")
    r1, r2, _r3, _r4 = monitoring.reports(admin, a3)[0]
    _report(admin, r1, "2025-07-18", ("80", "300"), spent="18000.00")
    _report(admin, r2, "2026-01-26", ("170", "640"), spent="19500.00", outcome="submitted")
