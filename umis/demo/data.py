"""Demo data: offices, one user per role, hosts with API keys, a few hundred foreigners.

Idempotent: a second run changes nothing. Registrations go through the real service, with
the clock set to the day of each registration, so the data obeys the rules it shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from umis.accounts.models import ApiClient, Role, Scope, User
from umis.accounts.services import (
    api_client_create,
    api_client_live_exists,
    api_client_revoke,
    api_client_scopes_grant,
    user_password_set,
)
from umis.border.demo import (
    BORDER_KEY_NAME,
    BORDER_USER,
    border_demo_findings_ensure,
    border_demo_load,
)
from umis.core import clock
from umis.people.models import DocumentType
from umis.reference.models import Office
from umis.reference.services import reference_load_defaults
from umis.stays import services as stay_services
from umis.stays.models import Host, StayRegistration

CREDENTIALS_FILE = "demo-credentials.json"

USERS = [
    # username, role, office, first, last
    ("admin", Role.ADMINISTRATOR, "head", "Leyla", "Əliyeva"),
    ("head.officer", Role.HEAD_OFFICER, "head", "Rauf", "Hüseynov"),
    ("officer.baku", Role.REGIONAL_OFFICER, "baku", "Nigar", "Məmmədova"),
    ("officer.shaki", Role.REGIONAL_OFFICER, "shaki", "Elvin", "Qasımov"),
    ("analyst", Role.ANALYST, "head", "Samir", "İsmayılov"),
]

HOSTS = [
    # username, kind, name, tax id, region, city, street, api key?
    (
        "hotel.caspian",
        Host.Kind.HOTEL,
        "Caspian Pearl Hotel",
        "1400000001",
        "baku",
        "Bakı",
        "Neftçilər prospekti 45",
        True,
    ),
    (
        "hotel.shaki",
        Host.Kind.HOTEL,
        "Şəki Saray Hotel",
        "2300000002",
        "shaki",
        "Şəki",
        "M. F. Axundzadə küçəsi 12",
        True,
    ),
    (
        "landlord.aysel",
        Host.Kind.LANDLORD,
        "Aysel Kərimova",
        "5XK2P7Q",
        "ganja",
        "Gəncə",
        "Atatürk prospekti 8, mənzil 14",
        False,
    ),
]

# Foreigners who registered their own stay (no account), one in the region of each regional
# officer, so the queues show a filing by the foreigner: days since arrival, and the filing.
OWN_FILINGS: list[dict[str, Any]] = [
    {
        "days_ago": 5,
        "surname": "Petrov",
        "given_names": "Ivan",
        "birth_date": "1982-07-19",
        "sex": "M",
        "nationality": "RU",
        "document_number": "752914386",
        "issuing_state": "RU",
        "region": "baku",
        "city": "Bakı",
        "street": "Füzuli küçəsi 45, mənzil 7",
        "provider_name": "Quliyeva Aynur",
        "provider_phone": "+994 50 555 12 34",
        "email": "ivan.petrov@example.org",
    },
    {
        "days_ago": 3,
        "surname": "Schneider",
        "given_names": "Anna",
        "birth_date": "1990-03-02",
        "sex": "F",
        "nationality": "DE",
        "document_number": "C4K7L2M9X",
        "issuing_state": "DE",
        "region": "shaki",
        "city": "Şəki",
        "street": "Rəsulzadə küçəsi 21",
        "provider_name": "Həsənov Tural",
        "provider_phone": "",
        "email": "anna.schneider@example.org",
    },
]

AGENCY = ("agency.silkway", "Silk Way Travel")  # username, name (of the account and its key)
# what the agency's key may do: apply for e-visas, screen persons against the watchlists
AGENCY_SCOPES = [Scope.EVISA, Scope.SCREENING]
IDENTITY_REVIEW_KEY = "Identity review desk"  # the head officer's

# Faker locale -> nationalities whose citizens get such names.
LOCALES = [
    ("ru_RU", ["RU", "KZ", "BY", "UA"], 30),
    ("tr_TR", ["TR"], 25),
    ("az_AZ", ["GE", "IR", "RU"], 15),
    ("en_US", ["US", "GB", "CA", "DE"], 15),
    ("fa_IR", ["IR"], 8),
    ("ar_AA", ["SA", "AE", "EG", "IQ"], 7),
]


@dataclass
class DemoResult:
    created: bool
    credentials: dict[str, Any]
    # The credentials file was lost: accounts given the new password, API keys revoked.
    renewed_accounts: int = 0
    revoked_keys: int = 0


def _credentials_path() -> Path:
    return Path(settings.VAR_DIR) / CREDENTIALS_FILE


def load_credentials() -> dict[str, Any]:
    path = _credentials_path()
    return json.loads(path.read_text()) if path.exists() else {}


def _save_credentials(data: dict[str, Any]) -> None:
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.chmod(path, 0o600)


def _ensure_users(password: str) -> None:
    offices = {o.code: o for o in Office.objects.all()}
    for username, role, office, first, last in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            role=role,
            office=offices[office],
            first_name=first,
            last_name=last,
            email=f"{username}@migration.gov.az",
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password(password)
        user.save()


def _ensure_hosts(password: str, creds: dict[str, Any]) -> list[Host]:
    from umis.reference.models import Region

    hosts = []
    for username, kind, name, tax_id, region, city, street, with_key in HOSTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": Role.HOST, "first_name": name[:150]}
        )
        if created:
            user.set_password(password)
            user.save()
        host, _ = Host.objects.get_or_create(
            tax_id=tax_id,
            defaults={
                "kind": kind,
                "name": name,
                "region": Region.objects.get(code=region),
                "city": city,
                "street": street,
            },
        )
        host.members.add(user)
        hosts.append(host)
        if with_key and not api_client_live_exists(user=user, name=f"{name} PMS"):
            _client, key = api_client_create(
                actor=None, name=f"{name} PMS", user=user, scopes=[Scope.STAY_REGISTRATIONS]
            )
            creds.setdefault("api_keys", {})[username] = key
    _ensure_agency(password, creds)
    _ensure_identity_review_key(creds)
    return hosts


def _ensure_identity_review_key(creds: dict[str, Any]) -> None:
    """The head office's desk system reviews possible duplicates through the API."""
    user = User.objects.filter(username="head.officer").first()
    if user and not api_client_live_exists(user=user, name=IDENTITY_REVIEW_KEY):
        _client, key = api_client_create(
            actor=None, name=IDENTITY_REVIEW_KEY, user=user, scopes=[Scope.IDENTITY_REVIEW]
        )
        creds.setdefault("api_keys", {})[user.username] = key


