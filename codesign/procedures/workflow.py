"""The procedure machine (DOMAIN.md, "Procedure states"), declared once as a table."""
from __future__ import annotations

from codesign.core.enums import N_
from codesign.core.schemas import Input, Text
from codesign.core.workflow import Context, Transition, Workflow
from codesign.procedures.validation import publish_problems

STATES = {
    "draft": N_("bozza"),
    "published": N_("pubblicato"),
    "closed": N_("termine scaduto"),
    "admissibility": N_("verifica di ammissibilità"),
    "evaluation": N_("valutazione"),
    "ranked": N_("graduatoria approvata"),
    "codesign": N_("co-progettazione"),
    "agreements": N_("convenzionamento"),
    "implementation": N_("attuazione e monitoraggio"),
    "concluded": N_("concluso"),
    "cancelled": N_("revocato in autotutela"),
}

BEFORE_IMPLEMENTATION = ("draft", "published", "closed", "admissibility", "evaluation", "ranked", "codesign",
                         "agreements")


# --- guards: each returns None when it holds, else the reason -------------------------------------------
def can_publish(ctx: Context):
    return publish_problems(ctx.row, ctx.now) or None


def deadline_passed(ctx: Context):
    if not ctx.row.deadline_passed(ctx.now):
        return "il termine per la presentazione delle proposte non è ancora scaduto"
    return None


# --- effects: run after the state changed, in the same transaction -------------------------------------
def on_publish(ctx: Context):
    ctx.row.published_at = ctx.now


def on_close(ctx: Context):
    ctx.row.closed_at = ctx.now


def on_cancel(ctx: Context):
    ctx.row.cancel_reason = ctx.params["reason"]


class ApproveParams(Input):
    act_ref: Text(200, min_length=0) | None = None  # the approving act (determina)


class ScrollParams(Input):
    lot: Text(20, min_length=0) | None = None


ADMIN = frozenset({"admin"})

TABLE = [
    Transition("publish", ("draft",), "published", ADMIN, (can_publish,), label=N_("Pubblica l'avviso"),
               effect=on_publish,
               confirm=N_("L'avviso diventa pubblico: gli enti possono presentare proposte. Da quel momento non si "
                          "modifica più; si può solo prorogare la scadenza o revocarlo in autotutela.")),
    Transition("close", ("published",), "closed", frozenset({"admin", "system"}), (deadline_passed,),
               label=N_("Chiudi la raccolta delle proposte"), effect=on_close),
    Transition("start_admissibility", ("closed",), "admissibility", ADMIN, label=N_("Avvia la verifica di ammissibilità"),
               confirm=N_("Si apre la verifica di ammissibilità delle proposte ricevute; la raccolta resta chiusa.")),
    # proposals and evaluation contribute the guards of these two, and the ranking's effect
    Transition("start_evaluation", ("admissibility",), "evaluation", ADMIN, label=N_("Avvia la valutazione"),
               confirm=N_("La commissione riceve l'avviso e comincia a valutare le proposte ammissibili; la verifica "
                          "di ammissibilità si chiude e non si potranno più ammettere o escludere proposte.")),
    Transition("approve_ranking", ("evaluation",), "ranked", ADMIN, label=N_("Approva e pubblica la graduatoria"),
               params=ApproveParams,
               confirm=N_("La graduatoria diventa pubblica e definitiva: ogni ente riceve l'esito della sua proposta e"
                          " le valutazioni non si possono più modificare.")),
    Transition("open_codesign", ("ranked",), "codesign", ADMIN, label=N_("Avvia la co-progettazione"),
               confirm=N_("Si apre la fase di co-progettazione: da qui si aprono i tavoli con gli enti ammessi.")),
    # The later modules contribute the guards and effects that need their facts (Workflow.contribute).
    Transition("scroll_ranking", ("codesign",), "codesign", ADMIN, needs=("lot",),
               label=N_("Scorri la graduatoria"), params=ScrollParams,
               confirm=N_("Le proposte in riserva del lotto che rientrano nel budget disponibile sono ammesse alla "
                          "co-progettazione, in ordine di graduatoria; i loro enti ricevono l'avviso.")),
    Transition("close_codesign", ("codesign",), "agreements", ADMIN, label=N_("Chiudi la fase di co-progettazione"),
               confirm=N_("La fase di co-progettazione si chiude: non si aprono altri tavoli e non si scorre più la "
                          "graduatoria; si passa alle convenzioni.")),
    Transition("start_implementation", ("agreements",), "implementation", ADMIN,
               label=N_("Avvia l'attuazione e il monitoraggio"),
               confirm=N_("Si passa all'attuazione: i progetti avviati entrano nel monitoraggio.")),
    Transition("conclude", ("implementation",), "concluded", ADMIN, label=N_("Concludi la procedura"),
               confirm=N_("La procedura si chiude: nessun progetto potrà più essere avviato o modificato.")),
    Transition("cancel", BEFORE_IMPLEMENTATION, "cancelled", ADMIN, needs=("reason",),
               label=N_("Revoca in autotutela"), effect=on_cancel, style="danger",
               confirm=N_("L'avviso è revocato in autotutela con la motivazione indicata: ogni ente che ha una "
                          "proposta, anche in bozza, riceve l'avviso. Non si torna indietro.")),
]


def relation(user, procedure) -> set[str]:
    return {"admin"} if procedure.administration_id in user.administration_ids else set()


workflow = Workflow(N_("procedura"), "procedure", STATES, TABLE, relation, initial="draft")
