"""A finding's legal basis is stored in no language and read in the reader's: an officer
reading in English does not see the Azerbaijani words of the check that ran in Azerbaijani,
nor the reverse; the labels stored before are turned into codes where recognised."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from umis.border.models import OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.tests.test_overstays import person_of, setup_people
from umis.core import clock
from umis.core.testing import World

pytestmark = pytest.mark.django_db

READ = {
    "": "vizasız qalma (90/180)",
    "/en": "visa-free stay (90/180)",
    "/ru": "безвизовое пребывание (90/180)",
}


def _basis_on_page(client: Client, lang: str, finding: OverstayFinding) -> str:
    html = client.get(f"{lang}/office/overstays/{finding.pk}/").content.decode()
    return html.split('<dd id="finding-basis">', 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize("ran_in", ["az", "en", "ru"])
def test_the_legal_basis_reads_in_the_readers_language_whatever_the_check_ran_in(
    world: World, client: Client, ran_in: str
) -> None:
    setup_people(client, clock.today())
    with translation.override(ran_in):
        overstays_detect(on=clock.today())
    finding = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")
    assert finding.legal_basis == "visa_free:90/180"
    client.force_login(world.alice)
    assert {lang: _basis_on_page(client, lang, finding) for lang in READ} == READ


def _migrate_labels() -> None:
    migration = importlib.import_module("umis.border.migrations.0006_legal_basis_as_a_code")
    migration.legal_basis_as_a_code(apps, None)


def test_the_labels_stored_before_become_codes_and_other_text_stays(
    world: World, client: Client
) -> None:
    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    found = OverstayFinding.objects.get(person_id=person_of("OVER1"), kind="overstay")
    stored = [
        ("vizasız qalma (90/180)", "visa_free:90/180"),
        ("безвизовое пребывание (90/180, 30)", "visa_free:90/180,30"),
        ("visa-free stay (30)", "visa_free:30"),
        ("e-viza E26000123, birdəfəlik giriş, 30 gün", "evisa:E26000123:30"),
        ("э-виза E26000124, однократный въезд, 15 дн.", "evisa:E26000124:15"),
        ("permit RP-1 (written by hand)", "permit RP-1 (written by hand)"),
    ]
    findings = [
        OverstayFinding.objects.create(
            person_id=found.person_id,
            kind="overstay",
            entry_day=found.entry_day - dt.timedelta(days=200 * (i + 1)),
            office_id=found.office_id,
            proposal="fine",
            nationality="TR",
            legal_basis=text,
            first_detected_on=found.first_detected_on,
            last_detected_on=found.last_detected_on,
        )
        for i, (text, _code) in enumerate(stored)
    ]
    _migrate_labels()
    assert [OverstayFinding.objects.get(pk=f.pk).legal_basis for f in findings] == [
        code for _text, code in stored
    ]
    client.force_login(world.hannah)
    assert _basis_on_page(client, "/en", findings[3]) == ("e-visa E26000123, single entry, 30 days")
    assert _basis_on_page(client, "/ru", findings[1]) == "безвизовое пребывание (90/180, 30)"
    assert _basis_on_page(client, "/en", findings[5]) == "permit RP-1 (written by hand)"
