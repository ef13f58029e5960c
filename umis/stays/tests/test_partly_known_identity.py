"""A registration whose guest is known only in part: a nationality not on the registration
reads as not stated, never as "None", and a date of birth known only by its year reads as
that year, never as 1 January of it, on the host's pages, the foreigner's own page and the
certificate, in az, en and ru."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.stays.testing import post
from umis.stays.tests.test_own_filing import filed

pytestmark = pytest.mark.django_db

API = "/api/v1/stay-registrations"


def _registered(client: Client, world: World) -> str:
    response = post(client, API, guest(), world.hotel_key)
    assert response.status_code == 201, response.content[:300]
    reference: str = response.json()["reference"]
    return reference


def _certificate_text(client: Client, world: World, reference: str, lang: str) -> str:
    pdf = client.get(
        f"{API}/{reference}/certificate.pdf",
        HTTP_X_API_KEY=world.hotel_key,
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert pdf.status_code == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)


def _without_nationality(reference: str) -> None:
    StayRegistration.objects.filter(case__reference=reference).update(nationality=None)


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_the_host_s_pages_show_a_dash_for_a_nationality_not_stated(
    world: World, client: Client, lang: str
) -> None:
    reference = _registered(client, world)
    _without_nationality(reference)
    client.force_login(world.harry)
    prefix = "" if lang == "az" else f"/{lang}"  # az, the default, has no prefix
    page = client.get(f"{prefix}/host/registrations/{reference}/")
    assert page.status_code == 200
    label = {"az": "Vətəndaşlığı", "en": "Nationality", "ru": "Гражданство"}[lang]
    assert f"<dt>{label}</dt><dd>—</dd>" in page.content.decode()
    guests = client.get(f"{prefix}/host/").content.decode()
    assert '<td class="col-nationality">—</td>' in guests
    assert "None" not in page.content.decode() + guests


def test_the_foreigner_s_own_page_shows_a_dash_for_a_nationality_not_stated(
    world: World, client: Client
) -> None:
    reference = filed(client)
    _without_nationality(reference)
    page = client.get(f"/en/stay/status/{reference}/").content.decode()
    assert '<dd id="nationality">—</dd>' in page


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("az", "Vətəndaşlığı\ngöstərilməyib"),
        ("en", "Nationality\nnot stated"),
        ("ru", "Гражданство\nне указано"),
    ],
)
def test_the_certificate_says_the_nationality_is_not_stated(
    world: World, client: Client, lang: str, line: str
) -> None:
    reference = _registered(client, world)
    _without_nationality(reference)
    text = _certificate_text(client, world, reference, lang)
    assert line in text
    assert "None" not in text


def _born_in_1985_only(reference: str) -> None:
    """The passport gives the year of birth alone (the day and month stored are 1 January)."""
    StayRegistration.objects.filter(case__reference=reference).update(
        birth_date=dt.date(1985, 1, 1), birth_year_only=True
    )


def test_the_host_s_page_shows_only_the_year_of_a_birth_known_by_its_year(
    world: World, client: Client
) -> None:
    reference = _registered(client, world)
    _born_in_1985_only(reference)
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{reference}/").content.decode()
    assert "<dt>Date of birth</dt><dd>1985</dd>" in page
    assert "01.01.1985" not in page


def test_the_foreigner_s_own_page_shows_only_the_year_of_a_birth_known_by_its_year(
    world: World, client: Client
) -> None:
    reference = filed(client)
    _born_in_1985_only(reference)
    page = client.get(f"/ru/stay/status/{reference}/").content.decode()
    assert '<dd id="birth-date">1985</dd>' in page


def test_the_certificate_gives_only_the_year_of_a_birth_known_by_its_year(
    world: World, client: Client
) -> None:
    reference = _registered(client, world)
    _born_in_1985_only(reference)
    text = _certificate_text(client, world, reference, "en")
    assert "Date of birth\n1985\n" in text
    assert "01.01.1985" not in text


def test_a_full_date_of_birth_is_still_shown_whole(world: World, client: Client) -> None:
    reference = _registered(client, world)
    client.force_login(world.harry)
    page = client.get(f"/en/host/registrations/{reference}/").content.decode()
    assert "<dt>Date of birth</dt><dd>14.03.1985</dd>" in page
    assert "Date of birth\n14.03.1985\n" in _certificate_text(client, world, reference, "en")
