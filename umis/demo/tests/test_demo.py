"""`umis demo`: loads once, then only prints the same logins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from umis.accounts.models import ApiClient, User
from umis.audit.services import audit_seal_pending, audit_verify
from umis.cases.models import Case
from umis.core import clock
from umis.demo.data import DUPLICATES, demo_load, demo_logins_text
from umis.people.models import Person
from umis.people.names import name_scripts
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_keeps_its_logins(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    first = demo_load(registrations=60, seed=7)
    assert first.created is True
    counts = (
        User.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        StayRegistration.objects.count(),
        ApiClient.objects.count(),
    )
    assert counts[3] == 60 + len(DUPLICATES)  # guests known under another spelling too

    again = demo_load(registrations=60, seed=7)
    assert again.created is False
    assert again.credentials == first.credentials
    assert (
        User.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        StayRegistration.objects.count(),
        ApiClient.objects.count(),
    ) == counts

    text = demo_logins_text(again.credentials)
    assert "officer.baku" in text and "officer.shaki" in text and "hotel.caspian" in text
    assert first.credentials["password"] in text
    assert (tmp_path / "demo-credentials.json").exists()


def test_demo_people_have_names_in_several_scripts(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    demo_load(registrations=120, seed=11)
    scripts = set()
    for person in Person.objects.all():
        scripts |= name_scripts(person.surname)
    assert {"LATIN", "CYRILLIC", "ARABIC"} <= scripts
    offices = set(Case.objects.values_list("office__code", flat=True))
    assert len(offices) >= 3


def test_the_audit_log_of_the_demo_verifies(settings: Settings, tmp_path: Path) -> None:
    """The demo writes its history at Baku times; `umis audit verify` finds nothing amiss."""
    settings.VAR_DIR = tmp_path
    demo_load(registrations=30, seed=7)
    assert audit_verify().problems == []
    with clock.frozen_at(clock.now() + dt.timedelta(days=400)):
        audit_seal_pending()
    report = audit_verify()
    assert report.problems == [] and report.unsealed == 0
