"""Random triggers by random users: every reached state is in the table, every guard held, the audit
chain verifies (Hypothesis stateful testing, through the service layer)."""
import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from codesign.core import audit
from codesign.core.errors import DomainError
from codesign.core.tick import run_tick
from codesign.db import db
from codesign.procedures import operations as procs
from codesign.procedures.models import Procedure
from codesign.procedures.workflow import workflow as procedure_wf
from codesign.proposals import operations as props
from codesign.proposals.models import Proposal
from codesign.proposals.workflow import workflow as proposal_wf
from tests.conftest import _empty_tables
from tests.helpers import call_body

START = dt.datetime(2030, 1, 10, 9, 0, tzinfo=dt.timezone.utc)


def trigger_for(wf, state, rare=()):
    """Mostly a trigger the table offers from `state` (so that walks go deep into the lifecycle), sometimes
    any trigger of the machine (so that illegal moves are tried too); `rare` ones seldom."""
    legal = [t for t in wf.triggers() if any(state in r.sources for r in wf.by_trigger[t])]
    weighted = [t for t in legal for _ in range(1 if t in rare else 4)]
    anything = st.sampled_from([t for t in wf.triggers() if t not in rare])
    return st.one_of(st.sampled_from(weighted), st.sampled_from(weighted), anything) if weighted else anything


def test_random_walks(app, make_user):
    users = {}
    fired = set()
    reached = set()  # procedure states observed (close may be fired by the tick as well as by an admin)

    class Walk(RuleBasedStateMachine):
        @initialize(published=st.booleans())
        def setup(self, published):
            from codesign.organizations.models import Organization

            _empty_tables(app)
            self.now = START
            admin = make_user("admin", org="Comune di Milano")
            other_admin = make_user("admin", org="Comune di Bergamo")
            orgs = []
            for i, tax in enumerate(["12345670157", "23456780156"]):
                org = Organization(name=f"Ente {i}", kind="ets", tax_code=tax)
                db.session.add(org)
                db.session.commit()
                orgs.append(org)
            users.clear()
            users.update({"admin": admin, "other_admin": other_admin,
                          "a0": make_user("applicant", org=orgs[0]), "a1": make_user("applicant", org=orgs[1])})
            self.orgs = orgs
            self.proc = procs.create_procedure(admin, call_body(START + dt.timedelta(days=5)))
            db.session.commit()
            self.proposal_ids = []
            self.owners = {}  # proposal id -> the applicant who drafted it
            if published:  # start half of the walks from an open call with a draft of each body, to reach further
                procedure_wf.fire(self.proc, "publish", admin, now=self.now)
                db.session.commit()
                fired.add("publish")
                for i in (0, 1):
                    self.draft(i)

        def _fire(self, wf, row, trigger, user, params):
            allowed = trigger in wf.allowed_triggers(row, user, now=self.now)
            before = row.state
            try:
                wf.fire(row, trigger, user, params, now=self.now)
                db.session.commit()
            except DomainError:
                db.session.rollback()
                return
            # success: the trigger was offered, and the move is a row of the table
            assert allowed, (trigger, before)
            assert any(before in t.sources and row.state == t.dest for t in wf.by_trigger[trigger])
            fired.add(trigger)

        @rule(data=st.data(), who=st.sampled_from(["admin", "admin", "admin", "other_admin", "a0"]))
        def procedure_trigger(self, data, who):
            proc = db.session.get(Procedure, self.proc.id)
            trigger = data.draw(trigger_for(procedure_wf, proc.state, rare={"cancel"}))
            params = {k: val for k, val in {"reason": "motivo"}.items() if k in procedure_wf.accepts(trigger)}
            self._fire(procedure_wf, proc, trigger, users[who], params)

        @rule(i=st.integers(0, 1))
        def draft(self, i):
            proc = db.session.get(Procedure, self.proc.id)
            try:
                p = props.create_proposal(users[f"a{i}"], proc, {
                    "organization_id": self.orgs[i].id, "lot": "A", "title": "P", "summary": "S",
                    "requested_amount": "50000.00", "cofinancing_amount": "6000.00"}, now=self.now)
                db.session.commit()
                self.proposal_ids.append(p.id)
                self.owners[p.id] = f"a{i}"
            except DomainError:
                db.session.rollback()

        @rule(data=st.data(), who=st.sampled_from(["admin", "admin", "other_admin", "owner", "owner", "a0", "a1"]),
              due_days=st.integers(-1, 3))
        def proposal_trigger(self, data, who, due_days):
            if not self.proposal_ids:
                return
            pid = data.draw(st.sampled_from(self.proposal_ids))
            p = db.session.get(Proposal, pid)
            trigger = data.draw(trigger_for(proposal_wf, p.state))
            params = {"reason": "motivo", "due": (self.now + dt.timedelta(days=due_days)).date().isoformat(),
                      "declarations": {"no_exclusion": True, "runts": True, "truthful": True}}
            params = {k: val for k, val in params.items() if k in proposal_wf.accepts(trigger)}
            self._fire(proposal_wf, p, trigger, users[self.owners[pid] if who == "owner" else who], params)

        @rule(hours=st.sampled_from([1, 24, 24 * 3, 24 * 10]))
        def time_passes(self, hours):
            self.now += dt.timedelta(hours=hours)

        @rule()
        def tick(self):
            run_tick(self.now)

        @invariant()
        def states_are_declared(self):
            if not hasattr(self, "proc"):
                return
            db.session.expire_all()
            assert db.session.get(Procedure, self.proc.id).state in procedure_wf.states
            reached.add(db.session.get(Procedure, self.proc.id).state)
            for pid in self.proposal_ids:
                p = db.session.get(Proposal, pid)
                assert p.state in proposal_wf.states
                if p.state not in ("draft", "withdrawn"):
                    assert p.protocol_number is not None
            numbers = sorted(db.session.get(Proposal, pid).protocol_number or 0 for pid in self.proposal_ids)
            numbers = [n for n in numbers if n]
            assert numbers == list(range(1, len(numbers) + 1))

        def teardown(self):
            ok, _, problem = audit.verify()
            assert ok, problem
            db.session.remove()

    run_state_machine_as_test(Walk, settings=settings(max_examples=60, stateful_step_count=30, deadline=None, derandomize=True, database=None,
                                                      suppress_health_check=list(HealthCheck)))
    _empty_tables(app)
    # the walks did reach beyond the first steps (the test would be empty otherwise)
    assert {"publish", "submit", "start_admissibility"} <= fired, fired
    assert {"published", "closed", "admissibility"} <= reached, reached
