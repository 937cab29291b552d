"""What the report machine needs to know: when a report's content is complete (spending beyond the budget
included). Checks on the rows already loaded (the project's other reports read once, for the cumulated spending);
who is told of its moves is said in workflow.py, through proposals.notify."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from codesign.agreements.operations import final_version
from codesign.core.web import format_money
from codesign.db import db
from codesign.monitoring.models import Report

DECLARED = ("submitted", "approved")      # the earlier reports whose spending counts, with the one being written


def indicator_codes(version) -> list[str]:
    """The indicators the final project committed to (each with a target), in its order."""
    return [i["code"] for i in (version.indicators or [])] if version is not None else []


ZERO = Decimal("0.00")


def by_category(line) -> tuple:
    return (line["category"], line["funding_source"])


def by_source(line) -> str:
    return line["funding_source"]


def sums(lines, key) -> dict:
    """The amounts of budget or expense lines added up by `key` (by_category, by_source), in first-seen order."""
    out: dict = {}
    for e in lines:
        k = key(e)
        out[k] = out.get(k, ZERO) + Decimal(str(e.get("amount") or "0"))
    return out


def against_budget(budget_lines, spent_lines, key) -> list[tuple]:
    """`(key, budget, spent)` for every key of the budget, then every key spent outside it."""
    planned, used = sums(budget_lines, key), sums(spent_lines, key)
    return [(k, planned.get(k, ZERO), used.get(k, ZERO)) for k in [*planned, *(k for k in used if k not in planned)]]


def pct(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal (None when either is missing or the whole is zero)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def indicator_totals(meta, targets, achieved) -> list[dict]:
    """The indicators of a call (`meta`, its list in order) over several projects: `targets` and `achieved` are
    `(code, value)` pairs from each project's final version and latest approved report, each summed. Rows
    `{code, title, unit, target, achieved (None: no project reported it), pct}`; an indicator no project planned
    or reported is left out."""
    planned: dict[str, Decimal] = {}
    reached: dict[str, Decimal] = {}
    for code, value in targets:
        planned[code] = planned.get(code, Decimal(0)) + Decimal(str(value))
    for code, value in achieved:
        reached[code] = reached.get(code, Decimal(0)) + Decimal(str(value))
    return [{"code": m["code"], "title": m.get("title", m["code"]), "unit": m.get("unit") or "",
             "target": planned.get(m["code"], Decimal(0)), "achieved": reached.get(m["code"]),
             "pct": pct(reached.get(m["code"]), planned.get(m["code"]))}
            for m in meta or [] if m["code"] in planned or m["code"] in reached]


def indicators_json(rows) -> list[dict]:
    """Indicator rows (`{code, title, unit, target, achieved, pct}`, as `indicator_totals` and the dashboards build
    them) with their quantities as text, for JSON."""
    return [{**i, "target": str(i["target"]), "achieved": None if i["achieved"] is None else str(i["achieved"]),
             "pct": None if i["pct"] is None else str(i["pct"])} for i in rows]


def overspending(version, expense_lists) -> list[dict]:
    """Each cost category (with its funding source) and each funding source whose spending, summed over the given
    reports' expense lines, goes beyond the final project's budget: `{category (None for a whole source),
    funding_source, budget, spent}`, the categories first, in the budget's order."""
    budget = (version.budget_lines if version is not None else []) or []
    spent = [e for lines in expense_lists for e in lines or []]
    return ([{"category": k[0], "funding_source": k[1], "budget": b, "spent": s}
             for k, b, s in against_budget(budget, spent, by_category) if s > b]
            + [{"category": None, "funding_source": k, "budget": b, "spent": s}
               for k, b, s in against_budget(budget, spent, by_source) if s > b])


def report_overspending(report, version) -> list[dict]:
    """The overspending that this report brings the project to, cumulated to its period: its own lines with those
    of the project's earlier reports already submitted or approved."""
    others = db.session.execute(sa.select(Report.expenses).where(
        Report.proposal_id == report.proposal_id, Report.number < report.number, Report.state.in_(DECLARED))).scalars()
    return overspending(version, [*others, report.expenses])


def overspending_text(rows) -> str:
    return "; ".join(f"{r['category'] + ' – ' if r['category'] else 'totale fonte '}{r['funding_source']}: "
                     f"{format_money(r['spent'])} su {format_money(r['budget'])}" for r in rows)


