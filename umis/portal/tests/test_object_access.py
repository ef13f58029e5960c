"""Every URL that names an object (case, person, registration, possible duplicate, merge,
screening hit, watchlist entry, visa application, payment) answers its owner and gives
everybody else 404 (not 403, not the data), changes nothing, and the refused attempt is in
the audit log. Owners: the Baku office (alice), the Baku hotel (harry), the agency that
applied; outsiders: the Shaki officer (bob), the Ganja landlord (larisa), another agency."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import STAFF_ROLES, ApiClient, Role, User
from umis.audit.models import AuditEvent
from umis.border.models import OverstayFinding
from umis.cases.models import Case, CaseEvent
from umis.core.testing import World
from umis.payments.testing import return_path
from umis.people.models import IdentityMatch, PersonMerge
from umis.portal.tests.scene import OWN_STAY_DOCUMENT, Scene, make_scene
from umis.portal.tests.test_url_access import API, APPLICANT, PAGES, Url
from umis.screening.models import ScreeningHit, WatchlistImport
from umis.stays.models import StayRegistration

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Who:
    user: User
    key: str = ""  # an API key acting as the user


@dataclass(frozen=True)
class Guarded:
    owner: Callable[[Scene], Who]
    outsider: Callable[[Scene], Who]
    denied: str  # the audit action recording the refused attempt


def _alice(s: Scene) -> Who:
    return Who(s.world.alice)


def _bob(s: Scene) -> Who:
    return Who(s.world.bob)


def _harry(s: Scene) -> Who:
    return Who(s.world.harry)


def _larisa(s: Scene) -> Who:
    return Who(s.world.larisa)


def _key_user(key: str) -> User:
    return ApiClient.objects.get(key_hash=ApiClient.hash_key(key)).user


def _key(attr: str) -> Callable[[Scene], Who]:
    return lambda s: Who(_key_user(getattr(s, attr)), getattr(s, attr))


def _hotel_app(s: Scene) -> Who:
    return Who(s.world.harry, s.world.hotel_key)


OFFICE = (_alice, _bob)
HOSTS = (_harry, _larisa)

OBJECTS: dict[str, Guarded] = {
    "host/registrations/<str:reference>/": Guarded(*HOSTS, "STAY_REGISTRATION_ACCESS_DENIED"),
    "host/registrations/<str:reference>/certificate.pdf": Guarded(
        *HOSTS, "STAY_REGISTRATION_ACCESS_DENIED"
    ),
    "host/registrations/<str:reference>/end/": Guarded(*HOSTS, "STAY_REGISTRATION_ACCESS_DENIED"),
    "office/cases/<str:reference>/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/cases/<str:reference>/annul/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/cases/<str:reference>/confirm/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/cases/<str:reference>/note/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/cases/<str:reference>/assignment/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/people/<int:person_id>/": Guarded(*OFFICE, "PERSON_ACCESS_DENIED"),
    "office/duplicates/<int:match_id>/": Guarded(*OFFICE, "IDENTITY_MATCH_ACCESS_DENIED"),
    "office/duplicates/<int:match_id>/decide/": Guarded(*OFFICE, "IDENTITY_MATCH_ACCESS_DENIED"),
    "office/duplicates/merges/<int:merge_id>/unmerge/": Guarded(
        *OFFICE, "PERSON_MERGE_ACCESS_DENIED"
    ),
    "office/evisa/<str:reference>/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/evisa/<str:reference>/decide/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/evisa/<str:reference>/assignment/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/evisa/<str:reference>/annul/": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/evisa/<str:reference>/photo.jpg": Guarded(*OFFICE, "CASE_ACCESS_DENIED"),
    "office/screening/hits/<int:hit_id>/": Guarded(*OFFICE, "SCREENING_HIT_ACCESS_DENIED"),
    "office/screening/hits/<int:hit_id>/decide/": Guarded(*OFFICE, "SCREENING_HIT_ACCESS_DENIED"),
    "office/overstays/<int:finding_id>/": Guarded(*OFFICE, "OVERSTAY_FINDING_ACCESS_DENIED"),
    "office/overstays/<int:finding_id>/take/": Guarded(*OFFICE, "OVERSTAY_FINDING_ACCESS_DENIED"),
    "office/overstays/<int:finding_id>/dismiss/": Guarded(
        *OFFICE, "OVERSTAY_FINDING_ACCESS_DENIED"
    ),
    # watchlists are the head office's: a regional officer is the outsider
    "office/screening/watchlist/<int:entry_id>/": Guarded(
        lambda s: Who(s.world.hannah), _alice, "WATCHLIST_ENTRY_ACCESS_DENIED"
    ),
    "office/screening/watchlist/imports/<int:import_id>/": Guarded(
        lambda s: Who(s.world.hannah), _alice, "WATCHLIST_IMPORT_ACCESS_DENIED"
    ),
    "GET /api/v1/stay-registrations/{reference}": Guarded(
        _hotel_app, _key("other_hotel_key"), "STAY_REGISTRATION_ACCESS_DENIED"
    ),
    "POST /api/v1/stay-registrations/{reference}/end": Guarded(
        _hotel_app, _key("other_hotel_key"), "STAY_REGISTRATION_ACCESS_DENIED"
    ),
    "GET /api/v1/stay-registrations/{reference}/certificate.pdf": Guarded(
        _hotel_app, _key("other_hotel_key"), "STAY_REGISTRATION_ACCESS_DENIED"
    ),
    "GET /api/v1/evisa/applications/{reference}": Guarded(
        _key("agency_key"), _key("other_agency_key"), "EVISA_ACCESS_DENIED"
    ),
    "GET /api/v1/evisa/applications/{reference}/{case_reference}/evisa.pdf": Guarded(
        _key("agency_key"), _key("other_agency_key"), "EVISA_ACCESS_DENIED"
    ),
    "GET /api/v1/people/{person_id}/stay": Guarded(
        _key("alice_key"), _key("bob_key"), "PERSON_ACCESS_DENIED"
    ),
    "GET /api/v1/identity/reviews/{match_id}": Guarded(
        _key("alice_key"), _key("bob_key"), "IDENTITY_MATCH_ACCESS_DENIED"
    ),
    "POST /api/v1/identity/reviews/{match_id}/decision": Guarded(
        _key("alice_key"), _key("bob_key"), "IDENTITY_MATCH_ACCESS_DENIED"
    ),
    "POST /api/v1/identity/merges/{merge_id}/unmerge": Guarded(
        _key("alice_key"), _key("bob_key"), "PERSON_MERGE_ACCESS_DENIED"
    ),
}

# Addresses with an id that are open to anyone on purpose, or guarded otherwise.
BY_DESIGN = {
    "services/<slug:code>/": "a service's public description",
    "verify/<str:code>": "the public check of a sealed document (the code is the seal)",
    "GET /api/v1/documents/verify/{code}": "the public check of a sealed document",
    "payments/return/<str:number>": "sends the payer back to the status page, which needs "
    "the applicant's session (test_the_payment_return_shows_nothing)",
    "POST /api/v1/watchlists/{code}/entries": "a national list: the scope is the permission",
    "office/reports/<slug:code>.csv": "a statistics table (aggregates, the same for everyone); "
    "the office it covers is guarded (umis/reports/tests: another office is 404, audited)",
    "office/reports/<slug:code>.xlsx": "the same table as a workbook, guarded the same way "
    "(umis/reports/tests: test_the_workbook_refuses_what_the_page_refuses)",
}

# fields of every object a refused call might have changed
SNAPSHOT: list[tuple[type[Any], str, tuple[str, ...]]] = [
    (Case, "case", ("state", "version", "is_open", "assignee")),
    (StayRegistration, "registration", ("active", "ended_on")),
    (IdentityMatch, "match", ("status", "version")),
    (PersonMerge, "merge", ("unmerged_at", "version")),
    (ScreeningHit, "hit", ("status", "version")),
    (OverstayFinding, "finding", ("state", "version", "decided_at")),
    (WatchlistImport, "watchlist_import", ("status", "rows_done", "content")),
]


def _state(s: Scene) -> dict[str, Any]:
    objects = {
        "case": [s.case.pk, s.visa.case_id],
        "registration": list(
            StayRegistration.objects.filter(case=s.case).values_list("pk", flat=True)
        ),
        "match": [s.match.pk],
        "merge": [s.merge.pk],
        "hit": [s.hit.pk],
        "finding": [s.finding.pk],
        "watchlist_import": [s.watchlist_import.pk],
    }
    state: dict[str, Any] = {
        name: list(model.objects.filter(pk__in=objects[name]).order_by("pk").values(*fields))
        for model, name, fields in SNAPSHOT
    }
    state["case_events"] = CaseEvent.objects.count()
    return state


# a body each operation takes, fields it knows only (another is refused before any lookup)
API_BODIES: dict[str, dict[str, Any]] = {
    "end": {"left_on": "2026-01-01"},
    "decision": {"decision": "link", "reason": "same", "version": 1},
    "unmerge": {"reason": "same", "version": 1},
}


def _spec(route: str) -> Url:
    return PAGES.get(route) or API[route]


def _call(client: Client, route: str, scene: Scene, who: Who) -> Any:
    spec = _spec(route)
    url = spec.url(scene)
    extra = {"HTTP_X_API_KEY": who.key, "HTTP_ACCEPT_LANGUAGE": "ru"} if who.key else {}
    if not who.key:
        client.force_login(who.user)
    if spec.method == "POST":
        if route.startswith(("GET ", "POST ")):
            body = json.dumps(API_BODIES[route.rsplit("/", 1)[1]])
            return client.post(url, data=body, content_type="application/json", **extra)
        return client.post(
            url, {"decision": "confirm", "reason": "x", "version": "1", "action": "take"}
        )
    return client.get(url, **extra)


@pytest.fixture
def scene(world: World, client: Client) -> Scene:
    return make_scene(world, client)


def test_every_address_with_an_id_is_guarded_or_public_by_design() -> None:
    with_id = {r for r in (*PAGES, *API) if ("<" in r or "{" in r) and _spec(r).access != APPLICANT}
    assert with_id == set(OBJECTS) | set(BY_DESIGN), with_id ^ (set(OBJECTS) | set(BY_DESIGN))


def test_outsiders_get_404_nothing_changes_and_the_attempt_is_logged(scene: Scene) -> None:
    for route, guarded in OBJECTS.items():
        client = Client()
        who = guarded.outsider(scene)
        before = _state(scene)
        denied_before = AuditEvent.objects.filter(action=guarded.denied, actor=who.user).count()
        response = _call(client, route, scene, who)
        assert response.status_code == 404, (route, response.status_code)
        body = response.content.decode(errors="replace")
        assert "Hüseynov" not in body and "U12345678" not in body, route
        if who.key:  # a JSON error with a stable code, in the caller's language
            error = response.json()["error"]
            assert error["code"] == "not_found", route
            assert "найден" in error["message"], (route, error["message"])  # Russian
        assert _state(scene) == before, route
        assert (
            AuditEvent.objects.filter(action=guarded.denied, actor=who.user).count()
            == denied_before + 1
        ), route


def test_the_owners_get_the_object(scene: Scene) -> None:
    """The control for the test above: the same addresses answer their owner."""
    for route, guarded in OBJECTS.items():
        if _spec(route).method != "GET":
            continue
        owner = guarded.owner(scene)
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = _call(Client(), route, scene, owner)
        assert response.status_code == 200, (route, response.status_code)
        if owner.user.role in STAFF_ROLES or owner.user.role == Role.AGENCY:
            # every staff or agency read of a person's file is in the audit log
            reads = AuditEvent.objects.filter(id__gt=last, actor=owner.user)
            assert reads.exists(), route
            if "watchlist" not in route:  # an entry names a registry person only if linked
                assert reads.filter(person_id__isnull=False).exists(), route


def test_lists_show_only_the_users_own(scene: Scene) -> None:
    w = scene.world
    client = Client()
    client.force_login(w.bob)
    for url in (
        "/office/queue/?closed=1",
        "/office/screening/hits/?status=",
        "/office/duplicates/",
        "/office/evisa/",
    ):
        page = client.get(url).content.decode()
        assert "Hüseynov" not in page and "Müller" not in page, url
        assert scene.case.reference not in page and scene.visa.case.reference not in page, url
    for name in ("huseynov", "müller"):
        page = client.post("/office/people/", {"name": name}).content.decode()
        assert "Hüseynov" not in page and "Müller" not in page, name
    client.force_login(w.larisa)
    assert "Hüseynov" not in client.get("/host/").content.decode()
    guests = client.get("/api/v1/stay-registrations", HTTP_X_API_KEY=scene.other_hotel_key)
    assert guests.status_code == 200 and guests.json() == []
    reviews = client.get("/api/v1/identity/reviews", HTTP_X_API_KEY=scene.bob_key)
    assert reviews.status_code == 200 and reviews.json()["items"] == []
    client.force_login(w.alice)
    assert scene.case.reference in client.get("/office/queue/").content.decode()


def _applicant(scene: Scene) -> Client:
    """The applicant: a browser that looked the application up with its passport number."""
    client = Client()
    response = client.post(
        "/evisa/status/",
        {"reference": scene.visa.group_reference, "passport_number": "C01X00T47"},
    )
    assert response.status_code == 302
    return client


def test_another_applicant_gets_no_application(scene: Scene) -> None:
    own = _applicant(scene)
    other = Client()  # someone who knows (or guesses) the reference
    wrong_passport = other.post(
        "/evisa/status/", {"reference": scene.visa.group_reference, "passport_number": "X1"}
    )
    assert wrong_passport.status_code == 404
    for route, spec in PAGES.items():
        if spec.access != APPLICANT or route.startswith("stay/"):
            continue
        url = spec.url(scene)
        mine = own.get(url)
        theirs = other.get(url)
        assert "Müller" not in theirs.content.decode(errors="replace"), route
        # back to the look-up form, at most with the reference they opened filled in
        lookup = theirs.get("Location", "").split("?")[0]
        assert theirs.status_code == 404 or lookup.endswith("/evisa/status/"), route
        if route.endswith("refusal.pdf"):  # the visa was issued: no refusal to show
            assert mine.status_code == 404
        elif route.endswith("/pay"):  # already paid: nothing to pay
            assert mine.status_code == 302
        else:
            assert mine.status_code == 200, route


def test_another_foreigner_gets_no_registration_of_his_own_filing(scene: Scene) -> None:
    """The foreigner who filed his own stay opens it with its number and his document
    number; someone who knows (or guesses) the number only, or holds another document, gets
    the look-up form back or 404, and the attempt is audited."""
    reference = scene.own_stay.reference
    own = Client()
    assert (
        own.post("/stay/status/", {"reference": reference, "document_number": OWN_STAY_DOCUMENT})
    ).status_code == 302
    other = Client()
    wrong = other.post("/stay/status/", {"reference": reference, "document_number": "U12345678"})
    assert wrong.status_code == 404
    assert AuditEvent.objects.filter(
        action="STAY_REGISTRATION_ACCESS_DENIED", entity_id=reference
    ).exists()
    for route, spec in PAGES.items():
        if spec.access != APPLICANT or not route.startswith("stay/"):
            continue
        url = spec.url(scene)
        if spec.method == "POST":  # "I have left this address": not for another browser
            refused = other.post(url, {"left_on": scene.own_stay.created_at.date().isoformat()})
            assert refused.status_code == 404, route
            assert StayRegistration.objects.get(case=scene.own_stay).active, route
            continue
        theirs = other.get(url)
        assert "Smith" not in theirs.content.decode(errors="replace"), route
        lookup = theirs.get("Location", "").split("?")[0]
        assert theirs.status_code == 404 or lookup.endswith("/stay/status/"), route
        assert own.get(url).status_code == 200, route


def test_the_payment_return_shows_nothing(scene: Scene) -> None:
    response = Client().get(return_path(scene.visa.payment_order), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Müller" not in page and scene.visa.case.reference not in page