def _ensure_agency(password: str, creds: dict[str, Any]) -> None:
    """A travel agency that applies for e-visas and screens persons through the API."""
    username, name = AGENCY
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": Role.AGENCY, "first_name": name}
    )
    if created:
        user.set_password(password)
        user.save()
    if not api_client_live_exists(user=user, name=name):
        _client, key = api_client_create(
            actor=None, name=name, user=user, scopes=list(AGENCY_SCOPES)
        )
        creds.setdefault("api_keys", {})[user.username] = key


def _agency_scopes_current() -> None:
    """The agency's key, made by an older demo before agencies screened, may screen too."""
    username, name = AGENCY
    for client in ApiClient.objects.filter(
        user__username=username, name=name, revoked_at__isnull=True
    ):
        api_client_scopes_grant(actor=None, client=client, scopes=list(AGENCY_SCOPES))


# Words Faker's locales put before or after a name (Bay, Bayan, Dr., Mr., г-н): never a name.
TITLES = frozenset({"dr", "prof", "bay", "bayan", "mr", "mrs", "ms", "miss", "г-н", "г-жа", "тов"})


def _is_name(text: str) -> bool:
    """Letters (with their marks) joined by a space, a hyphen or an apostrophe, and no title:
    Faker's lists also hold "Emine." with a full stop, "N˜zamett˜n" and a surname with
    another in brackets."""
    return (
        bool(text.strip())
        and all(unicodedata.category(ch)[0] in "LM" or ch in " -'" for ch in text)
        and not {w.casefold() for w in text.split()} & TITLES
    )


