"""The monitoring dashboards' tables as files to download (core.exports: CSV for Italian spreadsheets and XLSX): the
project's reports, its spending by funding source and by category, its indicators and tranches, and the call's
projects. The same figures as the pages, from the same `Figures`; headers in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _

from codesign.core.enums import N_
from codesign.core.exports import Column, Sheet
from codesign.monitoring import rules
from codesign.monitoring.operations import Figures, Tranche, combined
from codesign.monitoring.workflow import workflow

AFTER_LABELS = {"signature": N_("alla sottoscrizione della convenzione"),
                "report": N_("all'approvazione della relazione n. %(n)s"),
                "final": N_("all'approvazione della relazione finale")}
TRANCHE_STATUS = {"paid": N_("pagata"), "payable": N_("da pagare"), "not_due": N_("non ancora dovuta")}


def after_text(t: Tranche) -> str:
    """When a tranche falls due, in words."""
    text = _(AFTER_LABELS[t.after])
    return text % {"n": t.report_number} if t.after == "report" else text


def _yes(flag: bool) -> str:
    return _("sì") if flag else _("no")


def _reports(f: Figures) -> Sheet:
    late = {r.id for r in f.late}
    return Sheet("relazioni", _("Calendario delle relazioni"), [
        Column("number", _("Relazione"), "int"), Column("final", _("Finale")),
        Column("period_start", _("Inizio del periodo"), "date"), Column("period_end", _("Fine del periodo"), "date"),
        Column("due_on", _("Scadenza"), "date"), Column("state", _("Stato")), Column("late", _("In ritardo"))],
        [{"number": r.number, "final": _yes(r.final), "period_start": r.period_start, "period_end": r.period_end,
          "due_on": r.due_on, "state": _(workflow.states.get(r.state, r.state)), "late": _yes(r.id in late)}
         for r in f.reports])


def _sources(f: Figures) -> Sheet:
    return Sheet("spese-per-fonte", _("Spese per fonte di finanziamento"), [
        Column("funding_source", _("Fonte")), Column("budget", _("Budget"), "money"),
        Column("spent", _("Speso"), "money"), Column("remaining", _("Residuo"), "money"),
        Column("pct", _("Percentuale spesa"), "number")],
        [{**row, "pct": rules.pct(row["spent"], row["budget"])} for row in f.by_source])


def _categories(f: Figures) -> Sheet:
    return Sheet("spese-per-categoria", _("Spese per categoria e fonte"), [
        Column("category", _("Categoria")), Column("funding_source", _("Fonte")),
        Column("budget", _("Budget"), "money"), Column("spent", _("Speso"), "money"),
        Column("remaining", _("Residuo"), "money"), Column("over", _("Oltre il budget"))],
        [{**row, "over": _yes(row["over"])} for row in f.by_category])


def _indicators(f: Figures) -> Sheet:
    return Sheet("indicatori", _("Indicatori rispetto all'obiettivo"), [
        Column("code", _("Codice")), Column("title", _("Indicatore")), Column("unit", _("Unità")),
        Column("target", _("Obiettivo"), "number"), Column("achieved", _("Raggiunto"), "number"),
        Column("pct", _("Percentuale dell'obiettivo"), "number")], list(f.indicators))


def _tranches(f: Figures) -> Sheet:
    return Sheet("tranche", _("Tranche e pagamenti"), [
        Column("number", _("Tranche"), "int"), Column("pct", _("Percentuale"), "number"),
        Column("after", _("Quando")), Column("amount", _("Importo"), "money"), Column("status", _("Stato")),
        Column("paid_on", _("Pagata il"), "date"), Column("reference", _("Riferimento del mandato")),
        Column("net", _("Netto pagato dopo gli storni"), "money")],
        [{"number": t.number, "pct": t.pct, "after": after_text(t), "amount": t.amount,
          "status": _(TRANCHE_STATUS[t.status]), "paid_on": t.payment.paid_on if t.payment else None,
          "reference": t.payment.reference if t.payment else None,
          "net": t.payment.net_amount if t.payment else None} for t in f.tranches])


SPENDING_TABLES = {"spese-per-fonte": _sources, "spese-per-categoria": _categories, "indicatori": _indicators}
PROJECT_TABLES = {"relazioni": _reports, **SPENDING_TABLES, "tranche": _tranches}
CALL_TABLES = ("progetti", *SPENDING_TABLES)


def project_sheet(f: Figures, table: str) -> Sheet | None:
    """One table of the project's dashboard, named as in PROJECT_TABLES (None: no such table)."""
    build = PROJECT_TABLES.get(table)
    if build is None:
        return None
    sheet = build(f)
    sheet.name = f"{sheet.name}-progetto-{f.proposal.id}"
    return sheet


def call_sheet(procedure, rows: list[Figures], table: str, state_label) -> Sheet | None:
    """One table of the call's dashboard, named as in CALL_TABLES: its projects, or their spending and indicators
    taken together (None: no such table)."""
    if table == "progetti":
        return _projects(rows, procedure.id, state_label)
    build = SPENDING_TABLES.get(table)
    if build is None:
        return None
    sheet = build(combined(procedure, rows))
    sheet.name = f"{sheet.name}-avviso-{procedure.id}"
    return sheet


def _projects(rows: list[Figures], procedure_id: int, state_label) -> Sheet:
    return Sheet(f"progetti-avviso-{procedure_id}", _("Monitoraggio dei progetti"), [
        Column("id", _("Proposta"), "int"), Column("title", _("Titolo")), Column("organization", _("Ente")),
        Column("state", _("Stato")), Column("granted", _("Concesso"), "money"), Column("paid", _("Pagato"), "money"),
        Column("budget", _("Budget"), "money"), Column("spent", _("Speso"), "money"),
        Column("cofinancing_planned", _("Cofinanziamento previsto"), "money"),
        Column("cofinancing_provided", _("Cofinanziamento apportato"), "money"),
        Column("reports", _("Relazioni"), "int"), Column("approved", _("Relazioni approvate"), "int"),
        Column("late", _("Relazioni in ritardo")), Column("to_review", _("Relazioni da esaminare")),
        Column("overspent", _("Voci oltre il budget"))],
        [{"id": f.proposal.id, "title": f.proposal.title, "organization": f.proposal.organization.name,
          "state": state_label(f.proposal.state), "granted": f.granted, "paid": f.paid, "budget": f.budget,
          "spent": f.spent, "cofinancing_planned": f.cofinancing_planned,
          "cofinancing_provided": f.cofinancing_provided, "reports": len(f.reports), "approved": f.approved,
          "late": ", ".join(str(r.number) for r in f.late), "to_review": ", ".join(str(r.number) for r in f.to_review),
          "overspent": ", ".join(f"{c['category']}/{c['funding_source']}" for c in f.overspent)} for f in rows])
