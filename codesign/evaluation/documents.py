"""The evaluation's documents: the approved ranking as a page, a CSV and a PDF, and the committee's minutes
(verbale) as a PDF.

The ranking is read from the stored act (`ApprovedRanking.data`: titles, bodies, totals, outcomes), so it
shows what was approved whatever happened since, and it never holds evaluators' names or individual
scores. The minutes are built from the stored rows (committee, declarations, final reviews) in a fixed
number of queries. PDFs are rendered by WeasyPrint from self-contained HTML templates, with a URL
fetcher that allows no protocol at all: rendering never reaches the network or the file system.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from codesign.auth.models import User
from codesign.core.documents import render_pdf  # noqa: F401  (the views render through it)
from codesign.core.exports import safe_text
from codesign.db import db
from codesign.evaluation import committee, open_scores
from codesign.evaluation.models import ConflictDeclaration, Review
from codesign.evaluation.operations import approved
from codesign.proposals.models import Proposal

OUTCOMES = {
    "admitted": _l("ammessa alla co-progettazione"),
    "reserve": _l("idonea non finanziata"),
    "below_threshold": _l("non idonea"),
}

# The notices beside the approved ranking (evaluation.operations.notices): the outcome each one leaves.
NOTICE_OUTCOMES = {
    "codesign_failed": _l("co-progettazione non conclusa"),
    "admitted_by_scrolling": _l("ammessa alla co-progettazione per scorrimento"),
    "revoked": _l("contributo revocato"),
}

CSV_HEADER = ("lotto", "posizione", "titolo", "ente", "punteggio", "esito", "esito_attuale", "aggiornamenti")


# --- the ranking -------------------------------------------------------------------------------------------
def lots_view(proc, data: dict, notices: list[dict] | None = None) -> list[dict]:
    """The ranking JSON (approved or previewed) per lot, in the call's lot order, with the lot's title
    and budget; each entry with the notices about it (what became of it since the act, oldest first) and
    `current`, the event of the latest one. No query: the call's lots are already loaded with it."""
    by_code = data.get("lots", {}) if isinstance(data, dict) else {}
    about: dict[int, list[dict]] = {}
    for n in notices or []:
        about.setdefault(n["proposal_id"], []).append(n)

    def entries(d):
        return [e | {"notices": about.get(e["proposal_id"], []),
                     "current": about[e["proposal_id"]][-1]["event"] if e["proposal_id"] in about else None}
                for e in d["ranking"]]

    out, seen = [], set()
    for lot in proc.lots:
        d = by_code.get(lot.code)
        if d is None:
            continue
        seen.add(lot.code)
        out.append({"code": lot.code, "title": lot.title, "budget": lot.budget,
                    "budget_left": Decimal(d["budget_left"]), "entries": entries(d)})
    for code, d in by_code.items():  # a lot renamed or removed after the approval: still part of the act
        if code not in seen:
            out.append({"code": code, "title": None, "budget": None, "budget_left": Decimal(d["budget_left"]),
                        "entries": entries(d)})
    return out


def ranking_view(proc, stored, notices: list[dict]) -> dict:
    """What the public ranking's page and PDF show: the lots with each entry's notices, every notice in order,
    and the SHA-256 of the anonymised scores (None for a ranking approved before they were kept)."""
    lots = lots_view(proc, stored.data, notices)
    return {"lots": lots, "notices": notice_rows(lots, notices),
            "scores_sha256": open_scores.sha256(stored.scores) if stored.scores is not None else None}


def notice_rows(lots: list[dict], notices: list[dict]) -> list[dict]:
    """Every notice, in the order they happened, with the ranked proposal it is about (title, body, lot)."""
    entries = {e["proposal_id"]: e | {"lot": lot["code"]} for lot in lots for e in lot["entries"]}
    return [n | {"entry": entries[n["proposal_id"]]} for n in notices if n["proposal_id"] in entries]