def _name(draw: Callable[[], str]) -> str:
    """A name Faker draws, drawn again until it is only a name."""
    while not _is_name(name := draw()):
        pass
    return name


def _guest(fake_by_locale: dict[str, Faker], rng: random.Random) -> tuple[dict[str, Any], str]:
    locale, nationalities, _w = rng.choices(LOCALES, weights=[w for *_, w in LOCALES])[0]
    fake = fake_by_locale[locale]
    sex = rng.choice("MF")
    if sex == "M":
        given = _name(fake.first_name_male)
        surname = _name(getattr(fake, "last_name_male", fake.last_name))
    else:
        given = _name(fake.first_name_female)
        surname = _name(getattr(fake, "last_name_female", fake.last_name))
    nationality = rng.choice(nationalities)
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + "".join(
        rng.choice("0123456789") for _ in range(7)
    )
    return {
        "surname": surname,
        "given_names": given,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "nationality": nationality,
        "document_type": DocumentType.PASSPORT,
        "document_number": number,
        "issuing_state": nationality,
    }, locale


def _registrations(hosts: list[Host], count: int, seed: int) -> int:
    rng = random.Random(seed)
    Faker.seed(seed)
    fakers = {loc: Faker(loc) for loc, *_ in LOCALES}
    today = clock.today()
    made = 0
    guests = [_guest(fakers, rng)[0] for _ in range(max(1, int(count * 0.75)))]
    _watchlists(guests[:40:10])
    for i in range(count):
        guest = dict(rng.choice(guests) if i >= len(guests) else guests[i])
        host = rng.choice(hosts)
        arrival = today - dt.timedelta(days=rng.randrange(1, 360))
        length = rng.randrange(3, 60)
        departure = arrival + dt.timedelta(days=length)
        expiry = departure + dt.timedelta(days=rng.randrange(200, 3000))
        submitted = timezone.make_aware(
            dt.datetime.combine(
                arrival + dt.timedelta(days=rng.randrange(0, 4)),
                dt.time(rng.randrange(8, 20), rng.randrange(60)),
            )
        )
        guest.update(
            {
                "document_expiry": expiry.isoformat(),
                "region": host.region.code,
                "city": host.city,
                "street": host.street,
                "arrival_date": arrival.isoformat(),
                "planned_departure": departure.isoformat(),
            }
        )
        actor = host.members.first()
        with clock.frozen_at(min(submitted, clock.now())):
            result = stay_services.stay_registrations_submit(actor=actor, host=host, raws=[guest])[
                0
            ]
        if result.registration is None:
            continue
        made += 1
        if departure < today:
            left = min(departure, today)
            with clock.frozen_at(timezone.make_aware(dt.datetime.combine(left, dt.time(12)))):
                stay_services.stay_registration_end(
                    actor=actor, registration=result.registration, left_on=left
                )
    return made


def _capitals(name: str, nationality: str) -> str:
    """The name in capitals as its alphabet writes them: i is İ and ı is I in Azerbaijani
    and Turkish (İdiris is İDİRİS, never İDIRIS)."""
    if nationality in {"AZ", "TR"}:
        name = name.replace("i", "İ").replace("ı", "I")
    return name.upper()


