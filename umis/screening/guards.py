"""Workflow guards of the screening: a case whose person or document matched a watchlist is
not decided in the person's favour while a hit on it is still open, nor, for an entry, once
an officer has confirmed that the person is the one banned from entering, or that the
travel document is the one listed as lost, stolen or invalid.

A service declares the guards on the transitions that grant something (issue an e-visa,
confirm a registration), not on those that refuse or annul, which a confirmed hit leads to:

    (REFERRED, ISSUED): rule(*OFFICERS, guard=screening_hits_decided(_("…")), …)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

from umis.core import clock
from umis.core.workflow import Guard, Refusal
from umis.screening.models import DOCUMENT_CATEGORIES, Category, ScreeningHit

CODE = "screening_hit_open"
ENTRY_BAN_CODE = "entry_ban_confirmed"
DOCUMENT_CODE = "document_hit_confirmed"


def case_has_open_hits(*, case_id: int) -> bool:
    """Whether a screening hit on the case waits for an officer's decision (any office's
    view of it: the hits of a case are its office's)."""
    return ScreeningHit.objects.filter(case_id=case_id, status=ScreeningHit.Status.OPEN).exists()


def _guard(name: str, code: str, holds: Callable[..., bool], message: str | Promise) -> Guard:
    """A guard named `name` refusing the transition with `code` and `message` while
    `holds(case_id=...)` is true of the case."""

    def guard(case: Any) -> Refusal | None:
        if case.pk is not None and holds(case_id=case.pk):
            return Refusal(code, message)
        return None

    guard.__name__ = guard.__qualname__ = name
    return guard


def screening_hits_decided(message: str | Promise) -> Guard:
    """A guard refusing the transition while a hit on the case is open, with `message`
    (what to decide first, and what is held back until then)."""
    return _guard("screening_hits_decided", CODE, case_has_open_hits, message)


def _has_confirmed_hit_in_force(*, case_id: int, categories: frozenset[str]) -> bool:
    """Whether an officer confirmed a hit on the case against an entry of `categories` that
    still holds (not withdrawn, not ended before today). A dismissed hit holds nothing back."""
    today = clock.today()
    return (
        ScreeningHit.objects.filter(
            case_id=case_id,
            status=ScreeningHit.Status.CONFIRMED,
            entry__category__in=categories,
            entry__active=True,
        )
        .filter(Q(entry__valid_until__isnull=True) | Q(entry__valid_until__gte=today))
        .exists()
    )


def case_has_confirmed_entry_ban(*, case_id: int) -> bool:
    """Whether an officer confirmed that the case's person is the one an entry ban lists,
    and the ban still holds (not withdrawn, not ended before today). A dismissed hit (not the
    listed person) holds nothing back."""
    return _has_confirmed_hit_in_force(case_id=case_id, categories=frozenset({Category.ENTRY_BAN}))


def case_has_confirmed_document_hit(*, case_id: int) -> bool:
    """Whether an officer confirmed that the case's travel document is the one a watchlist
    lists as lost, stolen or invalid, and the entry is still in force (not withdrawn, not
    ended before today). A dismissed hit (another document) holds nothing back."""
    return _has_confirmed_hit_in_force(case_id=case_id, categories=DOCUMENT_CATEGORIES)


def no_confirmed_entry_ban(message: str | Promise) -> Guard:
    """A guard refusing the transition once an entry-ban hit on the case is confirmed, with
    `message` (what to do instead: refuse with a legal ground)."""
    return _guard("no_confirmed_entry_ban", ENTRY_BAN_CODE, case_has_confirmed_entry_ban, message)


def no_confirmed_document_hit(message: str | Promise) -> Guard:
    """A guard refusing the transition once a hit on the case's travel document (lost,
    stolen or invalid) is confirmed, with `message` (what to do instead: refuse with a legal
    ground)."""
    return _guard(
        "no_confirmed_document_hit", DOCUMENT_CODE, case_has_confirmed_document_hit, message
    )
