"""No input yields a 500: every JSON endpoint under /api/v1 (and the payment gateway's
callback) gets generated garbage — wrong JSON types, missing and extra fields, huge
strings, control, bidi and zero-width characters, NUL bytes, lone surrogates, impossible
dates, enormous numbers, invalid UTF-8, bodies that are not JSON, bogus headers — from a
caller holding the right scopes, so the input reaches validation and the services.

Every answer is below 500; every 4xx is the API's JSON error with a stable code, in
Russian when asked in Russian; a refused request stores nothing; and no stored name holds
a control, bidi or zero-width character or mixes Latin, Cyrillic and Greek in one word. The endpoints are read from the API's OpenAPI schema: a new endpoint fails
`test_every_endpoint_is_fuzzed` until it gets a profile (a valid request to mutate) here
or a reason to be skipped.

Addresses carry query parameters of other endpoints too, out of range or twice (limit=-1,
limit=10**30, regime=x, on=0000-00-00), and bodies nest values 400 deep and write numbers
past what Python reads from text.

`make fuzz` (`UMIS_FUZZ_EXAMPLES=300 UMIS_FUZZ_RANDOM=1`) runs a longer, random campaign
of this module and the forms' (umis/portal/tests/test_forms_fuzz.py); the default is a
fixed 25 examples per endpoint.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from umis.accounts.models import Role, Scope, User
from umis.accounts.services import api_client_create
from umis.api.tests import fuzzing
from umis.api.urls import api
from umis.core import clock
from umis.core.testing import World, guest, make_user, make_world, passport_mrz
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_url
from umis.payments.gateway import SIGNATURE_HEADER, sign
from umis.people.models import IdentityMatch, PersonMerge
from umis.people.services import identity_match_decide
from umis.screening.services import watchlist_get_or_create
from umis.stays.services import stay_registrations_submit
from umis.visas.reference import visa_reference_load_defaults
from umis.visas.services import visa_applications_submit
from umis.visas.testing import application, photo_b64, traveller

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("UMIS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("UMIS_FUZZ_RANDOM"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

CYRILLIC = re.compile("[А-Яа-я]")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Env:
    world: World
    keys: dict[str, str]
    registration: str
    person_id: int
    verify_code: str
    evisa_group: str
    evisa_case: str
    watchlist: str
    match_id: int
    merge_id: int
    merge_version: int


def _key(username: str, role: str, office: str | None = None) -> str:
    user = User.objects.filter(username=username).first() or make_user(username, role, office)
    _client, key = api_client_create(
        actor=None, name=f"fuzz {username}", user=user, scopes=[s.value for s in Scope]
    )
    return key


def _env(prepare: Callable[[], None] | None = None) -> Env:
    """The world, keys with every scope, and one of each object the endpoints address;
    `prepare` runs once the reference data is there, before the guests arrive."""
    world = make_world()
    visa_reference_load_defaults()
    if prepare is not None:
        prepare()
    keys = {
        "host": _key("harry", Role.HOST),
        "officer": _key("hannah", Role.HEAD_OFFICER, "head"),
        "agency": _key("agnes", Role.AGENCY),
        "border": _key("border.service", Role.AGENCY),
    }
    first = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    assert first.registration is not None
    # the same man again, another passport and a birth date one digit off: a review task
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[guest(birth_date="1985-03-17", document_number="C7654321")],
    )
    # a second doubtful pair, linked, so there is a merge to undo
    for overrides in (
        {"surname": "Əliyev", "given_names": "Orxan", "document_number": "A1000001"},
        {
            "surname": "Əliyev",
            "given_names": "Orxan",
            "document_number": "A1000002",
            "birth_date": "1985-03-17",
        },
    ):
        stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest(**overrides)])
    matches = list(IdentityMatch.objects.order_by("id"))
    assert len(matches) >= 2, matches
    linked = identity_match_decide(
        actor=world.hannah,
        match_id=matches[1].pk,
        decision="link",
        reason="same man",
        expected_version=matches[1].version,
    )
    assert linked.status == IdentityMatch.Status.LINKED
    merge = PersonMerge.objects.get()
    document = IssuedDocument.objects.filter(case_id=first.registration.case_id).first()
    assert document is not None
    submission = visa_applications_submit(actor=_user("agnes"), raw=application(), language="en")
    app = submission.applications[0]
    watchlist = watchlist_get_or_create(actor=None, code="fuzz-bans")
    return Env(
        world=world,
        keys=keys,
        registration=first.registration.case.reference,
        person_id=first.registration.person_id,
        verify_code=document_verify_url(document).rstrip("/").rsplit("/", 1)[-1],
        evisa_group=app.group_reference,
        evisa_case=app.case.reference,
        watchlist=watchlist.code,
        match_id=matches[0].pk,
        merge_id=merge.pk,
        merge_version=merge.version,
    )


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _today(days: int = 0) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


def _event() -> dict[str, Any]:
    return {
        "event_id": "EV-FUZZ-1",
        "crossing_point": "gyd",
        "direction": "entry",
        "timestamp": (clock.now() - dt.timedelta(hours=1)).isoformat(),
        "document_type": "passport",
        "document_number": "U12345678",
        "issuing_state": "TUR",
        "document_expiry": _today(900),
        "surname": "Öztürk",
        "given_names": "Mehmet",
        "birth_date": "1980-05-01",
        "sex": "M",
        "nationality": "TR",
    }


def _application() -> dict[str, Any]:
    # a tiny photo keeps the examples fast; a wrong one is refused like any other field
    return application(traveller(photo=_small_photo()))


_PHOTO: list[str] = []


def _small_photo() -> str:
    if not _PHOTO:
        _PHOTO.append(photo_b64(width=300, height=380))
    return _PHOTO[0]


@dataclass(frozen=True)
class Profile:
    """How to reach one endpoint: whose key, which path parameters lead to a real object,
    a valid body and query to mutate."""

    persona: str | None
    path: Callable[[Env], dict[str, str]] = lambda env: {}
    body: Callable[[Env], Any] | None = None
    query: Callable[[Env], dict[str, str]] = lambda env: {}
    headers: dict[str, str] = field(default_factory=dict)
    # answers in the request's language (the payment gateway is a machine: the service's own)
    translated: bool = True


PROFILES: dict[tuple[str, str], Profile] = {
    ("POST", "/api/v1/stay-registrations"): Profile("host", body=lambda env: guest()),
    ("GET", "/api/v1/stay-registrations"): Profile(
        "host", query=lambda env: {"offset": "0", "limit": "10"}
    ),
    ("POST", "/api/v1/stay-registrations/bulk"): Profile(
        "host",
        body=lambda env: {
            "items": [guest(), guest(document_number="Z9876543", mrz=list(passport_mrz()))]
        },
    ),
    ("GET", "/api/v1/stay-registrations/{reference}"): Profile(
        "host", path=lambda env: {"reference": env.registration}
    ),
    ("POST", "/api/v1/stay-registrations/{reference}/end"): Profile(
        "host",
        path=lambda env: {"reference": env.registration},
        body=lambda env: {"left_on": _today()},
    ),
    ("GET", "/api/v1/stay-registrations/{reference}/certificate.pdf"): Profile(
        "host", path=lambda env: {"reference": env.registration}
    ),
    ("POST", "/api/v1/documents/mrz"): Profile(
        None, body=lambda env: {"lines": list(passport_mrz())}
    ),
    ("GET", "/api/v1/documents/verify/{code}"): Profile(
        None, path=lambda env: {"code": env.verify_code}
    ),
    ("GET", "/api/v1/documents/signer-keys"): Profile(None),
    ("POST", "/api/v1/evisa/applications"): Profile("agency", body=lambda env: _application()),
    ("GET", "/api/v1/evisa/applications/{reference}"): Profile(
        "agency", path=lambda env: {"reference": env.evisa_group}
    ),
    ("GET", "/api/v1/evisa/applications/{reference}/{case_reference}/evisa.pdf"): Profile(
        "agency", path=lambda env: {"reference": env.evisa_group, "case_reference": env.evisa_case}
    ),
    ("POST", "/api/v1/names/compare"): Profile(
        "officer", body=lambda env: {"a": "Hüseynov Rəşad", "b": "Guseinov Rashad"}
    ),
    ("POST", "/api/v1/screening/search"): Profile(
        "officer",
        body=lambda env: {
            "names": ["Rəşad Hüseynov", "Rashad Guseinov"],
            "birth_date": "1985-03-14",
            "nationality": "TR",
            "document_number": "U12345678",
            "issuing_state": "TUR",
            "threshold": 80,
            "limit": 5,
        },
    ),
    ("POST", "/api/v1/watchlists/{code}/entries"): Profile(
        "officer",
        path=lambda env: {"code": env.watchlist},
        body=lambda env: {
            "source": "court",
            "entries": [
                {
                    "category": "entry_ban",
                    "external_id": "FZ-1",
                    "full_name": "Ivan Petrov",
                    "aliases": ["Иван Петров"],
                    "birth_date": "1970-01-01",
                    "nationality": "RU",
                    "sex": "M",
                    "document_number": "7512345",
                    "issuing_state": "RUS",
                    "valid_from": _today(-10),
                    "valid_until": _today(300),
                    "reason": "court decision",
                    "source_reference": "2026/1",
                }
            ],
        },
    ),
    ("POST", "/api/v1/border/crossings"): Profile(
        "border", body=lambda env: {"events": [_event()]}
    ),
    ("GET", "/api/v1/people/{person_id}/stay"): Profile(
        "officer",
        path=lambda env: {"person_id": str(env.person_id)},
        query=lambda env: {"on": _today(), "purpose": "status check"},
    ),
    ("POST", "/api/v1/stay/calculate"): Profile(
        None,
        body=lambda env: {
            "stays": [
                {"entry": _today(-100), "exit": _today(-60)},
                {"entry": _today(-5), "exit": None},
            ],
            "on": _today(),
            "regime": "90/180",
            "nationality": "RU",
        },
    ),
    ("GET", "/api/v1/identity/reviews"): Profile(
        "officer",
        query=lambda env: {
            "status": "open",
            "source": "intake",
            "min_score": "10",
            "order": "best",
            "page": "1",
            "per_page": "20",
        },
    ),
    ("GET", "/api/v1/identity/reviews/{match_id}"): Profile(
        "officer", path=lambda env: {"match_id": str(env.match_id)}
    ),
    ("POST", "/api/v1/identity/reviews/{match_id}/decision"): Profile(
        "officer",
        path=lambda env: {"match_id": str(env.match_id)},
        body=lambda env: {"decision": "separate", "reason": "two people", "version": 1},
    ),
    ("POST", "/api/v1/identity/merges/{merge_id}/unmerge"): Profile(
        "officer",
        path=lambda env: {"merge_id": str(env.merge_id)},
        body=lambda env: {"reason": "not the same man", "version": env.merge_version},
    ),
}

# the payment gateway's signed notification is server-to-server JSON as well
EXTRA_ENDPOINTS: dict[tuple[str, str], Profile] = {
    ("POST", "/payments/callback"): Profile(
        None,
        body=lambda env: {
            "event_id": "EV-FUZZ",
            "kind": "payment.succeeded",
            "order": "PAY-2026-000001",
            "transaction_id": "TX-1",
            "amount": "20.00",
            "currency": "AZN",
            "paid_at": clock.now().isoformat(),
        },
        translated=False,
    ),
}

SKIPPED: dict[tuple[str, str], str] = {}


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops)


ALL = sorted({*PROFILES, *EXTRA_ENDPOINTS})


def test_every_endpoint_is_fuzzed() -> None:
    """A new endpoint is fuzzed (a profile here) or skipped with a reason, never forgotten."""
    operations = _operations()
    missing = [op for op in operations if op not in PROFILES and op not in SKIPPED]
    assert missing == [], f"endpoints neither fuzzed nor skipped: {missing}"
    stale = [op for op in PROFILES if op not in operations]
    assert stale == [], f"profiles of endpoints that no longer exist: {stale}"
    assert all(reason.strip() for reason in SKIPPED.values())


@dataclass
class Sent:
    method: str
    url: str
    body: bytes
    headers: dict[str, str]
    translated: bool = True

    def __repr__(self) -> str:  # keep hypothesis's report readable
        return f"{self.method} {self.url[:300]} headers={ {k: v[:80] for k, v in self.headers.items()} } body={self.body[:400]!r}"


@st.composite
def requests_for(draw: st.DrawFn, op: tuple[str, str], profile: Profile, env: Env) -> Sent:
    method, template = op
    params = profile.path(env)
    for name in list(params):
        if draw(st.integers(0, 4)) == 0:
            params[name] = str(draw(fuzzing.scalars()))
    url = template
    for name, value in params.items():
        # a lone surrogate goes as the bytes a careless client would send (%ED%A0%80)
        segment = quote(value[:3000].encode("utf-8", "surrogatepass"), safe="")
        url = url.replace("{" + name + "}", segment or "%20")
    query = profile.query(env)
    for name in list(query):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            query.pop(name)
        elif choice == 1:
            query[name] = str(draw(fuzzing.like(query[name])))[:3000]
    pairs = list(query.items())
    # parameters it does not take, out of range, or sent twice (the last one counts)
    pairs += draw(st.lists(st.sampled_from(fuzzing.QUERY_EXTRAS), max_size=3))
    if pairs:
        url += "?" + urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])
    headers: dict[str, str] = {}
    language = draw(st.sampled_from(fuzzing.ACCEPT_LANGUAGES))
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    key = draw(st.sampled_from(fuzzing.IDEMPOTENCY_KEYS))
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    if profile.persona:
        headers["HTTP_X_API_KEY"] = env.keys[profile.persona]
    body = b""
    if method == "POST":
        valid = profile.body(env) if profile.body else {}
        kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "raw", "garbage"]))
        if kind == "mutated":
            body = fuzzing.dumps(draw(fuzzing.mutated(valid)))
        elif kind == "raw":
            body = draw(fuzzing.raw_bodies())
        else:
            body = fuzzing.dumps(draw(fuzzing.garbage()))
        headers["CONTENT_TYPE"] = draw(
            st.one_of(st.just("application/json"), st.sampled_from(fuzzing.CONTENT_TYPES))
        )
        if op == ("POST", "/payments/callback") and draw(st.booleans()):
            headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = sign(
                django_settings.UMIS_PAYMENT_SECRET, body
            )
    return Sent(method, url, body, headers, translated=profile.translated)


def send(client: Client, sent: Sent) -> Any:
    if sent.method == "GET":
        return client.get(sent.url, **sent.headers)
    headers = dict(sent.headers)
    content_type = headers.pop("CONTENT_TYPE", "application/json")
    return client.generic("POST", sent.url, sent.body, content_type=content_type, **headers)


def check(response: Any, sent: Sent, before: fuzzing.Snapshot) -> None:
    """What every answer must be, whatever was sent."""
    status = response.status_code
    assert status < 500, f"{status} for {sent!r}: {response.content[:500]!r}"
    if status >= 400:
        assert response["Content-Type"].startswith("application/json"), (status, sent)
        body = response.json()
        error = body.get("error", body)
        assert CODE.match(str(error.get("code", ""))), (body, sent)
        assert isinstance(error.get("message"), str) and error["message"], (body, sent)
        if sent.translated and sent.headers.get("HTTP_ACCEPT_LANGUAGE") == "ru":
            assert CYRILLIC.search(error["message"]), f"message not in Russian: {body} for {sent!r}"
        before.assert_nothing_stored(f"refused with {status}: {sent!r}")
    before.assert_new_names_clean(repr(sent))


@pytest.mark.parametrize("op", ALL, ids=lambda op: f"{op[0]} {op[1]}")
def test_no_input_yields_a_500(op: tuple[str, str], db: None) -> None:
    env = _env()
    profile = PROFILES.get(op) or EXTRA_ENDPOINTS[op]
    client = Client()

    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        sent = data.draw(requests_for(op, profile, env))
        before = fuzzing.Snapshot.take()
        response = send(client, sent)
        check(response, sent, before)

    fuzz()


@pytest.mark.parametrize("op", [op for op in ALL if op[0] == "POST"], ids=lambda op: op[1])
def test_a_10_mb_field_is_refused_and_nothing_is_stored(op: tuple[str, str], db: None) -> None:
    env = _env()
    profile = PROFILES.get(op) or EXTRA_ENDPOINTS[op]
    valid = profile.body(env) if profile.body else {}
    big = "Ə" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    paths = [p for p in fuzzing.node_paths(valid) if p and isinstance(fuzzing._at(valid, p), str)]
    body = fuzzing.replaced(valid, paths[0], big) if paths else {"x": big}
    url = op[1]
    for name, value in profile.path(env).items():
        url = url.replace("{" + name + "}", value)
    sent = Sent(
        "POST",
        url,
        fuzzing.dumps(body),
        {"CONTENT_TYPE": "application/json", "HTTP_ACCEPT_LANGUAGE": "ru"}
        | ({"HTTP_X_API_KEY": env.keys[profile.persona]} if profile.persona else {}),
        translated=profile.translated,
    )
    before = fuzzing.Snapshot.take()
    response = send(Client(), sent)
    check(response, sent, before)
    assert 400 <= response.status_code < 500, response.status_code


@pytest.mark.parametrize("op", [op for op in ALL if op[0] == "POST"], ids=lambda op: op[1])
def test_each_field_holding_a_nul_a_calendar_edge_or_a_huge_number_is_refused_cleanly(
    op: tuple[str, str], db: None
) -> None:
    """Field by field, the rest valid: PostgreSQL refuses NUL in text, dates at the
    calendar's edges overflow date arithmetic (SQLite and Python let the first through),
    numbers past the database's integers overflow it; and each field gets a list and a value
    nested 400 deep."""
    env = _env()
    profile = PROFILES.get(op) or EXTRA_ENDPOINTS[op]
    valid = profile.body(env) if profile.body else {}
    url = op[1]
    for name, value in profile.path(env).items():
        url = url.replace("{" + name + "}", value)
    client = Client()
    for path in fuzzing.node_paths(valid):
        leaf = fuzzing._at(valid, path)
        if not path or isinstance(leaf, dict | list):
            continue
        if isinstance(leaf, str):
            odds: list[Any] = ["a\x00b", "\ud800"]
            if leaf[:2].isdigit():
                odds += ["0001-01-01", "9999-12-31", "0000-00-00", "10000-01-01"]
        else:  # a number: past the database's integers, negative, not finite
            odds = [-1, 10**30, float("nan")]
        for odd in [*odds, [leaf], fuzzing.DEEP_VALUES[0]]:
            headers = {"CONTENT_TYPE": "application/json", "HTTP_ACCEPT_LANGUAGE": "ru"}
            if profile.persona:
                headers["HTTP_X_API_KEY"] = env.keys[profile.persona]
            sent = Sent(
                "POST",
                url,
                fuzzing.dumps(fuzzing.replaced(valid, path, odd)),
                headers,
                translated=profile.translated,
            )
            before = fuzzing.Snapshot.take()
            check(send(client, sent), sent, before)