def _watchlists(listed: list[dict[str, Any]]) -> None:
    """A few guests are on the entry-ban and wanted lists, written another way (upper case,
    year of birth only), so their registrations raise screening hits for the officers."""
    from umis.screening.services import watchlist_get_or_create, watchlist_import

    rows = []
    for i, g in enumerate(listed):
        rows.append(
            {
                "category": "entry_ban" if i % 2 == 0 else "wanted",
                "external_id": f"DEMO-{i + 1}",
                "full_name": _capitals(f"{g['given_names']} {g['surname']}", g["nationality"]),
                "birth_date": g["birth_date"][:4] if i % 2 else g["birth_date"],
                "nationality": g["nationality"],
                "valid_from": "2024-01-01",
                "reason": "Demo: expelled for repeated overstay" if i % 2 == 0 else "Demo: wanted",
                "source": "Demo data",
            }
        )
    for code in ("entry-bans", "wanted"):
        wl = watchlist_get_or_create(actor=None, code=code)  # built in: named in each language
        watchlist_import(
            actor=None,
            watchlist=wl,
            raws=[r for r in rows if (r["category"] == "entry_ban") == (code == "entry-bans")],
        )


DUPLICATES = [
    # the same man in Latin and Cyrillic with a renewed passport: linked on intake
    ("Hüseynov", "Rəşad", "1985-03-14", "M", "RU", "751100001"),
    ("Гусейнов", "Рашад", "1985-03-14", "M", "RU", "761100002"),
    # one digit apart in the date of birth: a review task for an officer
    ("Məmmədova", "Aysel", "1990-07-02", "F", "TR", "U21100003"),
    ("MAMMADOVA", "AYSEL", "1990-07-05", "F", "TR", "U21100004"),
]


def _duplicates(host: Host) -> None:
    """Guests who are already known under another spelling or passport."""
    today = clock.today()
    for surname, given, birth, sex, nationality, number in DUPLICATES:
        raw = {
            "surname": surname,
            "given_names": given,
            "birth_date": birth,
            "sex": sex,
            "nationality": nationality,
            "document_type": DocumentType.PASSPORT,
            "document_number": number,
            "issuing_state": nationality,
            "document_expiry": (today + dt.timedelta(days=900)).isoformat(),
            "region": host.region.code,
            "city": host.city,
            "street": host.street,
            "arrival_date": (today - dt.timedelta(days=2)).isoformat(),
            "planned_departure": (today + dt.timedelta(days=10)).isoformat(),
        }
        stay_services.stay_registrations_submit(actor=host.members.first(), host=host, raws=[raw])


def _own_filings() -> None:
    """The foreigners' own filings, each once: filed through the public service on the day
    of arrival, still current."""
    today = clock.today()
    for filing in OWN_FILINGS:
        if StayRegistration.objects.filter(
            filed_by=StayRegistration.FiledBy.FOREIGNER,
            travel_document__number=filing["document_number"],
        ).exists():
            continue
        raw = {k: v for k, v in filing.items() if k != "days_ago"}
        arrival = today - dt.timedelta(days=filing["days_ago"])
        raw.update(
            {
                "document_type": DocumentType.PASSPORT,
                "document_expiry": (today + dt.timedelta(days=1500)).isoformat(),
                "arrival_date": arrival.isoformat(),
                "planned_departure": (today + dt.timedelta(days=45)).isoformat(),
            }
        )
        filed_at = timezone.make_aware(dt.datetime.combine(arrival, dt.time(18, 30)))
        with clock.frozen_at(min(filed_at, clock.now())):
            result = stay_services.stay_registration_file_own(
                actor=AnonymousUser(), raw=raw, language="en"
            )
        assert result.registration is not None, result.errors


def _demo_accounts() -> list[tuple[str, dict[str, str], bool, list[str]]]:
    """The accounts the demo makes: username, the details it gives them (an account someone
    else made under the same name lacks them), whether it has the demo password, and the
    names of its API clients."""
    accounts = [
        (
            username,
            {
                "role": role,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@migration.gov.az",
            },
            True,
            [IDENTITY_REVIEW_KEY] if username == "head.officer" else [],
        )
        for username, role, _office, first, last in USERS
    ]
    accounts += [
        (
            username,
            {"role": Role.HOST, "first_name": name[:150]},
            True,
            [f"{name} PMS"] if with_key else [],
        )
        for username, _kind, name, *_, with_key in HOSTS
    ]
    accounts.append((AGENCY[0], {"role": Role.AGENCY, "first_name": AGENCY[1]}, True, [AGENCY[1]]))
    username, role, first_name = BORDER_USER
    accounts.append((username, {"role": role, "first_name": first_name}, False, [BORDER_KEY_NAME]))
    return accounts


