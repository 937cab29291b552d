"""The public record of every funded project (from the agreement's signature on): the fields of artt. 26-27
D.Lgs. 33/2013, the amounts of the final project, and the figures of monitoring. One query per list,
whatever its length; never evaluators' names or scores, never personal data beyond what the law asks."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from codesign.agreements import operations as agreements
from codesign.agreements.models import Agreement
from codesign.core.audit import AuditRecord
from codesign.core.errors import Invalid, NotFound
from codesign.core.exports import safe_text
from codesign.db import db
from codesign.monitoring import operations as monitoring
from codesign.monitoring.rules import indicator_totals, indicators_json
from codesign.organizations.models import Organization
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow as procedure_workflow
from codesign.proposals.models import Proposal
from codesign.tables.models import ProjectVersion

PUBLIC_STATES = ("agreement_signed", "started", "completed", "revoked")
LEGAL_BASIS = "art. 55 D.Lgs. 117/2017 (Codice del Terzo settore); art. 11 L. 241/1990"
SELECTION_METHOD = "co-progettazione: istruttoria pubblica con graduatoria (art. 55 D.Lgs. 117/2017)"
CSV_COLUMNS = ("cup", "title", "procedure_id", "programme", "beneficiary_name", "beneficiary_tax_code",
               "municipality", "amount", "cofinancing_amount", "paid_amount", "state", "start_date", "end_date",
               "legal_basis", "rup", "selection_method", "indicators", "administration", "published_on")


def _query(*, administration=None, programme=None, municipality=None, state=None, text=None):
    q = (sa.select(Proposal, Agreement, ProjectVersion)
         .join(Agreement, Agreement.proposal_id == Proposal.id)
         .join(ProjectVersion, sa.and_(ProjectVersion.proposal_id == Proposal.id,
                                       ProjectVersion.number == Agreement.version_number))
         .where(Proposal.state.in_(PUBLIC_STATES)))
    if state:
        if state not in PUBLIC_STATES:
            raise Invalid({"state": "stato sconosciuto: usare uno di " + ", ".join(PUBLIC_STATES)})
        q = q.where(Proposal.state == state)
    if administration:
        q = q.where(Proposal.procedure.has(Procedure.administration.has(Organization.name == administration)))
    if programme:
        q = q.where(Proposal.procedure.has(Procedure.programme == programme))
    if municipality:
        q = q.where(sa.func.lower(Agreement.municipality) == municipality.lower())
    if text:
        like = f"%{text.lower()}%"
        q = q.where(sa.or_(sa.func.lower(Proposal.title).like(like), sa.func.lower(Agreement.cup).like(like),
                           Proposal.organization.has(sa.func.lower(Organization.name).like(like))))
    return q


def with_monitoring(rows) -> list[dict]:
    """The rows with what monitoring knows of them: paid amounts and achieved indicators (two queries)."""
    ids = [p.id for p, _a, _v in rows]
    paid, achieved = monitoring.paid_amounts(ids), monitoring.achieved_indicators(ids)
    return [to_dict(p, a, v, paid=paid.get(p.id), achieved=achieved.get(p.id, {})) for p, a, v in rows]


def get_project(proposal_id: int) -> dict:
    row = db.session.execute(_query().where(Proposal.id == proposal_id)).unique().one_or_none()
    if row is None:
        raise NotFound("progetto non trovato tra quelli finanziati")
    return with_monitoring([row])[0]


def unpublished_reason(proposal: Proposal) -> str | None:
    """Payment condition (monitoring.register_payment_condition): no tranche before the project is public,
    which it is from the agreement's signature."""
    agreement = agreements.agreement_of(proposal)
    if agreement is None or agreement.signed_at is None or proposal.state not in PUBLIC_STATES:
        return ("il progetto non è ancora pubblicato nella sezione trasparenza (artt. 26-27 D.Lgs. 33/2013): "
                "nessuna tranche si eroga prima della pubblicazione")
    return None


