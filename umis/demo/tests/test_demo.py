"""`umis demo`: loads once, then only prints the same logins."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from umis.accounts.models import ApiClient, Role, Scope, User
from umis.accounts.services import api_client_authenticate, api_client_create
from umis.audit.models import AuditEvent
from umis.audit.services import audit_seal_pending, audit_verify
from umis.border.models import Crossing, OverstayFinding
from umis.cases.models import Case
from umis.core import clock
from umis.core.testing import make_user
from umis.demo.data import (
    CREDENTIALS_FILE,
    DUPLICATES,
    OWN_FILINGS,
    demo_load,
    demo_logins_text,
    load_credentials,
)
from umis.people.models import Person
from umis.people.names import name_scripts
from umis.reference.services import reference_load_defaults
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
    # guests known under another spelling too, and foreigners who registered themselves
    assert counts[3] == 60 + len(DUPLICATES) + len(OWN_FILINGS)

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


def test_the_demo_loads_with_a_single_registration(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", "--registrations", "1", stdout=out)
    assert out.getvalue().startswith("Demo data loaded.")
    assert StayRegistration.objects.count() == 1 + len(DUPLICATES) + len(OWN_FILINGS)


def test_a_negative_number_of_registrations_is_refused(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="--registrations"):
        call_command("demo", "--registrations", "-1", stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_printed_logins_work_after_the_credentials_file_is_lost(
    settings: Settings, tmp_path: Path
) -> None:
    """Only the accounts the demo made get the new password and keys: an `analyst` someone
    made before the demo, and a key of another account, are left as they were."""
    settings.VAR_DIR = tmp_path
    reference_load_defaults()
    theirs = make_user("analyst", Role.ANALYST, "head")
    their_password = theirs.password
    first = demo_load(registrations=4, seed=7)
    old_keys = dict(first.credentials["api_keys"])
    their_client, their_key = api_client_create(
        actor=None, name="Caspian Pearl Hotel PMS", user=theirs, scopes=[Scope.STAY_REGISTRATIONS]
    )
    (tmp_path / CREDENTIALS_FILE).unlink()

    out = io.StringIO()
    call_command("demo", "--registrations", "4", stdout=out)

    text = out.getvalue()
    password = text.split("password for all: ")[1].split(")")[0]
    assert password != first.credentials["password"]
    assert text.splitlines()[:2] == [
        "Demo data already present.",
        f"The demo credentials file was missing: a new password for the 8 demo accounts, "
        f"{len(old_keys)} new API keys, the old ones revoked.",
    ]
    demo_accounts = User.objects.exclude(pk=theirs.pk).exclude(username="border.service")
    assert demo_accounts.count() == 8
    assert all(user.check_password(password) for user in demo_accounts)
    assert User.objects.get(pk=theirs.pk).password == their_password
    keys = load_credentials()["api_keys"]
    assert set(keys) == set(old_keys)
    for username, key in keys.items():
        assert f"API key of {username} (" in text and f"): {key}\n" in text
        assert api_client_authenticate(key).user.username == username  # type: ignore[union-attr]
        assert api_client_authenticate(old_keys[username]) is None
    assert api_client_authenticate(their_key) == their_client
    assert AuditEvent.objects.filter(action="API_CLIENT_REVOKED").count() == len(old_keys)
    assert AuditEvent.objects.filter(action="USER_PASSWORD_CHANGED").count() == 8
    assert StayRegistration.objects.count() == 4 + len(DUPLICATES) + len(OWN_FILINGS)

    again = io.StringIO()
    call_command("demo", "--registrations", "4", stdout=again)
    assert (
        again.getvalue()
        == "Demo data already present.\n" + demo_logins_text(load_credentials()) + "\n"
    )


def test_the_agency_key_screens_as_the_readme_says(
    settings: Settings, tmp_path: Path, client: Client
) -> None:
    settings.VAR_DIR = tmp_path
    result = demo_load(registrations=4, seed=7)
    key = result.credentials["api_keys"]["agency.silkway"]
    search = client.post(
        "/api/v1/screening/search",
        json.dumps({"names": ["Peter Schwarz"], "birth_date": "1973-04-13"}),
        "application/json",
        HTTP_X_API_KEY=key,
    )
    assert search.status_code == 200, search.content
    assert [h["name"] for h in search.json()["hits"]] == ["Peter Schwarz"]
    compare = client.post(
        "/api/v1/names/compare",
        json.dumps({"a": "Hüseynov Rəşad", "b": "Гусейнов Рашад"}),
        "application/json",
        HTTP_X_API_KEY=key,
    )
    assert compare.status_code == 200, compare.content
    assert f"  API key of agency.silkway (evisa, screening): {key}" in demo_logins_text(
        result.credentials
    )


def test_an_agency_key_of_an_older_demo_is_given_the_screening_scope(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    first = demo_load(registrations=4, seed=7)
    key = first.credentials["api_keys"]["agency.silkway"]
    old = api_client_authenticate(key)
    assert old is not None
    ApiClient.objects.filter(pk=old.pk).update(scopes=[Scope.EVISA])  # as an older demo made it
    again = demo_load(registrations=4, seed=7)
    assert again.credentials == first.credentials  # the same key, not a new one
    old.refresh_from_db()
    assert old.scopes == [Scope.EVISA, Scope.SCREENING]
    granted = AuditEvent.objects.get(action="API_CLIENT_SCOPES_GRANTED")
    assert granted.data == {"added": ["screening"], "scopes": ["evisa", "screening"]}
    demo_load(registrations=4, seed=7)
    assert AuditEvent.objects.filter(action="API_CLIENT_SCOPES_GRANTED").count() == 1


def test_the_demo_lists_turkic_names_in_capitals_as_their_alphabets_write_them() -> None:
    from umis.demo.data import _watchlists
    from umis.screening.models import WatchlistEntry

    reference_load_defaults()
    guests = [
        {"given_names": g, "surname": s, "birth_date": "1972-03-27", "nationality": n}
        for g, s, n in (
            ("İdiris", "Sakarya", "TR"),
            ("Elçin", "Qılıncı", "AZ"),
            ("Peter", "Schwarz", "DE"),
            ("Zinaida", "Kovaleva", "RU"),
        )
    ]
    _watchlists(guests)
    assert list(
        WatchlistEntry.objects.order_by("external_id").values_list("full_name", flat=True)
    ) == [
        "İDİRİS SAKARYA",
        "ELÇİN QILINCI",
        "PETER SCHWARZ",
        "ZINAIDA KOVALEVA",
    ]


def test_every_regional_officer_of_the_demo_sees_overstay_findings(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    demo_load(registrations=120, seed=2026)
    officers = User.objects.filter(role=Role.REGIONAL_OFFICER).order_by("username")
    assert [u.username for u in officers] == ["officer.baku", "officer.shaki"]
    seen = {}
    for officer in officers:
        client = Client()
        client.force_login(officer)
        page = client.get("/en/office/overstays/?kind=overstay")
        assert page.status_code == 200
        seen[officer.username] = len(
            re.findall(r'href="/en/office/overstays/[0-9]+/"', page.content.decode())
        )
        assert OverstayFinding.objects.filter(office=officer.office, kind="overstay").exists()
    assert all(seen.values()), seen
    counts = (Crossing.objects.count(), OverstayFinding.objects.count())
    demo_load(registrations=120, seed=2026)  # again: nothing more
    assert (Crossing.objects.count(), OverstayFinding.objects.count()) == counts


def test_each_regional_officer_of_the_demo_has_a_stay_the_foreigner_filed_himself(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    demo_load(registrations=4, seed=7)
    for officer in User.objects.filter(role=Role.REGIONAL_OFFICER):
        client = Client()
        client.force_login(officer)
        queue = client.get("/en/office/queue/").content.decode()
        assert 'data-filed-by="foreigner"' in queue, officer.username
        assert "filed by the foreigner" in queue, officer.username
    own = StayRegistration.objects.filter(filed_by="foreigner")
    assert own.count() == len(OWN_FILINGS) and all(r.active for r in own)
    demo_load(registrations=4, seed=7)  # again: nothing more
    assert StayRegistration.objects.filter(filed_by="foreigner").count() == len(OWN_FILINGS)


COMMON_PASSWORD = "qwerty123456"  # 12 characters, on the list of common passwords


def test_the_demo_refuses_a_common_password_put_in_its_credentials_file(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    (tmp_path / CREDENTIALS_FILE).write_text(json.dumps({"password": COMMON_PASSWORD}))
    with pytest.raises(ValidationError):
        demo_load(registrations=0)
    assert not User.objects.exists()


TITLES = {"dr", "prof", "bay", "bayan", "mr", "mrs", "ms", "miss", "г-н", "г-жа", "тов"}


def _only_a_name(text: str) -> bool:
    """Letters (with their marks), joined by a space, a hyphen or an apostrophe, and no title."""
    import unicodedata

    return (
        bool(text.strip())
        and all(unicodedata.category(ch)[0] in "LM" or ch in " -'" for ch in text)
        and not {w.casefold() for w in text.split()} & TITLES
    )


def test_the_demo_gives_its_people_names_and_nothing_else() -> None:
    """Faker's lists hold a few entries that are no names ("Emine." with a full stop,
    "N˜zamett˜n", a surname with another in brackets): the demo's guests never get them."""
    import random

    from faker import Faker

    from umis.demo.data import LOCALES, _guest

    rng = random.Random(1)
    Faker.seed(1)
    fakers = {loc: Faker(loc) for loc, *_ in LOCALES}
    guests = [_guest(fakers, rng)[0] for _ in range(5000)]

    odd = {g[f] for g in guests for f in ("surname", "given_names") if not _only_a_name(g[f])}
    assert odd == set()
