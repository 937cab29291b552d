"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

The document is built from two sources, so that it stays true:

- `catalogue()`: the description of every endpoint of API.md (and the few extra ones: `/me`,
  `/organizations/{id}`, this document), keyed by method and path shape;
- the application's URL map: the document lists exactly the operations registered under
  /api/v1 that the catalogue describes, with their path parameters taken from the routes
  themselves (`<int:procedure_id>` → `{procedure_id}`, an integer).

A route registered without a catalogue entry is missing from the document, and
tests/api/test_openapi.py fails naming it: add its entry to `catalogue()`. Entries whose route is
not registered (yet) are left out, so the document never describes an endpoint that does not
exist. Enumerations that come from the state machines (states, triggers, the parameters each
trigger needs) are read from the machines' tables.
"""
from __future__ import annotations

import copy
import re

from flask import current_app, jsonify

from codesign.agreements.schemas import AgreementIn
from codesign.api import MAX_LIMIT, bp
from codesign.core.schemas import INT_MAX, NO_NUL
from codesign.core.search import MAX_LENGTH
from codesign.evaluation.operations import NOTICE_EVENTS
from codesign.evaluation.schemas import CommitteeIn, ConflictIn, ReviewIn
from codesign.monitoring.schemas import MAX_RECEIPTS, PaymentIn, ReportIn, ReversalIn
from codesign.monitoring.workflow import workflow as report_workflow
from codesign.observatory.models import STATES as PROJECT_STATES
from codesign.observatory.schemas import ProjectIn, ProjectPatch, UpdateIn
from codesign.practices.schemas import GoodPracticeIn
from codesign.opportunities.models import APPLICANTS, FUNDER_LEVELS
from codesign.opportunities.schemas import ApplicationIn, NoticeIn, OpportunityIn
from codesign.opportunities.workflow import workflow as application_workflow
from codesign.organizations.schemas import InviteIn, JoinRequestIn, MemberPatch, OrganizationIn, OrganizationPatch
from codesign.procedures.schemas import AnswerIn, ClarificationIn, ErratumIn, ProcedureCreate, ProcedurePatch, QuestionIn
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals.operations import SORTS
from codesign.proposals.schemas import ProposalCreate, ProposalPatch
from codesign.proposals.workflow import workflow as proposal_workflow
from codesign.tables.schemas import MeetingIn, MeetingPatch, VersionIn
from codesign.transparency.operations import PUBLIC_STATES

# Bodies declared once as pydantic models (core/schemas.py): their JSON Schemas are the document's, so the
# two cannot drift. The responses' schemas below are still written by hand.
DECLARED = (ProcedureCreate, ProcedurePatch, QuestionIn, ClarificationIn, AnswerIn, ErratumIn,
            ProposalCreate, ProposalPatch, CommitteeIn, ConflictIn, ReviewIn,
            MeetingIn, MeetingPatch, VersionIn, AgreementIn, ReportIn, PaymentIn, ReversalIn, ProjectIn, ProjectPatch,
            UpdateIn, GoodPracticeIn,
            OpportunityIn, ApplicationIn, NoticeIn, OrganizationIn, OrganizationPatch, JoinRequestIn, MemberPatch,
            InviteIn)

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
JSON = "application/json"


# --- schema helpers ------------------------------------------------------------------------------------------
def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    if set(schema) == {"type"} and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, required=(), *, closed: bool = False, description: str | None = None) -> dict:
    out: dict = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    if description:
        out["description"] = description
    return out


def array(items: dict, description: str | None = None) -> dict:
    out = {"type": "array", "items": items}
    if description:
        out["description"] = description
    return out


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
EMAIL = {"type": "string", "format": "email"}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
MONEY = ref("Money")
DECIMAL = ref("Decimal")


def _states_and_triggers(entity: str) -> tuple[list[str], list[str], str]:
    """States, triggers and a description of the triggers, read from the machine's table."""
    workflow = procedure_workflow if entity == "procedure" else proposal_workflow
    rows = []
    for t in workflow.table:
        needs = f"; richiede {', '.join(t.needs)}" if t.needs else ""
        rows.append(f"- `{t.trigger}`: da {', '.join(t.sources)} a {t.dest} ({', '.join(sorted(t.who))}{needs})")
    return list(workflow.states), workflow.triggers(), "\n".join(rows)


NOT_BLANK = "^[^\\u0000]*\\S[^\\u0000]*$"


