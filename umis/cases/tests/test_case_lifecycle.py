"""Case life cycles as a state machine (Hypothesis): random sequences of decisions,
assignments, stale versions and missing legal grounds, by every role, on a case of every
service that has a workflow. After every step:

- a step that succeeded moved the case exactly as its workflow says (one version up, one
  history event, one audit row, open and closed as the target state says);
- a step that was refused changed nothing at all, and was refused for a reason that
  applies to it (no such transition, not this actor's to take, no legal ground, a
  screening hit on the case still open, a stale version), a stale version before any
  other reason but the case's office;
- nobody outside the case's office (an officer of another region, an administrator, an
  analyst) ever changed it, and a stale version never won.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from umis.accounts.models import Role
from umis.audit.models import AuditEvent
from umis.cases import registry
from umis.cases.models import Case, CaseEvent
from umis.cases.services import NewCase, case_assign, case_open_many, case_transition
from umis.core.errors import DomainError
from umis.core.testing import make_user, make_world, people_named
from umis.reference.models import LegalGround, Office
from umis.screening.models import ScreeningHit, WatchlistEntry
from umis.screening.services import watchlist_get_or_create, watchlist_import

SERVICES = sorted(s.code for s in registry.all_services() if s.workflow is not None)
ALL_STATES = sorted(
    {s for service in registry.all_services() if service.workflow for s in service.workflow.states}
)
PERSONAS = ("alice", "bob", "hannah", "admin", "analyst", "harry", "oscar", "system")
# who may act on a case of the Baku office at all (the workflow then says what each may do)
OUTSIDERS = {"bob", "admin", "analyst"}


def test_services_with_a_workflow_are_covered() -> None:
    assert {"stay_registration", "evisa"} <= set(SERVICES)


@pytest.mark.django_db
def test_case_life_cycles_keep_their_promises() -> None:
    world = make_world()
    users: dict[str, Any] = {
        "alice": world.alice,
        "bob": world.bob,
        "hannah": world.hannah,
        "admin": world.admin,
        "analyst": make_user("ana", Role.ANALYST, "head"),
        "harry": world.harry,
        "oscar": world.oscar,
        "system": None,
    }
    ground = LegalGround.objects.order_by("code").first()
    assert ground is not None
    baku = Office.objects.get(code="baku")
    [person] = people_named(["Listed"])
    watchlist = watchlist_get_or_create(actor=None, code="lifecycle")
    watchlist_import(
        actor=None,
        watchlist=watchlist,
        raws=[{"category": "entry_ban", "full_name": "Listed", "reason": "-", "source": "-"}],
    )
    listed = WatchlistEntry.objects.get(watchlist=watchlist)
    seen: Counter[str] = Counter()  # what the run exercised: refusals by code, moves made

    class CaseLifeCycle(RuleBasedStateMachine):
        case: Case
        state: str
        version: int
        events: int
        audits: int
        audit_type: str

        @initialize(service=st.sampled_from(SERVICES))
        def open_case(self, service: str) -> None:
            self._open(service)

        @precondition(lambda self: self.workflow.is_final(self.state))
        @rule(service=st.sampled_from(SERVICES))
        def open_another_case(self, service: str) -> None:
            """A closed case has little left to try: go on with a new one."""
            self._open(service)

        def _open(self, service: str) -> None:
            self.workflow = registry.get(service).workflow
            with transaction.atomic():
                (self.case,) = case_open_many(
                    actor=world.harry, service_code=service, items=[NewCase(None, baku.pk, {})]
                )
            self.state, self.version, self.events, self.audits = self.workflow.initial, 1, 1, 1
            self.open_hit: ScreeningHit | None = None
            submitted = AuditEvent.objects.get(action="CASE_SUBMITTED", entity_id=str(self.case.pk))
            self.audit_type = submitted.entity_type

        def _may_act(self, who: str) -> bool:
            return who not in OUTSIDERS

        def _officer_of(self, who: str) -> bool:
            return who in {"alice", "hannah"}

        def _attempt(self, fn: Any) -> DomainError | None:
            try:
                with transaction.atomic():
                    fn()
            except DomainError as refused:
                return refused
            return None

        @rule(kind=st.sampled_from(["decide"] * 4 + ["assign"]), data=st.data())
        def step(self, kind: str, data: st.DataObject) -> None:
            # now and then a screening hit is raised on the case (before the step, in the
            # same step: the moves deep in a workflow are still reached), soon decided
            if data.draw(st.sampled_from([True] + [False] * (15 if self.open_hit is None else 1))):
                self.screening()
            stale = data.draw(st.sampled_from([False, False, False, True]))
            if kind == "assign":  # to "system": take the assignee off (None)
                who = data.draw(st.sampled_from(PERSONAS[:-1]))
                self.assign(who, data.draw(st.sampled_from(PERSONAS)), stale)
            else:
                self.decide(stale, data.draw(st.sampled_from([True, True, False])), data)

        def screening(self) -> None:
            """A screening hit is raised on the case, or the open one is dismissed (the
            hit alone: its history and audit rows are screening's, tested there)."""
            if self.open_hit is None:
                self.open_hit = ScreeningHit.objects.create(
                    entry=listed,
                    person=person,
                    case=self.case,
                    office=baku,
                    score=95.0,
                    entry_version=listed.version,
                    person_fingerprint="-",
                )
            else:
                ScreeningHit.objects.filter(pk=self.open_hit.pk).update(
                    status=ScreeningHit.Status.DISMISSED
                )
                self.open_hit = None
            seen["screening"] += 1

        def decide(self, stale: bool, with_ground: bool, data: st.DataObject) -> None:
            # mostly a move the workflow declares from here, sometimes any state at all;
            # as often by someone the move names as by anyone
            declared = self.workflow.targets(self.state)
            anywhere = st.sampled_from(ALL_STATES)
            goal = data.draw(
                st.one_of(*[st.sampled_from(declared)] * 4, anywhere) if declared else anywhere
            )
            named = self.workflow.rule_for(self.state, goal)
            entitled = [
                p
                for p in PERSONAS
                if named
                and (
                    p == "system"
                    and "system" in named.by
                    or (p != "system" and users[p].role in named.by)
                )
            ]
            anyone = st.sampled_from(PERSONAS)
            who = data.draw(st.one_of(st.sampled_from(entitled), anyone) if entitled else anyone)
            rule_ = self.workflow.rule_for(self.state, goal)
            actor, system = users[who], who == "system"
            if system and (rule_ is None or "system" not in rule_.by):
                return  # only the system's own steps run as the system
            case = Case.objects.get(pk=self.case.pk)
            expected = self.version + (1 if stale else 0)
            refused = self._attempt(
                lambda: case_transition(
                    actor=actor,
                    case=case,
                    target=goal,
                    expected_version=expected,
                    action=rule_.event if rule_ else "CASE_STATE_CHANGED",
                    legal_ground=ground if with_ground else None,
                    system=system,
                )
            )
            reasons = set()
            if not system and not self._may_act(who):
                reasons.add("forbidden")  # not this office's case: whatever else is wrong
            if rule_ is None:
                reasons.add("invalid_transition")
            elif not system and actor.role not in rule_.by:
                reasons.add("forbidden")
            if rule_ is not None and rule_.needs_legal_ground and not with_ground:
                reasons.add("legal_ground_required")
            # the workflows' guards hold back what grants something while a hit is open
            if rule_ is not None and rule_.guard is not None and self.open_hit is not None:
                reasons.add("screening_hit_open")
            if stale:
                reasons.add("version_conflict")
            if refused is not None:
                assert refused.code in reasons, (refused.code, reasons)
                # a stale version wins over the rest of the case's rules (not its office's)
                if stale and self._may_act(who):
                    assert refused.code == "version_conflict", (refused.code, reasons)
                seen[refused.code] += 1
                return
            assert not reasons, f"{who} {self.state}->{goal}: {reasons}"
            event = CaseEvent.objects.filter(case_id=self.case.pk).order_by("-id").first()
            assert event is not None
            assert (event.from_state, event.to_state) == (self.state, goal)
            assert event.legal_ground_id == (ground.pk if with_ground else None)
            seen[f"{self.state}->{goal}"] += 1
            self.state, self.version = goal, self.version + 1
            self.events, self.audits = self.events + 1, self.audits + 1

        def assign(self, who: str, to: str, stale: bool) -> None:
            case = Case.objects.get(pk=self.case.pk)
            had = case.assignee_id
            refused = self._attempt(
                lambda: case_assign(
                    actor=users[who],
                    case=case,
                    assignee=users[to],
                    expected_version=self.version + (1 if stale else 0),
                )
            )
            # a case is assigned by an officer who may act on it, to such an officer or to
            # nobody, other than the one it has; a stale page is told so before anything
            # about the assignee
            eligible = to == "system" or self._officer_of(to)
            if not self._officer_of(who):
                expected = "forbidden"
            elif stale:
                expected = "version_conflict"
            elif not eligible:
                expected = "assignee_not_eligible"
            elif had == getattr(users[to], "pk", None):
                expected = "assignee_unchanged"  # nothing to do: no event, no new version
            else:
                expected = ""
            if refused is not None:
                seen[f"assign {refused.code}"] += 1
                assert refused.code == expected, (refused.code, expected)
                return
            assert not expected, (who, to, stale, expected)
            seen["assigned"] += 1
            assert Case.objects.get(pk=self.case.pk).assignee_id == getattr(users[to], "pk", None)
            self.version, self.events, self.audits = (
                self.version + 1,
                self.events + 1,
                self.audits + 1,
            )

        @invariant()
        def the_stored_case_is_the_model(self) -> None:
            if not hasattr(self, "case"):
                return
            stored = Case.objects.get(pk=self.case.pk)
            assert (stored.state, stored.version) == (self.state, self.version)
            assert stored.is_open == self.workflow.is_open(self.state)
            assert (stored.closed_at is not None) == self.workflow.is_final(self.state)
            assert CaseEvent.objects.filter(case_id=self.case.pk).count() == self.events
            audits = AuditEvent.objects.filter(
                entity_type=self.audit_type, entity_id=str(self.case.pk)
            )
            assert audits.count() == self.audits

        @invariant()
        def the_history_is_a_chain(self) -> None:
            if not hasattr(self, "case"):
                return
            moves = CaseEvent.objects.filter(case_id=self.case.pk).exclude(
                kind=CaseEvent.Kind.ASSIGNED
            )
            states = [(e.from_state, e.to_state) for e in moves.order_by("id")]
            for (_before, reached), (left, _after) in zip(states, states[1:], strict=False):
                assert left == reached

    run_state_machine_as_test(
        CaseLifeCycle,
        settings=settings(
            max_examples=200,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            derandomize=True,
        ),
    )
    # the run was not vacuous: every kind of refusal, and every move of every workflow
    moves = {
        f"{a}->{b}"
        for code in SERVICES
        for (a, b) in registry.get(code).workflow.transitions  # type: ignore[union-attr]
    }
    refusals = {
        "invalid_transition",
        "forbidden",
        "legal_ground_required",
        "version_conflict",
        "screening_hit_open",
    }
    assigning = {"assigned", "assign forbidden", "assign version_conflict"}
    assert refusals | moves | assigning | {"assign assignee_not_eligible"} <= set(seen), sorted(
        seen.items()
    )
