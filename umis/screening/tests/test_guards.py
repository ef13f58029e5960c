"""The screening's workflow guard: a case is held back while a hit on it is open."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.core.testing import World
from umis.core.workflow import Refusal
from umis.screening.guards import case_has_open_hits, screening_hits_decided
from umis.screening.models import ScreeningHit
from umis.screening.tests.test_intake import listed, register

pytestmark = pytest.mark.django_db

guard = screening_hits_decided("Decide the hit first.")


def test_a_case_with_an_open_hit_is_held_back(world: World, client: Client) -> None:
    listed(world)
    case = register(client, world)
    assert case_has_open_hits(case_id=case.pk)
    assert guard(case) == Refusal("screening_hit_open", "Decide the hit first.")


@pytest.mark.parametrize("status", [ScreeningHit.Status.CONFIRMED, ScreeningHit.Status.DISMISSED])
def test_a_decided_hit_holds_nothing_back(world: World, client: Client, status: str) -> None:
    listed(world)
    case = register(client, world)
    ScreeningHit.objects.filter(case=case).update(status=status)
    assert not case_has_open_hits(case_id=case.pk)
    assert guard(case) is None


def test_another_cases_open_hit_holds_nothing_back(world: World, client: Client) -> None:
    listed(world)
    held = register(client, world)
    other = register(
        client,
        world,
        surname="Quliyev",
        given_names="Elnur",
        birth_date="1990-05-05",
        document_number="S1234567",
    )
    assert guard(held) is not None
    assert not ScreeningHit.objects.filter(case=other).exists()
    assert guard(other) is None
