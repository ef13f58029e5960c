"""What `case_transition` checks, and in which order: the case's office first, then the
version the actor saw, then the workflow's move, its role and its guard."""

from __future__ import annotations

import pytest
from django.db import transaction

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.cases.selectors import case_transition_refusal
from umis.cases.services import case_transition
from umis.core.errors import DomainError
from umis.core.testing import World
from umis.screening.models import ScreeningHit
from umis.screening.services import screening_hit_decide
from umis.screening.tests.test_intake import listed
from umis.screening.tests.test_intake import register as register_listed
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def _attempt(world_user: object, case: Case, target: str, version: int) -> DomainError:
    with pytest.raises(DomainError) as refused, transaction.atomic():
        case_transition(
            actor=world_user,
            case=case,
            target=target,
            expected_version=version,
            action="STAY_REGISTRATION_CONFIRMED",
        )
    return refused.value


def _unchanged(case: Case, state: str, version: int) -> None:
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.version) == (state, version)
    assert not CaseEvent.objects.filter(case=case, action="STAY_REGISTRATION_CONFIRMED").exists()
    assert not AuditEvent.objects.filter(action="STAY_REGISTRATION_CONFIRMED").exists()


def test_a_stale_version_wins_over_a_move_the_case_no_longer_has(world: World) -> None:
    case = register(world)
    seen = case.version
    Case.objects.filter(pk=case.pk).update(state="annulled", version=seen + 1)
    now = Case.objects.get(pk=case.pk)
    refused = _attempt(world.alice, now, "confirmed", seen)
    assert (refused.code, refused.status) == ("version_conflict", 409)
    _unchanged(case, "annulled", seen + 1)
    # with the version shown, the move itself is what is refused
    assert _attempt(world.alice, now, "confirmed", seen + 1).code == "invalid_transition"


def test_a_stale_version_wins_over_a_guard(world: World, client: object) -> None:
    listed(world)
    case = register_listed(client, world)
    refused = _attempt(world.alice, case, "confirmed", case.version + 1)
    assert refused.code == "version_conflict"
    refused = _attempt(world.alice, case, "confirmed", case.version)
    assert refused.code == "screening_hit_open"
    _unchanged(case, "registered", case.version)


def test_another_office_is_refused_whatever_version_it_sends(world: World) -> None:
    case = register(world)
    for version in (case.version, case.version + 1):
        refused = _attempt(world.bob, case, "confirmed", version)
        assert (refused.code, refused.status) == ("forbidden", 403)
    _unchanged(case, "registered", case.version)


def test_a_page_asks_what_holds_a_move_back(world: World, client: object) -> None:
    listed(world)
    case = register_listed(client, world)
    held = case_transition_refusal(case=case, target="confirmed")
    assert held is not None and held.code == "screening_hit_open"
    # moves without a guard, and moves the workflow has not, are held back by nothing here
    assert case_transition_refusal(case=case, target="annulled") is None
    assert case_transition_refusal(case=case, target="nowhere") is None
    hit = ScreeningHit.objects.get(case=case)
    screening_hit_decide(
        actor=world.alice,
        hit_id=hit.pk,
        decision="dismiss",
        reason="Another person.",
        expected_version=hit.version,
    )
    assert case_transition_refusal(case=case, target="confirmed") is None
