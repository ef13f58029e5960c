"""Workflow primitives: each service declares its states and transitions as data.

A transition names the roles that may fire it and an optional guard: a function of the
case that reads (never writes) and returns a `Refusal` — a stable code and a translated
message saying what must happen first — or None when the transition is allowed. The case
engine (`umis.cases.services.case_transition`) asks it inside the transition's
transaction, so what it read holds when the case moves; pages ask it too
(`umis.cases.selectors.case_transition_refusal`) to show an action as unavailable, and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Refusal:
    """Why a guard refuses a transition now: a stable code (`screening_hit_open`) and a
    message in the reader's language saying what to do first."""

    code: str
    message: str | Promise


Guard = Callable[[Any], Refusal | None]


def first_refusal(*guards: Guard) -> Guard:
    """One guard made of several, asked in turn: the first refusal is the answer (put first
    the one that says what to do, when both would refuse)."""

    def guard(case: Any) -> Refusal | None:
        for each in guards:
            refusal = each(case)
            if refusal is not None:
                return refusal
        return None

    guard.__name__ = guard.__qualname__ = "+".join(g.__name__ for g in guards)
    return guard


@dataclass(frozen=True)
class Rule:
    by: frozenset[str]
    guard: Guard | None = None
    needs_legal_ground: bool = False
    event: str = "CASE_STATE_CHANGED"


def rule(
    *roles: str,
    guard: Guard | None = None,
    needs_legal_ground: bool = False,
    event: str = "CASE_STATE_CHANGED",
) -> Rule:
    return Rule(
        by=frozenset(roles), guard=guard, needs_legal_ground=needs_legal_ground, event=event
    )


@dataclass(frozen=True)
class Workflow:
    states: tuple[str, ...]
    initial: str
    final: frozenset[str]
    queue: frozenset[str]  # states in which a case waits in its office's queue
    transitions: dict[tuple[str, str], Rule] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)  # state -> translated display name

    def label(self, state: str) -> str:
        return str(self.labels.get(state, state))

    def __post_init__(self) -> None:
        known = set(self.states)
        if self.initial not in known or not (self.final | self.queue) <= known:
            raise ValueError("initial and final states must be declared")
        for source, target in self.transitions:
            if source not in known or target not in known:
                raise ValueError(f"transition {source}->{target} uses an undeclared state")

    def rule_for(self, source: str, target: str) -> Rule | None:
        return self.transitions.get((source, target))

    def targets(self, source: str) -> list[str]:
        return [t for (s, t) in self.transitions if s == source]

    def allowed(self, source: str, target: str, roles: Iterable[str]) -> bool:
        found = self.rule_for(source, target)
        return found is not None and bool(found.by & set(roles))

    def is_open(self, state: str) -> bool:
        """Whether a case in this state waits for staff (and so sits in the queue)."""
        return state in self.queue

    def is_final(self, state: str) -> bool:
        return state in self.final
