"""What the report machine needs to know: when a report's content is complete, and who is told of its moves.
Pure checks on the rows already loaded, plus the notifications (through the outbox)."""
from __future__ import annotations

from decimal import Decimal

from codesign.agreements.operations import final_version
from codesign.core import mail
from codesign.core.enums import Role
from codesign.organizations.operations import member_emails


def indicator_codes(version) -> list[str]:
    """The indicators the final project committed to (each with a target), in its order."""
    return [i["code"] for i in (version.indicators or [])] if version is not None else []


def content_problems(report, version) -> list[str]:
    """Every part missing for `submit`, all at once (DOMAIN.md: narrative, every indicator, expenses, and the
    final report's sustainability)."""
    problems = []
    if not (report.narrative or "").strip():
        problems.append("manca la descrizione delle attività svolte (narrative)")
    values = report.indicators or {}
    missing = [c for c in indicator_codes(version) if c not in values]
    if missing:
        problems.append("manca il valore raggiunto degli indicatori: " + ", ".join(missing))
    if not report.expenses:
        problems.append("mancano le spese sostenute nel periodo (expenses)")
    unproven = lines_without_receipts(report.expenses)
    if unproven:
        problems.append("mancano i giustificativi (fatture, ricevute, cedolini) delle spese alle righe "
                        + ", ".join(str(n) for n in unproven) + ": caricali prima di presentare la relazione")
    if report.cofinancing_amount is None:
        problems.append("manca il cofinanziamento apportato nel periodo")
    if report.final and not (report.sustainability or "").strip():
        problems.append("la relazione finale deve descrivere come proseguono le attività dopo il periodo finanziato "
                        "(sustainability)")
    return problems


def lines_without_receipts(expenses) -> list[int]:
    """The expense lines (numbered from 1) that spend something and carry no receipt."""
    return [n for n, e in enumerate(expenses or [], start=1)
            if Decimal(str(e.get("amount") or "0")) > 0 and not e.get("receipts")]


def report_problems(report) -> list[str]:
    return content_problems(report, final_version(report.proposal))


def snapshot(report) -> dict:
    """The content of a report as it is now (kept at each submission)."""
    return {"narrative": report.narrative or "", "indicators": dict(report.indicators or {}),
            "expenses": list(report.expenses or []),
            "cofinancing_amount": f"{report.cofinancing_amount:.2f}" if report.cofinancing_amount is not None else None,
            "sustainability": report.sustainability}


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


def _notify(org_id: int, role: Role, subject: str, body: str) -> None:
    for email in member_emails({org_id}, role).get(org_id, []):
        mail.enqueue(email, subject, body)


def notify_body(proposal, subject: str, body: str) -> None:
    _notify(proposal.organization_id, Role.applicant, subject, body)


def notify_admins(proposal, subject: str, body: str) -> None:
    _notify(proposal.procedure.administration_id, Role.admin, subject, body)


def title(report) -> str:
    kind = "finale" if report.final else "periodica"
    return (f"relazione {kind} n. {report.number} ({report.period_start.strftime('%d/%m/%Y')}–"
            f"{report.period_end.strftime('%d/%m/%Y')})")