def transition_requests(workflow) -> dict:
    """One variant per trigger a caller may fire: `trigger` and the parameters its row declares (the
    `needs` required and not blank), nothing else."""
    variants = []
    for trigger in workflow.triggers():
        rows = workflow.by_trigger[trigger]
        if all(t.who <= {"cascade"} for t in rows):
            continue  # moved by another machine's transition, never by a caller
        declared = workflow.params_model(trigger).model_json_schema(ref_template="#/components/schemas/{model}")
        needs = sorted({n for t in rows for n in t.needs})
        props = {"trigger": {"const": trigger}}
        for name, schema in declared.get("properties", {}).items():
            schema = dict(schema)
            schema.pop("default", None)
            if name in needs:
                branch = next((b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"), schema)
                schema = {**branch, "pattern": NOT_BLANK}
            props[name] = schema
        label = rows[0].label or trigger
        variants.append({"type": "object", "title": trigger, "description": label, "properties": props,
                         "required": ["trigger", *needs], "additionalProperties": False})
    return {"oneOf": variants}


def schemas() -> dict:
    proc_states, proc_triggers, _ = _states_and_triggers("procedure")
    prop_states, prop_triggers, _ = _states_and_triggers("proposal")
    s: dict = {}
    s["Decimal"] = {"type": "string", "pattern": DECIMAL_PATTERN,
                    "description": "Numero decimale in notazione semplice, come stringa (punti, coefficienti, "
                                   "percentuali)", "examples": ["0.8", "60.00"]}
    s["Money"] = {"type": "string", "pattern": DECIMAL_PATTERN,
                  "description": "Importo in euro, come stringa in notazione decimale", "examples": ["516500.00"]}
    s["Error"] = obj({"error": obj({
        "code": {"type": "string", "examples": ["bad_request", "unauthorized", "forbidden", "not_found",
                                                "illegal_transition", "guard_failed", "conflict", "too_large",
                                                "invalid"]},
        "message": STRING,
        "fields": {"type": "object", "additionalProperties": STRING,
                   "description": "Un messaggio per ogni campo non valido (422), con il suo percorso nel corpo "
                                  "(`lots.0.budget`: il budget del primo lotto)"},
        "reasons": array(STRING, "Ogni condizione non soddisfatta (409 guard_failed)"),
    }, ["code", "message"])}, ["error"])
    s["Me"] = obj({
        "id": INTEGER, "email": EMAIL, "name": STRING,
        "email_verified": {"type": "boolean", "description": "l'indirizzo è confermato (serve per inviare proposte)"},
        "locale": {"type": "string", "enum": ["it", "en"],
                   "description": "la lingua del sito e delle e-mail della persona (si sceglie dal sito)"},
        "roles": array({"type": "string", "enum": ["admin", "evaluator", "applicant"]}),
        "organizations": array(obj({"id": INTEGER, "role": STRING, "name": STRING}, ["id", "role", "name"])),
    }, ["id", "email", "name", "email_verified", "locale", "roles", "organizations"])
    s["Notification"] = obj({
        "id": INTEGER, "subject": STRING, "body": STRING, "link": nullable(STRING), "created_at": DATETIME,
        "read_at": nullable(DATETIME),
    }, ["id", "subject", "body", "link", "created_at", "read_at"])
    s["Organization"] = obj({
        "id": INTEGER, "name": STRING, "kind": {"type": "string", "enum": ["ets", "pa", "other"]},
        "tax_code": nullable(STRING), "runts_id": nullable(STRING), "pec": nullable(STRING),
        "municipality": nullable(STRING), "legal_form": nullable(STRING), "address": nullable(STRING),
    }, ["id", "name", "kind", "tax_code", "runts_id", "pec", "municipality", "legal_form", "address"])
    s["Member"] = obj({
        "user_id": INTEGER, "name": STRING, "email": EMAIL,
        "position": {"type": "string", "enum": ["legal_representative", "member"]}, "since": DATETIME,
    }, ["user_id", "name", "email", "position", "since"])
    s["JoinRequest"] = obj({
        "id": INTEGER, "organization_id": INTEGER, "organization": STRING, "user_id": INTEGER, "name": STRING,
        "email": EMAIL, "state": {"type": "string", "enum": ["pending", "approved", "refused"]},
        "message": nullable(STRING), "created_at": DATETIME, "decided_at": nullable(DATETIME),
    }, ["id", "organization_id", "organization", "user_id", "name", "email", "state", "message", "created_at",
        "decided_at"])

    # calls
    funding = obj({"code": STRING, "share_pct": DECIMAL}, ["code", "share_pct"])
    declaration = obj({"code": STRING, "text": STRING}, ["code", "text"])
    attachment_kind = obj({"kind": STRING, "title": STRING}, ["kind", "title"])
    indicator = obj({"code": STRING, "title": STRING, "unit": nullable(STRING)}, ["code", "title"])
    lot = obj({"code": STRING, "title": STRING, "budget": MONEY}, ["code", "title", "budget"])
    criterion = obj({"code": STRING, "title": STRING, "max_points": DECIMAL, "min_points": nullable(DECIMAL)},
                    ["code", "title", "max_points"])
    s["Procedure"] = obj({
        "id": INTEGER,
        "state": {"type": "string", "enum": proc_states},
        "state_label": STRING,
        "allowed_triggers": array({"type": "string", "enum": proc_triggers},
                                  "Le operazioni che il chiamante può eseguire ora, nell'ordine della tabella"),
        "title": STRING, "programme": nullable(STRING), "administration": STRING, "administration_id": INTEGER,
        "cup": nullable(STRING), "rup": nullable(STRING), "office": nullable(STRING), "act_ref": nullable(STRING),
        "contact_email": nullable(EMAIL), "contact_phone": nullable(STRING), "questions_until": nullable(DATETIME),
        "question_deadline": nullable({**DATETIME, "description": "fino a quando si ricevono le domande: "
                                                                  "`questions_until`, o cinque giorni prima della "
                                                                  "scadenza"}),
        "min_publication_days": nullable(INTEGER), "budget_total": nullable(MONEY),
        "funding_sources": array(funding), "cofinancing_min_pct": nullable(DECIMAL),
        "submission_deadline": nullable(DATETIME),
        "codesign_months": nullable(INTEGER), "startup_months": nullable(INTEGER),
        "monitoring_months": nullable(INTEGER), "reporting_every_months": nullable(INTEGER),
        "scoring": nullable({"type": "string", "enum": ["points", "coefficients"]}), "rescale": BOOLEAN,
        "threshold": nullable(DECIMAL), "tie_break_criterion": nullable(STRING),
        "declarations": array(declaration), "required_attachments": array(attachment_kind),
        "indicators": array(indicator), "lots": array(lot), "criteria": array(criterion),
        "published_at": nullable(DATETIME), "cancel_reason": nullable(STRING),
    })
    s["Procedure"]["required"] = list(s["Procedure"]["properties"])  # to_dict writes every key, null when unset

    # transitions
    # each trigger's parameters, from the machine tables (declared once, on the transition's row)
    s["ProcedureTransitionRequest"] = transition_requests(procedure_workflow)
    s["ProposalTransitionRequest"] = transition_requests(proposal_workflow)
    s["ApplicationTransitionRequest"] = transition_requests(application_workflow)
    s["ReportTransitionRequest"] = transition_requests(report_workflow)

    # proposals
    partner = obj({"name": STRING, "tax_code": STRING, "role": STRING}, ["name", "tax_code"])
    s["Attachment"] = obj({"id": INTEGER, "kind": STRING, "name": STRING, "size": {"type": "integer", "minimum": 1},
                           "sha256": SHA256}, ["id", "name", "size", "sha256"])
    s["CallDocumentUpload"] = obj({
        "kind": {"type": "string", "enum": ["call", "annex", "form", "act"],
                 "description": "call l'avviso, annex un allegato, form un modulo, act un atto di approvazione"},
        "title": {"type": "string", "maxLength": 300},
        "file": {"type": "string", "contentMediaType": "application/pdf", "description": "il documento (PDF)"},
    }, ["kind", "title", "file"])
    s["CallDocument"] = obj({
        "id": INTEGER, "kind": {"type": "string", "enum": ["call", "annex", "form", "act"]}, "title": STRING,
        "name": STRING, "size": INTEGER, "sha256": SHA256, "uploaded_at": DATETIME,
        "url": {"type": "string", "description": "dove si scarica (pagina pubblica dell'avviso)"},
    }, ["id", "kind", "title", "name", "size", "sha256", "uploaded_at", "url"])
    s["CallQuestion"] = obj({
        "id": INTEGER, "question": STRING, "asked_at": DATETIME, "answer": nullable(STRING),
        "answered_at": nullable({**DATETIME, "description": "la data del chiarimento pubblicato"}),
        "asked_by_id": {**INTEGER, "description": "solo per l'amministrazione dell'avviso; null per un "
                                                  "chiarimento pubblicato d'ufficio"},
    }, ["id", "question", "asked_at", "answer", "answered_at"])
    s["CallNotice"] = obj({
        "id": INTEGER, "kind": {"type": "string", "enum": ["erratum", "extension"],
                                "description": "una rettifica, o la proroga della scadenza"},
        "published_at": DATETIME, "title": nullable(STRING), "text": nullable(STRING),
        "previous_deadline": nullable({**DATETIME, "description": "la scadenza prima della proroga"}),
        "new_deadline": nullable({**DATETIME, "description": "la scadenza dopo la proroga"}),
    }, ["id", "kind", "published_at", "title", "text", "previous_deadline", "new_deadline"])
    s["MessageUpload"] = obj({
        "text": {"type": "string", "maxLength": 5000, "description": "il messaggio"},
        "file": {"type": "string", "contentMediaType": "application/pdf", "description": "un documento PDF (facoltativo)"},
    }, ["text"])
    s["ProposalMessage"] = obj({
        "id": INTEGER, "proposal_id": INTEGER, "side": {"type": "string", "enum": ["body", "admin"]},
        "author": STRING, "text": STRING, "created_at": DATETIME, "attachment": nullable(ref("Attachment")),
    }, ["id", "proposal_id", "side", "author", "text", "created_at", "attachment"])
    s["ThreadEntry"] = obj({
        "type": {"type": "string", "enum": ["message", "integration_request", "integration_answer"]},
        "at": DATETIME, "side": {"type": "string", "enum": ["body", "admin"]}, "author": nullable(STRING),
        "text": STRING, "due": nullable(DATE), "attachments": array(ref("Attachment")),
    }, ["type", "at", "side", "author", "text", "due", "attachments"])
    s["AttachmentUpload"] = obj({
        "file": {"type": "string", "contentMediaType": "application/pdf", "description": "un documento PDF"},
        "kind": {"type": "string", "description": "il tipo di allegato (uno di `required_attachments` "
                                                  "dell'avviso, o `signed_agreement`)"},
    }, ["file", "kind"])
    s["Proposal"] = obj({
        "id": INTEGER, "procedure_id": INTEGER, "organization_id": INTEGER, "organization": STRING,
        "state": {"type": "string", "enum": prop_states}, "state_label": STRING,
        "allowed_triggers": array({"type": "string", "enum": prop_triggers}),
        "lot": STRING, "title": STRING, "summary": nullable(STRING),
        "requested_amount": MONEY, "cofinancing_amount": MONEY,
        "partners": array(partner),
        "protocol_number": nullable({"type": "integer", "minimum": 1,
                                     "description": "numero progressivo di ricezione, per avviso"}),
        "submitted_at": nullable(DATETIME), "content_sha256": nullable(SHA256),
        "declarations": {"type": "object", "additionalProperties": BOOLEAN},
        "attachments": array(ref("Attachment")),
        "integration_request": nullable(obj({"reason": STRING, "due": DATE}, ["reason", "due"])),
        "outcome_reason": nullable(STRING),
        "conflict_declared": {"type": "boolean", "description": "solo per i valutatori: se hanno già dichiarato "
                                                                "sul conflitto di interessi"},
    }, ["id", "procedure_id", "organization_id", "organization", "state", "state_label", "allowed_triggers", "lot",
        "title", "summary", "partners", "protocol_number"], description=(
        "Un valutatore che non ha ancora dichiarato sul conflitto di interessi vede solo i campi obbligatori "
        "(titolo, ente, partner…) e `conflict_declared: false`; gli altri chiamanti vedono tutti i campi."))

    # committee, conflicts, reviews, ranking
    s["Committee"] = obj({"evaluators": array(EMAIL), "substitutes": array(EMAIL)}, ["evaluators"], description=(
        "Un numero dispari di membri, almeno 3 (altrimenti 422); i supplenti sono facoltativi."))
    s["ConflictDeclaration"] = obj({"proposal_id": {"type": "integer", "readOnly": True}, "conflict": BOOLEAN,
                                    "note": nullable(STRING)}, ["conflict"],
                                   description="`note` è obbligatoria quando `conflict` è true (422).")
    s["Review"] = obj({
        "proposal_id": {"type": "integer", "readOnly": True},
        "scores": {"type": "object", "additionalProperties": DECIMAL,
                   "description": "per codice di criterio: punti (0..max_points) o coefficiente (0..1)"},
        "reasons": {"type": "object", "additionalProperties": STRING},
        "final": BOOLEAN,
    }, ["scores"], description="Una valutazione finale è bloccata: cambiarla dà 409.")
    s["RankingEntry"] = obj({
        "proposal_id": INTEGER, "rank": {"type": "integer", "minimum": 1}, "total": DECIMAL,
        "criteria": {"type": "object", "additionalProperties": DECIMAL},
        "outcome": {"type": "string", "enum": ["admitted", "reserve", "below_threshold"]},
        "title": STRING, "organization": STRING,
    }, ["proposal_id", "rank", "total", "criteria", "outcome", "title", "organization"])
    s["Ranking"] = obj({"lots": {"type": "object", "additionalProperties": obj(
        {"budget_left": MONEY, "ranking": array(ref("RankingEntry"))}, ["budget_left", "ranking"])},
        "notices": array(obj({"date": DATE, "proposal_id": INTEGER,
                              "event": {"type": "string", "enum": list(NOTICE_EVENTS.values())},
                              "reason": STRING}, ["date", "proposal_id", "event"]),
                         "dopo l'approvazione: ciò che è accaduto alla graduatoria, in ordine di data")}, ["lots"])
    s["SignedReceipt"] = obj({
        "receipt": obj({"format": {"type": "string", "enum": ["codesign-receipt/1"]}, "administration": STRING,
                        "procedure": {"type": "object"}, "organization": {"type": "object"},
                        "proposal": {"type": "object"}, "protocol_number": INTEGER, "submitted_at": STRING,
                        "content_sha256": STRING, "attachments": array({"type": "object"}),
                        "declarations": array(STRING)}),
        "signature": obj({"alg": {"type": "string", "enum": ["Ed25519"]}, "key_id": STRING,
                          "value": {"type": "string", "description": "64 byte in esadecimale"}},
                         ["alg", "key_id", "value"]),
    }, ["receipt", "signature"], description="La firma copre `receipt` in JSON canonico compatto (chiavi ordinate, "
                                             "senza spazi, UTF-8); il file è in forma canonica con rientro di due spazi.")
    s["ReceiptKeys"] = obj({"algorithm": {"type": "string", "enum": ["Ed25519"]}, "keys": array(obj({
        "key_id": STRING, "public_key": {"type": "string", "description": "32 byte in esadecimale"},
        "status": {"type": "string", "enum": ["current", "retired"]}}, ["key_id", "public_key", "status"]))},
        ["algorithm", "keys"])
    s["RankingScores"] = obj({
        "format": {"type": "string", "enum": ["codesign-ranking-scores/1"]},
        "procedure": obj({"id": INTEGER, "title": STRING, "administration": STRING, "approved_at": STRING,
                          "act_ref": {"type": ["string", "null"]}}),
        "rules": obj({"scoring": {"type": "string", "enum": ["points", "coefficients"]}, "threshold": DECIMAL,
                      "rescale": {"type": "boolean"}, "tie_break_criterion": STRING,
                      "criteria": array(obj({"code": STRING, "max_points": DECIMAL,
                                             "min_points": {"type": ["string", "null"]}})),
                      "lots": array(obj({"code": STRING, "budget": MONEY}))}),
        "proposals": array(obj({
            "proposal_id": INTEGER, "protocol_number": INTEGER, "lot": STRING, "requested_amount": MONEY,
            "title": STRING, "organization": STRING,
            "reviews": array(obj({"evaluator": {"type": "string", "description": "pseudonimo: V1, V2, …"},
                                  "scores": {"type": "object", "additionalProperties": DECIMAL}}))})),
        "ranking": {"type": "object", "description": "la graduatoria come approvata, per lotto"},
    }, ["format", "procedure", "rules", "proposals", "ranking"],
        description="I punteggi anonimi da cui chiunque ricalcola la graduatoria (docs/transparency.md).")

    # co-design, agreement, reports, transparency
    for model in DECLARED:
        declared = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        for name, sub in declared.pop("$defs", {}).items():
            s[name] = sub
        s[model.__name__] = declared
    s["Meeting"] = obj({"id": INTEGER, "proposal_id": INTEGER, "held_at": DATETIME, "place": STRING,
                        "participants": array(STRING), "minutes": STRING},
                       ["id", "proposal_id", "held_at", "place", "participants", "minutes"])
    s["ProjectVersion"] = obj({
        "number": {"type": "integer", "minimum": 1}, "proposal_id": INTEGER, "summary": STRING,
        "activities": array({"type": "object"}), "budget_lines": array({"type": "object"}),
        "requested_amount": MONEY, "cofinancing_amount": MONEY, "indicators": array({"type": "object"}),
        "note": nullable(STRING), "created_at": DATETIME,
        "totals": obj({"budget_lines": MONEY, "cofinancing_lines": MONEY, "project": MONEY}),
    }, ["number", "proposal_id", "summary", "activities", "budget_lines", "requested_amount", "cofinancing_amount",
        "indicators"])
    rows = obj({"added": array({"type": "object"}), "removed": array({"type": "object"}),
                "changed": array({"type": "object"}), "unchanged": INTEGER})
    figure = obj({"from": MONEY, "to": MONEY, "difference": MONEY})
    s["VersionDiff"] = obj({
        "from": INTEGER, "to": INTEGER,
        "summary": obj({"from": STRING, "to": STRING, "changed": BOOLEAN}),
        "note": obj({"from": nullable(STRING), "to": nullable(STRING)}),
        "figures": obj({"requested_amount": figure, "cofinancing_amount": figure, "budget_lines_total": figure}),
        "activities": rows, "budget_lines": rows, "indicators": rows,
    }, ["from", "to", "summary", "figures", "activities", "budget_lines", "indicators"])
    s["Agreement"] = obj({
        "proposal_id": INTEGER, "version_number": INTEGER, "start_date": DATE, "end_date": nullable(DATE),
        "duration_months": nullable(INTEGER), "cup": nullable(STRING), "premises": array({"type": "object"}),
        "handovers": array(ref("PremisesHandover"), "ogni immobile della convenzione con la sua consegna (null finché "
                                                    "non è registrata: `start` la richiede per tutti)"),
        "tranches": array(obj({"number": INTEGER, "pct": DECIMAL, "after": STRING,
                               "report_number": nullable(INTEGER), "amount": MONEY})),
        "declaration_checks": {"type": "object"}, "contribution": MONEY, "cofinancing_amount": MONEY,
        "parties": {"type": "object"}, "object": STRING, "state": STRING, "signed_at": nullable(DATETIME),
        "started_on": nullable(DATE),
    }, ["proposal_id", "start_date", "tranches", "declaration_checks", "contribution"])
    s["Report"] = obj({
        "id": INTEGER, "number": {"type": "integer", "minimum": 1}, "period_start": DATE, "period_end": DATE,
        "due_on": DATE, "state": {"type": "string", "enum": ["due", "submitted", "approved", "returned"]},
        "late": BOOLEAN, "final": BOOLEAN, "proposal_id": INTEGER, "allowed_triggers": array(STRING),
        "narrative": STRING, "indicators": {"type": "object", "additionalProperties": DECIMAL},
        "expenses": array(obj({"category": STRING, "funding_source": STRING, "amount": MONEY, "description": STRING,
                               "receipts": array(ref("Receipt"))},
                              ["category", "funding_source", "amount", "receipts"])),
        "cofinancing_amount": nullable(MONEY),
        "sustainability": nullable(STRING), "submitted_at": nullable(DATETIME), "approved_at": nullable(DATETIME),
        "return_reason": nullable(STRING),
        "overspending": array(obj({"category": nullable(STRING), "funding_source": STRING, "budget": MONEY,
                                   "spent": MONEY}, ["category", "funding_source", "budget", "spent"]),
                              "dove la spesa (questa relazione e le precedenti già presentate o approvate) supera il budget "
                              "del progetto definitivo: per categoria, e per fonte (`category` null)"),
        "overspending_justification": nullable(STRING),
        "reminders": array(obj({"kind": {"type": "string", "enum": ["before", "due", "after"]},
                                "sent_at": DATETIME}, ["kind", "sent_at"]),
                           "i promemoria inviati all'ente: 15 giorni prima della scadenza, alla scadenza, 15 giorni dopo"),
    }, ["id", "number", "period_start", "period_end", "due_on", "state", "late"],
        description="Nel calendario senza contenuto; `GET`, `PUT` e le transizioni di una relazione lo includono.")
    s["PremisesHandover"] = obj({
        "number": INTEGER, "address": STRING,
        "handover": nullable(obj({"handed_over_on": DATE, "condition": STRING, "recorded_at": DATETIME,
                                  "minutes": obj({"id": INTEGER, "name": STRING, "size": INTEGER, "sha256": SHA256},
                                                 ["id", "name", "size", "sha256"])},
                                 ["handed_over_on", "condition", "minutes"]))}, ["number", "address", "handover"])
    s["HandoverUpload"] = obj({
        "handed_over_on": DATE, "condition": {"type": "string", "description": "lo stato dei locali alla consegna"},
        "file": {"type": "string", "format": "binary", "description": "il verbale di consegna firmato (PDF)"}},
        ["handed_over_on", "condition", "file"])
    s["Receipt"] = obj({"id": INTEGER, "name": STRING, "size": {"type": "integer", "minimum": 1},
                        "content_type": {"type": "string", "enum": ["application/pdf", "image/jpeg", "image/png",
                                                                    "image/webp"]},
                        "sha256": SHA256}, ["id", "name", "size", "content_type", "sha256"],
                       description="Un giustificativo di spesa; si scarica da `/allegati/{id}` (l'ente e l'amministrazione).")
    s["ReceiptUpload"] = obj({"file": {"type": "string", "format": "binary",
                                       "description": "un documento PDF o un'immagine JPEG, PNG o WebP"}}, ["file"])
    s["ReportSubmission"] = obj({"number": INTEGER, "submitted_at": DATETIME, "content": {"type": "object"},
                                 "changes": nullable({"type": "object"})}, ["number", "submitted_at", "content"])
    s["Payment"] = obj({"id": INTEGER, "proposal_id": INTEGER, "tranche_number": INTEGER, "amount": MONEY,
                        "paid_on": DATE, "reference": nullable(STRING), "recorded_at": DATETIME,
                        "net_amount": MONEY, "active": BOOLEAN,
                        "reversals": array(obj({"id": INTEGER, "amount": MONEY, "reason": STRING,
                                                "reference": nullable(STRING), "reversed_on": DATE,
                                                "recorded_at": DATETIME},
                                               ["id", "amount", "reason", "reversed_on"]),
                                           "gli storni (contropartite), mai cancellazioni")},
                       ["id", "proposal_id", "tranche_number", "amount", "paid_on"],
                       description="`net_amount`: l'importo meno gli storni; `active` falso quando è stornato per intero "
                                   "(la tranche si può allora pagare di nuovo).")
    s["MonitoringFigures"] = obj({
        "proposal_id": INTEGER, "title": STRING, "organization": STRING, "state": STRING, "budget": MONEY,
        "spent": MONEY, "granted": MONEY, "paid": MONEY, "by_source": array({"type": "object"}),
        "by_category": array({"type": "object"}), "indicators": array({"type": "object"}),
        "reports": {"type": "object"}, "tranches": array({"type": "object"}),
    }, ["proposal_id", "budget", "spent", "granted", "paid", "by_source", "indicators", "reports", "tranches"],
        description="Spese approvate rispetto al budget del progetto definitivo, indicatori rispetto al "
                    "target, relazioni in ritardo o da esaminare, tranche e pagamenti.")
    s["PublicProject"] = obj({
        "id": INTEGER, "origin": {"type": "string", "enum": ["procedure", "external"]},
        "cup": nullable(STRING), "title": STRING, "description": nullable(STRING),
        "procedure_id": nullable(INTEGER), "proposal_id": nullable(INTEGER), "programme": nullable(STRING),
        "theme": nullable(STRING), "municipality": nullable(STRING), "municipality_name": nullable(STRING),
        "municipio": nullable({"type": "integer", "minimum": 1, "maximum": 9, "description": "solo Milano"}),
        "nil": nullable({"type": "integer", "minimum": 1, "maximum": 88,
                         "description": "solo Milano: il quartiere (NIL) del PGT 2030"}),
        "nil_name": nullable(STRING),
        "beneficiary": obj({"name": nullable(STRING), "tax_code": nullable(STRING)}, ["name", "tax_code"]),
        "administration": nullable(STRING),
        "amount": nullable(MONEY), "cofinancing_amount": MONEY, "paid_amount": MONEY,
        "public_funding": nullable(MONEY), "other_funding": nullable(MONEY),
        "state": STRING, "progress_pct": nullable({"type": "integer", "minimum": 0, "maximum": 100}),
        "start_date": nullable(DATE), "end_date": nullable(DATE), "planned_start": nullable(DATE),
        "planned_end": nullable(DATE), "actual_start": nullable(DATE), "actual_end": nullable(DATE),
        "late": BOOLEAN, "stale": BOOLEAN, "good_practice": BOOLEAN, "last_update_on": nullable(DATE),
        "legal_basis": nullable(STRING), "rup": nullable(STRING), "office": nullable(STRING),
        "selection_method": nullable(STRING), "published_on": nullable(DATE),
        "indicators": array(obj({"code": STRING, "title": STRING, "target": nullable(DECIMAL),
                                 "achieved": nullable(DECIMAL)}, ["code", "title"])),
        "url": nullable({"type": "string", "format": "uri", "description": "la pagina pubblica del progetto"}),
    }, ["id", "origin", "cup", "title", "procedure_id", "beneficiary", "municipality", "municipality_name",
        "amount", "cofinancing_amount", "paid_amount", "state", "late", "stale", "good_practice"],
        description="Un progetto del catalogo, di una procedura di co-progettazione (`procedure`, dalla "
                    "sottoscrizione della convenzione) o finanziato altrove (`external`).")
    s["ProjectUpdate"] = obj({
        "id": INTEGER, "project_id": INTEGER, "kind": {"type": "string", "enum": ["create", "edit", "import",
                                                                                  "update"]},
        "date": DATE, "paid_amount": nullable(MONEY), "progress_pct": nullable(INTEGER),
        "state": nullable({"type": "string", "enum": list(PROJECT_STATES)}), "note": nullable(STRING),
        "created_at": DATETIME}, ["id", "project_id", "kind", "date"])
    s["ProjectImport"] = obj({"file": {
        "type": "string", "contentMediaType": "text/csv",
        "description": "CSV in UTF-8 con riga di intestazione: le colonne cup, title, programme, theme, municipality, "
                       "beneficiary_name, beneficiary_tax_code, public_funding, other_funding, paid_amount, "
                       "planned_start, planned_end, actual_start, actual_end, state, progress_pct (o quelle di "
                       "OpenCoesione per gli stessi campi)"}}, ["file"])
    s["PracticePhoto"] = obj({"id": INTEGER, "caption": STRING, "width": INTEGER, "height": INTEGER,
                              "url": nullable(STRING), "thumbnail_url": nullable(STRING)},
                             ["id", "caption", "width", "height", "url", "thumbnail_url"])
    s["PracticePhotoIn"] = obj({
        "file": {"type": "string", "contentMediaType": "image/*",
                 "description": "JPEG, PNG o WebP, al massimo 10 MB: ridimensionata e privata dei metadati"},
        "caption": {"type": "string", "maxLength": 300, "description": "che cosa mostra (testo alternativo)"}},
        ["file", "caption"])
    s["GoodPractice"] = obj({
        "project_id": INTEGER, "project": ref("PublicProject"), "what": STRING, "audience": STRING,
        "results": STRING, "reuse": STRING,
        "contact": obj({"name": STRING, "email": STRING, "phone": nullable(STRING)}, ["name", "email", "phone"]),
        "photos": array(ref("PracticePhoto")), "url": nullable(STRING), "updated_at": DATETIME},
        ["project_id", "project", "what", "audience", "results", "reuse", "contact", "photos", "url", "updated_at"])
    # PATCH: the fields of a new call, any of them (the merged call is checked as a new one)
    s["OpportunityPatch"] = {k: v for k, v in s["OpportunityIn"].items() if k != "required"} | {
        "title": "OpportunityPatch"}
    s["OpportunityImport"] = obj({"file": {"type": "string", "contentMediaType": "text/csv",
                                           "description": "il file CSV (UTF-8) dei bandi"}}, ["file"])
    s["ImportResult"] = obj({"created": {"type": "integer", "minimum": 0}, "updated": {"type": "integer", "minimum": 0}},
                            ["created", "updated"])
    s["Opportunity"] = obj({
        "id": INTEGER, "title": STRING, "funder_level": {"type": "string", "enum": list(FUNDER_LEVELS)},
        "funder": STRING, "programme": STRING, "link": STRING,
        "eligible": array({"type": "string", "enum": list(APPLICANTS)}), "themes": array(STRING),
        "territory": {"oneOf": [{"const": "all"}, array(STRING)]}, "budget": MONEY, "max_grant": nullable(MONEY),
        "cofinancing_min_pct": nullable(DECIMAL), "opens_on": DATE, "deadline": DATE, "open": BOOLEAN,
        "days_left": nullable(INTEGER),
        "match": obj({"themes": array(STRING), "eligible": array(STRING), "reasons": STRING},
                     ["themes", "eligible", "reasons"],
                     description="Con `?municipality=` o `?organization=`: perché il bando è adatto al comune o "
                                 "all'ente."),
        "following": {"type": "boolean", "description": "Un bando solo, chiamato con un token: se chi chiama lo segue."},
    }, ["id", "title", "funder_level", "funder", "programme", "link", "eligible", "themes", "territory", "budget",
        "opens_on", "deadline", "open"])
    party = obj({"municipality": STRING, "organization_id": INTEGER, "name": nullable(STRING)}, ["name"],
                description="un comune (codice ISTAT) o un ente registrato (identificativo), con il nome")
    s["Application"] = obj({
        "id": INTEGER, "opportunity_id": INTEGER, "title": STRING,
        "state": {"type": "string", "enum": list(application_workflow.states)}, "lead": party,
        "partners": array(party), "requested_amount": nullable(MONEY), "note": nullable(STRING),
        "project_id": {**nullable(INTEGER), "description": "il progetto esterno dell'osservatorio, se finanziata"},
        "created_at": DATETIME, "updated_at": DATETIME},
        ["id", "opportunity_id", "title", "state", "lead", "partners", "requested_amount", "note", "project_id",
         "created_at", "updated_at"])
    s["Notice"] = obj({"id": INTEGER, "opportunity_id": INTEGER, "party": party, "message": nullable(STRING),
                       "recipients": {"type": "integer", "minimum": 0,
                                      "description": "i messaggi accodati (le persone raggiunte)"},
                       "sent_at": DATETIME},
                      ["id", "opportunity_id", "party", "message", "recipients", "sent_at"])
    s["NoticeResult"] = obj({"told": array(ref("Notice")), "already_told": array(ref("Notice"))},
                            ["told", "already_told"])
    s["OpportunityFollow"] = obj({
        "opportunity": ref("Opportunity"), "following": BOOLEAN, "since": DATETIME,
        "reminded": obj({"15": nullable(DATETIME), "3": nullable(DATETIME)}, ["15", "3"],
                        description="Quando è partito il promemoria a 15 e a 3 giorni dalla scadenza.")},
        ["opportunity", "following", "since", "reminded"])
    s["CallOutcome"] = obj({
        "procedure_id": INTEGER, "state": STRING,
        "final": {"type": "boolean", "description": "vero quando l'avviso è `concluded`: le cifre sono definitive"},
        "concluded_at": nullable(DATETIME),
        "projects": obj({"funded": INTEGER, "agreement_signed": INTEGER, "started": INTEGER, "completed": INTEGER,
                         "revoked": INTEGER}, ["funded", "agreement_signed", "started", "completed", "revoked"]),
        "granted_amount": MONEY, "revoked_amount": MONEY, "paid_amount": MONEY,
        "indicators": array(obj({"code": STRING, "title": STRING, "unit": STRING, "target": DECIMAL,
                                 "achieved": nullable(DECIMAL), "pct": nullable(DECIMAL)},
                                ["code", "title", "unit", "target", "achieved", "pct"]))},
        ["procedure_id", "state", "final", "concluded_at", "projects", "granted_amount", "revoked_amount",
         "paid_amount", "indicators"])
    s["MunicipalityFigures"] = obj({"municipality": STRING, "name": STRING, "projects": INTEGER,
                                    "public_funding": MONEY, "paid_amount": MONEY},
                                   ["municipality", "name", "projects", "public_funding", "paid_amount"])
    spending = obj({"label": {"type": ["string", "null"]}, "projects": INTEGER, "public_funding": MONEY,
                    "paid_amount": MONEY}, ["label", "projects", "public_funding", "paid_amount"])
    flagged = obj({"count": INTEGER, "projects": array(ref("PublicProject"))}, ["count", "projects"])
    s["ObservatoryOverview"] = obj({
        "today": {"type": "string", "format": "date"},
        "totals": obj({"projects": INTEGER, "public_funding": MONEY, "paid_amount": MONEY}),
        "late": flagged, "stale": flagged,
        "by_programme": array(spending), "by_theme": array(spending)},
        ["today", "totals", "late", "stale", "by_programme", "by_theme"])
    for schema in s.values():
        _keys_without_nul(schema)
    return s


def _keys_without_nul(schema) -> None:
    """Every object of a body, at any depth, names its keys without a NUL, as core.schemas.check_json refuses one
    in any key: said once here for every schema of the document."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if node.get("type") == "object" or "additionalProperties" in node or "patternProperties" in node:
                node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": NO_NUL}
            stack.extend(v for k, v in node.items() if k != "propertyNames")


# --- components other than schemas ---------------------------------------------------------------------------
ERRORS = {
    400: ("BadRequest", "Richiesta malformata (JSON non valido, parametri di paginazione errati)"),
    401: ("Unauthorized", "Token assente (dove richiesto) o non valido"),
    403: ("Forbidden", "Il ruolo o l'appartenenza del chiamante non lo consentono"),
    404: ("NotFound", "Risorsa sconosciuta o non visibile al chiamante"),
    409: ("Conflict", "`illegal_transition` (non consentita nello stato attuale), `guard_failed` (il messaggio "
                      "e `reasons` nominano ogni condizione non soddisfatta) o `conflict`"),
    413: ("TooLarge", "File troppo grande"),
    422: ("Invalid", "`invalid`: dati non validi, con un messaggio per campo in `fields`"),
}


def components() -> dict:
    return {
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "Token emesso con `codesign tokens issue EMAIL`: `Authorization: Bearer <token>`"}},
        "schemas": schemas(),
        "responses": {name: {"description": text, "content": {JSON: {"schema": ref("Error")}}}
                      for name, text in ERRORS.values()},
        "headers": {"X-Total-Count": {"description": "Il numero totale di elementi (senza limit e offset)",
                                      "required": True, "schema": {"type": "integer", "minimum": 0}}},
        "parameters": {
            "limit": {"name": "limit", "in": "query", "required": False,
                      "schema": {"type": "integer", "minimum": 0, "maximum": INT_MAX, "default": 100},
                      "description": f"quanti elementi (al massimo {MAX_LIMIT}: un valore maggiore vale {MAX_LIMIT})"},
            "offset": {"name": "offset", "in": "query", "required": False,
                       "schema": {"type": "integer", "minimum": 0, "maximum": INT_MAX, "default": 0},
                       "description": "quanti elementi saltare"},
        },
    }


# --- operations ------------------------------------------------------------------------------------------------
PUBLIC = [{}, {"bearerAuth": []}]  # anonymous callers allowed (public data only), a token optional


def op(operation_id: str, summary: str, who: str, *, tag: str, status: int = 200, response: dict | None = None,
       body: dict | None = None, body_type: str = JSON, errors=(401,), public: bool = False, paged: bool = False,
       description: str = "", response_type: str = JSON) -> dict:
    out: dict = {"operationId": operation_id, "summary": summary, "tags": [tag],
                 "description": (f"Chi: {who}." + (f"\n\n{description}" if description else ""))}
    if public:
        out["security"] = PUBLIC
    if paged:
        out["parameters"] = [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}]
    if body is not None:
        out["requestBody"] = {"required": True, "content": {body_type: {"schema": body}}}
    ok: dict = {"description": {200: "OK", 201: "Creato", 204: "Fatto (nessun contenuto)"}.get(status, "OK")}
    if response is not None:
        ok["content"] = {response_type: {"schema": response}}
    if paged:
        ok["headers"] = {"X-Total-Count": {"$ref": "#/components/headers/X-Total-Count"}}
    responses = {str(status): ok}
    codes = set(errors) | {401}
    if body is not None or paged:
        codes.add(400)
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    out["responses"] = responses
    return out


WRITE = (400, 401, 403, 404, 409, 422)


def catalogue() -> dict[tuple[str, str], dict]:
    """(method, path with `{}` for each parameter) → the operation, for every endpoint of API.md."""
    _, _, proc_rows = _states_and_triggers("procedure")
    _, _, prop_rows = _states_and_triggers("proposal")
    c = {
        ("get", "/openapi.json"): op(
            "getOpenApi", "Questo documento (OpenAPI 3.1)", "chiunque", tag="meta", public=True,
            response={"type": "object"}),
        ("get", "/me"): op("getMe", "Chi sono", "qualunque utente autenticato", tag="meta", response=ref("Me")),
        ("get", "/notifications"): op(
            "listNotifications", "Le proprie notifiche, prima le non lette, poi dalla più recente",
            "qualunque utente autenticato", tag="meta", paged=True, response=array(ref("Notification")),
            description="Ogni notifica è stata anche inviata per e-mail; `link` è la pagina del sito dove agire."),
        ("post", "/notifications/{}/read"): op(
            "readNotification", "Segna come letta una propria notifica", "chi l'ha ricevuta", tag="meta",
            response=ref("Notification"), errors=(401, 404),
            description="Segnarla di nuovo non cambia nulla; la notifica di un altro non si trova (404)."),
        ("post", "/notifications/read"): op(
            "readAllNotifications", "Segna come lette tutte le proprie notifiche", "qualunque utente autenticato",
            tag="meta", response=obj({"read": INTEGER}, ["read"])),
        ("post", "/organizations"): op(
            "createOrganization", "Registra un ente", "applicant", tag="organizations", status=201,
            body=ref("OrganizationIn"), response=ref("Organization"), errors=(403, 422),
            description="Il chiamante diventa membro e legale rappresentante dell'ente. `tax_code` è validato; un "
                        "codice già registrato dà 422 (chi ne fa parte chiede di unirsi: `POST /join-requests`). "
                        "Le chiavi non previste sono ignorate."),
        ("patch", "/organizations/{}"): op(
            "updateOrganization", "Modifica i dati di un ente (non il codice fiscale)", "un legale rappresentante",
            tag="organizations", body=ref("OrganizationPatch"), response=ref("Organization"),
            errors=(400, 401, 403, 404, 422)),
        ("get", "/organizations/{}/members"): op(
            "listMembers", "I membri di un ente, prima i legali rappresentanti", "i membri dell'ente",
            tag="organizations", paged=True, response=array(ref("Member")), errors=(401, 404)),
        ("patch", "/organizations/{}/members/{}"): op(
            "updateMember", "Nomina un membro legale rappresentante, o lo riporta a membro", "un legale rappresentante",
            tag="organizations", body=ref("MemberPatch"), response=ref("Member"), errors=(400, 401, 403, 404, 409, 422),
            description="409 se l'ente resterebbe senza legale rappresentante."),
        ("delete", "/organizations/{}/members/{}"): op(
            "removeMember", "Lascia un ente, o ne rimuove un membro", "ogni membro per sé; un legale rappresentante "
            "per gli altri", tag="organizations", status=204, errors=(401, 403, 404, 409),
            description="409 per l'ultimo legale rappresentante."),
        ("get", "/organizations/{}/join-requests"): op(
            "listJoinRequests", "Le richieste di unirsi a un ente in attesa", "i membri dell'ente",
            tag="organizations", paged=True, response=array(ref("JoinRequest")), errors=(401, 404)),
        ("get", "/organizations/{}/admins"): op(
            "listAdmins", "Gli amministratori di un'amministrazione", "i suoi amministratori", tag="organizations",
            paged=True, response=array(ref("Member")), errors=(401, 404)),
        ("post", "/organizations/{}/admins"): op(
            "inviteAdmin", "Invita un collega a lavorare per la stessa amministrazione", "i suoi amministratori",
            tag="organizations", status=201, body=ref("InviteIn"), response=ref("Member"),
            errors=(400, 401, 404, 409, 422),
            description="Chi non ha un account lo riceve senza password, con un collegamento per sceglierla (72 "
                        "ore, una volta sola); la risposta è la stessa che l'indirizzo avesse un account o no. 409 se "
                        "la persona lavora già per l'amministrazione."),
        ("post", "/join-requests"): op(
            "requestToJoin", "Chiede di unirsi all'ente con questo codice fiscale", "applicant", tag="organizations",
            status=201, body=ref("JoinRequestIn"), response=ref("JoinRequest"), errors=(400, 401, 403, 409, 422),
            description="I membri dell'ente ricevono un'e-mail; 409 se si fa già parte dell'ente o se una richiesta "
                        "attende già risposta; 422 se nessun ente ha quel codice fiscale."),
        ("post", "/join-requests/{}/approve"): op(
            "approveJoinRequest", "Accoglie una richiesta: la persona diventa membro dell'ente", "i membri dell'ente",
            tag="organizations", response=ref("JoinRequest"), errors=(401, 404, 409),
            description="409 se la richiesta ha già avuto risposta. Chi l'ha chiesta riceve un'e-mail."),
        ("post", "/join-requests/{}/refuse"): op(
            "refuseJoinRequest", "Non accoglie una richiesta di unirsi a un ente", "i membri dell'ente",
            tag="organizations", response=ref("JoinRequest"), errors=(401, 404, 409)),
        ("get", "/organizations/{}"): op(
            "getOrganization", "Un ente", "i membri dell'ente; gli admin della propria amministrazione",
            tag="organizations", response=ref("Organization"), errors=(404,)),
        ("post", "/procedures"): op(
            "createProcedure", "Crea un avviso (bozza)", "admin", tag="procedures", status=201,
            body=ref("ProcedureCreate"), response=ref("Procedure"), errors=(403, 422)),
        ("get", "/procedures"): op(
            "listProcedures", "Elenco degli avvisi", "chiunque (le bozze solo agli admin della loro amministrazione)",
            tag="procedures", public=True, paged=True, response=array(ref("Procedure"))),
        ("get", "/procedures/{}"): op(
            "getProcedure", "Un avviso", "chiunque (le bozze solo agli admin)", tag="procedures", public=True,
            response=ref("Procedure"), errors=(404,)),
        ("delete", "/procedures/{}"): op(
            "deleteProcedure", "Elimina un avviso mai pubblicato", "admin dell'amministrazione dell'avviso",
            tag="procedures", status=204, errors=(401, 403, 404, 409),
            description="Con i lotti, i criteri e i documenti; il registro delle operazioni ne conserva traccia. Un "
                        "avviso pubblicato resta agli atti (409: si può revocare in autotutela)."),
        ("get", "/procedures/{}/documents"): op(
            "listCallDocuments", "I documenti dell'avviso: l'avviso, gli allegati, i moduli, gli atti",
            "chiunque (le bozze solo agli admin)", tag="procedures", public=True, paged=True,
            response=array(ref("CallDocument")), errors=(404,)),
        ("post", "/procedures/{}/documents"): op(
            "addCallDocument", "Aggiunge un documento (PDF) all'avviso", "admin dell'amministrazione dell'avviso",
            tag="procedures", status=201, body=ref("CallDocumentUpload"), body_type="multipart/form-data",
            response=ref("CallDocument"), errors=(400, 401, 403, 404, 409, 413, 422),
            description="In ogni stato tranne l'annullamento; il contenuto è verificato (solo PDF)."),
        ("delete", "/procedures/{}/documents/{}"): op(
            "removeCallDocument", "Toglie un documento da un avviso in bozza", "admin dell'amministrazione dell'avviso",
            tag="procedures", status=204, errors=(401, 403, 404, 409),
            description="Dopo la pubblicazione i documenti restano agli atti: 409."),
        ("get", "/procedures/{}/questions"): op(
            "listCallQuestions", "I chiarimenti pubblicati (domanda e risposta, datati), dal primo",
            "chiunque; con `pending=1` le domande in attesa (l'admin tutte, un ente le proprie)", tag="procedures",
            public=True, paged=True, response=array(ref("CallQuestion")), errors=(404,)),
        ("post", "/procedures/{}/questions"): op(
            "askCallQuestion", "Invia una domanda di chiarimento; l'amministrazione pubblica un chiarimento d'ufficio",
            "un ente autenticato con l'indirizzo confermato, finché l'avviso è pubblicato e fino al termine per le "
            "domande; l'admin dell'avviso con `question` e `answer`", tag="procedures", status=201,
            body={"oneOf": [ref("QuestionIn"), ref("ClarificationIn")]}, response=ref("CallQuestion"),
            errors=WRITE, description="L'amministrazione riceve la domanda per e-mail e tra le notifiche. 409 "
                                      "dopo il termine per le domande o con troppe domande in attesa."),
        ("post", "/procedures/{}/questions/{}/answer"): op(
            "answerCallQuestion", "Risponde a una domanda: la pubblica tra i chiarimenti",
            "admin dell'amministrazione dell'avviso", tag="procedures", body=ref("AnswerIn"),
            response=ref("CallQuestion"), errors=WRITE,
            description="`question` riformula la domanda per la pubblicazione; chi l'ha posta è avvisato. 409 se "
                        "ha già una risposta."),
        ("get", "/procedures/{}/notices"): op(
            "listCallNotices", "Le rettifiche e le proroghe dell'avviso, datate, dalla prima",
            "chiunque (le bozze solo agli admin)", tag="procedures", public=True, paged=True,
            response=array(ref("CallNotice")), errors=(404,)),
        ("post", "/procedures/{}/errata"): op(
            "publishCallErratum", "Pubblica una rettifica all'avviso", "admin dell'amministrazione dell'avviso",
            tag="procedures", status=201, body=ref("ErratumIn"), response=ref("CallNotice"), errors=WRITE,
            description="Pubblicata subito, con la data, e mai ritirata; gli enti con una proposta all'avviso (anche "
                        "in bozza) e chi ha posto domande sono avvisati. 409 su un avviso in bozza, concluso o "
                        "revocato."),
        ("patch", "/procedures/{}"): op(
            "updateProcedure", "Modifica un avviso", "admin", tag="procedures", body=ref("ProcedurePatch"),
            response=ref("Procedure"), errors=WRITE),
        ("post", "/procedures/{}/transitions"): op(
            "fireProcedureTransition", "Esegue un'operazione della macchina dell'avviso", "admin",
            tag="procedures", body=ref("ProcedureTransitionRequest"), response=ref("Procedure"), errors=WRITE,
            description="Operazioni (dalla tabella della macchina):\n" + proc_rows),
        ("put", "/procedures/{}/committee"): op(
            "putCommittee", "Nomina la commissione", "admin", tag="evaluation", body=ref("CommitteeIn"),
            response=ref("Committee"), errors=WRITE,
            description="In `closed` e `admissibility`; in `evaluation` solo per sostituire un membro senza "
                        "valutazioni finali o aggiungere supplenti."),
        ("post", "/procedures/{}/committee/reminders"): op(
            "remindCommittee", "Sollecita i valutatori che devono ancora concludere delle valutazioni", "admin",
            tag="evaluation", response=obj({"reminded": INTEGER, "reviews_missing": INTEGER},
                                           ["reminded", "reviews_missing"]), errors=(401, 403, 404, 409),
            description="Ciascuno riceve una notifica (e-mail e pagina «Notifiche») con quante proposte aspettano "
                        "la sua valutazione definitiva. 409 fuori dalla valutazione, se nessuna valutazione manca o "
                        "entro un giorno dal sollecito precedente (il messaggio dice da quando si può inviare)."),
        ("get", "/procedures/{}/committee"): op(
            "getCommittee", "La commissione", "admin", tag="evaluation", response=ref("Committee"),
            errors=(403, 404)),
        ("get", "/procedures/{}/ranking"): op(
            "getRanking", "La graduatoria per lotto",
            "prima dell'approvazione solo admin (409 finché mancano valutazioni finali); dopo, chiunque",
            tag="evaluation", public=True, response=ref("Ranking"), errors=(403, 404, 409)),
        ("get", "/procedures/{}/ranking/scores"): op(
            "getRankingScores", "I punteggi anonimi della graduatoria approvata", "chiunque, dopo l'approvazione",
            tag="evaluation", public=True, response=ref("RankingScores"), errors=(404,),
            description="Il file così come pubblicato (l'ETag è il suo SHA-256): le regole dell'avviso, i punteggi "
                        "finali di ogni proposta per valutatore (pseudonimo) e la graduatoria approvata; "
                        "`recompute_ranking.py` la ricalcola. 404 prima dell'approvazione."),
        ("get", "/proposals/{}/receipt"): op(
            "getReceipt", "La ricevuta di presentazione firmata", "l'ente proponente e l'amministrazione",
            tag="proposals", response=ref("SignedReceipt"), errors=(401, 403, 404),
            description="La ricevuta così come emessa alla presentazione, firmata con la chiave Ed25519 "
                        "dell'amministrazione; `verify_receipt.py` o `codesign receipts verify` la verificano senza "
                        "rete. 404 prima della presentazione."),
        ("get", "/receipt-keys"): op(
            "getReceiptKeys", "Le chiavi pubbliche che firmano le ricevute", "chiunque", tag="proposals",
            public=True, response=ref("ReceiptKeys"), errors=(),
            description="La chiave attuale e quelle ritirate (le ricevute firmate prima di una rotazione restano "
                        "verificabili)."),
        ("post", "/procedures/{}/proposals"): op(
            "createProposal", "Crea una proposta (bozza)", "applicant, per un ente di cui è membro",
            tag="proposals", status=201, body=ref("ProposalCreate"), response=ref("Proposal"), errors=WRITE,
            description="Solo mentre l'avviso è `published` e prima della scadenza (altrimenti 409)."),
        ("get", "/procedures/{}/proposals"): op(
            "listProposals", "Le proposte di un avviso",
            "admin tutte; applicant le proprie; evaluator quelle della commissione senza conflitto",
            tag="proposals", paged=True, response=array(ref("Proposal")), errors=(404,)),
        ("get", "/proposals/{}"): op(
            "getProposal", "Una proposta", "l'ente, gli admin, i valutatori della commissione", tag="proposals",
            response=ref("Proposal"), errors=(404,)),
        ("patch", "/proposals/{}"): op(
            "updateProposal", "Modifica una proposta in bozza", "l'ente che l'ha redatta", tag="proposals",
            body=ref("ProposalPatch"), response=ref("Proposal"), errors=WRITE),
        ("delete", "/proposals/{}"): op(
            "deleteProposal", "Elimina una proposta mai inviata", "l'ente che l'ha redatta", tag="proposals",
            status=204, errors=(401, 403, 404, 409),
            description="Con i suoi documenti. Una proposta inviata non si elimina (409: si può ritirare finché "
                        "l'avviso è aperto)."),
        ("delete", "/proposals/{}/attachments/{}"): op(
            "removeAttachment", "Toglie un documento da una proposta in bozza", "l'ente che l'ha redatta",
            tag="proposals", status=204, errors=(401, 403, 404, 409),
            description="Dopo l'invio i documenti restano agli atti (409)."),
        ("post", "/proposals/{}/transitions"): op(
            "fireProposalTransition", "Esegue un'operazione della macchina della proposta",
            "per operazione: applicant (submit, withdraw, provide_integration), admin (le altre)",
            tag="proposals", body=ref("ProposalTransitionRequest"), response=ref("Proposal"), errors=WRITE,
            description="Operazioni (dalla tabella della macchina):\n" + prop_rows),
        ("get", "/proposals/{}/messages"): op(
            "listMessages", "I messaggi tra l'ente e l'amministrazione su una proposta, in ordine",
            "l'ente e l'amministrazione dell'avviso", tag="proposals", paged=True, response=array(ref("ThreadEntry")),
            errors=(401, 403, 404),
            description="Con le richieste di integrazione e le risposte, ciascuna al suo posto."),
        ("post", "/proposals/{}/messages"): op(
            "postMessage", "Scrive all'altra parte, con un PDF se serve", "l'ente e l'amministrazione dell'avviso",
            tag="proposals", status=201, body=ref("MessageUpload"), body_type="multipart/form-data",
            response=ref("ProposalMessage"), errors=(400, 401, 403, 404, 409, 413, 422),
            description="L'altra parte riceve il testo per e-mail e tra le notifiche. 409 per una proposta non "
                        "ancora inviata o ritirata; 403 per chi non è parte."),
        ("post", "/proposals/{}/attachments"): op(
            "addAttachment", "Allega un documento PDF",
            "l'ente (in bozza o in soccorso istruttorio); admin per `signed_agreement` da `finalized`",
            tag="proposals", status=201, body=ref("AttachmentUpload"), body_type="multipart/form-data",
            response=ref("Attachment"), errors=(400, 401, 403, 404, 409, 413, 422)),
        ("put", "/proposals/{}/conflict"): op(
            "putConflict", "Dichiara l'assenza o la presenza di un conflitto di interessi",
            "membro della commissione (anche supplente)", tag="evaluation", body=ref("ConflictIn"),
            response=ref("ConflictDeclaration"), errors=WRITE),
        ("put", "/proposals/{}/review"): op(
            "putReview", "Valuta una proposta, criterio per criterio", "evaluator senza conflitto",
            tag="evaluation", body=ref("ReviewIn"), response=ref("Review"), errors=WRITE),
        ("get", "/proposals/{}/review"): op(
            "getReview", "La propria valutazione di una proposta", "evaluator della commissione", tag="evaluation",
            response=ref("Review"), errors=(403, 404)),
        ("post", "/proposals/{}/meetings"): op(
            "createMeeting", "Registra un incontro del tavolo di co-progettazione", "admin", tag="codesign",
            status=201, body=ref("MeetingIn"), response=ref("Meeting"), errors=WRITE,
            description="Si può fissare in anticipo e scriverne il verbale (`minutes`) dopo, con PATCH."),
        ("patch", "/proposals/{}/meetings/{}"): op(
            "updateMeeting", "Aggiorna un incontro (verbale, data, luogo, partecipanti)", "admin, a tavolo aperto",
            tag="codesign", body=ref("MeetingPatch"), response=ref("Meeting"), errors=WRITE),
        ("get", "/proposals/{}/meetings"): op(
            "listMeetings", "Gli incontri del tavolo", "le parti", tag="codesign", paged=True,
            response=array(ref("Meeting")), errors=(403, 404)),
        ("post", "/proposals/{}/versions"): op(
            "createVersion", "Registra una versione del progetto", "admin o l'ente, in `in_codesign`",
            tag="codesign", status=201, body=ref("VersionIn"), response=ref("ProjectVersion"), errors=WRITE,
            description="Una versione non si modifica: un cambiamento è una nuova versione. Si salva anche se viola "
                        "le regole di budget (lavoro in corso); `finalize` le verifica (409 con ogni regola violata)."),
        ("get", "/proposals/{}/versions/{}"): op(
            "getVersion", "Una versione del progetto", "le parti", tag="codesign", response=ref("ProjectVersion"),
            errors=(403, 404)),
        ("get", "/proposals/{}/versions/diff"): op(
            "diffVersions", "Che cosa cambia tra due versioni", "le parti", tag="codesign",
            response=ref("VersionDiff"), errors=(403, 404, 422),
            description="Parametri `from` e `to` (numeri di versione): testi affiancati, importi con la "
                        "differenza, righe aggiunte, tolte e modificate."),
        ("get", "/proposals/{}/versions"): op(
            "listVersions", "Le versioni del progetto", "le parti", tag="codesign", paged=True,
            response=array(ref("ProjectVersion")), errors=(403, 404)),
        ("put", "/proposals/{}/agreement"): op(
            "putAgreement", "I dati della convenzione", "admin", tag="agreements", body=ref("AgreementIn"),
            response=ref("Agreement"), errors=WRITE,
            description="Dopo `finalize` e prima di `sign_agreement`. Le tranche sommano a 100; `cup` è il CUP "
                        "proprio del progetto (un CUP di un altro progetto, di una convenzione o dell'osservatorio: "
                        "422 su `cup`). Ogni controllo in `declaration_checks` è `true` (verificato da una persona), "
                        "`false` (non ancora verificato: il valore di un controllo non inviato) o `null` (non "
                        "dovuto); `antimafia: null` è rifiutato sopra 150.000 EUR (422). `sign_agreement` risponde "
                        "409 finché manca il CUP o un controllo dovuto non è `true`."),
        ("get", "/proposals/{}/agreement"): op(
            "getAgreement", "La convenzione", "le parti", tag="agreements", response=ref("Agreement"),
            errors=(403, 404)),
        ("get", "/proposals/{}/agreement.pdf"): op(
            "getAgreementPdf", "La convenzione in PDF", "le parti", tag="agreements",
            response={"type": "string", "contentMediaType": "application/pdf"}, response_type="application/pdf",
            errors=(403, 404, 409)),
        ("post", "/proposals/{}/premises/{}/handover"): op(
            "recordPremisesHandover", "Registra la consegna dei locali n (da 1, nell'ordine di `premises`)",
            "admin, a convenzione sottoscritta e prima dell'avvio", tag="agreements", status=201,
            body=ref("HandoverUpload"), body_type="multipart/form-data", response=ref("PremisesHandover"),
            errors=(400, 401, 403, 404, 409, 413, 422),
            description="Data, stato dei locali e verbale firmato (PDF, verificato dal contenuto). `start` risponde "
                        "409 finché un immobile della convenzione non ha la sua consegna; registrarla di nuovo "
                        "prima dell'avvio la sostituisce."),
        ("get", "/proposals/{}/reports"): op(
            "listReports", "Il calendario delle relazioni", "le parti", tag="reports", paged=True,
            response=array(ref("Report")), errors=(403, 404)),
        ("put", "/reports/{}"): op(
            "putReport", "Compila una relazione", "l'ente, mentre è `due` o `returned`", tag="reports",
            body=ref("ReportIn"), response=ref("Report"), errors=WRITE,
            description="Salva la bozza anche incompleta (`submit` verifica che sia completa: 409). Indicatori "
                        "dell'avviso, categorie e fonti del progetto definitivo, importi non negativi (422)."),
        ("get", "/reports/{}"): op(
            "getReport", "Una relazione con il suo contenuto", "le parti", tag="reports", response=ref("Report"),
            errors=(403, 404)),
        ("get", "/reports/{}/submissions"): op(
            "listReportSubmissions", "Le versioni presentate di una relazione", "le parti", tag="reports",
            paged=True, response=array(ref("ReportSubmission")), errors=(403, 404),
            description="Ogni presentazione è conservata, con che cosa è cambiato rispetto alla precedente."),
        ("post", "/proposals/{}/payments"): op(
            "recordPayment", "Registra il pagamento di una tranche", "admin", tag="reports", status=201,
            body=ref("PaymentIn"), response=ref("Payment"), errors=WRITE,
            description="Una tranche si paga una volta, per il suo importo, quando la sua condizione è "
                        "soddisfatta (sottoscrizione, approvazione della relazione N o della finale): altrimenti 409."),
        ("post", "/payments/{}/reversals"): op(
            "reversePayment", "Storna un pagamento (contropartita)", "admin", tag="reports", status=201,
            body=ref("ReversalIn"), response=ref("Payment"), errors=WRITE,
            description="Motivo e data obbligatori; l'importo, se omesso, è quanto resta del pagamento. Mai più del "
                        "netto (422 su `amount`); un pagamento già stornato per intero: 409. Il pagamento non si "
                        "cancella: totali, cruscotti e dati aperti usano il netto."),
        ("get", "/proposals/{}/payments"): op(
            "listPayments", "I pagamenti registrati", "le parti", tag="reports", paged=True,
            response=array(ref("Payment")), errors=(403, 404)),
        ("get", "/proposals/{}/monitoring"): op(
            "getProjectMonitoring", "Il monitoraggio di un progetto", "le parti", tag="reports",
            response=ref("MonitoringFigures"), errors=(403, 404)),
        ("get", "/procedures/{}/monitoring"): op(
            "getCallMonitoring", "Il monitoraggio dei progetti avviati di un avviso", "admin", tag="reports",
            paged=True, response=array(ref("MonitoringFigures")), errors=(403, 404)),
        ("post", "/reports/{}/expenses/{}/receipts"): op(
            "addExpenseReceipt", "Carica un giustificativo di una riga di spesa",
            "l'ente, mentre la relazione è `due` o `returned`", tag="reports", status=201,
            body=ref("ReceiptUpload"), body_type="multipart/form-data", response=ref("Receipt"),
            errors=(400, 401, 403, 404, 409, 413, 422),
            description="La riga è numerata da 1, nell'ordine di `expenses` (404 se la relazione salvata non la "
                        "ha). PDF o immagine, verificati dal contenuto (422) e dalla dimensione (413); al massimo "
                        f"{MAX_RECEIPTS} per riga (409). Ogni riga con un importo deve avere almeno un giustificativo prima di "
                        "`submit` (409 con le righe che ne sono prive). Il giustificativo resta con ogni versione "
                        "presentata della relazione."),
        ("delete", "/reports/{}/expenses/{}/receipts/{}"): op(
            "removeExpenseReceipt", "Toglie un giustificativo da una riga di spesa",
            "l'ente, mentre la relazione è `due` o `returned`", tag="reports", response=ref("Report"),
            errors=(401, 403, 404, 409),
            description="Un giustificativo mai presentato è cancellato; uno già presentato resta con la versione "
                        "che lo conteneva."),
        ("post", "/reports/{}/transitions"): op(
            "fireReportTransition", "Invia, approva o restituisce una relazione",
            "l'ente `submit`; admin `approve`, `return` (con motivazione)", tag="reports",
            body=ref("ReportTransitionRequest"), response=ref("Report"), errors=WRITE),
        ("get", "/public/projects"): op(
            "listPublicProjects", "I progetti finanziati (trasparenza, artt. 26-27 D.Lgs. 33/2013)", "chiunque",
            tag="transparency", public=True, paged=True, response=array(ref("PublicProject")), errors=(422,),
            description="I progetti di entrambe le origini (prima quelli delle procedure). Filtri facoltativi: "
                        "`administration`, `programme`, `municipality` (codice ISTAT o nome), `municipio` (1-9) "
                        "e `nil` (numero o nome del quartiere) per Milano, `theme` (senza "
                        "distinguere maiuscole e accenti), `state`, `origin`, `q` (testo nel titolo, nel "
                        "beneficiario o nel CUP); un parametro sconosciuto dà 422, un valore che non trova nulla un "
                        "elenco vuoto."),
        ("get", "/procedures/{}/outcome"): op(
            "getProcedureOutcome", "Che cosa ha finanziato, erogato e raggiunto un avviso",
            "chiunque (le bozze solo agli admin)", tag="procedures", public=True, response=ref("CallOutcome"),
            errors=(404,),
            description="I progetti dalla sottoscrizione della convenzione in poi, per stato; i contributi concessi "
                        "(i revocati a parte); l'erogato al netto degli storni (anche ai progetti revocati); per "
                        "indicatore dell'avviso, obiettivi e ultimi valori approvati sommati sui progetti non "
                        "revocati. Definitivo (`final`) quando l'avviso è concluso."),
        ("get", "/public/municipalities"): op(
            "listMunicipalities", "I comuni del territorio con i loro progetti", "chiunque", tag="observatory",
            public=True, paged=True, response=array(ref("MunicipalityFigures")),
            description="Tutti i 133 comuni della Città metropolitana di Milano, anche quelli senza progetti, in "
                        "ordine di codice ISTAT: progetti di entrambe le origini, finanziamento pubblico, erogato."),
        ("get", "/observatory/overview"): op(
            "getObservatoryOverview", "Il quadro dell'osservatorio per l'ufficio", "admin", tag="observatory",
            response=ref("ObservatoryOverview"), errors=(401, 403),
            description="I progetti in ritardo (oltre la fine prevista e non conclusi) e fermi (in corso, senza "
                        "aggiornamenti da sei mesi) di entrambe le origini, ciascun elenco con il suo totale e i "
                        "primi 100 per attesa; la spesa per programma e per tema (progetti, finanziamento "
                        "pubblico, erogato)."),
        ("post", "/projects"): op(
            "createProject", "Registra un progetto finanziato altrove", "admin", tag="observatory", status=201,
            body=ref("ProjectIn"), response=ref("PublicProject"), errors=WRITE,
            description="Comune fuori dal territorio, CUP malformato o già usato, fine prima dell'inizio, "
                        "avanzamento fuori da 0..100: 422 per campo, nulla è salvato."),
        ("post", "/projects/import"): op(
            "importProjects", "Importa progetti finanziati altrove da un file CSV", "admin", tag="observatory",
            status=201, body=ref("ProjectImport"), body_type="multipart/form-data", response=ref("ImportResult"),
            errors=(400, 401, 403, 413, 422),
            description="Tutto o niente: ogni riga errata è nominata in `fields` come `\"row N: colonna\"` (N "
                        "conta le righe di dati da 1) e nulla è salvato. Una riga con il CUP di un progetto "
                        "esistente lo aggiorna: importare due volte lo stesso file non cambia nulla."),
        ("get", "/good-practices"): op(
            "listGoodPractices", "Le buone pratiche", "chiunque", tag="observatory", public=True, paged=True,
            response=array(ref("GoodPractice")), errors=(422,),
            description="I progetti di entrambe le origini segnati come buona pratica, con la scheda e le foto; "
                        "filtri come l'elenco dei progetti: `municipality`, `theme`, `programme`, `origin`, `q`."),
        ("get", "/projects/{}/good-practice"): op(
            "getGoodPractice", "La scheda di una buona pratica", "chiunque", tag="observatory", public=True,
            response=ref("GoodPractice"), errors=(404,)),
        ("put", "/projects/{}/good-practice"): op(
            "putGoodPractice", "Segna un progetto come buona pratica, o ne aggiorna la scheda",
            "admin dell'amministrazione che tiene il progetto", tag="observatory", body=ref("GoodPracticeIn"),
            response=ref("GoodPractice"), errors=WRITE,
            description="Che cosa, per chi, risultati, che cosa possono riprendere gli altri e un referente con "
                        "e-mail: 422 per campo, nulla è salvato."),
        ("delete", "/projects/{}/good-practice"): op(
            "deleteGoodPractice", "Toglie il progetto dalle buone pratiche",
            "admin dell'amministrazione che tiene il progetto", tag="observatory", status=204, errors=WRITE,
            description="La scheda e le foto restano salvate per un nuovo inserimento; 409 se non è segnato."),
        ("post", "/projects/{}/good-practice/photos"): op(
            "addPracticePhoto", "Aggiunge una foto alla buona pratica",
            "admin dell'amministrazione che tiene il progetto", tag="observatory", status=201,
            body=ref("PracticePhotoIn"), body_type="multipart/form-data", response=ref("PracticePhoto"),
            errors=(400, 401, 403, 404, 409, 413, 422),
            description="Solo immagini JPEG, PNG o WebP riconosciute dal contenuto (422 altrimenti), al massimo "
                        "10 MB (413) e 8 foto (409); salvate come JPEG in due misure, senza metadati."),
        ("delete", "/projects/{}/good-practice/photos/{}"): op(
            "deletePracticePhoto", "Elimina una foto della buona pratica",
            "admin dell'amministrazione che tiene il progetto", tag="observatory", status=204, errors=WRITE),
        ("post", "/opportunities"): op(
            "createOpportunity", "Aggiunge un bando di finanziamento", "admin", tag="opportunities", status=201,
            body=ref("OpportunityIn"), response=ref("Opportunity"), errors=(400, 401, 403, 422),
            description="Scadenza prima dell'apertura, richiedenti sconosciuti, comuni fuori dal territorio, un "
                        "indirizzo che non è http(s): 422 per campo, nulla è salvato."),
        ("post", "/opportunities/import"): op(
            "importOpportunities", "Importa bandi di finanziamento da un file CSV", "admin", tag="opportunities",
            status=201, body=ref("OpportunityImport"), body_type="multipart/form-data", response=ref("ImportResult"),
            errors=(400, 401, 403, 413, 422),
            description="Colonne di `POST /api/v1/opportunities`; negli elenchi (`eligible`, `themes`, `territory`) "
                        "le voci separate da `|` o `;`, `territory` vuoto per tutto il territorio. Tutto o niente: "
                        "ogni riga errata è nominata in `fields` come `\"row N: colonna\"` e nulla è salvato. Una "
                        "riga con il `link` di un bando registrato lo aggiorna: importare due volte lo stesso file "
                        "non cambia nulla."),
        ("get", "/opportunities"): op(
            "listOpportunities", "I bandi aperti, per scadenza", "chiunque", tag="opportunities", public=True,
            paged=True, response=array(ref("Opportunity")), errors=(401, 404, 422),
            description="Aperti: apertura <= oggi <= scadenza (Europe/Rome). `?municipality=<istat>` tiene quelli "
                        "adatti al comune (aperti a comuni o partenariati, il territorio lo comprende, almeno un "
                        "tema in comune con i suoi progetti), ciascuno con `match`; `?organization=<id>` (i membri "
                        "dell'ente e gli admin: 401 senza token, 404 per gli altri) quelli adatti all'ente (aperti "
                        "agli enti o ai partenariati, il territorio comprende la sua sede o un comune dei suoi "
                        "progetti, almeno un tema in comune con i suoi progetti o con quelli degli avvisi a cui ha "
                        "partecipato); anche `theme`, `eligible`, `funder_level`. Un valore che non trova nulla dà "
                        "un elenco vuoto."),
        ("get", "/opportunities/{}"): op(
            "getOpportunity", "Un bando di finanziamento", "chiunque", tag="opportunities", public=True,
            response=ref("Opportunity"), errors=(404,),
            description="Con un token, `following` dice se chi chiama segue il bando."),
        ("patch", "/opportunities/{}"): op(
            "patchOpportunity", "Modifica un bando di finanziamento", "admin", tag="opportunities",
            body=ref("OpportunityPatch"), response=ref("Opportunity"), errors=(400, 401, 403, 404, 422),
            description="I campi inviati sostituiscono quelli registrati; il bando che ne risulta è controllato "
                        "come uno nuovo (422 per campo, nulla è salvato). Una nuova scadenza rimette in calendario "
                        "i promemoria di chi lo segue."),
        ("get", "/opportunities/followed"): op(
            "listFollowedOpportunities", "I bandi che seguo, anche scaduti, per scadenza", "chiunque abbia un token",
            tag="opportunities", paged=True, response=array(ref("Opportunity"))),
        ("put", "/opportunities/{}/follow"): op(
            "followOpportunity", "Segue un bando: promemoria per e-mail a 15 e a 3 giorni dalla scadenza",
            "chiunque abbia un token", tag="opportunities", response=ref("OpportunityFollow"), errors=(401, 404, 409),
            description="201 la prima volta, 200 se già seguito (nulla cambia); 409 se il bando è scaduto. Ogni "
                        "promemoria parte una volta sola, con `codesign tick`."),
        ("post", "/opportunities/{}/applications"): op(
            "recordApplication", "Registra chi partecipa a un bando, con quali partner", "admin",
            tag="opportunities", status=201, body=ref("ApplicationIn"), response=ref("Application"),
            errors=(400, 401, 403, 404, 422),
            description="Capofila e partner: comuni del territorio (codice ISTAT) ed enti registrati, ognuno una "
                        "volta. Un capofila a cui il bando non è aperto, un comune fuori dal suo territorio, un "
                        "ente sconosciuto: 422 per campo, nulla è salvato. Lo stato iniziale è `interested`."),
        ("post", "/opportunities/{}/notices"): op(
            "proposeOpportunity", "Segnala un bando a comuni ed enti", "admin", tag="opportunities", status=201,
            body=ref("NoticeIn"), response=ref("NoticeResult"), errors=(400, 401, 403, 404, 409, 422),
            description="Un messaggio a ciascuna persona, attraverso la coda della posta: gli admin "
                        "dell'amministrazione del comune registrata in codesign («Comune di …»), i membri "
                        "dell'ente. Una volta per comune o ente: chi è già stato informato è in `already_told`. "
                        "Bando scaduto: 409; ente sconosciuto: 422, nulla è inviato."),
        ("get", "/opportunities/{}/notices"): op(
            "listNotices", "A chi è stato segnalato un bando", "admin", tag="opportunities", paged=True,
            response=array(ref("Notice")), errors=(401, 403, 404)),
        ("get", "/opportunities/{}/applications"): op(
            "listApplications", "Chi partecipa a un bando", "admin", tag="opportunities", paged=True,
            response=array(ref("Application")), errors=(401, 403, 404)),
        ("get", "/applications/{}"): op(
            "getApplication", "Una candidatura a un bando", "admin", tag="opportunities",
            response=ref("Application"), errors=(401, 404)),
        ("post", "/applications/{}/transitions"): op(
            "fireApplicationTransition", "Candidatura presentata, finanziata o non finanziata", "admin",
            tag="opportunities", body=ref("ApplicationTransitionRequest"), response=ref("Application"),
            errors=WRITE,
            description="`submit` (da `interested`), `fund` o `reject` (da `submitted`). `fund` richiede CUP, "
                        "contributo e date previste: la candidatura diventa un progetto esterno "
                        "dell'osservatorio (programma e tema dal bando, comune del capofila), come `POST "
                        "/api/v1/projects` lo valida (422 per campo, nulla cambia)."),
        ("delete", "/opportunities/{}/follow"): op(
            "unfollowOpportunity", "Smette di seguire un bando (nessun altro promemoria)", "chiunque abbia un token",
            tag="opportunities", status=204, errors=(401, 404)),
        ("get", "/projects/{}"): op(
            "getProject", "Un progetto del catalogo", "chiunque", tag="observatory", public=True,
            response=ref("PublicProject"), errors=(404,)),
        ("patch", "/projects/{}"): op(
            "patchProject", "Modifica un progetto", "admin dell'amministrazione che lo tiene", tag="observatory",
            body=ref("ProjectPatch"), response=ref("PublicProject"), errors=WRITE,
            description="Di un progetto di una procedura solo descrizione, tema e comune: il resto viene dalla "
                        "convenzione e dal monitoraggio (422)."),
        ("get", "/projects/{}/updates"): op(
            "listProjectUpdates", "La storia dell'avanzamento di un progetto", "chiunque", tag="observatory",
            public=True, paged=True, response=array(ref("ProjectUpdate")), errors=(404,)),
        ("post", "/projects/{}/updates"): op(
            "addProjectUpdate", "Un aggiornamento dell'avanzamento (SAL)", "admin dell'amministrazione che lo "
            "tiene", tag="observatory", status=201, body=ref("UpdateIn"), response=ref("ProjectUpdate"),
            errors=WRITE,
            description="I valori correnti del progetto sono quelli dell'ultima voce per data e poi per "
                        "inserimento (registrazione, modifica e importazione contano come voci del loro giorno)."),
    }
    c[("get", "/procedures/{}/proposals")]["parameters"] += query_params(
            ("state", {"type": "string", "enum": list(proposal_workflow.states)}, "lo stato della proposta"),
            ("lot", {"type": "string", "maxLength": 20}, "il codice del lotto (422 se l'avviso non lo ha)"),
            ("q", {"type": "string", "maxLength": MAX_LENGTH},
             "testo da cercare: ogni parola nel titolo, nella sintesi, nel nome o nel codice fiscale dell'ente, "
             "o uguale al numero progressivo di ricezione"),
            ("sort", {"type": "string", "enum": list(SORTS)},
             "l'ordine: number (numero di ricezione, il predefinito), recent (invio più recente), amount (contributo "
             "più alto), body (ente), title (titolo), ranking (lotto e posizione in graduatoria)"))
    c[("get", "/public/projects")]["parameters"] += query_params(
            ("administration", {"type": "string", "maxLength": 200}, "l'amministrazione che concede il contributo"),
            ("programme", {"type": "string", "maxLength": 300}, "il programma dell'avviso"),
            ("municipality", {"type": "string", "maxLength": 120}, "il comune del progetto (codice ISTAT o nome)"),
            ("theme", {"type": "string", "maxLength": 200}, "il tema (sintetico di OpenCoesione)"),
            ("state", {"type": "string", "enum": list(PROJECT_STATES) + list(PUBLIC_STATES)},
             "lo stato del progetto"),
            ("origin", {"type": "string", "enum": ["procedure", "external"]}, "l'origine del progetto"),
            ("q", {"type": "string", "maxLength": 200}, "testo da cercare"))
    c[("get", "/good-practices")]["parameters"] += query_params(
            ("municipality", {"type": "string", "maxLength": 120}, "il comune del progetto (codice ISTAT o nome)"),
            ("theme", {"type": "string", "maxLength": 200}, "il tema"),
            ("programme", {"type": "string", "maxLength": 300}, "il programma"),
            ("origin", {"type": "string", "enum": ["procedure", "external"]}, "l'origine del progetto"),
            ("q", {"type": "string", "maxLength": 200}, "testo da cercare"))
    c[("get", "/opportunities")]["parameters"] += query_params(
            ("municipality", {"type": "string", "maxLength": 120}, "i bandi adatti a questo comune (codice ISTAT)"),
            ("theme", {"type": "string", "maxLength": 200}, "un tema del bando"),
            ("eligible", {"type": "string", "enum": list(APPLICANTS)}, "chi può partecipare"),
            ("funder_level", {"type": "string", "enum": list(FUNDER_LEVELS)}, "il livello del finanziatore"),
            ("organization", {"type": "integer", "minimum": 0, "maximum": INT_MAX},
             "i bandi adatti a questo ente (il suo identificativo; solo i suoi membri e gli admin)"))
    c[("get", "/proposals/{}/versions/diff")]["parameters"] = [
        {"name": name, "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
         "description": text} for name, text in (("from", "la versione di partenza"), ("to", "la versione d'arrivo"))]
    followed = c[("put", "/opportunities/{}/follow")]["responses"]
    followed["201"] = dict(followed["200"], description="Creato: ora lo segue")
    return c


def query_params(*params: tuple[str, dict, str]) -> list[dict]:
    """A list's optional query parameters, each (name, schema, description)."""
    return [{"name": name, "in": "query", "required": False, "schema": schema, "description": text}
            for name, schema, text in params]


# --- the document ------------------------------------------------------------------------------------------------
_PARAM_RE = re.compile(r"<(?:(?P<conv>[a-zA-Z_]\w*)(?:\((?P<args>.*?)\))?:)?(?P<name>[a-zA-Z_]\w*)>")
_CONVERTER_TYPES = {"int": INTEGER, "float": {"type": "number"}, "uuid": {"type": "string", "format": "uuid"}}
_RESOURCE_NAMES = {"procedures": "dell'avviso", "proposals": "della proposta", "organizations": "dell'ente",
                   "reports": "della relazione", "projects": "del progetto",
                   "opportunities": "del bando", "photos": "della foto",
                   "applications": "della candidatura", "members": "della persona",
                   "join-requests": "della richiesta", "notifications": "della notifica"}


def openapi_path(rule: str) -> str:
    """A Flask rule (without the /api/v1 prefix) as an OpenAPI path: `<int:x>` → `{x}`."""
    return _PARAM_RE.sub(lambda m: "{" + m.group("name") + "}", rule)


def path_shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _path_parameters(rule: str) -> list[dict]:
    params = []
    for m in _PARAM_RE.finditer(rule):
        before = rule[:m.start()].rstrip("/").rsplit("/", 1)[-1]
        params.append({"name": m.group("name"), "in": "path", "required": True,
                       "schema": dict(_CONVERTER_TYPES.get(m.group("conv") or "", STRING)),
                       "description": f"l'identificativo {_RESOURCE_NAMES.get(before, '')}".strip()})
    return params


def api_rules(app):
    """(method, Flask rule without the prefix) of every operation registered under the API's prefix."""
    prefix = bp.url_prefix
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix + "/"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((method.lower(), rule.rule[len(prefix):]))
    return sorted(set(out))


def build_document(app) -> dict:
    known = catalogue()
    paths: dict[str, dict] = {}
    tags = []
    for method, rule in api_rules(app):
        path = openapi_path(rule)
        entry = known.get((method, path_shape(path)))
        if entry is None:
            continue  # undocumented: tests/api/test_openapi.py names it
        operation = copy.deepcopy(entry)
        params = _path_parameters(rule)
        if params:
            operation["parameters"] = params + operation.get("parameters", [])
        paths.setdefault(path, {})[method] = operation
        for tag in operation["tags"]:
            if tag not in tags:
                tags.append(tag)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "codesign API",
            "version": "1",
            "summary": "Co-progettazione tra amministrazioni e Terzo settore (art. 55 CTS)",
            "description": (
                "JSON in entrata e in uscita (UTF-8). Importi, punti e coefficienti sono stringhe in notazione "
                "decimale; date e orari ISO 8601 con fuso. Ogni risorsa con uno stato restituisce `state` e "
                "`allowed_triggers`. Gli elenchi sono array con `limit` (predefinito 100, al massimo 1000), "
                "`offset` e il totale nell'intestazione `X-Total-Count`. Errori: "
                "`{\"error\": {\"code\", \"message\", \"fields\"?, \"reasons\"?}}`."),
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": bp.url_prefix, "description": "questa installazione"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": components(),
    }


@bp.get("/openapi.json")
def openapi():
    doc = current_app.extensions.get("codesign_openapi")
    if doc is None:
        doc = current_app.extensions["codesign_openapi"] = build_document(current_app)
    return jsonify(doc)
