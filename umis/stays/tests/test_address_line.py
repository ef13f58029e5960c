"""An address reads in the reader's language, naming a city once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pytest_django.fixtures import Settings

from umis.core.testing import World
from umis.reference import selectors
from umis.reference.models import Region
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "address"),
    [
        ("", "Nizami küçəsi 10, Bakı şəhəri<"),
        ("/en", "Nizami küçəsi 10, Baku city<"),
        ("/ru", "Nizami küçəsi 10, город Баку<"),
    ],
)
def test_an_address_in_the_regions_own_city_names_the_city_once(
    world: World, client: Client, prefix: str, address: str
) -> None:
    case = register(world)  # typed "Bakı", in the region of the city of Baku
    client.force_login(world.harry)
    host = client.get(f"{prefix}/host/registrations/{case.reference}/").content.decode()
    client.force_login(world.alice)
    office = client.get(f"{prefix}/office/cases/{case.reference}/").content.decode()
    for page in (host, office):
        assert address in page
        assert "Bakı, " not in page


def test_a_city_of_the_reference_data_in_another_region_is_named_in_the_readers_language(
    world: World, client: Client
) -> None:
    case = register(world, region="absheron", city="sumqayit")
    client.force_login(world.harry)
    page = client.get(f"/ru/host/registrations/{case.reference}/").content.decode()
    assert "Nizami küçəsi 10, город Сумгаит, Апшеронский район<" in page


def test_a_city_not_in_the_reference_data_is_shown_as_typed(world: World, client: Client) -> None:
    case = register(world, region="absheron", city="Xırdalan")
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{case.reference}/").content.decode()
    assert "Nizami küçəsi 10, Xırdalan, Absheron district<" in page


@pytest.mark.parametrize("shared_for", [0, 30])
def test_a_page_of_fifty_addresses_reads_the_regions_once(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch, shared_for: int
) -> None:
    settings.UMIS_REFERENCE_CACHE_SECONDS = shared_for  # 30: as in production
    monkeypatch.setattr(selectors, "_shared", None)
    absheron = Region.objects.get(code="absheron")
    addresses = [
        SimpleNamespace(street=f"Nizami küçəsi {n}", city="Sumqayıt", region=absheron)
        for n in range(50)
    ]
    page = Template("{% load addresses %}{% for a in addresses %}{% address a %}\n{% endfor %}")

    with translation.override("en"), CaptureQueriesContext(connection) as read:
        lines = page.render(Context({"addresses": addresses})).splitlines()

    assert lines[:2] == [
        "Nizami küçəsi 0, Sumgait city, Absheron district",
        "Nizami küçəsi 1, Sumgait city, Absheron district",
    ]
    assert len(lines) == 50
    assert len(read) <= 1  # the regions, once for the page (none when already read)
