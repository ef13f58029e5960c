"""The host's form lists countries in the order of the page's language."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from umis.core.testing import World
from umis.core.text import collation_key
from umis.reference import selectors as reference_selectors

pytestmark = pytest.mark.django_db


def _nationalities(client: Client, language: str) -> list[str]:
    prefix = "" if language == "az" else f"/{language}"  # Azerbaijani has no prefix
    page = client.get(f"{prefix}/host/register/").content.decode()
    select = page.split('<select id="id_nationality"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option value=\"[A-Z]+\"[^>]*>([^<]+)</option>", select)


def test_the_azerbaijani_form_lists_countries_in_azerbaijani_order(
    world: World, client: Client
) -> None:
    client.force_login(world.harry)
    names = _nationalities(client, "az")
    assert names.index("Çin") < names.index("Danimarka")
    assert names.index("Əfqanıstan") < names.index("Fransa")
    assert names.index("İran") < names.index("Yaponiya") < names.index("Zambiya")
    assert names.index("Belçika") < names.index("Beliz")
    assert "Vatikan" in names and not [n for n in names if "Holy See" in n]
    assert names[-1] != "Şri-Lanka"


def test_a_citizen_of_azerbaijan_is_not_registered_as_a_foreign_guest(
    world: World, client: Client
) -> None:
    import json

    from umis.core.testing import guest
    from umis.stays.models import StayRegistration

    body = guest(nationality="AZ", issuing_state="AZE")
    response = client.post(
        "/api/v1/stay-registrations",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-API-Key": world.hotel_key, "Accept-Language": "az"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("citizen", "nationality")
    assert "Azərbaycan vətəndaşı" in error["message"]
    assert not StayRegistration.objects.exists()


def _regions(page: str) -> list[str]:
    select = page.split('<select id="id_region"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option value=\"[a-z_-]+\"[^>]*>([^<]+)</option>", select)


@pytest.mark.parametrize(
    ("language", "before"),
    [
        # Ə after E, Ş after S, Q after K; Gəncə before Xaçmaz (X after H)
        ("az", [("Bərdə rayonu", "Gəncə şəhəri"), ("Sumqayıt şəhəri", "Şamaxı rayonu")]),
        ("en", [("Absheron district", "Astara district"), ("Baku city", "Barda district")]),
        ("ru", [("Апшеронский район", "Астаринский район"), ("город Баку", "город Гянджа")]),
    ],
)
def test_the_forms_list_regions_by_the_name_shown_in_the_readers_language(
    world: World, client: Client, language: str, before: list[tuple[str, str]]
) -> None:
    client.force_login(world.harry)
    prefix = "" if language == "az" else f"/{language}"
    names = _regions(client.get(f"{prefix}/host/register/").content.decode())
    assert len(names) > 10
    for first, second in before:
        assert names.index(first) < names.index(second)
    # ...and the whole list in that order
    assert names == sorted(names, key=lambda n: collation_key(n, language))


def test_two_forms_built_in_a_row_read_the_regions_once(
    world: World, client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = 30  # as in production
    monkeypatch.setattr(reference_selectors, "_shared", None)
    client.force_login(world.harry)

    with CaptureQueriesContext(connection) as read:
        english = _regions(client.get("/en/host/register/").content.decode())
        russian = _regions(client.get("/ru/host/register/").content.decode())

    # each in its reader's language and order, from one read of the regions
    assert english.index("Absheron district") < english.index("Baku city")
    assert russian.index("Апшеронский район") < russian.index("город Баку")
    assert len(english) == len(russian) > 10
    assert len([q for q in read if 'FROM "reference_region"' in q["sql"]]) == 1


def _issuing_states(page: str) -> list[str]:
    """The e-visa form's list of the states that issue passports (its first traveller's)."""
    select = page.split('issuing_state"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option value=\"[A-Z]+\"[^>]*>([^<]+)</option>", select)


def test_the_forms_built_again_read_no_countries(
    world: World, client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = 30  # as in production
    monkeypatch.setattr(reference_selectors, "_shared", None)
    client.force_login(world.harry)
    first = _nationalities(client, "en")

    with CaptureQueriesContext(connection) as read:
        again = _nationalities(client, "ru")
        evisa = client.get("/en/evisa/apply/").content.decode()

    assert "Germany" in first and "Германия" in again and len(first) == len(again) > 100
    assert "Germany" in _issuing_states(evisa)
    assert [q["sql"] for q in read if 'FROM "reference_country"' in q["sql"]] == []


def test_a_country_added_in_the_admin_is_listed_once_the_shared_data_is_read_again(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = 30
    monkeypatch.setattr(reference_selectors, "_shared", None)
    clock = [1000.0]
    monkeypatch.setattr(reference_selectors.time, "monotonic", lambda: clock[0])
    host, admin = Client(), Client()
    host.force_login(world.harry)
    admin.force_login(world.admin)
    assert "Atlantis" not in _nationalities(host, "en")

    added = admin.post(
        "/en/admin/reference/country/add/",
        {
            "code": "QZ",
            "alpha3": "QZZ",
            "icao_code": "QZZ",
            "kind": "state",
            "active": "on",
            "name_az": "Atlantida",
            "name_en": "Atlantis",
            "name_ru": "Атлантида",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    clock[0] += 10  # the regions and the countries read before are shared a while yet
    assert "Atlantis" not in _nationalities(host, "en")

    clock[0] += 25  # ...then read again, as the regions are
    assert "Atlantis" in _nationalities(host, "en")
    assert "Atlantida" in _nationalities(host, "az")
