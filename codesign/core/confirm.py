"""One confirmation step before an irreversible move, generated from the machine's table: a transition that
declares `confirm` (what it does, who is told) is asked once on every page that offers it, never written per
page. Without JavaScript: the button posts its form; the page's view asks `confirmation(...)`, which answers the
page that asks (the form's fields carried as hidden inputs, "Conferma: …" to post them again confirmed, "Annulla"
to go back) or None when the move needs no confirmation, was confirmed, or would be refused anyway (firing it then
says why, with nothing to confirm)."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from codesign.core.errors import DomainError

CONFIRMED = "confirmed"   # the form field that says the person confirmed


def confirmation(workflow, row, trigger: str, *, subject: str, back: str, params: dict | None = None):
    """The page that asks before `trigger` moves `row`, or None (fire it now)."""
    t = next((x for x in workflow.by_trigger.get(trigger, ()) if row.state in x.sources), None)
    if t is None or not t.confirm or confirmed():
        return None
    params = dict(params or {})
    if any(params.get(name) is None or not str(params[name]).strip() for name in t.needs):
        return None   # a required field is missing: firing it says which
    try:
        workflow.check(row, trigger, current_user, params=params)
    except DomainError:
        return None
    return ask(_(t.label or trigger), _(t.confirm), subject=subject, back=back, danger=t.style == "danger")


def confirmed() -> bool:
    """Whether the posted form is the confirmation of its step."""
    return request.form.get(CONFIRMED) == "yes"


def ask(label: str, consequence: str, *, subject: str, back: str, danger: bool = False) -> str:
    """The step that asks before an irreversible operation (a machine's move, or deleting a draft): the posted
    form's fields carried, the reason given shown, "Conferma: <label>" to post them again confirmed, to the same
    address with its query (a list's filters and page, which the answer goes back to)."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if name not in ("csrf_token", CONFIRMED)]
    reason = next((value for name, value in fields if name.endswith("reason") and value), None)
    return render_template("confirm.html", label=label, consequence=consequence, subject=subject,
                           action=request.full_path.rstrip("?"), fields=fields, back=back, danger=danger, reason=reason)
