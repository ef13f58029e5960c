"""No personal data in the product's own URLs: every link, form target, image source and
redirect on the pages officers, hosts and applicants use — and the answers to their
look-ups — is free of the names, document numbers and birth dates those pages show."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

import pytest
from django.test import Client

from umis.core.testing import World
from umis.portal.tests.scene import Scene, make_scene
from umis.portal.tests.test_url_access import HOST, OFFICER, PAGES, PUBLIC

pytestmark = pytest.mark.django_db

URL_IN_PAGE = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')
# what the scene's people are known by: the guest and the e-visa traveller
PERSONAL = ("hüseynov", "huseynov", "u12345678", "1985-03-14", "14.03.1985", "1985")
PERSONAL += ("müller", "muller", "c01x00t47", "1980-05-17", "17.05.1980")


GET_FORM = re.compile(r'<form[^>]*method="get"[^>]*>(.*?)</form>', re.S | re.I)
FIELD = re.compile(r'name="([^"]+)"')
# fields that hold who somebody is: never sent in a query string
PERSONAL_FIELDS = {"name", "surname", "given_names", "birth_date", "document", "mrz"}
PERSONAL_FIELDS |= {"document_number", "passport_number", "email", "phone"}


@pytest.fixture
def scene(world: World, client: Client) -> Scene:
    return make_scene(world, client)


def _urls(response: object) -> Iterable[str]:
    location = response.get("Location")  # type: ignore[attr-defined]
    if location:
        yield location
    if "html" in response.get("Content-Type", ""):  # type: ignore[attr-defined]
        yield from URL_IN_PAGE.findall(response.content.decode())  # type: ignore[attr-defined]


def _assert_no_personal_query_form(response: object, where: str) -> None:
    if "html" not in response.get("Content-Type", ""):  # type: ignore[attr-defined]
        return
    for form in GET_FORM.findall(response.content.decode()):  # type: ignore[attr-defined]
        fields = {f.rsplit("-", 1)[-1] for f in FIELD.findall(form)}
        assert not fields & PERSONAL_FIELDS, (where, fields & PERSONAL_FIELDS)


def _assert_clean(urls: Iterable[str], where: str) -> int:
    count = 0
    for url in urls:
        text = unquote(url).lower()
        assert not any(p in text for p in PERSONAL), (where, url)
        count += 1
    return count


def test_links_and_redirects_carry_no_personal_data(scene: Scene) -> None:
    w = scene.world
    officer, host = Client(), Client()
    officer.force_login(w.hannah)  # the head office: every office's cases and the watchlists
    host.force_login(w.harry)
    seen = 0
    for route, spec in PAGES.items():
        if spec.method != "GET" or spec.access not in {OFFICER, HOST, PUBLIC}:
            continue
        client = {OFFICER: officer, HOST: host}.get(spec.access, Client())
        url = spec.url(scene)
        response = client.get(url)
        assert response.status_code < 500, (route, response.status_code)
        seen += _assert_clean(_urls(response), route)
        _assert_no_personal_query_form(response, route)
    # the pages that show what was looked for
    searched = officer.post("/en/office/people/", {"name": "Hüseynov"})
    assert "Hüseynov" in searched.content.decode()
    seen += _assert_clean(_urls(searched), "people search")
    _assert_no_personal_query_form(searched, "people search")
    applicant = Client()
    found = applicant.post(
        "/en/evisa/status/",
        {"reference": scene.visa.group_reference, "passport_number": "C01X00T47"},
    )
    assert found.status_code == 302
    seen += _assert_clean(_urls(found), "e-visa look-up")
    status = applicant.get(found["Location"])
    assert "Müller" in status.content.decode()
    seen += _assert_clean(_urls(status), "e-visa status")
    assert seen > 100  # the pages were really read
