"""Workflow guards of the screening: a case whose person or document matched a watchlist is
not decided in the person's favour while a hit on it is still open.

A service declares the guard on the transitions that grant something (issue an e-visa,
confirm a registration), not on those that refuse or annul, which a confirmed hit leads to:

    (REFERRED, ISSUED): rule(*OFFICERS, guard=screening_hits_decided(_("…")), …)
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from umis.core.workflow import Guard, Refusal
from umis.screening.models import ScreeningHit

CODE = "screening_hit_open"


def case_has_open_hits(*, case_id: int) -> bool:
    """Whether a screening hit on the case waits for an officer's decision (any office's
    view of it: the hits of a case are its office's)."""
    return ScreeningHit.objects.filter(case_id=case_id, status=ScreeningHit.Status.OPEN).exists()


def screening_hits_decided(message: str | Promise) -> Guard:
    """A guard refusing the transition while a hit on the case is open, with `message`
    (what to decide first, and what is held back until then)."""

    def guard(case: Any) -> Refusal | None:
        if case.pk is not None and case_has_open_hits(case_id=case.pk):
            return Refusal(CODE, message)
        return None

    guard.__name__ = guard.__qualname__ = "screening_hits_decided"
    return guard
