"""The workflow helper: a state machine declared once, as a table, fired on ORM rows.

Each workflow (procedure, proposal, …) declares in its module's `workflow.py` one table of
`Transition` rows: trigger, sources, destination, who may fire it, guards, required parameters.
From that table we build ONE static `transitions.Machine(model=None, auto_transitions=False)` and
fire events on rows with `machine.events[trigger].trigger(row, …)` — no machine per row, no
`add_model` (transitions issues #379, #434).

A guard is a function `(ctx) -> str | None`: None when it holds, else the reason in words a person
understands. `fire()` evaluates every guard first and raises `GuardFailed` listing every unmet one,
so nothing changes; then the machine moves the state, and the audit record is written in the same
database transaction. Optimistic locking (a version column) makes two concurrent transitions on
the same row unable to both win.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from codesign.core import audit
from codesign.core.enums import N_
from codesign.core.errors import Conflict, DomainError, Forbidden, GuardFailed, IllegalTransition, Invalid
from codesign.core.schemas import Input, Text, parse
from codesign.db import db, utcnow

Guard = Callable[["Context"], "str | list[str] | None"]

# How a refusal names a parameter a transition needs and the caller did not give ("«Escludi» richiede la motivazione").
NEEDED_WORDS = {"reason": N_("la motivazione"), "due": N_("il termine per integrare"), "lot": N_("il lotto"),
                "cup": N_("il CUP"), "public_funding": N_("il finanziamento pubblico"),
                "planned_start": N_("la data di inizio prevista"), "planned_end": N_("la data di fine prevista")}


def _reasons(guards, ctx) -> list[str]:
    out: list[str] = []
    for g in guards:
        r = g(ctx)
        if isinstance(r, str):
            out.append(r)
        elif r:
            out.extend(r)
    return out


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    who: frozenset[str]                 # relationship roles: "admin", "applicant", "system", …
    guards: tuple[Guard, ...] = ()
    needs: tuple[str, ...] = ()         # parameters the caller must give ("reason", "due", …)
    label: str = ""                     # the button's text (Italian)
    effect: Callable[["Context"], None] | None = None   # runs after the state changed, same transaction
    style: str = "primary"              # "primary", "danger", …: how pages present the button
    params: type[Input] | None = None   # the parameters a caller may give, declared once (default: a reason)
    # An irreversible move declares what it does and who is told: every page that offers it asks once before it
    # fires (core/confirm.py), with these words. Empty: the move fires at the click.
    confirm: str = ""


class ReasonParams(Input):
    """The parameters of a transition that declares none: an optional reason (required where `needs` says)."""

    reason: Text(5000, min_length=0) | None = None


@dataclass
class Context:
    row: Any
    user: Any
    now: dt.datetime
    params: dict = field(default_factory=dict)
    roles: frozenset[str] = frozenset()
    # True when only asking whether a trigger is available (allowed_triggers, buttons): guards on the
    # caller's parameters (declarations, dates) then hold, as API.md asks.
    probe: bool = False


STALE = "Un'altra operazione ha modificato questo elemento nello stesso momento: ricarica e riprova."


@contextlib.contextmanager
def _stale_is_a_conflict(message: str):
    """A versioned row another request changed since it was read (optimistic locking), met by whatever flushes in
    the block: roll back and answer 409 with `message`, which says what changed and to reload."""
    try:
        yield
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(message) from exc


def flush_or_conflict(message: str) -> None:
    """Flush the session; a row changed meanwhile is a 409 with `message` (_stale_is_a_conflict)."""
    with _stale_is_a_conflict(message):
        db.session.flush()


class Workflow:
    def __init__(self, name: str, entity_type: str, states: dict[str, str], table: list[Transition],
                 relation: Callable[[Any, Any], Iterable[str]], initial: str, *,
                 audit_data: Callable[[Any], dict] | None = None, on_move: Callable[["Context"], None] | None = None):
        self.name = name
        self.audit_data = audit_data   # row -> what every move's audit record says about the row
        self.on_move = on_move         # runs after every move's effects (e.g. the row's "updated at")
        self.entity_type = entity_type
        self.states = states
        self.table = table
        self.relation = relation  # (user, row) -> the roles the user has towards this row
        self.by_trigger: dict[str, list[Transition]] = {}
        for t in table:
            self.by_trigger.setdefault(t.trigger, []).append(t)
            assert t.dest in states and all(s in states for s in t.sources), t
        # guards and effects that later modules contribute at registration (trigger -> functions)
        self.contributed_guards: dict[str, list[Guard]] = {}
        self.contributed_effects: dict[str, list[Callable[[Context], None]]] = {}
        self.machine = Machine(model=None, states=list(states), initial=initial, auto_transitions=False,
                               send_event=True, model_attribute="state", ignore_invalid_triggers=False)
        for t in table:
            self.machine.add_transition(t.trigger, list(t.sources), t.dest)

    # --- contributions ---------------------------------------------------------------------------
    def contribute(self, trigger: str, *, guard: Guard | None = None,
                   effect: Callable[["Context"], None] | None = None) -> None:
        """A later module adds a guard or an effect to a transition declared in this table.

        The table stays the one declaration of states and moves; a lower module never imports a
        higher one. Contributing the same function twice (an app built twice) adds it once."""
        if trigger not in self.by_trigger:
            raise KeyError(f"{self.name}: no transition {trigger!r} to contribute to")
        if guard is not None and guard not in self.contributed_guards.setdefault(trigger, []):
            self.contributed_guards[trigger].append(guard)
        if effect is not None and effect not in self.contributed_effects.setdefault(trigger, []):
            self.contributed_effects[trigger].append(effect)

    def guards_of(self, t: Transition) -> tuple[Guard, ...]:
        return t.guards + tuple(self.contributed_guards.get(t.trigger, ()))

    def _run_effects(self, t: Transition, ctx: "Context") -> None:
        if t.effect:
            t.effect(ctx)
        for eff in self.contributed_effects.get(t.trigger, ()):
            eff(ctx)

    def params_model(self, trigger: str) -> type[Input]:
        return next((t.params for t in self.by_trigger.get(trigger, ()) if t.params), ReasonParams)

    def accepts(self, trigger: str) -> frozenset[str]:
        """The names of the parameters `trigger` takes."""
        return frozenset(self.params_model(trigger).model_fields)

    def accepted(self, trigger: str, given: dict) -> dict:
        """Of the fields a page's form gathered, those `trigger` takes (the rest belong to other buttons)."""
        names = self.accepts(trigger)
        return {k: val for k, val in given.items() if k in names}

    def parse_params(self, trigger: str, data: dict) -> dict:
        """A caller's parameters for `trigger`, checked against the transition's declared model: unknown keys,
        wrong types and over-long texts are refused (422 per field) before anything runs. Empty texts count
        as not given, so that `needs` names them."""
        if trigger not in self.by_trigger:
            raise Invalid({"trigger": f"operazione sconosciuta: {trigger}"})
        parsed = parse(self.params_model(trigger), data)
        return {k: val for k, val in parsed if val is not None and val != ""}

    # --- reading -------------------------------------------------------------------------------
    def triggers(self) -> list[str]:
        seen = []
        for t in self.table:
            if t.trigger not in seen:
                seen.append(t.trigger)
        return seen

    def _candidate(self, row, trigger: str) -> Transition | None:
        for t in self.by_trigger.get(trigger, []):
            if row.state in t.sources:
                return t
        return None

    def roles_of(self, user, row) -> frozenset[str]:
        if user is None:
            return frozenset()
        if getattr(user, "is_system", False):
            return frozenset({"system"})
        return frozenset(self.relation(user, row))

    def check(self, row, trigger: str, user, *, now=None, params=None) -> tuple[Transition, Context]:
        """Raise the refusal that applies (illegal, forbidden, guard); else return the transition."""
        if trigger not in self.by_trigger:
            raise Invalid({"trigger": f"operazione sconosciuta: {trigger}"})
        ctx = Context(row=row, user=user, now=now or utcnow(), params=params or {},
                      roles=self.roles_of(user, row))
        t = self._candidate(row, trigger)
        if t is None:
            raise IllegalTransition(
                f"L'operazione «{trigger}» non è consentita nello stato «{self.states[row.state]}».")
        if not (ctx.roles & t.who):
            raise Forbidden(f"Non puoi eseguire l'operazione «{trigger}» con il tuo profilo.")
        reasons = _reasons(self.guards_of(t), ctx)
        if reasons:
            raise GuardFailed(reasons)
        return t, ctx

    def allowed_triggers(self, row, user, *, now=None) -> list[str]:
        """The triggers this user may fire now, guards evaluated, in the table's order."""
        if user is None:
            return []
        roles = self.roles_of(user, row)
        ctx = Context(row=row, user=user, now=now or utcnow(), roles=roles, probe=True)
        out = []
        for t in self.table:
            if row.state in t.sources and roles & t.who and t.trigger not in out:
                if not _reasons(self.guards_of(t), ctx):
                    out.append(t.trigger)
        return out

    def blocked(self, row, user, *, now=None) -> list[tuple[Transition, list[str]]]:
        """The transitions this user could fire from the row's state whose guards do not hold yet, each with
        every reason (pages show them beside the buttons, so that nobody wonders why one is missing)."""
        roles = self.roles_of(user, row)
        allowed = set(self.allowed_triggers(row, user, now=now))
        out, seen = [], set(allowed)
        for t in self.table:
            if row.state in t.sources and roles & t.who and t.trigger not in seen:
                seen.add(t.trigger)
                try:
                    self.check(row, t.trigger, user, now=now)
                except GuardFailed as exc:
                    out.append((t, exc.reasons))
                except DomainError:  # not this user's, or not from here: nothing to explain
                    pass
        return out

    def actions(self, row, user, *, now=None) -> list[Transition]:
        """The transitions a page offers as buttons (same rule as allowed_triggers)."""
        allowed = set(self.allowed_triggers(row, user, now=now))
        out, seen = [], set()
        for t in self.table:
            if t.trigger in allowed and row.state in t.sources and t.trigger not in seen:
                seen.add(t.trigger)
                out.append(t)
        return out

    # --- firing ----------------------------------------------------------------------------------
    def fire(self, row, trigger: str, user, params: dict | None = None, *, now=None):
        """The one way to move a row, for the API, the pages, the command line and the clock alike: the caller's
        `params` (a dict, as a body or a form gives them) parsed by the trigger's declared model (422 per field; the
        operation's own arguments, the row, the user and the time, are never among them), then the refusals that
        apply, the move, its effects and its audit record in the caller's transaction; a row another request
        changed meanwhile answers 409."""
        params = self.parse_params(trigger, dict(params or {}))
        t, ctx = self.check(row, trigger, user, now=now, params=params)
        missing = [p for p in t.needs if params.get(p) in (None, "")]
        if missing:
            raise Invalid({p: "campo obbligatorio" for p in missing},
                          _("«%(label)s» richiede %(what)s.", label=_(t.label or trigger),
                            what=", ".join(_(NEEDED_WORDS.get(p, p)) for p in missing)))
        return self._move(t, ctx)

    def cascade(self, row, trigger: str, user, *, now=None, data: dict | None = None):
        """Fire a transition that another machine's transition causes (e.g. the ranking's outcomes):
        source and guards are checked as usual; the role check is the causing transition's. `data`: what the
        audit record adds about the cause."""
        return self._move(*self._cascaded(row, trigger, user, now), data)

    def cascade_all(self, moves, user, *, now=None) -> None:
        """`cascade` for many rows at once, `moves` being (row, trigger, data) in the order their audit records
        chain: each checked and moved as `cascade` does, then the rows, their records and what the effects added
        written in one flush (a statement per row at most, not a few); a row changed meanwhile is a 409. What the
        guards and effects read does not flush the rows moved before them (no autoflush until the end)."""
        now = now or utcnow()
        with db.session.no_autoflush:
            for row, trigger, data in moves:
                self._move(*self._cascaded(row, trigger, user, now), data, flush=False)
        flush_or_conflict(STALE)

    def _cascaded(self, row, trigger: str, user, now) -> tuple[Transition, Context]:
        t = self._candidate(row, trigger)
        if t is None or "cascade" not in t.who:
            raise IllegalTransition(
                f"L'operazione «{trigger}» non è consentita nello stato «{self.states[row.state]}».")
        ctx = Context(row=row, user=user, now=now or utcnow(), roles=frozenset({"cascade"}))
        reasons = _reasons(self.guards_of(t), ctx)
        if reasons:
            raise GuardFailed(reasons)
        return t, ctx

    def _move(self, t: Transition, ctx: Context, data: dict | None = None, *, flush: bool = True):
        row, source = ctx.row, ctx.row.state
        ok = self.machine.events[t.trigger].trigger(row)
        if not ok:  # pragma: no cover - sources and guards are checked above
            raise IllegalTransition(f"L'operazione «{t.trigger}» non è riuscita.")
        with _stale_is_a_conflict(STALE):   # the effects and the record flush what they need first
            self._run_effects(t, ctx)
            if self.on_move is not None:
                self.on_move(ctx)
            audit.record(actor=ctx.user, entity_type=self.entity_type, entity_id=row.id, trigger=t.trigger,
                         from_state=source, to_state=row.state, reason=ctx.params.get("reason"),
                         data={**(self.audit_data(row) if self.audit_data else {}), **(data or {})} or None,
                         flush=flush)
        if flush:
            flush_or_conflict(STALE)
        return row

    # --- documentation -------------------------------------------------------------------------
    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for code, label in self.states.items():
            lines.append(f'    {code}: {code} — {label}')
        for t in self.table:
            for s in t.sources:
                lines.append(f"    {s} --> {t.dest}: {t.trigger}")
        return "\n".join(lines)

    def dot(self) -> str:
        lines = [f'digraph "{self.name}" {{', '  rankdir=LR; node [shape=box, style=rounded, fontname="Titillium Web"];']
        for code, label in self.states.items():
            lines.append(f'  "{code}" [label="{label}\\n({code})"];')
        for t in self.table:
            for s in t.sources:
                lines.append(f'  "{s}" -> "{t.dest}" [label="{t.trigger}"];')
        lines.append("}")
        return "\n".join(lines)
