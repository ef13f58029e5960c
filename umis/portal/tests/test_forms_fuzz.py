"""No form input yields a 500: every page of the portal and the back-office that holds a
form is fetched as the person who uses it, each of its forms is read from the HTML (fields,
method, action, CSRF token) and submitted with generated garbage — control, bidi and
zero-width characters, NUL bytes, lone surrogates, huge strings, impossible dates, missing
and unknown fields.

Every answer is below 500; a submission that is not accepted (no redirect) re-renders the
page with an error shown and stores nothing. The URL names come from the project's URL
configuration: a new page fails `test_every_page_is_covered` until it is listed here as a
form page, a form's target, or a page without input (with the reason).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import given
from hypothesis import strategies as st

from umis.api.tests import fuzzing
from umis.api.tests.test_fuzz import FUZZ, Env, _env
from umis.core import clock
from umis.core.testing import guest
from umis.portal.tests.scene import OWN_STAY_DOCUMENT, overstay_finding, own_stay_filed
from umis.screening.models import ScreeningHit, WatchlistEntry
from umis.visas.models import VisaApplication
from umis.visas.testing import application, photo_png, traveller

pytestmark = pytest.mark.django_db

ERROR_SHOWN = re.compile(
    r'role="alert"|class="[^"]*\b(error|errors|errorlist|has-error)\b|aria-invalid'
)


@dataclass(frozen=True)
class Page:
    url: str  # with {placeholders} filled from FormEnv
    persona: str | None  # "host", "officer", "foreigner" (his look-up) or None (anyone)
    targets: tuple[str, ...] = ()  # URL names its forms submit to (checked)
    # a calculator or a check: any input gets an answer on the page, not necessarily an error
    answers_in_place: bool = False
    # buttons that show the form again without sending it (the e-visa's "Change" of the number
    # of travellers): pressed, the page comes back without an error and stores nothing
    redisplay: tuple[str, ...] = ()


PAGES: dict[str, Page] = {
    "portal:home": Page("/", None, ("set_language",)),
    "portal:verify_form": Page("/verify/", None, ("portal:verify_form",)),
    "accounts:login": Page("/accounts/login/", None, ("accounts:login",)),
    "stays:guests": Page("/host/", "host"),
    "stays:register": Page("/host/register/", "host", ("stays:register",)),
    "stays:detail": Page("/host/registrations/{registration}/", "host", ("stays:end",)),
    "stays_own:register": Page("/stay/register/", None, ("stays_own:register",)),
    "stays_own:lookup": Page("/stay/status/", None, ("stays_own:lookup",)),
    "stays_own:status": Page("/stay/status/{own_stay}/", "foreigner", ("stays_own:end",)),
    "border:calculator": Page(
        "/stay-calculator/", None, ("border:calculator",), answers_in_place=True
    ),
    "border:findings": Page("/office/overstays/", "officer", ("border:findings",)),
    "border:finding": Page(
        "/office/overstays/{finding}/", "officer", ("border:finding_take", "border:finding_dismiss")
    ),
    "reports:statistics": Page("/office/reports/", "officer", ("reports:statistics",)),
    "backoffice:queue": Page("/office/queue/", "officer", ("backoffice:queue",)),
    "backoffice:case": Page(
        "/office/cases/{registration}/",
        "officer",
        ("backoffice:case_annul", "backoffice:case_note", "backoffice:case_assign"),
    ),
    "backoffice:people": Page("/office/people/", "officer", ("backoffice:people",)),
    "backoffice:person": Page(
        "/office/people/{merged_person}/?purpose=identity", "officer", ("people:unmerge",)
    ),
    "people:matches": Page("/office/duplicates/", "officer"),
    "people:match": Page("/office/duplicates/{match}/", "officer", ("people:match_decide",)),
    "visas:apply": Page("/evisa/apply/", None, ("visas:apply",), redisplay=("resize",)),
    "visas:status_lookup": Page("/evisa/status/", None, ("visas:status_lookup",)),
    "visas:office_queue": Page("/office/evisa/", "officer"),
    "visas:office_case": Page(
        "/office/evisa/{referred}/", "officer", ("visas:office_decide", "visas:office_assign")
    ),
    # the same page once the e-visa is issued: its annulment form
    "visas:office_case issued": Page("/office/evisa/{issued}/", "officer", ("visas:office_annul",)),
    "screening:hits": Page("/office/screening/hits/", "officer"),
    "screening:hit": Page("/office/screening/hits/{hit}/", "officer", ("screening:hit_decide",)),
    "screening:entry_ban_check": Page(
        "/entry-ban-check/", None, ("screening:entry_ban_check",), answers_in_place=True
    ),
    "screening:entries": Page("/office/screening/watchlist/", "officer", ("screening:entries",)),
    "screening:import": Page(
        "/office/screening/watchlist/import/", "officer", ("screening:import",)
    ),
}

NO_INPUT: dict[str, str] = {
    "portal:service": "a catalogue page without a form",
    "portal:verify": "the verification result; the code in its URL is fuzzed by the API test",
    "accounts:logout": "signing out takes no input",
    "stays:certificate": "a PDF download",
    "stays_own:certificate": "a PDF download",
    "border:findings_csv": "an export of the list whose filters are fuzzed on border:findings",
    "border:findings_xlsx": "an export of the list whose filters are fuzzed on border:findings",
    "reports:statistics_csv": "an export of a table whose filters are fuzzed on reports:statistics",
    "reports:statistics_xlsx": "the same table as a workbook; its filters are those fuzzed on "
    "reports:statistics",
    "backoffice:home": "a dashboard without a form",
    "backoffice:case_confirm": "a button without fields, on the case page when it can be confirmed",
    "visas:status": "the applicant's status page, reached from the status lookup form",
    "visas:pay": "a button that sends the payer to the gateway",
    "visas:evisa_pdf": "a PDF download",
    "visas:refusal_pdf": "a PDF download",
    "visas:office_dashboard": "a dashboard without a form",
    "visas:office_photo": "an image download",
    "screening:entry": "a watchlist entry's history, read only",
    "screening:import_status": "an import's progress and summary, read only",
    "payments:callback": "server to server JSON, fuzzed with the API (umis/api/tests/test_fuzz.py)",
    "payments:return": "a redirect back from the gateway",
    "set_language": "the language switch, fuzzed as the home page's form target",
}

NAMESPACES = (
    "portal",
    "accounts",
    "stays",
    "stays_own",
    "people",
    "border",
    "backoffice",
    "visas",
    "screening",
    "payments",
    "reports",
)


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return {n for n in names if n.split(":")[0] in NAMESPACES or n == "set_language"}


def test_every_page_is_covered() -> None:
    targets = {t for page in PAGES.values() for t in page.targets}
    covered = set(PAGES) | targets | set(NO_INPUT)
    missing = sorted(_url_names() - covered)
    assert missing == [], f"pages neither fuzzed nor listed without input: {missing}"
    assert all(reason.strip() for reason in NO_INPUT.values())


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> candidate values
    files: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").upper(), a.get("action") or self.page_url)
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "file":
                self._form.files.add(name)
            elif kind not in {"submit", "button", "image", "reset"} or a.get("value"):
                self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.fields.setdefault(name, [""])
        elif tag == "button" and name:
            self._form.fields.setdefault(name, []).append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


@dataclass
class FormEnv:
    api: Env
    values: dict[str, str]


def _form_env() -> FormEnv:
    from umis.core.outbox import outbox_drain
    from umis.payments.models import PaymentOrder
    from umis.visas.services import visa_applications_submit
    from umis.visas.testing import application, pay_callback, traveller, watchlist_entry

    def watchlists() -> None:
        # a wanted person with the e-visa traveller's passport: the paid application is referred
        watchlist_entry(
            full_name="Xavier Yilmaz", birth_date="1970-01-01", document_number="C01X00T47"
        )
        # and the hotel guest's name on an alert list: the registration raises a screening hit
        watchlist_entry(
            category="alert", full_name="Rəşad Hüseynov", birth_date="1985-03-14", nationality="TR"
        )

    env = _env(watchlists)
    order = PaymentOrder.objects.get(subject=env.evisa_group)
    assert pay_callback(Client(), order).status_code == 200
    # and a traveller on no list: the e-visa is issued at once
    clean = visa_applications_submit(
        actor=None,
        raw=application(
            traveller(
                surname="Schmidt",
                given_names="Karl",
                birth_date="1975-02-03",
                sex="M",
                document_number="C02Y11T58",
            )
        ),
        language="en",
    )
    assert pay_callback(Client(), clean.order).status_code == 200
    outbox_drain()
    referred = VisaApplication.objects.select_related("case").get(group_reference=env.evisa_group)
    issued = VisaApplication.objects.select_related("case").get(
        group_reference=clean.group_reference
    )
    assert issued.case.state == "issued", issued.reasons
    hit = ScreeningHit.objects.order_by("id").first()
    assert hit is not None
    from umis.people.models import PersonMerge

    merge = PersonMerge.objects.get()
    own_stay = own_stay_filed()
    return FormEnv(
        api=env,
        values={
            "own_stay": own_stay.reference,
            "registration": env.registration,
            "match": str(env.match_id),
            "merged_person": str(merge.survivor_id),
            "referred": referred.case.reference,
            "issued": issued.case.reference,
            "hit": str(hit.pk),
            "finding": str(overstay_finding(referred.case).pk),
            "entry": str(WatchlistEntry.objects.order_by("id").values_list("pk", flat=True)[0]),
        },
    )


def _login(client: Client, env: FormEnv, persona: str | None) -> None:
    if persona == "host":
        client.force_login(env.api.world.harry)
    elif persona == "officer":
        client.force_login(env.api.world.hannah)
    elif persona == "foreigner":  # the browser that looked up his own registration
        client.get("/stay/status/")
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        found = client.post(
            "/stay/status/",
            {
                "reference": env.values["own_stay"],
                "document_number": OWN_STAY_DOCUMENT,
                "csrfmiddlewaretoken": token,
            },
        )
        assert found.status_code == 302, found.status_code


def _value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(fuzzing.EDGE_STRINGS),
        st.sampled_from(fuzzing.DATE_EDGES),
        fuzzing.text_with_nasties(),
        fuzzing.huge_strings(),
        st.sampled_from(fuzzing.BIG_INTS).map(str),
    )


@st.composite
def submission(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, candidates in form.fields.items():
        if name == "csrfmiddlewaretoken":
            data[name] = candidates[0]
            continue
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # missing
        if choice <= 2 and [c for c in candidates if c]:
            data[name] = draw(st.sampled_from([c for c in candidates if c]))
        else:
            data[name] = draw(_value())
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.sampled_from(["zzz", "id", "version", "\x00"]))] = draw(_value())
    for name in form.files:
        if draw(st.booleans()):
            data[name] = _upload(draw(fuzzing.raw_bodies()))
    return data


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo\u202egpj.png", content[:200_000], content_type="image/png")


def _clean(value: Any) -> Any:
    """The test client encodes form values as strict UTF-8: a lone surrogate goes as the
    replacement characters that a server decodes its bytes (ED A0 80) into."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _name_of(action: str) -> str | None:
    try:
        match = resolve(urlsplit(action).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def _page_forms(env: FormEnv, page: Page) -> tuple[Client, list[Form]]:
    """A client signed in as the page's user (CSRF checked, as in a browser) and the forms
    the page shows."""
    client = Client(enforce_csrf_checks=True)
    _login(client, env, page.persona)
    url = page.url.format(**env.values)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return client, [f for f in forms_of(response.content.decode(), url) if f.fields or f.files]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_form_input_yields_a_500(name: str, db: None) -> None:
    env = _form_env()
    page = PAGES[name]
    client, forms = _page_forms(env, page)
    found = {_name_of(form.action) for form in forms}
    assert set(page.targets) <= found, (name, found)
    forms = [f for f in forms if urlsplit(f.action).netloc == ""]

    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        form = data.draw(st.sampled_from(forms))
        values = {k: _clean(v) for k, v in data.draw(submission(form)).items()}
        before = fuzzing.Snapshot.take()
        if form.method == "POST":
            answer = client.post(form.action, values)
        else:
            query = urlencode({k: v for k, v in values.items() if isinstance(v, str)})
            answer = client.get(f"{urlsplit(form.action).path}?{query}")
        sent = f"{form.method} {form.action} {repr(values)[:600]}"
        assert answer.status_code < 500, f"{answer.status_code} for {sent}"
        if form.method == "POST" and answer.status_code in (200, 400, 422):
            html = answer.content.decode()
            redisplayed = any(button in values for button in page.redisplay)
            assert page.answers_in_place or redisplayed or ERROR_SHOWN.search(html), (
                f"no error shown for {sent}"
            )
            before.assert_nothing_stored(f"not accepted: {sent}")
        before.assert_new_names_clean(sent)

    if forms:
        fuzz()


def _numbered_urls() -> list[tuple[str, list[str]]]:
    """Named pages whose path holds a number, with the names of those numbers."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                converters = getattr(p.pattern, "converters", {})
                numbers = [k for k, c in converters.items() if type(c).__name__ == "IntConverter"]
                if numbers and (namespace or "") in NAMESPACES:
                    found.append((f"{namespace}:{p.name}" if namespace else p.name, numbers))

    walk(get_resolver().url_patterns, None)
    return sorted(found)


@pytest.mark.parametrize("name,numbers", _numbered_urls(), ids=lambda v: str(v))
def test_a_number_past_the_databases_integers_in_a_path_is_not_found(
    name: str, numbers: list[str], world: Any, client: Client
) -> None:
    from django.urls import reverse

    client.force_login(world.hannah)
    url = reverse(name, kwargs=dict.fromkeys(numbers, 10**30))
    # a form's target may refuse the empty form first and send the officer back (302)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 404, 405), (url, response.status_code)


@pytest.mark.parametrize(
    "name", ["stays:register", "visas:apply", "screening:entry_ban_check", "accounts:login"]
)
def test_a_10_mb_field_in_a_form_is_refused_and_nothing_is_stored(name: str, db: None) -> None:
    env = _form_env()
    client, forms = _page_forms(env, PAGES[name])
    target = PAGES[name].targets[0]
    form = next(f for f in forms if f.method == "POST" and _name_of(f.action) == target)
    # the form as sent by its submit button (not by one that only shows it again)
    values = {
        k: (v[0] if v else "") for k, v in form.fields.items() if k not in PAGES[name].redisplay
    }
    field_name = next(k for k in values if k != "csrfmiddlewaretoken")
    values[field_name] = "Ə" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    before = fuzzing.row_counts()
    response = client.post(form.action, values)
    # under the request size limit the form comes back with the error; over it, a 400 page
    assert response.status_code in (200, 400, 413, 422), response.status_code
    if response.status_code == 200:
        assert ERROR_SHOWN.search(response.content.decode())
    assert fuzzing.row_counts() == before


def _worded_urls() -> list[tuple[str, str]]:
    """Named pages whose path holds text (a reference, a code), as route templates."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], namespace: str | None, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace, route)
            elif isinstance(p, URLPattern) and p.name and (namespace or "") in NAMESPACES:
                converters = getattr(p.pattern, "converters", {})
                if any(type(c).__name__ == "StringConverter" for c in converters.values()):
                    found.append((f"{namespace}:{p.name}" if namespace else p.name, route))

    walk(get_resolver().url_patterns, None, "/")
    return sorted(found)


@pytest.mark.parametrize("name,route", _worded_urls(), ids=lambda v: str(v))
def test_odd_text_in_a_path_is_not_a_server_error(
    name: str, route: str, world: Any, client: Client
) -> None:
    """NUL (PostgreSQL refuses it in text), an encoded lone surrogate, a long string."""
    for persona in (None, world.hannah, world.harry):
        if persona is not None:
            client.force_login(persona)
        for odd in ("a%00b", "%ED%A0%80", "A" * 3000, "%E2%80%AE"):
            url = re.sub(r"<(?:str:)?\w+>", odd, route)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code < 500, (url[:120], response.status_code)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_field_of_each_form_holding_a_nul_is_not_a_server_error(name: str, db: None) -> None:
    """Field by field, the rest as the page offered it: PostgreSQL refuses NUL in text, so a
    value that reaches a query unchecked fails there (SQLite lets it through)."""
    env = _form_env()
    page = PAGES[name]
    client, forms = _page_forms(env, page)
    for form in forms:
        defaults = {k: (v[0] if v else "") for k, v in form.fields.items()}
        for field_name in [k for k in defaults if k != "csrfmiddlewaretoken"]:
            for odd in ("a\x00b", "\ufffd" * 3 + "\u202e"):
                values = {**defaults, field_name: odd}
                if form.method == "POST":
                    response = client.post(form.action, values)
                else:
                    response = client.get(urlsplit(form.action).path, values)
                assert response.status_code < 500, (name, form.action, field_name, odd)


# What reaches a public form's rules only when the rest of the form is right: dates at the
# calendar's edges, numbers past the database's integers, a NUL, a right-to-left override,
# a 12,000-character text.
HOSTILE_FORM_VALUES = [
    "",
    "a\x00b",
    "\u202eabc",
    "a\x1bb",
    "ab\u200bc",
    "Ə" * 12_000,
    "0000-00-00",
    "10000-01-01",
    "9999-12-31",
    "0001-01-01",
    "-1",
    str(10**30),
    "9" * 5_000,
    "nan",
]
# bodies that are no form at all: JSON, invalid UTF-8, a broken multipart body
HOSTILE_FORM_BODIES = [
    (b'{"surname": "x"}', "application/json"),
    (b"surname=%ff%fe&x=%00", "application/x-www-form-urlencoded"),
    (
        b'--x\r\nContent-Disposition: form-data; name="surname"\r\n\r\n\xff\r\n--x--',
        "multipart/form-data; boundary=x",
    ),
    (b"garbage", "multipart/form-data; boundary=x"),
    (b"garbage", "multipart/form-data"),
    (b"a=b", "text/plain"),
]


def _valid_public_forms(env: Env) -> dict[str, tuple[str, str | None, dict[str, str]]]:
    """The public forms filled in as someone would who gets through: the address, whose
    form (the host's, or anyone's) and the values."""
    today = clock.today()
    trip = {k: v for k, v in application().items() if k != "applicants"}
    person = {k: v for k, v in traveller().items() if k != "photo"}
    return {
        "stays:register": (
            "/en/host/register/",
            "host",
            guest(
                surname="Kaya",
                given_names="Ayşe",
                sex="F",
                birth_date="1990-01-01",
                document_number="U7777777",
            ),
        ),
        "stays_own:register": (
            "/en/stay/register/",
            None,
            guest(
                surname="Kaya",
                given_names="Ayşe",
                sex="F",
                birth_date="1990-01-01",
                document_number="U8888888",
                provider_name="Əliyev Kamran",
                email="ayse@example.org",
            ),
        ),
        "visas:apply": ("/en/evisa/apply/", None, {**trip, **person}),
        "border:calculator": (
            "/en/stay-calculator/",
            None,
            {
                "entry_0": (today - dt.timedelta(days=30)).isoformat(),
                "exit_0": (today - dt.timedelta(days=10)).isoformat(),
                "entry_1": today.isoformat(),
                "on": today.isoformat(),
                "regime": "90/180",
                "nationality": "TR",
            },
        ),
        "screening:entry_ban_check": (
            "/en/entry-ban-check/",
            None,
            {
                "document_number": "U12345678",
                "issuing_state": "TUR",
                "surname": "Hüseynov",
                "birth_date": "1985-03-14",
            },
        ),
        "visas:status_lookup": (
            "/en/evisa/status/",
            None,
            {"reference": env.evisa_group, "passport_number": "C01X00T47"},
        ),
    }


@pytest.mark.skipif(
    not os.environ.get("UMIS_FUZZ_RANDOM"), reason="a long campaign: `make fuzz` runs it"
)
@pytest.mark.parametrize(
    "name",
    [
        "stays:register",
        "stays_own:register",
        "visas:apply",
        "border:calculator",
        "screening:entry_ban_check",
        "visas:status_lookup",
    ],
)
def test_each_field_of_a_public_form_otherwise_right_holding_hostile_input_is_refused_cleanly(
    name: str, db: None
) -> None:
    """Field by field, the rest of the form right (a form from the page is mostly empty and
    stops at the first required field): a refused form stores nothing, and no answer is
    a server error; then bodies that are no form at all."""
    env = _env()
    url, persona, valid = _valid_public_forms(env)[name]
    client = Client()
    if persona == "host":
        client.force_login(env.world.harry)

    def post(data: Any, **extra: Any) -> None:
        if name == "visas:apply" and isinstance(data, dict):
            data = {**data, "photo": SimpleUploadedFile("me.png", photo_png(), "image/png")}
        before = fuzzing.Snapshot.take()
        response = client.post(url, data, **extra)
        sent = f"{name} {repr(data)[:300]}"
        assert response.status_code < 500, f"{response.status_code} for {sent}"
        if response.status_code != 302:
            before.assert_nothing_stored(f"not accepted: {sent}")
        before.assert_new_names_clean(sent)

    for field_name in valid:
        for odd in HOSTILE_FORM_VALUES:
            post({**valid, field_name: odd})
    for body, content_type in HOSTILE_FORM_BODIES:
        post(body, content_type=content_type)
