"""Shared test personas and helpers.

alice — regional officer in Baku; bob — regional officer in Shaki (another region);
hannah — head-office officer; harry — a hotel in Baku (with an API key); larisa — a
landlord in Ganja; oscar — an outsider with no role in any case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import secrets
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.test import Client

from umis.accounts.models import Role, Scope, User
from umis.accounts.services import api_client_create
from umis.border.services import crossing_points_load_defaults
from umis.cases.models import Case
from umis.core import clock
from umis.people import mrz
from umis.reference.models import Office, Region
from umis.reference.services import reference_load_defaults
from umis.stays.models import Host

PASSWORD = "correct-Horse-battery-9"  # noqa: S105 (test accounts only)


@dataclass
class World:
    alice: User
    bob: User
    hannah: User
    admin: User
    harry: User
    larisa: User
    oscar: User
    hotel: Host
    landlord: Host
    hotel_key: str


def make_user(username: str, role: str, office: str | None = None) -> User:
    user = User(
        username=username, role=role, office=Office.objects.get(code=office) if office else None
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_world() -> World:
    reference_load_defaults()
    crossing_points_load_defaults()
    alice = make_user("alice", Role.REGIONAL_OFFICER, "baku")
    bob = make_user("bob", Role.REGIONAL_OFFICER, "shaki")
    hannah = make_user("hannah", Role.HEAD_OFFICER, "head")
    admin = make_user("root", Role.ADMINISTRATOR, "head")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    harry = make_user("harry", Role.HOST)
    larisa = make_user("larisa", Role.HOST)
    oscar = make_user("oscar", Role.APPLICANT)
    hotel = Host.objects.create(
        kind=Host.Kind.HOTEL,
        name="Hotel Baku Test",
        tax_id="1000000001",
        region=Region.objects.get(code="baku"),
        city="Bakı",
        street="Nizami 1",
    )
    hotel.members.add(harry)
    landlord = Host.objects.create(
        kind=Host.Kind.LANDLORD,
        name="Larisa Landlord",
        tax_id="2000000002",
        region=Region.objects.get(code="ganja"),
        city="Gəncə",
        street="Atatürk 8",
    )
    landlord.members.add(larisa)
    _client, key = api_client_create(
        actor=None, name="Hotel PMS", user=harry, scopes=[Scope.STAY_REGISTRATIONS]
    )
    return World(alice, bob, hannah, admin, harry, larisa, oscar, hotel, landlord, key)


def guest(**overrides: Any) -> dict[str, Any]:
    """A valid registration for a guest who arrived yesterday, as the API and form take it."""
    today = clock.today()
    data: dict[str, Any] = {
        "surname": "Hüseynov",
        "given_names": "Rəşad",
        "birth_date": "1985-03-14",
        "sex": "M",
        "nationality": "TR",
        "document_type": "passport",
        "document_number": "U12345678",
        "issuing_state": "TUR",
        "document_expiry": (today + dt.timedelta(days=900)).isoformat(),
        "region": "baku",
        "city": "Bakı",
        "street": "Nizami küçəsi 10",
        "arrival_date": (today - dt.timedelta(days=1)).isoformat(),
        "planned_departure": (today + dt.timedelta(days=20)).isoformat(),
    }
    data.update(overrides)
    return data


def passport_mrz(
    *,
    surname: str = "ERIKSSON",
    given_names: str = "ANNA MARIA",
    number: str = "L898902C3",
    nationality: str = "DEU",
    birth: dt.date = dt.date(1974, 8, 12),
    sex: str = "F",
    expiry: dt.date | None = None,
) -> tuple[str, str]:
    return mrz.compose_td3(
        issuing_state=nationality,
        surname=surname,
        given_names=given_names,
        document_number=number,
        nationality=nationality,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry or clock.today() + dt.timedelta(days=1000),
    )


def descriptions_missing(page: str) -> list[str]:
    """The ids that an element's aria-describedby names and the page does not hold: a
    screen reader reads nothing for them."""
    held = set(re.findall(r'\sid="([^"]+)"', page))
    named = [i for ids in re.findall(r'aria-describedby="([^"]*)"', page) for i in ids.split()]
    return [i for i in named if i not in held]


def field_tag(page: str, field_id: str) -> str:
    """The opening tag of the form field with this id (input, select or textarea)."""
    match = re.search(rf'<(?:input|select|textarea)\s[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert match, f"no field {field_id}"
    return match.group(0)


def audit_triggers_dropped_for_flush() -> None:
    """SQLite flushes a transactional test's data with DELETE, which the audit log's
    append-only triggers refuse; drop them just before the flush (PostgreSQL truncates,
    which they do not stop)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in ("audit_auditevent", "audit_auditseal"):
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


def audit_triggers_restore() -> None:
    import importlib

    from django.db import connection

    if connection.vendor == "sqlite":
        migration = importlib.import_module("umis.audit.migrations.0002_append_only")
        with connection.cursor() as cursor:
            for statement in migration.SQLITE:
                cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