def facets() -> dict:
    """The values the filters offer (administrations, programmes, municipalities of the published projects)."""
    base = (sa.select(Organization.name, Procedure.programme, Agreement.municipality)
            .select_from(Proposal).join(Agreement, Agreement.proposal_id == Proposal.id)
            .join(Procedure, Procedure.id == Proposal.procedure_id)
            .join(Organization, Organization.id == Procedure.administration_id)
            .where(Proposal.state.in_(PUBLIC_STATES)).distinct())
    rows = db.session.execute(base).all()
    return {"administrations": sorted({r[0] for r in rows if r[0]}),
            "programmes": sorted({r[1] for r in rows if r[1]}),
            "municipalities": sorted({r[2] for r in rows if r[2]})}


def _money(d) -> str:
    return f"{Decimal(d):.2f}"


def to_dict(p: Proposal, a: Agreement, v: ProjectVersion, *, paid=None, achieved=None) -> dict:
    proc = p.procedure
    titles = {i["code"]: i.get("title", i["code"]) for i in proc.indicators or []}
    end = agreements.end_date(a, proc)
    return {
        "id": p.id, "proposal_id": p.id,
        "cup": a.cup, "title": p.title, "procedure_id": proc.id, "programme": proc.programme,
        "administration": proc.administration.name,
        "beneficiary": {"name": p.organization.name, "tax_code": p.organization.tax_code},
        "municipality": a.municipality, "amount": _money(v.requested_amount),
        "cofinancing_amount": _money(v.cofinancing_amount), "paid_amount": _money(paid or 0), "state": p.state,
        "start_date": (a.started_on or a.start_date).isoformat() if (a.started_on or a.start_date) else None,
        "end_date": end.isoformat() if end else None,
        "legal_basis": LEGAL_BASIS + (f"; {proc.act_ref}" if proc.act_ref else ""),
        "rup": proc.rup, "office": proc.office, "selection_method": SELECTION_METHOD,
        "published_on": a.signed_at.date().isoformat() if a.signed_at else None,
        "indicators": [{"code": i["code"], "title": titles.get(i["code"], i["code"]), "target": i["target"],
                        "achieved": None if (achieved or {}).get(i["code"]) is None else str(achieved[i["code"]])}
                       for i in v.indicators or []],
    }


# --- what each call funded, paid and achieved --------------------------------------------------------------------
@dataclass
class CallOutcome:
    """The figures of a call's funded projects (every one from its agreement's signature on): how many are under
    way, completed, revoked; the contributions granted by the agreements (revoked ones counted apart); what the
    administration paid, net of reversals (to revoked projects too: money that left it); each indicator of the call,
    targets and latest approved values summed over the projects not revoked. Final once the call is `concluded`."""
    procedure_id: int
    state: str
    concluded_at: dt.datetime | None = None
    projects: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PUBLIC_STATES})
    granted: Decimal = Decimal("0.00")
    revoked: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    indicators: list[dict] = field(default_factory=list)   # {code, title, unit, target, achieved, pct}

    @property
    def final(self) -> bool:
        return self.state == "concluded"

    @property
    def funded(self) -> int:
        return sum(self.projects.values())

    def to_dict(self) -> dict:
        return {"procedure_id": self.procedure_id, "state": self.state, "final": self.final,
                "concluded_at": self.concluded_at.isoformat() if self.concluded_at else None,
                "projects": {"funded": self.funded, **self.projects},
                "granted_amount": _money(self.granted), "revoked_amount": _money(self.revoked),
                "paid_amount": _money(self.paid),
                "indicators": indicators_json(self.indicators)}