def content_problems(report, version, over=None) -> list[str]:
    """Every part missing for `submit`, all at once (DOMAIN.md: narrative, every indicator, expenses with their
    receipts, the final report's sustainability; a justification when the spending goes beyond the budget)."""
    problems = []
    if not (report.narrative or "").strip():
        problems.append("manca la descrizione delle attività svolte")
    values = report.indicators or {}
    missing = [c for c in indicator_codes(version) if c not in values]
    if missing:
        problems.append("manca il valore raggiunto degli indicatori: " + ", ".join(missing))
    if not report.expenses:
        problems.append("mancano le spese sostenute nel periodo")
    unproven = lines_without_receipts(report.expenses)
    if unproven:
        problems.append("mancano i giustificativi (fatture, ricevute, cedolini) delle spese alle righe "
                        + ", ".join(str(n) for n in unproven) + ": caricali prima di presentare la relazione")
    if report.cofinancing_amount is None:
        problems.append("manca il cofinanziamento apportato nel periodo")
    if report.final and not (report.sustainability or "").strip():
        problems.append("la relazione finale deve descrivere come proseguono le attività dopo il periodo finanziato")
    if over and not (report.overspending_justification or "").strip():
        problems.append("la spesa supera il budget del progetto definitivo (" + overspending_text(over) + "): "
                        "scrivi perché")
    return problems


def lines_without_receipts(expenses) -> list[int]:
    """The expense lines (numbered from 1) that spend something and carry no receipt."""
    return [n for n, e in enumerate(expenses or [], start=1)
            if Decimal(str(e.get("amount") or "0")) > 0 and not e.get("receipts")]


def report_problems(report, version=None, over=None) -> list[str]:
    """content_problems with the final project and the overspending read here unless the caller has them."""
    version = version if version is not None else final_version(report.proposal)
    return content_problems(report, version, report_overspending(report, version) if over is None else over)


def snapshot(report) -> dict:
    """The content of a report as it is now (kept at each submission)."""
    return {"narrative": report.narrative or "", "indicators": dict(report.indicators or {}),
            "expenses": list(report.expenses or []),
            "cofinancing_amount": f"{report.cofinancing_amount:.2f}" if report.cofinancing_amount is not None else None,
            "sustainability": report.sustainability,
            "overspending_justification": report.overspending_justification}


def _expense_key(e: dict) -> tuple:
    return (e.get("category"), e.get("funding_source"), e.get("amount"), e.get("description", ""))


def changes(before: dict, after: dict) -> dict:
    """What changed from one submission to the next: texts, indicator values, expense rows, co-financing."""
    old_exp = [_expense_key(e) for e in before.get("expenses", [])]
    new_exp = [_expense_key(e) for e in after.get("expenses", [])]
    ind_old, ind_new = before.get("indicators", {}), after.get("indicators", {})
    return {
        "narrative": {"from": before.get("narrative"), "to": after.get("narrative"),
                      "changed": before.get("narrative") != after.get("narrative")},
        "sustainability": {"from": before.get("sustainability"), "to": after.get("sustainability"),
                           "changed": before.get("sustainability") != after.get("sustainability")},
        "indicators": {code: {"from": ind_old.get(code), "to": ind_new.get(code)}
                       for code in sorted(set(ind_old) | set(ind_new)) if ind_old.get(code) != ind_new.get(code)},
        "expenses": {"added": [e for e in after.get("expenses", []) if _expense_key(e) not in old_exp],
                     "removed": [e for e in before.get("expenses", []) if _expense_key(e) not in new_exp]},
        "cofinancing_amount": {"from": before.get("cofinancing_amount"), "to": after.get("cofinancing_amount"),
                               "changed": before.get("cofinancing_amount") != after.get("cofinancing_amount")},
    }


def title(report) -> str:
    """The report as a message names it, in the language in force."""
    words = {"number": report.number, "start": report.period_start.strftime("%d/%m/%Y"),
             "end": report.period_end.strftime("%d/%m/%Y")}
    if report.final:
        return _("relazione finale n. %(number)s (%(start)s–%(end)s)", **words)
    return _("relazione periodica n. %(number)s (%(start)s–%(end)s)", **words)
