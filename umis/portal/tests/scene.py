"""One of everything a URL can point at, owned by the Baku office, the Baku hotel and one
agency: the objects the access tests try to reach as the owner and as everybody else."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.test import Client

from umis.accounts.models import Role, Scope, User
from umis.accounts.services import api_client_create
from umis.border.models import FindingKind, OverstayFinding, Proposal
from umis.cases.models import Case
from umis.core import clock
from umis.core.outbox import outbox_drain
from umis.core.testing import World, guest, make_user
from umis.people.models import IdentityMatch, Person, PersonMerge
from umis.people.services import identity_match_decide
from umis.screening.models import ScreeningHit, WatchlistEntry, WatchlistImport
from umis.screening.services import (
    watchlist_get_or_create,
    watchlist_import,
    watchlist_import_queue,
)
from umis.screening.tests.test_intake import ban, listed
from umis.stays.models import Host
from umis.stays.services import stay_registration_file_own, stay_registrations_submit
from umis.visas.models import VisaApplication
from umis.visas.reference import visa_reference_load_defaults
from umis.visas.testing import application, pay_callback


@dataclass
class Scene:
    world: World
    case: Case  # a stay registration of the Baku hotel: a case of the Baku office
    person: Person  # its guest
    match: IdentityMatch  # an open possible duplicate of Baku guests
    merge: PersonMerge  # a merge of two Baku guests
    hit: ScreeningHit  # the guest is on the entry-ban list: a hit for the Baku office
    entry: WatchlistEntry
    visa: VisaApplication  # an issued e-visa, applied for by the agency, Baku office
    finding: OverstayFinding  # the guest overstayed: a finding of the Baku office
    analyst: User
    agency: User
    agency_key: str  # the agency that applied (evisa scope)
    other_agency_key: str  # another agency with the same scope
    other_hotel_key: str  # the Ganja landlord's key (stay_registrations scope)
    alice_key: str  # keys acting as the officers, with every scope
    bob_key: str
    watchlist_import: WatchlistImport  # a file the head office uploaded, waiting
    own_stay: Case  # a registration the foreigner filed himself (no account), Ganja office


OWN_STAY_DOCUMENT = "N7654321"  # the travel document of the foreigner who filed himself


def own_stay_filed() -> Case:
    """A registration the foreigner filed himself (no account) in Ganja, with `OWN_STAY_DOCUMENT`."""
    result = stay_registration_file_own(
        actor=AnonymousUser(),
        raw=guest(
            surname="Smith",
            given_names="John",
            birth_date="1970-02-02",
            nationality="GB",
            issuing_state="GBR",
            document_number=OWN_STAY_DOCUMENT,
            region="ganja",
            city="Gəncə",
            street="Atatürk prospekti 12",
            provider_name="Məmmədova Səbinə",
            email="john.smith@example.org",
        ),
        language="en",
    )
    assert result.registration is not None, result.errors
    return result.registration.case


def _register(world: World, **overrides: object) -> Case:
    result = stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(**overrides)]
    )[0]
    assert result.registration is not None, result.errors
    return result.registration.case


def _key(user: User, scopes: list[str], name: str) -> str:
    return api_client_create(actor=None, name=name, user=user, scopes=scopes)[1]


def overstay_finding(case: Case) -> OverstayFinding:
    """An open finding: the case's applicant overstayed by 10 days, in the case's office."""
    today = clock.today()
    return OverstayFinding.objects.create(
        person=case.applicant,
        kind=FindingKind.OVERSTAY,
        entry_day=today - dt.timedelta(days=100),
        office=case.office,
        proposal=Proposal.FINE,
        nationality=case.applicant.nationality_id,
        last_legal_day=today - dt.timedelta(days=11),
        days_over=10,
        first_detected_on=today,
        last_detected_on=today,
    )


def overstay_findings(world: World) -> list[OverstayFinding]:
    """The back office's overstay list as the demo fills it: both kinds of finding (an
    overstay has a last legal day, a missed registration a registration due), in three
    offices, for guests with long names."""
    today = clock.today()
    findings = []
    for i, (region, kind) in enumerate(
        [
            ("baku", FindingKind.OVERSTAY),
            ("shaki", FindingKind.MISSED_REGISTRATION),
            ("ganja", FindingKind.OVERSTAY),
            ("baku", FindingKind.MISSED_REGISTRATION),
        ]
    ):
        case = _register(
            world,
            region=region,
            surname="Abdullayeva-Məmmədova",
            given_names=f"Gülnarə Səbinə Nərmin {'ABCD'[i]}",
            document_number=f"F{i}000000",
        )
        overstay = kind == FindingKind.OVERSTAY
        findings.append(
            OverstayFinding.objects.create(
                person=case.applicant,
                kind=kind,
                entry_day=today - dt.timedelta(days=100 + i),
                office=case.office,
                proposal=Proposal.ENFORCEMENT if i == 2 else Proposal.FINE,
                nationality=case.applicant.nationality_id,
                last_legal_day=today - dt.timedelta(days=11 + i) if overstay else None,
                registration_due=None if overstay else today - dt.timedelta(days=20 + i),
                days_over=10 + i if overstay else 0,
                first_detected_on=today,
                last_detected_on=today,
            )
        )
    return findings


def screening_hits(world: World) -> list[ScreeningHit]:
    """Open screening hits as the demo raises them: guests registered at the Baku hotel who
    are on the entry-ban list, on the wanted list (written in capitals) and, by their
    passport alone, on the list of lost, stolen and invalid travel documents, whose Russian
    name holds the longest word of the table ("недействительные"); long names and reasons."""
    listed(
        world,
        full_name="Abdullayeva-Məmmədova Gülnarə Səbinə",
        birth_date="1985-03-14",
        reason="Expelled in 2024 for repeated overstay and work without a permit",
    )
    wanted = watchlist_get_or_create(actor=world.hannah, code="wanted")
    documents = watchlist_get_or_create(actor=world.hannah, code="documents")
    for wl, raw in [
        (
            wanted,
            ban(
                category="wanted",
                external_id="WP-1",
                full_name="ВИКТОРИН ФИЛИППОВ",
                birth_date="1979",
                nationality="RU",
                reason="Wanted by the prosecutor's office for fraud in several regions",
            ),
        ),
        (
            documents,
            {
                "category": "stolen",
                "external_id": "SD-1",
                "document_number": "YA1234567",
                "issuing_state": "IT",
                "reason": "Passport reported stolen together with the holder's residence card",
                "source": "State Migration Service",
            },
        ),
    ]:
        result = watchlist_import(actor=world.hannah, watchlist=wl, raws=[raw])
        assert not result.errors, result.to_dict()
    for i in range(2):
        _register(
            world,
            surname="Abdullayeva-Məmmədova",
            given_names="Gülnarə Səbinə",
            document_number=f"H{i}000000",
            birth_date="1985-03-14",
            street=f"Nizami küçəsi {10 + i}",
        )
    _register(
        world,
        surname="Филиппов",
        given_names="Викторин",
        birth_date="1979-06-02",
        nationality="RU",
        issuing_state="RUS",
        document_number="751234567",
    )
    _register(
        world,
        surname="Rossi",
        given_names="Marco",
        birth_date="1981-11-30",
        nationality="IT",
        issuing_state="ITA",
        document_number="YA1234567",
    )
    return list(ScreeningHit.objects.all())


def make_scene(world: World, client: Client) -> Scene:
    visa_reference_load_defaults()
    entry = listed(world)
    case = _register(world)
    hit = ScreeningHit.objects.get(case=case)
    _register(world, birth_date="1985-03-17", document_number="C7654321")
    match = IdentityMatch.objects.get()
    _register(world, surname="Quliyev", given_names="Tural", document_number="Q1111111")
    _register(
        world,
        surname="Quliyev",
        given_names="Tural",
        birth_date="1985-03-17",
        document_number="Q2222222",
    )
    pair = IdentityMatch.objects.exclude(pk=match.pk).get()
    identity_match_decide(
        actor=world.alice, match_id=pair.pk, decision="link", reason="same", expected_version=1
    )
    merge = PersonMerge.objects.get()

    agency = make_user("agency", Role.AGENCY)
    agency_key = _key(agency, [Scope.EVISA], "Travel agency")
    response = client.post(
        "/api/v1/evisa/applications",
        data=json.dumps(application()),
        content_type="application/json",
        HTTP_X_API_KEY=agency_key,
    )
    assert response.status_code == 201, response.content
    visa = VisaApplication.objects.select_related("case", "payment_order").get()
    pay_callback(client, visa.payment_order)
    outbox_drain()
    visa.refresh_from_db()
    visa.case.refresh_from_db()
    assert visa.case.state == "issued"

    other_agency = make_user("other.agency", Role.AGENCY)
    finding = overstay_finding(case)
    every_scope = list(Scope.values)
    return Scene(
        world=world,
        case=case,
        person=case.applicant,
        match=match,
        merge=merge,
        hit=hit,
        entry=entry,
        visa=visa,
        finding=finding,
        analyst=make_user("ana", Role.ANALYST, "head"),
        agency=agency,
        agency_key=agency_key,
        other_agency_key=_key(other_agency, [Scope.EVISA], "Another agency"),
        other_hotel_key=_key(world.larisa, [Scope.STAY_REGISTRATIONS], "Landlord app"),
        alice_key=_key(world.alice, every_scope, "Baku office tools"),
        bob_key=_key(world.bob, every_scope, "Shaki office tools"),
        watchlist_import=watchlist_import_queue(
            actor=world.hannah,
            watchlist_code="entry-bans",
            file_name="bans.csv",
            data=b"category,full_name,reason,source\nentry_ban,John Smith,Expelled,SMS\n",
            skip_invalid=False,
            language="en",
        ).job,
        own_stay=own_stay_filed(),
    )


def host_of(user: User) -> Host:
    return Host.objects.get(members=user)
