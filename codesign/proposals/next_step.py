"""What each party should know or do next about a proposal, in words that fit the situation: one function per
role (`for_body`, `for_admin`), over every state of the proposal and the phase of its call. Later modules that
know more about a state (the agreements: whether the signed copy is uploaded) register their own sentence for it
(`register`). Pages call these; none writes its own."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _

from codesign.core.calendar import format_rome
from codesign.proposals.models import Proposal

BODY, ADMIN = "body", "admin"

# (role, state) -> function(proposal, now) -> the sentence, or None to fall back to this module's own.
_REGISTERED: dict[tuple[str, str], Callable[[Proposal, dt.datetime], str | None]] = {}


def register(role: str, state: str, sentence: Callable[[Proposal, dt.datetime], str | None]) -> None:
    _REGISTERED[(role, state)] = sentence


def _due(p: Proposal) -> str:
    req = p.open_integration
    return req.due.strftime("%d/%m/%Y") if req is not None else ""


def _body_default(p: Proposal, now: dt.datetime) -> str:
    proc, state = p.procedure, p.state
    if state == "draft":
        if proc.open_for_proposals(now):
            return _("Completa la proposta e inviala entro il %(when)s (ora italiana).",
                     when=format_rome(proc.submission_deadline))
        return _("L'avviso non accetta più proposte: questa bozza non si può inviare.")
    if state == "submitted":
        if proc.open_for_proposals(now):
            return _("Proposta inviata. Fino alla scadenza (%(when)s) puoi ancora ritirarla; dopo, l'amministrazione "
                     "ne verifica l'ammissibilità.", when=format_rome(proc.submission_deadline))
        if proc.state == "admissibility":
            return _("L'amministrazione sta verificando l'ammissibilità.")
        return _("La raccolta delle proposte è chiusa: l'amministrazione avvierà la verifica di ammissibilità.")
    if state == "integration_requested":
        return _("Rispondi alla richiesta di integrazione entro il %(day)s (ora italiana): senza risposta la "
                 "proposta è esclusa.", day=_due(p))
    if state == "admissible":
        if proc.state == "evaluation":
            return _("La commissione sta valutando la proposta.")
        return _("La proposta è ammissibile: la commissione la valuterà quando l'amministrazione avrà concluso la "
                 "verifica di tutte le proposte.")
    return {
        "admitted": _("La proposta è ammessa alla co-progettazione: l'amministrazione ti convocherà al tavolo."),
        "reserve": _("La proposta è idonea ma non finanziata: potrà essere ammessa per scorrimento della "
                     "graduatoria."),
        "below_threshold": _("La proposta non ha raggiunto il punteggio minimo."),
        "excluded": _("La proposta è stata esclusa: leggi la motivazione."),
        "withdrawn": _("Hai ritirato la proposta."),
        "in_codesign": _("Il tavolo di co-progettazione è aperto: partecipa agli incontri e registra le versioni del "
                         "progetto."),
        "finalized": _("Il progetto definitivo è approvato: scarica la convenzione, firmala e caricane la copia "
                       "firmata."),
        "codesign_failed": _("Il tavolo di co-progettazione si è chiuso senza accordo: leggi la motivazione."),
        "agreement_signed": _("La convenzione è sottoscritta: l'amministrazione avvierà il progetto."),
        "started": _("Il progetto è avviato: presenta le relazioni periodiche secondo il calendario."),
        "completed": _("Il progetto è concluso."),
        "revoked": _("Il contributo è stato revocato: leggi la motivazione."),
    }[state]


def _admin_default(p: Proposal, now: dt.datetime) -> str:
    proc, state = p.procedure, p.state
    if state == "draft":
        return _("Bozza dell'ente, non ancora inviata.")
    if state == "submitted":
        if proc.open_for_proposals(now):
            return _("Proposta ricevuta: l'ente può ritirarla fino alla scadenza; la verifica comincia dopo.")
        if proc.state == "admissibility":
            return _("Da verificare: dichiarala ammissibile, escludila con una motivazione o chiedi un'integrazione.")
        return _("Proposta ricevuta: si verifica quando avvii la verifica di ammissibilità.")
    if state == "integration_requested":
        return _("In attesa dell'integrazione dell'ente entro il %(day)s; dopo quel giorno senza risposta la proposta "
                 "è esclusa.", day=_due(p))
    if state == "admissible":
        if proc.state == "evaluation":
            return _("In valutazione da parte della commissione.")
        return _("Ammissibile: passa alla commissione quando avvii la valutazione.")
    return {
        "admitted": _("Ammessa alla co-progettazione: apri il tavolo con l'ente."),
        "reserve": _("In riserva: può essere ammessa scorrendo la graduatoria se si libera budget nel lotto."),
        "below_threshold": _("Non idonea: nessuna operazione da fare."),
        "excluded": _("Esclusa: nessuna operazione da fare."),
        "withdrawn": _("Ritirata dall'ente: nessuna operazione da fare."),
        "in_codesign": _("Tavolo aperto: registra gli incontri e le versioni; alla fine approva il progetto "
                         "definitivo o chiudi il tavolo senza accordo."),
        "finalized": _("Progetto definitivo approvato: prepara la convenzione e attendi la copia firmata dall'ente."),
        "codesign_failed": _("Tavolo chiuso senza accordo: il budget è disponibile per lo scorrimento."),
        "agreement_signed": _("Convenzione sottoscritta: avvia il progetto."),
        "started": _("Progetto avviato: esamina le relazioni periodiche e registra i pagamenti."),
        "completed": _("Progetto concluso."),
        "revoked": _("Contributo revocato."),
    }[state]


def for_body(p: Proposal, now: dt.datetime) -> str:
    """What the body should know or do next."""
    registered = _REGISTERED.get((BODY, p.state))
    return (registered(p, now) if registered else None) or _body_default(p, now)


def for_admin(p: Proposal, now: dt.datetime) -> str:
    """What the call's administration should know or do next."""
    registered = _REGISTERED.get((ADMIN, p.state))
    return (registered(p, now) if registered else None) or _admin_default(p, now)


def for_party(p: Proposal, now: dt.datetime, *, member: bool, admin: bool) -> str | None:
    """The sentence for whoever reads the page: the body's, the administration's, or none (the committee)."""
    if member:
        return for_body(p, now)
    if admin:
        return for_admin(p, now)
    return None
