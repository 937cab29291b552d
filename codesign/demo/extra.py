"""The demo's calls: the worked example (deadline passed, proposals received, in admissibility), an open
copy that the demo applicants can answer, and an earlier edition carried through the whole second half
(ranking approved, co-design tables with meetings and versions, one table failed and the ranking scrolled,
agreements, a project started with its reporting calendar). Everything goes through the service
functions, with the clock set where the story needs it. Idempotent: a call whose CUP exists is left alone."""
from __future__ import annotations

import copy
import datetime as dt
import io

import sqlalchemy as sa

from codesign.agreements import operations as agreements
from codesign.auth import operations as auth_ops
from codesign.core.validation import aware_datetime
from codesign.db import db
from codesign.evaluation import committee
from codesign.evaluation import operations as evaluation
from codesign.organizations.models import Organization
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.proposals import operations as props
from codesign.tables import operations as tables

OPEN_CALL_CUP = "B41H26000990006"
LIFECYCLE_CUP = "B41H25000120006"
A1_CUP, B2_CUP = "B41H25000130006", "B41H25000140006"   # each funded project its own CUP
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
        procs.fire(admin, proc, "publish")
    if not _exists(LIFECYCLE_CUP):
        _whole_lifecycle(data, admin)


def _worked_example(data: dict, admin, call: dict | None = None):
    call = call or data["call"]
    deadline = aware_datetime(call["submission_deadline"])
    proc = procs.create_procedure(admin, call)
    procs.fire(admin, proc, "publish", now=deadline - dt.timedelta(days=30))
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
        props.fire(user, proposal, "submit", now=at, params={"declarations": declarations})
    procs.fire(admin, proc, "close", now=deadline)
    procs.fire(admin, proc, "start_admissibility", now=deadline + dt.timedelta(days=1))
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
                 "act_ref": "Determina n. 2210 del 12/02/2025",
                 "submission_deadline": "2025-04-15T12:00:00+02:00"})
    proc = _worked_example(data, admin, call)
    deadline = aware_datetime(call["submission_deadline"])
    by_ref = {}
    for p in sorted(data["proposals"], key=lambda x: x["protocol_order"]):
        by_ref[p["ref"]] = next(x for x in props.list_visible(admin, proc, limit=1000)[0] if x.title == p["title"])
        if p["admissible"]:
            props.fire(admin, by_ref[p["ref"]], "declare_admissible", now=deadline + dt.timedelta(days=3))
        else:
            props.fire(admin, by_ref[p["ref"]], "exclude", now=deadline + dt.timedelta(days=3),
                       params={"reason": "manca la documentazione richiesta dall'avviso"})
    evaluators = [f"valutatore{i}@comune.milano.example" for i in range(1, len(data["evaluators"]) + 1)]
    committee.appoint(admin, proc, evaluators, [])
    procs.fire(admin, proc, "start_evaluation", now=deadline + dt.timedelta(days=5))
    for rv in data["reviews"]:
        user = auth_ops.get_user_by_email(evaluators[data["evaluators"].index(rv["evaluator"])])
        proposal = by_ref[rv["proposal"]]
        evaluation.declare_conflict(user, proposal, {"conflict": bool(rv.get("conflict")),
                                                     "note": "socio dell'ente" if rv.get("conflict") else None})
        if not rv.get("conflict"):
            evaluation.save_review(user, proposal, {"scores": rv["scores"], "final": True,
                                                    "reasons": {k: "Valutazione motivata nel verbale" for k in rv["scores"]}})
    procs.fire(admin, proc, "approve_ranking", act_ref="Determina n. 3301 del 20/06/2025")
    procs.fire(admin, proc, "open_codesign")
    amounts = {p["ref"]: (p["requested_amount"], p["cofinancing_amount"]) for p in data["proposals"]}
    # A1: two meetings (the second still to be held) and two versions; A2 renounces; the ranking scrolls
    a1 = by_ref["A1"]
    props.fire(admin, a1, "start_codesign")
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
    props.fire(admin, a1, "finalize")
    props.fire(admin, by_ref["A2"], "start_codesign")
    props.fire(admin, by_ref["A2"], "fail_codesign", params={"reason": "L'ente ha rinunciato al contributo"})
    procs.fire(admin, proc, "scroll_ranking", lot="A")
    for ref in ("A3", "A4", "B2", "C1", "C2"):
        p = by_ref[ref]
        props.fire(admin, p, "start_codesign")
        tables.save_version(admin, p, _version(p, *amounts[ref], "Progetto definitivo"))
        props.fire(admin, p, "finalize")
    procs.fire(admin, proc, "close_codesign")
    # A1's agreement, signed and started; B2's drafted, waiting for the body's signature
    terms = {"start_date": "2025-10-01", "premises": [{"address": "Via Odazio 9, Milano",
                                                       "description": "locale al piano terra, 120 mq"}],
             "tranches": [{"number": 1, "pct": "40", "after": "signature"},
                          {"number": 2, "pct": "40", "after": "report", "report_number": 2},
                          {"number": 3, "pct": "20", "after": "final"}],
             "declaration_checks": {"runts": True, "durc": True, "antimafia": None, "criminal_records": True}}
    agreements.put_agreement(admin, a1, terms | {"cup": A1_CUP})
    props.add_attachment(admin, a1, kind="signed_agreement", filename="convenzione-firmata.pdf",
                         stream=io.BytesIO(DEMO_PDF))
    props.fire(admin, a1, "sign_agreement")
    agreements.put_agreement(admin, by_ref["B2"], terms | {"cup": B2_CUP})
    procs.fire(admin, proc, "start_implementation")
    agreements.record_handover(admin, a1, 1, {"handed_over_on": "2025-09-29", "condition": (
        "Locale in buono stato, impianti a norma; consegnate tre copie delle chiavi. Da tinteggiare la sala piccola.")},
        filename="verbale-consegna-via-odazio.pdf", stream=io.BytesIO(DEMO_PDF))
    props.fire(admin, a1, "start", params={"start_date": "2025-10-01"})
