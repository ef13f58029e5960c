"""A person's file shows only once the officer has said why they open it; the purpose is
in the audit row of the read. Links from a case, a hit, a finding or a duplicate review
say it themselves."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core.testing import World, guest
from umis.people.models import IdentityMatch, Person
from umis.people.services import identity_match_decide
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _registered(world: World) -> tuple[Person, str]:
    result = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    assert result.registration is not None, result.errors
    return result.registration.person, result.registration.case.reference


def _reads(person: Person) -> list[str]:
    return [
        e.data["purpose"]
        for e in AuditEvent.objects.filter(action="PERSON_VIEWED", person_id=person.pk)
    ]


def test_a_file_opened_from_the_search_asks_for_the_purpose_first(
    world: World, client: Client
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    search = client.post("/en/office/people/", {"name": "huseynov"}).content.decode()
    assert f'href="/en/office/people/{person.pk}/"' in search

    asked = client.get(f"/en/office/people/{person.pk}/")
    page = asked.content.decode()
    assert asked.status_code == 200
    assert 'id="purpose-form"' in page
    assert "Hüseynov" not in page and "U12345678" not in page  # nothing of the file yet
    assert _reads(person) == []

    # an inquiry must name the request it answers
    missing = client.get(f"/en/office/people/{person.pk}/", {"purpose": "inquiry"})
    assert missing.status_code == 422
    assert "Give the number of the request" in missing.content.decode()
    assert "Hüseynov" not in missing.content.decode()
    assert client.get(f"/en/office/people/{person.pk}/", {"purpose": "gossip"}).status_code == 422
    assert _reads(person) == []

    opened = client.get(
        f"/en/office/people/{person.pk}/", {"purpose": "inquiry", "ref": "  letter 12/345 "}
    )
    assert opened.status_code == 200
    assert "Hüseynov" in opened.content.decode()
    assert "Inquiry from another authority letter 12/345" in opened.content.decode()
    assert _reads(person) == ["inquiry: letter 12/345"]


def test_the_link_from_a_case_states_the_case(world: World, client: Client) -> None:
    person, reference = _registered(world)
    client.force_login(world.alice)
    case_page = client.get(f"/en/office/cases/{reference}/").content.decode()
    link = f"/en/office/people/{person.pk}/?purpose=case&amp;ref={reference}"
    assert link in case_page
    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Hüseynov" in page
    assert _reads(person) == [f"case: {reference}"]


def test_another_regions_officer_gets_404_before_any_question(world: World, client: Client) -> None:
    person, _reference = _registered(world)  # a guest in Baku: not Shaki's
    client.force_login(world.bob)
    response = client.get(f"/en/office/people/{person.pk}/")
    assert response.status_code == 404
    assert 'id="purpose-form"' not in response.content.decode()
    assert AuditEvent.objects.filter(action="PERSON_ACCESS_DENIED", actor=world.bob).count() == 1


def _field(page: str, name: str) -> str:
    before, after = page.split(f'name="{name}"', 1)
    return before.rsplit('<div class="field', 1)[1] + after.split("</div>", 1)[0]


def _refused(client: Client, person: Person, ref: str | None, lang: str = "/en") -> str:
    params = {"purpose": "case"} if ref is None else {"purpose": "case", "ref": ref}
    response = client.get(f"{lang}/office/people/{person.pk}/", params)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Hüseynov" not in page and "U12345678" not in page  # nothing of the file
    assert 'id="purpose-errors"' in page
    assert 'value="case" checked' in page
    return page


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "Give the number of the case."),
        ("", "İşin nömrəsini göstərin."),
        ("/ru", "Укажите номер дела."),
    ],
)
def test_work_on_a_case_must_name_the_case(
    world: World, client: Client, lang: str, message: str
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    field = _field(_refused(client, person, "  ", lang), "ref")
    assert f'<p class="error" id="error_ref">{message}</p>' in field
    assert 'aria-invalid="true"' in field
    assert _reads(person) == []


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "There is no case with this number that you may see."),
        ("", "Bu nömrə ilə sizə açıq olan iş yoxdur."),
        ("/ru", "Доступного вам дела с таким номером нет."),
    ],
)
def test_a_case_number_that_does_not_exist_is_refused_beside_the_field(
    world: World, client: Client, lang: str, message: str
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    field = _field(_refused(client, person, "SR-2026-999999", lang), "ref")
    assert f'<p class="error" id="error_ref">{message}</p>' in field
    assert 'value="SR-2026-999999"' in field
    assert _reads(person) == []
    denied = AuditEvent.objects.get(action="CASE_ACCESS_DENIED", actor=world.alice)
    assert denied.data == {"reference": "SR-2026-999999", "exists": False}


def test_another_offices_case_is_refused_as_if_it_did_not_exist(
    world: World, client: Client
) -> None:
    person, baku_reference = _registered(world)
    shaki = stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(region="shaki", street="Shaki street 9")]
    )[0]
    assert shaki.registration is not None and shaki.registration.person == person
    shaki_reference = shaki.registration.case.reference
    client.force_login(world.alice)  # Baku: the person is hers, the Shaki case is not
    field = _field(_refused(client, person, shaki_reference), "ref")
    assert "There is no case with this number that you may see." in field
    assert _reads(person) == []
    denied = AuditEvent.objects.get(action="CASE_ACCESS_DENIED", actor=world.alice)
    assert denied.data == {"reference": shaki_reference, "exists": True}
    assert denied.person_id == person.pk
    # her own office's case opens the file; the head office may name either
    assert (
        client.get(
            f"/en/office/people/{person.pk}/", {"purpose": "case", "ref": baku_reference}
        ).status_code
        == 200
    )
    client.force_login(world.hannah)
    assert (
        client.get(
            f"/en/office/people/{person.pk}/", {"purpose": "case", "ref": shaki_reference}
        ).status_code
        == 200
    )
    assert _reads(person) == [f"case: {baku_reference}", f"case: {shaki_reference}"]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "This case does not concern this person."),
        ("", "Bu iş bu şəxsə aid deyil."),
        ("/ru", "Это дело не относится к данному лицу."),
    ],
)
def test_a_case_of_another_person_is_refused_and_logged(
    world: World, client: Client, lang: str, message: str
) -> None:
    person, _reference = _registered(world)
    other = stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[guest(surname="Quliyev", given_names="Elnur", document_number="Q1234567")],
    )[0]
    assert other.registration is not None and other.registration.person != person
    others = other.registration.case.reference
    client.force_login(world.alice)
    field = _field(_refused(client, person, others, lang), "ref")
    assert f'<p class="error" id="error_ref">{message}</p>' in field
    assert _reads(person) == []
    refused = AuditEvent.objects.get(action="PERSON_PURPOSE_REFUSED", person_id=person.pk)
    assert refused.data == {"purpose": f"case: {others}", "code": "other_case"}


def test_the_case_number_is_kept_as_the_case_has_it(world: World, client: Client) -> None:
    person, reference = _registered(world)
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{person.pk}/", {"purpose": "case", "ref": f" {reference.lower()} "}
    )
    assert page.status_code == 200
    assert _reads(person) == [f"case: {reference}"]


def test_the_other_purposes_need_no_case(world: World, client: Client) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    for purpose in ("screening", "identity", "overstay", "supervision"):
        assert (
            client.get(f"/en/office/people/{person.pk}/", {"purpose": purpose}).status_code == 200
        )
    assert _reads(person) == ["screening", "identity", "overstay", "supervision"]


def test_a_merged_record_opens_for_a_case_now_on_the_record_it_was_merged_into(
    world: World, client: Client
) -> None:
    for overrides in ({}, {"birth_date": "1985-03-17", "document_number": "C7654321"}):
        stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest(**overrides)])
    match = IdentityMatch.objects.get()
    identity_match_decide(
        actor=world.alice, match_id=match.pk, decision="link", reason="same man", expected_version=1
    )
    survivor, merged = Person.objects.order_by("id")
    moved = Case.objects.filter(applicant=survivor).order_by("id").last()
    assert moved is not None and merged.merged_into_id == survivor.pk
    client.force_login(world.alice)
    page = client.get(
        f"/en/office/people/{merged.pk}/", {"purpose": "case", "ref": moved.reference}
    )
    assert page.status_code == 200
    assert 'id="merged-into"' in page.content.decode()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "The reference contains an invisible character (U+202E)"),
        ("", "İstinadda görünməyən simvol var (U+202E)"),
        ("/ru", "Ссылка содержит невидимый символ (U+202E)"),
    ],
)
def test_a_reference_holding_an_invisible_character_is_refused_beside_it(
    world: World, client: Client, lang: str, message: str
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    response = client.get(
        f"{lang}/office/people/{person.pk}/", {"purpose": "inquiry", "ref": "letter \u202e12/345"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Hüseynov" not in page and "U12345678" not in page
    assert 'value="inquiry" checked' in page
    field = _field(page, "ref")
    assert message in field
    assert 'aria-invalid="true"' in field
    assert _reads(person) == []


@pytest.mark.parametrize("char", ["\u2067", "\u200b", "\u034f", "\ufeff", "\u061c"])
def test_no_reference_with_a_hidden_character_reaches_the_audit_log(
    world: World, client: Client, char: str
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    ref = f"{'x' * 95}{char}tail"  # 100 characters, as many as the form takes
    response = client.get(f"/en/office/people/{person.pk}/", {"purpose": "supervision", "ref": ref})
    assert response.status_code == 422
    assert _reads(person) == []


def test_a_reference_longer_than_the_field_takes_is_refused_not_cut(
    world: World, client: Client
) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    response = client.get(
        f"/en/office/people/{person.pk}/", {"purpose": "inquiry", "ref": "L" * 101}
    )
    assert response.status_code == 422
    assert "At most 100 characters (this has 101)." in _field(response.content.decode(), "ref")
    assert _reads(person) == []


def test_a_reference_in_arabic_script_keeps_its_joiner(world: World, client: Client) -> None:
    person, _reference = _registered(world)
    client.force_login(world.alice)
    ref = "نامه\u200cی ۱۲"
    opened = client.get(f"/en/office/people/{person.pk}/", {"purpose": "inquiry", "ref": ref})
    assert opened.status_code == 200
    assert _reads(person) == [f"inquiry: {ref}"]