def call_outcomes(procedures) -> dict[int, CallOutcome]:
    """The outcome of each call, in five queries whatever the number of calls and projects."""
    procs = {p.id: p for p in procedures}
    if not procs:
        return {}
    out = {pid: CallOutcome(pid, p.state) for pid, p in procs.items()}
    rows = db.session.execute(
        sa.select(Proposal.id, Proposal.procedure_id, Proposal.state, ProjectVersion.requested_amount,
                  ProjectVersion.indicators)
        .join(Agreement, Agreement.proposal_id == Proposal.id)
        .join(ProjectVersion, sa.and_(ProjectVersion.proposal_id == Proposal.id,
                                      ProjectVersion.number == Agreement.version_number))
        .where(Proposal.procedure_id.in_(list(procs)), Proposal.state.in_(PUBLIC_STATES))).all()
    ids = [r.id for r in rows]
    paid, achieved = monitoring.paid_amounts(ids), monitoring.achieved_indicators(ids)
    targets: dict[int, list] = {pid: [] for pid in procs}
    reached: dict[int, list] = {pid: [] for pid in procs}
    for r in rows:
        o = out[r.procedure_id]
        o.projects[r.state] += 1
        o.paid += paid.get(r.id, Decimal("0.00"))
        if r.state == "revoked":
            o.revoked += r.requested_amount
            continue
        o.granted += r.requested_amount
        targets[r.procedure_id] += [(i["code"], i["target"]) for i in r.indicators or []]
        reached[r.procedure_id] += list(achieved.get(r.id, {}).items())
    concluded = db.session.execute(
        sa.select(AuditRecord.entity_id, sa.func.max(AuditRecord.at))
        .where(AuditRecord.entity_type == procedure_workflow.entity_type, AuditRecord.entity_id.in_(list(procs)),
               AuditRecord.trigger == "conclude").group_by(AuditRecord.entity_id)).all()
    for pid, at in concluded:
        out[pid].concluded_at = at
    for pid, p in procs.items():
        out[pid].indicators = indicator_totals(p.indicators, targets[pid], reached[pid])
    return out


def call_outcome(procedure: Procedure) -> CallOutcome:
    return call_outcomes([procedure])[procedure.id]


# --- calls as open data, and the catalogue (DCAT-AP_IT) ---------------------------------------------------
CALL_COLUMNS = ("id", "title", "administration", "programme", "cup", "state", "budget_total", "cofinancing_min_pct",
                "submission_deadline", "published_at", "lots", "funded_projects", "completed_projects",
                "revoked_projects", "granted_amount", "revoked_amount", "paid_amount", "indicators", "concluded_at")


def public_calls() -> list[dict]:
    """Every call but the drafts: what the administration published (one query)."""
    rows = db.session.execute(sa.select(Procedure).where(Procedure.state != "draft")
                              .order_by(Procedure.published_at.desc().nulls_last(), Procedure.id.desc())
                              ).unique().scalars().all()
    outcomes = call_outcomes(rows)
    return [{"id": p.id, "title": p.title, "administration": p.administration.name, "programme": p.programme,
             "cup": p.cup, "state": p.state,
             "budget_total": None if p.budget_total is None else _money(p.budget_total),
             "cofinancing_min_pct": None if p.cofinancing_min_pct is None else f"{p.cofinancing_min_pct:.2f}",
             "submission_deadline": p.submission_deadline.isoformat() if p.submission_deadline else None,
             "published_at": p.published_at.isoformat() if p.published_at else None,
             "lots": json.dumps([{"code": lot.code, "title": lot.title, "budget": _money(lot.budget)}
                                 for lot in p.lots], ensure_ascii=False),
             **_outcome_columns(outcomes[p.id])} for p in rows]


def _outcome_columns(o: CallOutcome) -> dict:
    d = o.to_dict()
    return {"funded_projects": o.funded, "completed_projects": o.projects["completed"],
            "revoked_projects": o.projects["revoked"], "granted_amount": d["granted_amount"],
            "revoked_amount": d["revoked_amount"], "paid_amount": d["paid_amount"],
            "indicators": json.dumps([{k: i[k] for k in ("code", "target", "achieved")} for i in d["indicators"]],
                                     ensure_ascii=False),
            "concluded_at": d["concluded_at"]}