def _demo_logins_renew(password: str) -> tuple[int, int]:
    """The credentials file was lost while the demo's accounts remain: give them the new
    password and revoke their API keys (new ones are then issued), so the logins printed
    work. Returns how many accounts and keys."""
    accounts = keys = 0
    for username, details, with_password, key_names in _demo_accounts():
        user = User.objects.filter(username=username, **details).first()
        if user is None:
            continue
        if with_password:
            user_password_set(actor=None, user=user, password=password)
            accounts += 1
        for client in ApiClient.objects.filter(
            user=user, name__in=key_names, revoked_at__isnull=True
        ):
            api_client_revoke(actor=None, client=client)
            keys += 1
    return accounts, keys


def demo_load(*, registrations: int = 400, seed: int = 2026) -> DemoResult:
    """Load the demo once; later calls only return the saved credentials. If the credentials
    file was lost, the demo's accounts get a new password and new API keys."""
    if registrations < 0:
        raise ValueError("registrations: 0 or more")
    creds = load_credentials()
    reference_load_defaults()
    from umis.visas.demo import visa_demo_load

    visa_demo_load()
    _agency_scopes_current()
    loaded = StayRegistration.objects.exists()
    if loaded and creds:
        border_demo_findings_ensure()  # for a demo loaded before every office had some
        _own_filings()  # for a demo loaded before the foreigner could file
        return DemoResult(created=False, credentials=creds)
    password = creds.get("password") or f"Demo-{secrets.token_urlsafe(9)}"
    validate_password(password)  # a password put in the credentials file obeys the rules too
    renewed = (0, 0)
    with transaction.atomic():
        if not creds:
            renewed = _demo_logins_renew(password)
        creds["password"] = password
        _ensure_users(password)
        hosts = _ensure_hosts(password, creds)
    _save_credentials(creds)
    if not loaded:
        _registrations(hosts, registrations, seed)
        _duplicates(hosts[0])
    _own_filings()
    border_demo_load(creds, seed)
    _save_credentials(creds)
    return DemoResult(
        created=not loaded,
        credentials=creds,
        renewed_accounts=renewed[0],
        revoked_keys=renewed[1],
    )


def demo_renewed_text(result: DemoResult) -> str:
    """What was done when the credentials file was lost ("" if nothing)."""
    if not (result.renewed_accounts or result.revoked_keys):
        return ""
    return (
        f"The demo credentials file was missing: a new password for the "
        f"{result.renewed_accounts} demo accounts, {len(result.credentials.get('api_keys', {}))} "
        f"new API keys, the old ones revoked."
    )


def demo_logins_text(creds: dict[str, Any]) -> str:
    lines = [f"Demo logins (password for all: {creds.get('password', '?')})"]
    for username, role, office, *_ in USERS:
        lines.append(f"  {username:<16} {role:<18} {office}")
    for username, _kind, name, *_ in HOSTS:
        lines.append(f"  {username:<16} {'host':<18} {name}")
    keys = creds.get("api_keys", {})
    prefixes = {k.split("_")[1]: k for k in keys.values() if k.count("_") >= 2}
    scopes = dict(
        ApiClient.objects.filter(key_prefix__in=prefixes).values_list("key_prefix", "scopes")
    )
    for username, key in keys.items():
        of = scopes.get(key.split("_")[1] if key.count("_") >= 2 else "", [])
        lines.append(f"  API key of {username} ({', '.join(of) or '-'}): {key}")
    return "\n".join(lines)
