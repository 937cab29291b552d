"""The proposal machine (DOMAIN.md, "Proposal states"), declared once as a table."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from codesign.core.enums import N_
from codesign.core.schemas import Date, Input, Text
from codesign.core.workflow import Context, Transition, Workflow
from codesign.proposals import effects

ROME = ZoneInfo("Europe/Rome")

STATES = {
    "draft": N_("bozza"),
    "submitted": N_("presentata"),
    "withdrawn": N_("ritirata"),
    "integration_requested": N_("soccorso istruttorio"),
    "admissible": N_("ammessa alla valutazione"),
    "excluded": N_("esclusa"),
    "admitted": N_("ammessa alla co-progettazione"),
    "reserve": N_("idonea non finanziata"),
    "below_threshold": N_("non idonea"),
    "in_codesign": N_("in co-progettazione"),
    "finalized": N_("progetto definitivo approvato"),
    "codesign_failed": N_("co-progettazione non conclusa"),
    "agreement_signed": N_("convenzione sottoscritta"),
    "started": N_("avviata (start-up)"),
    "completed": N_("conclusa"),
    "revoked": N_("revocata"),
}

def rome_today(now: dt.datetime) -> dt.date:
    return now.astimezone(ROME).date()


# --- guards ----------------------------------------------------------------------------------------------
def call_open(ctx: Context):
    p = ctx.row.procedure
    if p.state != "published":
        return "l'avviso non è aperto alla presentazione delle proposte"
    if p.deadline_passed(ctx.now):
        return "il termine per la presentazione delle proposte è scaduto"
    return None


def sender_confirmed(ctx: Context):
    """The sender has confirmed their e-mail address (the receipt and the requests go there)."""
    if ctx.user is not None and not ctx.user.email_verified:
        return ("conferma il tuo indirizzo e-mail con il collegamento che ti abbiamo scritto (o chiedine uno nuovo) "
                "prima di inviare la proposta")
    return None


def complete_for_submission(ctx: Context):
    return effects.submission_problems(ctx.row, ctx.params.get("declarations"), check_declarations=not ctx.probe)


PHASE_NAMES = {"admissibility": "verifica di ammissibilità", "codesign": "co-progettazione",
               "agreements": "convenzionamento", "implementation": "attuazione e monitoraggio"}


def in_phase(*states):
    names = PHASE_NAMES

    def guard(ctx: Context):
        if ctx.row.procedure.state not in states:
            return "la procedura non è nella fase di " + " o ".join(names.get(s, s) for s in states)
        return None

    guard.__name__ = "in_phase_" + "_".join(states)
    return guard


def integration_not_expired(ctx: Context):
    req = ctx.row.open_integration
    if req is not None and rome_today(ctx.now) > req.due:
        return f"il termine per l'integrazione è scaduto il {req.due.strftime('%d/%m/%Y')}"
    return None


def integration_expired_if_pending(ctx: Context):
    if ctx.row.state != "integration_requested":
        return None
    req = ctx.row.open_integration
    if req is not None and rome_today(ctx.now) <= req.due:
        return (f"la richiesta di integrazione scade il {req.due.strftime('%d/%m/%Y')}: "
                "si può escludere solo dopo quella data")
    return None


def due_date_valid(ctx: Context):
    due = ctx.params.get("due")
    if isinstance(due, dt.date) and due < rome_today(ctx.now):
        return "la data entro cui integrare non può essere nel passato"
    return None


# --- the parameters each trigger takes (declared once; the API and the pages parse them the same way) ---------
class SubmitParams(Input):
    declarations: dict[str, bool] | None = None


class IntegrationRequestParams(Input):
    reason: Text(5000, min_length=0) | None = None
    due: Date | None = None


class IntegrationParams(Input):
    declarations: dict[str, bool] | None = None
    note: Text(5000, min_length=0) | None = None


class StartParams(Input):
    start_date: Date | None = None


APPLICANT = frozenset({"applicant"})
CASCADE = frozenset({"cascade"})  # fired by the procedure's approve_ranking, never directly
ADMIN = frozenset({"admin"})
ADMISSIBILITY = in_phase("admissibility")
CODESIGN = in_phase("codesign")
AGREEMENTS = in_phase("agreements", "implementation")
IMPLEMENTATION = in_phase("implementation")

TABLE = [
    Transition("submit", ("draft",), "submitted", APPLICANT, (call_open, sender_confirmed, complete_for_submission),
               label=N_("Invia la proposta"), effect=effects.on_submit, params=SubmitParams),
    Transition("withdraw", ("draft", "submitted"), "withdrawn", APPLICANT, (call_open,),
               label=N_("Ritira la proposta"), style="danger",
               confirm=N_("La proposta è ritirata: non partecipa più all'avviso e non si può ripresentare.")),
    Transition("request_integration", ("submitted",), "integration_requested", ADMIN, (ADMISSIBILITY, due_date_valid),
               needs=("reason", "due"), label=N_("Richiedi integrazione (soccorso istruttorio)"),
               effect=effects.on_request_integration, params=IntegrationRequestParams,
               confirm=N_("L'ente riceve la richiesta con il motivo e il termine; se non risponde entro quel giorno la"
                          " proposta è esclusa.")),
    Transition("provide_integration", ("integration_requested",), "submitted", APPLICANT,
               (ADMISSIBILITY, integration_not_expired), label=N_("Invia l'integrazione"),
               effect=effects.on_provide_integration, params=IntegrationParams),
    Transition("declare_admissible", ("submitted",), "admissible", ADMIN, (ADMISSIBILITY,),
               label=N_("Dichiara ammissibile")),
    Transition("exclude", ("submitted", "integration_requested"), "excluded", frozenset({"admin", "system"}),
               (ADMISSIBILITY, integration_expired_if_pending), needs=("reason",), label=N_("Escludi"),
               effect=effects.on_exclude, style="danger",
               confirm=N_("La proposta è esclusa con la motivazione indicata e l'ente riceve l'avviso. Non si torna "
                          "indietro.")),
    Transition("rank_admitted", ("admissible",), "admitted", CASCADE,
               label=N_("Ammessa alla co-progettazione (calcolato all'approvazione della graduatoria)")),
    Transition("rank_reserve", ("admissible",), "reserve", CASCADE,
               label=N_("Idonea non finanziata (calcolato all'approvazione della graduatoria)")),
    Transition("rank_below_threshold", ("admissible",), "below_threshold", CASCADE,
               label=N_("Non idonea (calcolato all'approvazione della graduatoria)")),
    # After the ranking. The later modules (co-design tables, agreements, monitoring) contribute the
    # guards and effects that need their facts (Workflow.contribute); the moves are declared here, once.
    Transition("scroll_admitted", ("reserve",), "admitted", CASCADE,
               label=N_("Ammessa per scorrimento della graduatoria")),
    Transition("start_codesign", ("admitted",), "in_codesign", ADMIN, (CODESIGN,),
               label=N_("Apri il tavolo di co-progettazione"),
               confirm=N_("Si apre il tavolo di co-progettazione con l'ente, con la sua scadenza; l'ente riceve "
                          "l'avviso.")),
    Transition("finalize", ("in_codesign",), "finalized", ADMIN, (CODESIGN,),
               label=N_("Approva il progetto definitivo"),
               confirm=N_("Il progetto definitivo è approvato: il tavolo si chiude e l'ente riceve l'avviso; si passa "
                          "alla convenzione.")),
    Transition("fail_codesign", ("in_codesign",), "codesign_failed", ADMIN, (CODESIGN,), needs=("reason",),
               label=N_("Chiudi il tavolo senza accordo"), style="danger",
               confirm=N_("Il tavolo si chiude senza accordo con la motivazione indicata; l'ente riceve l'avviso e il "
                          "budget torna disponibile per lo scorrimento.")),
    Transition("sign_agreement", ("finalized",), "agreement_signed", ADMIN, (AGREEMENTS,),
               label=N_("Registra la convenzione sottoscritta"),
               confirm=N_("La convenzione è registrata come sottoscritta e il progetto diventa pubblico tra quelli "
                          "finanziati; l'ente riceve l'avviso.")),
    Transition("start", ("agreement_signed",), "started", ADMIN, (IMPLEMENTATION,),
               label=N_("Avvia il progetto"), params=StartParams,
               confirm=N_("Il progetto è avviato alla data indicata: comincia il calendario delle relazioni e l'ente "
                          "riceve l'avviso.")),
    Transition("complete", ("started",), "completed", ADMIN, (IMPLEMENTATION,),
               label=N_("Dichiara concluso il progetto"),
               confirm=N_("Il progetto è dichiarato concluso e l'ente riceve l'avviso.")),
    Transition("revoke", ("agreement_signed", "started"), "revoked", ADMIN, (IMPLEMENTATION,), needs=("reason",),
               label=N_("Revoca il contributo"), style="danger",
               confirm=N_("Il contributo è revocato con la motivazione indicata; l'ente riceve l'avviso. Non si torna "
                          "indietro.")),
]


def relation(user, proposal) -> set[str]:
    roles = set()
    if proposal.organization_id in user.body_ids:
        roles.add("applicant")
    if proposal.procedure.administration_id in user.administration_ids:
        roles.add("admin")
    return roles


workflow = Workflow(N_("proposta"), "proposal", STATES, TABLE, relation, initial="draft")
