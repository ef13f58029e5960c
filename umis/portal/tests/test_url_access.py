"""Every URL of the product is classified (public, applicant, signed-in user, host,
officer, API scope) and checked: anonymous callers are sent to sign in (pages) or get 401
(API); a signed-in user of the wrong role gets 404; an API key without the scope gets 403.
A URL added without a classification fails `test_every_url_is_classified`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from umis.accounts.models import Role, Scope
from umis.accounts.services import api_client_create
from umis.audit.models import AuditEvent
from umis.core.testing import World, make_user
from umis.payments.testing import return_path
from umis.portal.tests.scene import Scene, make_scene

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # anyone, no sign-in
APPLICANT = "applicant"  # public address, but only the applicant's own session gets the data
SIGNED_IN = "signed_in"  # any signed-in user
HOST = "host"  # a member of a hotel or landlord
OFFICER = "officer"  # head-office or regional officer (then scoped by office)
STAFF = "staff"  # any member of staff: analysts, administrators and officers (by office)
API_PUBLIC = "api_public"  # API without a key
# where an applicant's page sends a browser that does not hold it: the look-up form
LOOKUPS = ("/evisa/status/", "/stay/status/")


@dataclass(frozen=True)
class Url:
    access: str  # one of the above, or an API scope (Scope value)
    method: str
    url: Callable[[Scene], str]


def _visa(s: Scene) -> str:
    return f"{s.visa.group_reference}/{s.visa.case.reference}"


PAGES: dict[str, Url] = {
    # public pages
    "": Url(PUBLIC, "GET", lambda s: "/"),
    "services/<slug:code>/": Url(PUBLIC, "GET", lambda s: "/services/stay_registration/"),
    "verify/": Url(PUBLIC, "GET", lambda s: "/verify/"),
    "verify/<str:code>": Url(PUBLIC, "GET", lambda s: "/verify/not-a-code"),
    "accounts/login/": Url(PUBLIC, "GET", lambda s: "/accounts/login/"),
    "accounts/logout/": Url(PUBLIC, "POST", lambda s: "/accounts/logout/"),
    "language/": Url(PUBLIC, "POST", lambda s: "/language/"),
    "stay-calculator/": Url(PUBLIC, "GET", lambda s: "/stay-calculator/"),
    "entry-ban-check/": Url(PUBLIC, "GET", lambda s: "/entry-ban-check/"),
    "evisa/apply/": Url(PUBLIC, "GET", lambda s: "/evisa/apply/"),
    "evisa/status/": Url(PUBLIC, "GET", lambda s: "/evisa/status/"),
    "stay/register/": Url(PUBLIC, "GET", lambda s: "/stay/register/"),
    "stay/status/": Url(PUBLIC, "GET", lambda s: "/stay/status/"),
    # the gateway's signed server-to-server callback (HMAC instead of a session)
    "payments/callback": Url(PUBLIC, "POST", lambda s: "/payments/callback"),
    "payments/return/<str:number>": Url(PUBLIC, "GET", lambda s: return_path(s.visa.payment_order)),
    "api/v1/": Url(PUBLIC, "GET", lambda s: "/api/v1/"),
    "api/v1/openapi.json": Url(PUBLIC, "GET", lambda s: "/api/v1/openapi.json"),
    "api/v1/docs": Url(PUBLIC, "GET", lambda s: "/api/v1/docs"),
    # the applicant's own application: held by the session that applied or looked it up
    "stay/status/<str:reference>/": Url(
        APPLICANT, "GET", lambda s: f"/stay/status/{s.own_stay.reference}/"
    ),
    "stay/status/<str:reference>/end/": Url(
        APPLICANT, "POST", lambda s: f"/stay/status/{s.own_stay.reference}/end/"
    ),
    "stay/status/<str:reference>/certificate.pdf": Url(
        APPLICANT, "GET", lambda s: f"/stay/status/{s.own_stay.reference}/certificate.pdf"
    ),
    "evisa/status/<str:reference>": Url(
        APPLICANT, "GET", lambda s: f"/evisa/status/{s.visa.group_reference}"
    ),
    "evisa/status/<str:reference>/pay": Url(
        APPLICANT, "GET", lambda s: f"/evisa/status/{s.visa.group_reference}/pay"
    ),
    "evisa/status/<str:reference>/<str:case_reference>/evisa.pdf": Url(
        APPLICANT, "GET", lambda s: f"/evisa/status/{_visa(s)}/evisa.pdf"
    ),
    "evisa/status/<str:reference>/<str:case_reference>/refusal.pdf": Url(
        APPLICANT, "GET", lambda s: f"/evisa/status/{_visa(s)}/refusal.pdf"
    ),
    # any signed-in user: sends each role to its home
    "office/": Url(SIGNED_IN, "GET", lambda s: "/office/"),
    # hosts
    "host/": Url(HOST, "GET", lambda s: "/host/"),
    "host/register/": Url(HOST, "GET", lambda s: "/host/register/"),
    "host/registrations/<str:reference>/": Url(
        HOST, "GET", lambda s: f"/host/registrations/{s.case.reference}/"
    ),
    "host/registrations/<str:reference>/certificate.pdf": Url(
        HOST, "GET", lambda s: f"/host/registrations/{s.case.reference}/certificate.pdf"
    ),
    "host/registrations/<str:reference>/end/": Url(
        HOST, "POST", lambda s: f"/host/registrations/{s.case.reference}/end/"
    ),
    # officers
    "office/queue/": Url(OFFICER, "GET", lambda s: "/office/queue/"),
    "office/cases/<str:reference>/": Url(
        OFFICER, "GET", lambda s: f"/office/cases/{s.case.reference}/"
    ),
    "office/cases/<str:reference>/annul/": Url(
        OFFICER, "POST", lambda s: f"/office/cases/{s.case.reference}/annul/"
    ),
    "office/cases/<str:reference>/confirm/": Url(
        OFFICER, "POST", lambda s: f"/office/cases/{s.case.reference}/confirm/"
    ),
    "office/cases/<str:reference>/note/": Url(
        OFFICER, "POST", lambda s: f"/office/cases/{s.case.reference}/note/"
    ),
    "office/cases/<str:reference>/assignment/": Url(
        OFFICER, "POST", lambda s: f"/office/cases/{s.case.reference}/assignment/"
    ),
    "office/people/": Url(OFFICER, "POST", lambda s: "/office/people/"),
    "office/people/<int:person_id>/": Url(
        OFFICER,
        "GET",
        lambda s: f"/office/people/{s.person.pk}/?purpose=case&ref={s.case.reference}",
    ),
    "office/duplicates/": Url(OFFICER, "GET", lambda s: "/office/duplicates/"),
    "office/duplicates/<int:match_id>/": Url(
        OFFICER, "GET", lambda s: f"/office/duplicates/{s.match.pk}/"
    ),
    "office/duplicates/<int:match_id>/decide/": Url(
        OFFICER, "POST", lambda s: f"/office/duplicates/{s.match.pk}/decide/"
    ),
    "office/duplicates/merges/<int:merge_id>/unmerge/": Url(
        OFFICER, "POST", lambda s: f"/office/duplicates/merges/{s.merge.pk}/unmerge/"
    ),
    "office/overstays/": Url(OFFICER, "GET", lambda s: "/office/overstays/"),
    "office/overstays/export.csv": Url(OFFICER, "GET", lambda s: "/office/overstays/export.csv"),
    "office/overstays/export.xlsx": Url(OFFICER, "GET", lambda s: "/office/overstays/export.xlsx"),
    "office/overstays/<int:finding_id>/": Url(
        OFFICER, "GET", lambda s: f"/office/overstays/{s.finding.pk}/"
    ),
    "office/overstays/<int:finding_id>/take/": Url(
        OFFICER, "POST", lambda s: f"/office/overstays/{s.finding.pk}/take/"
    ),
    "office/overstays/<int:finding_id>/dismiss/": Url(
        OFFICER, "POST", lambda s: f"/office/overstays/{s.finding.pk}/dismiss/"
    ),
    "office/evisa/": Url(OFFICER, "GET", lambda s: "/office/evisa/"),
    "office/evisa/dashboard/": Url(OFFICER, "GET", lambda s: "/office/evisa/dashboard/"),
    "office/evisa/<str:reference>/": Url(
        OFFICER, "GET", lambda s: f"/office/evisa/{s.visa.case.reference}/"
    ),
    "office/evisa/<str:reference>/decide/": Url(
        OFFICER, "POST", lambda s: f"/office/evisa/{s.visa.case.reference}/decide/"
    ),
    "office/evisa/<str:reference>/assignment/": Url(
        OFFICER, "POST", lambda s: f"/office/evisa/{s.visa.case.reference}/assignment/"
    ),
    "office/evisa/<str:reference>/annul/": Url(
        OFFICER, "POST", lambda s: f"/office/evisa/{s.visa.case.reference}/annul/"
    ),
    "office/evisa/<str:reference>/photo.jpg": Url(
        OFFICER, "GET", lambda s: f"/office/evisa/{s.visa.case.reference}/photo.jpg"
    ),
    "office/screening/hits/": Url(OFFICER, "GET", lambda s: "/office/screening/hits/"),
    "office/screening/hits/<int:hit_id>/": Url(
        OFFICER, "GET", lambda s: f"/office/screening/hits/{s.hit.pk}/"
    ),
    "office/screening/hits/<int:hit_id>/decide/": Url(
        OFFICER, "POST", lambda s: f"/office/screening/hits/{s.hit.pk}/decide/"
    ),
    # watchlists are kept by the head office: a regional officer sees an empty list
    "office/screening/watchlist/": Url(OFFICER, "GET", lambda s: "/office/screening/watchlist/"),
    "office/screening/watchlist/<int:entry_id>/": Url(
        OFFICER, "GET", lambda s: f"/office/screening/watchlist/{s.entry.pk}/"
    ),
    "office/screening/watchlist/import/": Url(
        OFFICER, "GET", lambda s: "/office/screening/watchlist/import/"
    ),
    "office/screening/watchlist/imports/<int:import_id>/": Url(
        OFFICER, "GET", lambda s: f"/office/screening/watchlist/imports/{s.watchlist_import.pk}/"
    ),
    # statistics: a regional officer gets the own office's figures (umis/reports/tests)
    "office/reports/": Url(STAFF, "GET", lambda s: "/office/reports/"),
    "office/reports/<slug:code>.csv": Url(
        STAFF, "GET", lambda s: "/office/reports/stays_by_region.csv"
    ),
    "office/reports/<slug:code>.xlsx": Url(
        STAFF, "GET", lambda s: "/office/reports/stays_by_region.xlsx"
    ),
}

API: dict[str, Url] = {
    "POST /api/v1/documents/mrz": Url(API_PUBLIC, "POST", lambda s: "/api/v1/documents/mrz"),
    "GET /api/v1/documents/verify/{code}": Url(
        API_PUBLIC, "GET", lambda s: "/api/v1/documents/verify/not-a-code"
    ),
    "GET /api/v1/documents/signer-keys": Url(
        API_PUBLIC, "GET", lambda s: "/api/v1/documents/signer-keys"
    ),
    "POST /api/v1/stay/calculate": Url(API_PUBLIC, "POST", lambda s: "/api/v1/stay/calculate"),
    "POST /api/v1/stay-registrations": Url(
        Scope.STAY_REGISTRATIONS, "POST", lambda s: "/api/v1/stay-registrations"
    ),
    "GET /api/v1/stay-registrations": Url(
        Scope.STAY_REGISTRATIONS, "GET", lambda s: "/api/v1/stay-registrations"
    ),
    "POST /api/v1/stay-registrations/bulk": Url(
        Scope.STAY_REGISTRATIONS, "POST", lambda s: "/api/v1/stay-registrations/bulk"
    ),
    "GET /api/v1/stay-registrations/{reference}": Url(
        Scope.STAY_REGISTRATIONS, "GET", lambda s: f"/api/v1/stay-registrations/{s.case.reference}"
    ),
    "POST /api/v1/stay-registrations/{reference}/end": Url(
        Scope.STAY_REGISTRATIONS,
        "POST",
        lambda s: f"/api/v1/stay-registrations/{s.case.reference}/end",
    ),
    "GET /api/v1/stay-registrations/{reference}/certificate.pdf": Url(
        Scope.STAY_REGISTRATIONS,
        "GET",
        lambda s: f"/api/v1/stay-registrations/{s.case.reference}/certificate.pdf",
    ),
    "POST /api/v1/evisa/applications": Url(
        Scope.EVISA, "POST", lambda s: "/api/v1/evisa/applications"
    ),
    "GET /api/v1/evisa/applications/{reference}": Url(
        Scope.EVISA, "GET", lambda s: f"/api/v1/evisa/applications/{s.visa.group_reference}"
    ),
    "GET /api/v1/evisa/applications/{reference}/{case_reference}/evisa.pdf": Url(
        Scope.EVISA, "GET", lambda s: f"/api/v1/evisa/applications/{_visa(s)}/evisa.pdf"
    ),
    "POST /api/v1/names/compare": Url(Scope.SCREENING, "POST", lambda s: "/api/v1/names/compare"),
    "POST /api/v1/screening/search": Url(
        Scope.SCREENING, "POST", lambda s: "/api/v1/screening/search"
    ),
    "POST /api/v1/watchlists/{code}/entries": Url(
        Scope.WATCHLISTS_MANAGE, "POST", lambda s: "/api/v1/watchlists/entry-bans/entries"
    ),
    "POST /api/v1/border/crossings": Url(
        Scope.BORDER_CROSSINGS, "POST", lambda s: "/api/v1/border/crossings"
    ),
    "GET /api/v1/people/{person_id}/stay": Url(
        Scope.PEOPLE_READ, "GET", lambda s: f"/api/v1/people/{s.person.pk}/stay"
    ),
    "GET /api/v1/identity/reviews": Url(
        Scope.IDENTITY_REVIEW, "GET", lambda s: "/api/v1/identity/reviews"
    ),
    "GET /api/v1/identity/reviews/{match_id}": Url(
        Scope.IDENTITY_REVIEW, "GET", lambda s: f"/api/v1/identity/reviews/{s.match.pk}"
    ),
    "POST /api/v1/identity/reviews/{match_id}/decision": Url(
        Scope.IDENTITY_REVIEW, "POST", lambda s: f"/api/v1/identity/reviews/{s.match.pk}/decision"
    ),
    "POST /api/v1/identity/merges/{merge_id}/unmerge": Url(
        Scope.IDENTITY_REVIEW, "POST", lambda s: f"/api/v1/identity/merges/{s.merge.pk}/unmerge"
    ),
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[URLPattern, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield p, prefix + str(p.pattern)


def page_routes() -> set[str]:
    """Every Django URL pattern except the admin and the API's operations, as written in
    the default language (the language prefix of the others follows the active one, which
    a test run before this one may have left set)."""
    routes = set()
    with translation.override(settings.LANGUAGE_CODE):
        patterns = list(_walk(get_resolver().url_patterns))
    for pattern, route in patterns:
        if route.startswith("admin/") or pattern.callback.__module__ == "ninja.operation":
            continue
        routes.add(route)
    return routes


def api_operations() -> set[str]:
    from umis.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}


def test_every_url_is_classified() -> None:
    assert page_routes() == set(PAGES), (
        "classify the new page in PAGES (and test its object access)",
        page_routes() ^ set(PAGES),
    )
    assert api_operations() == set(API), (
        "classify the new API operation in API (and test its object access)",
        api_operations() ^ set(API),
    )


@pytest.fixture
def scene(world: World, client: Client) -> Scene:
    return make_scene(world, client)


def _call(client: Client, spec: Url, scene: Scene, **extra: str) -> Any:
    url = spec.url(scene)
    if spec.method == "POST":
        return client.post(url, data="{}", content_type="application/json", **extra)
    return client.get(url, **extra)


def test_anonymous_callers_sign_in_first_and_get_no_data(scene: Scene) -> None:
    client = Client()
    for route, spec in PAGES.items():
        response = _call(client, spec, scene)
        status = response.status_code
        location = response.get("Location", "")
        if spec.access in {SIGNED_IN, HOST, OFFICER, STAFF}:
            assert status == 302, route
            assert location.startswith("/accounts/login/?next="), (route, location)
        elif spec.access == APPLICANT:
            # no session holds the application: back to the look-up form (with the
            # reference in the address filled in), or not found
            assert status in {302, 404}, route
            lookup = location.split("?")[0]
            assert status == 404 or lookup.endswith(LOOKUPS), (route, location)
        else:
            assert status < 500 and status not in {401, 403}, (route, status)
            assert "/accounts/login/" not in location, route
    for route, spec in API.items():
        response = _call(client, spec, scene)
        status = response.status_code
        if spec.access == API_PUBLIC:
            assert status < 500 and status not in {401, 403}, (route, status)
        else:
            assert status == 401, (route, status)
            assert response.json()["error"]["code"] == "unauthorized", route
            wrong = _call(client, spec, scene, HTTP_X_API_KEY="umis_bad_key")
            assert wrong.status_code == 401, route


def test_a_user_of_the_wrong_role_gets_404(scene: Scene) -> None:
    w = scene.world
    client = Client()
    wrong = {
        HOST: [w.alice, w.hannah, w.oscar, scene.analyst, w.admin],
        OFFICER: [w.harry, w.oscar, scene.analyst, w.admin, scene.agency],
        STAFF: [w.harry, w.oscar, scene.agency],
    }
    checked = 0
    for route, spec in PAGES.items():
        for user in wrong.get(spec.access, []):
            client.force_login(user)
            response = _call(client, spec, scene)
            assert response.status_code in {403, 404}, (route, user.username)
            checked += 1
    assert checked == sum(len(wrong[s.access]) for s in PAGES.values() if s.access in wrong)


def test_an_api_key_without_the_scope_gets_403_and_the_attempt_is_logged(scene: Scene) -> None:
    client = Client()
    user = make_user("many.scopes", Role.AGENCY)
    scopes = {s.access for s in API.values() if s.access != API_PUBLIC}
    keys = {
        scope: api_client_create(
            actor=None, name=f"all but {scope}", user=user, scopes=list(set(Scope) - {scope})
        )[1]
        for scope in scopes
    }
    for route, spec in API.items():
        if spec.access == API_PUBLIC:
            continue
        before = AuditEvent.objects.filter(action="API_SCOPE_DENIED").count()
        response = _call(client, spec, scene, HTTP_X_API_KEY=keys[spec.access])
        assert response.status_code == 403, route
        assert response.json()["error"]["code"] == "scope_missing", route
        denied = AuditEvent.objects.filter(action="API_SCOPE_DENIED").order_by("-id")
        assert denied.count() == before + 1, route
        assert denied[0].data["scope"] == spec.access, route


def test_a_key_with_the_scope_is_let_through(scene: Scene) -> None:
    """The control for the test above: the same calls with the scope pass the check."""
    client = Client()
    owner_key = {
        Scope.STAY_REGISTRATIONS: scene.world.hotel_key,
        Scope.EVISA: scene.agency_key,
        Scope.IDENTITY_REVIEW: scene.alice_key,
    }
    for route, spec in API.items():
        if spec.access == API_PUBLIC:
            continue
        key = owner_key.get(spec.access, scene.alice_key)
        response = _call(client, spec, scene, HTTP_X_API_KEY=key)
        assert response.status_code not in {401, 403}, (route, response.status_code)
        assert response.status_code < 500, (route, response.content)


def test_a_signed_in_session_is_no_api_credential(scene: Scene) -> None:
    """The API takes keys only: a browser session of an officer or a host gets 401, so a
    page of another site cannot call the API with the user's cookies."""
    for user in (scene.world.hannah, scene.world.harry):
        client = Client()
        client.force_login(user)
        for route, spec in API.items():
            if spec.access == API_PUBLIC:
                continue
            assert _call(client, spec, scene).status_code == 401, (route, user.username)