def calls_csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CALL_COLUMNS)
    for r in rows:
        w.writerow([safe_text(r.get(c)) for c in CALL_COLUMNS])
    return out.getvalue()


LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def catalogue(base_url: str, urls: dict, modified: str) -> dict:
    """The datasets described in DCAT-AP_IT (JSON-LD), so that the national catalogue can harvest them."""

    def dataset(ident, title, description, keywords, distributions):
        return {
            "@type": ["dcat:Dataset", "dcatapit:Dataset"], "@id": f"{base_url}#{ident}",
            "dct:identifier": f"codesign:{ident}", "dct:title": {"@language": "it", "@value": title},
            "dct:description": {"@language": "it", "@value": description},
            "dcat:theme": [{"@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"},
                           {"@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"}],
            "dcat:keyword": keywords, "dct:modified": modified,
            "dct:accrualPeriodicity": {"@id": "http://publications.europa.eu/resource/authority/frequency/CONT"},
            "dct:rightsHolder": {"@type": "dcatapit:Agent", "foaf:name": "Amministrazioni che pubblicano gli avvisi"},
            "dct:publisher": {"@type": "dcatapit:Agent", "foaf:name": "codesign"},
            "dcat:contactPoint": {"@type": "dcatapit:Organization", "vcard:fn": "Responsabile dei dati aperti"},
            "dcat:distribution": [{
                "@type": ["dcat:Distribution", "dcatapit:Distribution"], "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url}, "dct:license": {"@id": LICENCE},
                "dct:format": {"@id": f"http://publications.europa.eu/resource/authority/file-type/{fmt}"},
                "dcat:mediaType": media} for url, fmt, media in distributions],
        }

    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "dcatapit": "http://dati.gov.it/onto/dcatapit#", "foaf": "http://xmlns.com/foaf/0.1/",
                     "vcard": "http://www.w3.org/2006/vcard/ns#"},
        "@type": ["dcat:Catalog", "dcatapit:Catalog"], "@id": base_url,
        "dct:title": {"@language": "it", "@value": "Co-progettazione con il Terzo settore: dati aperti"},
        "dct:description": {"@language": "it", "@value": "Avvisi di co-progettazione (art. 55 D.Lgs. 117/2017) e "
                                                         "progetti finanziati (artt. 26-27 D.Lgs. 33/2013)."},
        "dct:modified": modified, "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ITA"},
        "dct:publisher": {"@type": "dcatapit:Agent", "foaf:name": "codesign"},
        "dcat:dataset": [
            dataset("progetti-finanziati", "Progetti del territorio: co-progettazione e altri finanziamenti",
                    "Ogni progetto finanziato con la co-progettazione, dalla sottoscrizione della convenzione, e "
                    "ogni progetto dei comuni finanziato altrove (PNRR, PON Metro, Bando Periferie, fondi propri): "
                    "CUP, titolo, tema, comune (codice ISTAT), beneficiario, finanziamento pubblico e altri "
                    "finanziamenti, erogato, date previste ed effettive, stato, avanzamento, indicatori "
                    "(vocabolario di OpenCoesione).",
                    ["co-progettazione", "Terzo settore", "contributi", "trasparenza"],
                    [(urls["projects_csv"], "CSV", "text/csv"), (urls["projects_json"], "JSON", "application/json")]
                    + ([(urls["projects_geojson"], "GEOJSON", "application/geo+json")]
                       if urls.get("projects_geojson") else [])),
            dataset("avvisi", "Avvisi di co-progettazione",
                    "Gli avvisi pubblicati: amministrazione, programma, CUP, budget e lotti, scadenza, stato.",
                    ["co-progettazione", "avvisi", "Terzo settore"],
                    [(urls["calls_csv"], "CSV", "text/csv"), (urls["calls_json"], "JSON", "application/json")]),
        ],
    }