def outcome_label(outcome: str) -> str:
    return str(OUTCOMES.get(outcome, outcome))


def notice_label(event: str) -> str:
    return str(NOTICE_OUTCOMES.get(event, event))


def outcome_now(entry: dict) -> str:
    """The proposal's outcome today, in words: the approved one, or the one its latest notice leaves."""
    return notice_label(entry["current"]) if entry.get("current") else outcome_label(entry["outcome"])


def ranking_csv(proc, data: dict, notices: list[dict] | None = None) -> str:
    """One row per ranked proposal: lotto, posizione, titolo, ente, punteggio (dot decimal), esito (as approved),
    esito_attuale and aggiornamenti (the notices since: "YYYY-MM-DD outcome (reason)", separated by "; ").
    Outcomes are written in Italian whatever the reader's language, so the dataset stays stable."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    with force_locale("it"):
        for lot in lots_view(proc, data, notices):
            for e in lot["entries"]:
                updates = "; ".join(f"{n['date']} {notice_label(n['event'])}"
                                    + (f" ({n['reason']})" if n.get("reason") else "") for n in e["notices"])
                writer.writerow([lot["code"], e["rank"], safe_text(e["title"]), safe_text(e["organization"]), e["total"],
                                 outcome_label(e["outcome"]), outcome_now(e), safe_text(updates)])
    return buf.getvalue()


# --- the committee's minutes -------------------------------------------------------------------------------
def minutes(proc) -> dict:
    """Everything the minutes show, in a fixed number of queries: the committee (2), the conflict
    declarations (1), the evaluated proposals (3), the final reviews with their scores (2), the act (1)."""
    members = committee.members(proc.id)
    proposals = list(db.session.execute(
        sa.select(Proposal).where(Proposal.procedure_id == proc.id,
                                  Proposal.state.in_(committee.EVALUATED_PROPOSAL_STATES))
        .order_by(Proposal.protocol_number)).unique().scalars())
    numbers = {p.id: p for p in proposals}
    declarations = db.session.execute(
        sa.select(ConflictDeclaration, User.name)
        .join(User, User.id == ConflictDeclaration.user_id)
        .join(Proposal, Proposal.id == ConflictDeclaration.proposal_id)
        .where(Proposal.procedure_id == proc.id)
        .order_by(Proposal.protocol_number, User.name, ConflictDeclaration.id)).all()
    reviews = db.session.execute(
        sa.select(Review, User.name)
        .join(User, User.id == Review.user_id)
        .join(Proposal, Proposal.id == Review.proposal_id)
        .where(Proposal.procedure_id == proc.id, Review.final.is_(True))
        .order_by(Proposal.protocol_number, Review.finalized_at, Review.id)).all()
    stored = approved(proc)
    results = {}
    if stored is not None:
        for code, lot in (stored.data.get("lots") or {}).items():
            for e in lot["ranking"]:
                results[e["proposal_id"]] = e | {"lot": code}

    by_proposal = {p.id: {"p": p, "reviews": [], "abstained": [], "result": results.get(p.id)} for p in proposals}
    conflicts = []
    for d, name in declarations:
        entry = by_proposal.get(d.proposal_id)
        conflicts.append({"name": name, "proposal": numbers.get(d.proposal_id), "conflict": d.conflict,
                          "note": d.note, "at": d.declared_at})
        if d.conflict and entry is not None:
            entry["abstained"].append(name)
    for r, name in reviews:
        entry = by_proposal.get(r.proposal_id)
        if entry is None:
            continue
        values = {s.criterion_code: s for s in r.scores}
        entry["reviews"].append({"name": name, "at": r.finalized_at,
                                 "rows": [(c, values.get(c.code)) for c in proc.criteria]})
    lots = {lot.code: lot for lot in proc.lots}
    return {"members": members, "declarations": conflicts, "stored": stored, "lots": lots,
            "proposals": [by_proposal[p.id] for p in proposals]}
