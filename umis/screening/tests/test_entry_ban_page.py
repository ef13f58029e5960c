"""The public entry-ban check as a visitor sees it: every mistake named beside its field,
never a reassuring answer to a question that cannot be a passport's."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.reference.models import Country
from umis.screening.models import ScreeningHit
from umis.screening.services import screening_hit_decide
from umis.screening.tests.test_intake import listed, register

pytestmark = pytest.mark.django_db

PASSPORT = {
    "document_number": "U12345678",
    "issuing_state": "TR",
    "surname": "Hüseynov",
    "birth_date": "1985-03-14",
}


def check(client: Client, lang: str = "en", **overrides: str) -> tuple[int, str]:
    response = client.post(f"/{lang}/entry-ban-check/", {**PASSPORT, **overrides})
    return response.status_code, response.content.decode()


def error_of(page: str, field: str) -> str:
    """The error shown beside one field."""
    start = page.index(f'id="id_{field}"')
    return page[start : page.index("</div>", start)]


def test_an_empty_issuing_state_is_required(world: World, client: Client) -> None:
    status, page = check(client, issuing_state="")
    assert status == 422
    assert "This field is required." in error_of(page, "issuing_state")
    assert "Unknown country code" not in page
    assert 'id="ban-answer"' not in page


def test_a_surname_longer_than_any_passport_holds_is_refused(world: World, client: Client) -> None:
    status, page = check(client, surname="S" * 300)
    assert status == 422
    assert "At most 100 characters." in error_of(page, "surname")
    assert 'id="ban-answer"' not in page
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2999-01-01", "The date of birth is in the future."),
        ("1899-12-31", "The date of birth cannot be before 1900."),
    ],
)
def test_an_impossible_date_of_birth_is_refused(
    world: World, client: Client, birth_date: str, message: str
) -> None:
    status, page = check(client, birth_date=birth_date)
    assert status == 422
    assert message in error_of(page, "birth_date")
    assert 'id="ban-answer"' not in page


@pytest.mark.parametrize("field", ["document_number", "surname", "birth_date"])
def test_a_control_character_is_shown_beside_its_field_with_the_form_kept(
    world: World, client: Client, field: str
) -> None:
    value = PASSPORT[field][:2] + "\x00\x07" + PASSPORT[field][2:]
    status, page = check(client, "ru", **{field: value})
    assert status == 422
    assert "Текст содержит управляющие символы." in error_of(page, field)
    assert 'id="ban-form"' in page
    assert 'value="Hüseynov"' in page or field == "surname"
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


def test_the_issuing_state_is_a_list_of_countries_in_the_page_language(
    world: World, client: Client
) -> None:
    page = client.get("/ru/entry-ban-check/").content.decode()
    assert '<select id="id_issuing_state" name="issuing_state" aria-required="true">' in page
    assert '<option value="TR">Турция</option>' in page
    # a code typed by a script, two or three letters, is still read
    for code in ("TR", "TUR"):
        assert 'data-banned="no"' in check(client, issuing_state=code)[1]


def test_a_recorded_ban_stands_out(world: World, client: Client) -> None:
    listed(world, document_number="U12345678", issuing_state="TR")
    status, page = check(client)
    assert status == 200
    assert 'class="alert danger" role="alert" id="ban-answer" data-banned="yes"' in page
    listed_none = check(client, document_number="X0000000", surname="Əliyev")[1]
    assert 'class="alert ok" role="status" id="ban-answer" data-banned="no"' in listed_none
    # the banned man with a new passport: not "banned" by this number, never "no" either
    renewed = check(client, document_number="X0000000")[1]
    assert 'data-banned="unknown"' in renewed


# --- a ban recorded by name and date of birth, without the passport's number ----------------

CUVARLI = {  # on file with this passport, banned by name and date of birth
    "document_number": "GV4948214",
    "issuing_state": "RU",
    "surname": "CUVARLI",
    "birth_date": "2000-12-17",
}


def banned_by_name(world: World) -> None:
    listed(
        world,
        external_id="DEMO-3",
        full_name="ESMIRA CUVARLI",
        birth_date="2000-12-17",
        nationality="RU",
    )
    listed(
        world,
        external_id="DEMO-1",
        full_name="ВИКТОРИН ФИЛИППОВ",
        birth_date="2003-12-03",
        nationality="KZ",
    )


def on_file(client: Client, world: World) -> ScreeningHit:
    """Esmira Cuvarlı stays at a hotel: her registration raises a hit on the ban."""
    case = register(
        client,
        world,
        surname="Cuvarlı",
        given_names="Esmira",
        birth_date="2000-12-17",
        sex="F",
        nationality="RU",
        document_number="GV4948214",
        issuing_state="RUS",
    )
    return ScreeningHit.objects.get(case=case)


@pytest.mark.parametrize("surname", ["CUVARLI", "Cuvarlı"])
def test_a_ban_recorded_by_name_is_never_answered_with_no(
    world: World, client: Client, surname: str
) -> None:
    banned_by_name(world)
    on_file(client, world)
    status, page = check(client, "ru", **{**CUVARLI, "surname": surname})
    assert status == 200
    assert 'class="alert warn" role="alert" id="ban-answer" data-banned="unknown"' in page
    assert "Онлайн-проверка не может дать ответ по этому паспорту." in page
    assert "в региональное миграционное управление или в центр «ASAN xidmət»" in page
    assert "запрет на въезд не зарегистрирован" not in page
    assert "Для этого паспорта зарегистрирован запрет на въезд" not in page
    audit = AuditEvent.objects.get(action="ENTRY_BAN_CHECKED")
    assert audit.data["undetermined"] is True
    assert audit.person_id is not None  # the passport's holder on file was read


@pytest.mark.parametrize("surname", ["Филиппов", "FILIPPOV"])
def test_a_ban_by_name_is_found_for_a_passport_not_on_file(
    world: World, client: Client, surname: str
) -> None:
    banned_by_name(world)
    status, page = check(
        client,
        document_number="WU6987973",
        issuing_state="KZ",
        surname=surname,
        birth_date="2003-12-03",
    )
    assert status == 200
    assert 'data-banned="unknown"' in page
    assert "The online check cannot give an answer for this passport." in page
    assert "apply in person with your passport at a regional department" in page
    assert "No entry ban is recorded" not in page


def test_a_clean_person_still_hears_that_no_ban_is_recorded(world: World, client: Client) -> None:
    banned_by_name(world)
    for overrides in (
        {},  # the holder on file, another person than the banned
        {"surname": "Cuvarlı", "birth_date": "2000-12-18"},  # a day apart
        {"surname": "Petrova", "birth_date": "2000-12-17", "document_number": "GV4948214"},
    ):
        status, page = check(client, "ru", **overrides)
        assert status == 200
        assert 'class="alert ok" role="status" id="ban-answer" data-banned="no"' in page
        assert "Для этого паспорта запрет на въезд не зарегистрирован." in page


def test_a_hit_an_officer_dismissed_clears_the_holders_passport(
    world: World, client: Client
) -> None:
    banned_by_name(world)
    hit = on_file(client, world)
    screening_hit_decide(
        actor=world.alice, hit_id=hit.pk, decision="dismiss", reason="Not her", expected_version=1
    )
    # the officer found the guest is not the banned woman: her passport is not held up
    assert 'data-banned="no"' in check(client, **CUVARLI)[1]
    # somebody else with her passport number and another name learns nothing of her file
    other = check(client, **{**CUVARLI, "surname": "Petrova"})[1]
    assert 'data-banned="no"' in other
    assert AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED", person_id=None).count() == 1


def test_a_confirmed_hit_on_the_holder_is_not_answered_with_no(
    world: World, client: Client
) -> None:
    banned_by_name(world)
    hit = on_file(client, world)
    screening_hit_decide(
        actor=world.alice,
        hit_id=hit.pk,
        decision="confirm",
        reason="Same woman",
        expected_version=1,
    )
    # the listed name changes so that screening alone no longer finds her: the hit still counts
    listed(
        world,
        external_id="DEMO-3",
        full_name="ZULFIYYA QARAYEVA",
        birth_date="1970-01-01",
        nationality="RU",
    )
    assert 'data-banned="unknown"' in check(client, **CUVARLI)[1]


def test_a_ban_with_only_a_year_of_birth_is_found_from_the_surname(
    world: World, client: Client
) -> None:
    listed(world, external_id="EB-Y", full_name="Гусейнов Рашад", birth_date="1985")
    # a passport not on file, the surname and date of birth of the banned person
    status, page = check(client, document_number="WU6987973")
    assert status == 200
    assert 'data-banned="unknown"' in page
    assert "No entry ban is recorded" not in page
    status, page = check(client, document_number="WU6987973", birth_date="1987-03-14")
    assert 'data-banned="no"' in page


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Choose the state that issued the passport from the list."),
        ("az", "Pasportu verən dövləti siyahıdan seçin."),
        ("ru", "Выберите из списка государство, выдавшее паспорт."),
    ],
)
@pytest.mark.parametrize("code", ["XXA", "XB", "SU"])
def test_an_issuing_state_not_offered_is_an_error_beside_the_field(
    world: World, client: Client, lang: str, message: str, code: str
) -> None:
    Country.objects.update_or_create(
        code="SU",
        defaults={"alpha3": "SUN", "icao_code": "SUN", "name_en": "USSR", "active": False},
    )
    response = client.post(
        f"/{lang}/entry-ban-check/".replace("/az/", "/", 1),
        {**PASSPORT, "issuing_state": code, "surname": "Əliyev"},
    )
    status, page = response.status_code, response.content.decode()
    assert status == 422
    assert message in error_of(page, "issuing_state")
    assert 'data-banned="' not in page
    assert 'value="Əliyev"' in page and 'value="U12345678"' in page
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


@pytest.mark.parametrize(
    ("lang", "required"),
    [
        ("az", "Bu sahə mütləqdir."),
        ("en", "This field is required."),
        ("ru", "Это поле обязательно."),
    ],
)
def test_each_field_says_it_is_required_and_is_read_with_its_error(
    world: World, client: Client, lang: str, required: str
) -> None:
    prefix = "" if lang == "az" else f"/{lang}"
    form = client.get(f"{prefix}/entry-ban-check/").content.decode()
    response = client.post(f"{prefix}/entry-ban-check/", dict.fromkeys(PASSPORT, ""))
    assert response.status_code == 422
    page = response.content.decode()
    for field in PASSPORT:
        tag = form.split(f'id="id_{field}"', 1)[1].split(">", 1)[0]
        assert 'aria-required="true"' in tag and "aria-invalid" not in tag, tag
        label = form.split(f'<label for="id_{field}">', 1)[1].split("</label>", 1)[0]
        assert label.endswith('<span class="required-mark" aria-hidden="true"> *</span>'), label
        # refused blank: the field is marked invalid and a screen reader reads the error with it
        tag = page.split(f'id="id_{field}"', 1)[1].split(">", 1)[0]
        assert f'aria-invalid="true" aria-describedby="error_{field}"' in tag, tag
        error = page.split(f'<p class="error" id="error_{field}" role="alert">', 1)[1]
        assert error.split("</p>", 1)[0] == required
    assert 'id="required-note"' in form