def production_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: no test settings (other tests set
    DJANGO_ALLOW_ASYNC_UNSAFE), fresh secrets, its files under `tmp`, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UMIS_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        UMIS_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        UMIS_PAYMENT_SECRET=secrets.token_urlsafe(40),
        UMIS_AUDIT_KEY=secrets.token_urlsafe(40),
        UMIS_ALLOWED_HOSTS="umis.example.gov",
        UMIS_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`code` run after `django.setup()` in a process of its own, with `env`."""
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(tmp: Path, names: tuple[str, ...], **extra: str) -> dict[str, Any]:
    """The values of settings `names` as a production process reads them (`extra`: more
    environment)."""
    out = run_django(
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}}))",
        production_env(tmp, **extra),
    )
    out.check_returncode()
    values: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return values


def at_the_same_moment(fn: Any, parties: int = 2) -> Any:
    """`fn`, except that its first call in each of `parties` threads waits until all of
    them have reached it: two requests racing for the same row. A thread held up elsewhere
    (by a row lock) does not hold the others for more than a few seconds."""
    import threading

    arrived = threading.Barrier(parties)
    waited = threading.local()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not getattr(waited, "done", False):
            waited.done = True
            try:
                arrived.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass
        return fn(*args, **kwargs)

    return wrapper


def in_threads(*calls: Any) -> list[Any]:
    """Run each call in a thread of its own (each with its own database connection) and
    return their results in order; an exception in a thread fails the test."""
    import threading

    from django.db import connection

    results: list[Any] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 (reported to the test below)
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise failures[0]
    return results


def people_named(surnames: list[str]) -> list[Any]:
    """Stored people with these surnames, born on 1 January 1990 and the days after."""
    from umis.core.bulk import bulk_insert
    from umis.people.models import Person

    people = [
        Person(
            surname=name,
            given_names="Aynur",
            birth_date=dt.date(1990, 1, 1 + i),
            sex="F",
            nationality_id="AZ",
            search_name=name.lower(),
        )
        for i, name in enumerate(surnames)
    ]
    bulk_insert(people)
    return people


def passports_of(people: list[Any]) -> list[Any]:
    """A stored Azerbaijani passport for each person, numbered C00, C01, …"""
    from umis.core.bulk import bulk_insert
    from umis.people.models import TravelDocument

    documents = [
        TravelDocument(
            person=p,
            document_type="P",
            number=f"C0{i}",
            issuing_state_id="AZ",
            expiry_date=dt.date(2035, 1, 1),
        )
        for i, p in enumerate(people)
    ]
    bulk_insert(documents)
    return documents


def name_letters(n: int) -> str:
    """Letters standing for a number in a test's names, which hold no digit: 0 → "a",
    27 → "bb"."""
    word = ""
    while True:
        n, r = divmod(n, 26)
        word = chr(ord("a") + r) + word
        if not n:
            return word


def annul(client: Client, case: Case, lang: str = "en", **data: object) -> str:
    """The officer signed in on `client` annuls the case through the back office's form, in
    `lang`; the page answered."""
    post = {
        "legal_ground": "mc-21-false-information",
        "version": case.version,
        "note": "The guest gave a false address.",
        "confirm": "1",
    }
    post.update(data)
    prefix = "" if lang == "az" else f"/{lang}"  # Azerbaijani is served without a prefix
    response = client.post(f"{prefix}/office/cases/{case.reference}/annul/", post, follow=True)
    assert response.status_code in (200, 422)
    return str(response.content.decode())


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 -- the workbook our own server wrote


def workbook_rows(content: bytes) -> tuple[str, list[list[str]]]:
    """The first sheet's name and cells as text: numbers as written, strings looked up."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = _xml(book.read("xl/worksheets/sheet1.xml"))
        strings = [
            "".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
            for si in _xml(book.read("xl/sharedStrings.xml"))
        ]
        name = _xml(book.read("xl/workbook.xml")).find(".//m:sheet", ns)
    rows = []
    for row in sheet.iterfind(".//m:row", ns):
        cells = []
        for c in row.iterfind("m:c", ns):
            value = c.findtext("m:v", default="", namespaces=ns)
            cells.append(strings[int(value)] if c.get("t") == "s" else f"#{value}")
        rows.append(cells)
    assert name is not None
    return name.get("name", ""), rows


# In the browser (Playwright's sync API)


def sign_in(page: Any, username: str) -> None:
    """Sign in through the login page of the browser's `page`."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def qr_text_from_pdf(pdf: bytes) -> str:
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    for image in PdfReader(io.BytesIO(pdf)).pages[0].images:
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))
        if found:
            return str(found[0].text)
    raise AssertionError("no barcode in the certificate")


# a table's cells: their text, number of words and of lines drawn
CELLS = """(selector) => [...document.querySelectorAll(selector)].map((cell) => {
  const tops = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
  }
  tops.sort((a, b) => a - b);
  const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] >= 8).length;
  const text = cell.innerText.trim();
  return {text: text, words: text.split(/\\s+/).length, lines: lines};
})"""

PAGE_WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"

TABLE_WIDTH = """(selector) => {
  const box = document.querySelector(selector).closest(".table-scroll");
  return [document.documentElement.scrollWidth, document.documentElement.clientWidth,
          box.scrollWidth, box.clientWidth];
}"""
