"""The report machine (DOMAIN.md, "Agreement, start-up, monitoring"), declared once as a table: a report of the
calendar is `due`, the body submits it, the administration approves it or returns it with a reason, and the
body submits it again after correcting it."""
from __future__ import annotations

from flask_babel import gettext as _

from codesign.core.enums import N_
from codesign.core.workflow import Context, Transition, Workflow
from codesign.monitoring import rules
from codesign.monitoring.models import ReportSubmission
from codesign.proposals.notify import notify_admins, notify_body

STATES = {
    "due": N_("da presentare"),
    "submitted": N_("presentata"),
    "approved": N_("approvata"),
    "returned": N_("restituita per correzioni"),
}

APPLICANT = frozenset({"applicant"})
ADMIN = frozenset({"admin"})


# --- guards ----------------------------------------------------------------------------------------------
def project_started(ctx: Context):
    """The project is started (not yet completed or revoked)."""
    if ctx.row.proposal.state != "started":
        return "il progetto non è in corso: le relazioni si presentano e si esaminano mentre è avviato"
    return None


def content_complete(ctx: Context):
    """Narrative, every indicator, expenses with receipts, co-financing; sustainability if final; why, if over budget.

    (rules.content_problems lists what is missing, all at once.)"""
    return rules.report_problems(ctx.row) or None


# --- effects ---------------------------------------------------------------------------------------------
def on_submit(ctx: Context) -> None:
    """The submitted content is kept (numbered per report), the admins are told."""
    r = ctx.row
    r.submitted_at = ctx.now
    number = len(r.submissions) + 1
    r.submissions.append(ReportSubmission(number=number, content=rules.snapshot(r), submitted_at=ctx.now,
                                          submitted_by_id=getattr(ctx.user, "id", None)))
    p = r.proposal
    notify_admins(p, lambda: _("Relazione da esaminare: %(title)s", title=p.title),
                  lambda: _("L'ente «%(body)s» ha presentato la %(report)s del progetto «%(title)s» (avviso "
                            "«%(call)s»): esaminala e approvala o restituiscila con una motivazione.",
                            body=p.organization.name, report=rules.title(r), title=p.title, call=p.procedure.title))


def on_approve(ctx: Context) -> None:
    r = ctx.row
    r.approved_at = ctx.now
    p = r.proposal
    notify_body(p, lambda: _("Relazione approvata: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha approvato la %(report)s del progetto «%(title)s».",
                          report=rules.title(r), title=p.title))


def on_return(ctx: Context) -> None:
    r = ctx.row
    r.return_reason = ctx.params["reason"]
    p = r.proposal
    notify_body(p, lambda: _("Relazione restituita: %(title)s", title=p.title),
                lambda: _("L'amministrazione ha restituito la %(report)s del progetto «%(title)s» perché sia "
                          "corretta.", report=rules.title(r), title=p.title) + "\n"
                + _("Motivazione: %(reason)s", reason=r.return_reason) + "\n"
                + _("Correggila e presentala di nuovo."))


TABLE = [
    Transition("submit", ("due", "returned"), "submitted", APPLICANT, (project_started, content_complete),
               label=N_("Presenta la relazione"), effect=on_submit),
    Transition("approve", ("submitted",), "approved", ADMIN, (project_started,),
               label=N_("Approva la relazione"), effect=on_approve,
               confirm=N_("La relazione è approvata e non si modifica più: le quote del contributo legate a essa si "
                          "possono pagare; l'ente riceve l'avviso.")),
    Transition("return", ("submitted",), "returned", ADMIN, (project_started,), needs=("reason",),
               label=N_("Restituisci per correzioni"), effect=on_return, style="danger"),
]


def relation(user, report) -> set[str]:
    roles = set()
    p = report.proposal
    if p.organization_id in user.body_ids:
        roles.add("applicant")
    if p.procedure.administration_id in user.administration_ids:
        roles.add("admin")
    return roles


def audit_data(report) -> dict:
    return {"proposal_id": report.proposal_id, "number": report.number}


workflow = Workflow(N_("relazione"), "report", STATES, TABLE, relation, initial="due", audit_data=audit_data)
