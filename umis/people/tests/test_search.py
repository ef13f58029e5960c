from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core.testing import World, guest
from umis.people.names import name_check, search_key
from umis.people.selectors import person_search
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HÜSEYNOV", "hüseynov"),
        ("İsmayılov", "ISMAYILOV"),
        ("Ismayilov", "İSMAYILOV"),
        ("Məmmədov", "Mammadov"),
        ("Şükürov", "sukurov"),
        ("Ağayev", "AGAYEV"),
    ],
)
def test_search_key_is_case_and_diacritic_blind(a: str, b: str) -> None:
    assert search_key(a) == search_key(b)


def test_search_key_transliterates_cyrillic() -> None:
    assert search_key("Иванов") == "ivanov"


def test_name_check_flags_traps() -> None:
    assert [e.code for e in name_check("Hu\u202eseynov", field="surname")] == ["bidi_control"]
    assert [e.code for e in name_check("Аliyev", field="surname")] == ["mixed_script"]
    assert name_check("Məmmədov", field="surname") == []
    assert (
        name_check("محمد\u200cرضا", field="surname") == []
    )  # ZWNJ inside an Arabic-script name is allowed
    assert [e.code for e in name_check("Ali\u200cyev", field="surname")] == ["zero_width"]


def test_staff_find_people_by_name_in_any_case(world: World) -> None:
    stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(surname="İsmayılov", given_names="Elçin")]
    )
    for query in ("ismayilov", "ISMAYILOV", "İsmayılov elçin", "Ismayılov"):
        assert [p.surname for p in person_search(user=world.alice, name=query)] == ["İsmayılov"], (
            query
        )
    assert list(person_search(user=world.harry, name="ismayilov")) == []


def test_staff_find_people_by_document_and_birth_date(world: World, client: Client) -> None:
    stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    client.force_login(world.alice)
    page = client.post("/en/office/people/", {"document": "u12345678"}).content.decode()
    assert "Hüseynov" in page
    page = client.post("/en/office/people/", {"birth_date": "1985-03-14"}).content.decode()
    assert "Hüseynov" in page
    # what was searched for is never in a URL: the form posts, a query string is ignored
    assert 'method="post"' in page
    page = client.get("/en/office/people/?document=u12345678").content.decode()
    assert "Hüseynov" not in page


def test_the_person_page_is_audited_and_lists_cases(world: World, client: Client) -> None:
    result = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    assert result.registration is not None
    person = result.registration.person
    client.force_login(world.alice)
    reference = result.registration.case.reference
    page = client.get(
        f"/en/office/people/{person.pk}/?purpose=case&ref={reference}"
    ).content.decode()
    assert result.registration.case.reference in page
    assert (
        AuditEvent.objects.filter(
            action="PERSON_VIEWED", actor=world.alice, person_id=person.pk
        ).count()
        == 1
    )


def test_a_search_is_in_the_audit_log_for_every_file_it_shows(world: World, client: Client) -> None:
    [result] = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])
    assert result.registration is not None
    client.force_login(world.alice)
    page = client.post("/en/office/people/", {"document": "U12345678"}).content.decode()
    assert "Hüseynov" in page and "14.03.1985" in page
    [row] = AuditEvent.objects.filter(action="PERSON_SEARCHED", actor=world.alice)
    assert row.person_id == result.registration.person_id
    assert row.data == {"by": ["document"]}  # not the number itself
    client.post("/en/office/people/", {"name": "nobody-of-that-name"})
    empty = AuditEvent.objects.filter(action="PERSON_SEARCHED", person_id__isnull=True).get()
    assert empty.data == {"by": ["name"]}


def test_staff_find_a_name_written_in_another_script_or_spelling(world: World) -> None:
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Hüseynov", given_names="Elçin"),
            guest(surname="Öztürk", given_names="Mehmet Ali", document_number="U22345678"),
            guest(surname="Hasanov", given_names="Elçin", document_number="U32345678"),
        ],
    )
    for query, found in [
        ("Гусейнов", ["Hüseynov"]),
        ("Guseynov Elchin", ["Hüseynov"]),
        ("HUSEYNOV", ["Hüseynov"]),
        ("Oeztuerk", ["Öztürk"]),
        ("OZTURK MEHMET", ["Öztürk"]),
        ("Эльчин", ["Hasanov", "Hüseynov"]),
        ("Гасанов", ["Hasanov"]),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_a_search_finds_names_by_their_words_not_by_letters_inside_other_names(
    world: World,
) -> None:
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Əliyev", given_names="Elçin"),
            guest(surname="Əliyeva", given_names="Aysel", document_number="U22345678"),
            guest(surname="Vəliyeva", given_names="Fizzə", document_number="U32345678"),
            guest(surname="Ковалева", given_names="Зинаида", document_number="U42345678"),
            guest(surname="Söyler", given_names="Sezgin", document_number="U52345678"),
            guest(surname="Xəlilov", given_names="Hüseyn", document_number="U62345678"),
        ],
    )
    for query, found in [
        ("Əliyev", ["Əliyev", "Əliyeva"]),  # the feminine form begins with the same word
        ("ALIYEV", ["Əliyev", "Əliyeva"]),
        ("Алиев", ["Əliyev", "Əliyeva"]),
        ("Vəliyeva", ["Vəliyeva"]),
        ("Kovaleva", ["Ковалева"]),
        ("Sez", ["Söyler"]),  # the first letters of a word, as typed
        ("xxxxxxxx", []),  # once a bare "h", inside every name with an h
        ("zzzzqqqq", []),
        ("liyev", []),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_the_search_page_says_when_it_shows_only_the_first_results(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from umis.people import selectors

    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 2)
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(document_number=f"U{n}2345678", given_names=given)
            for n, given in enumerate(("Elçin", "Rəşad", "Kamran"), start=1)
        ],
    )
    client.force_login(world.alice)
    page = client.post("/en/office/people/", {"name": "huseynov"}).content.decode()
    assert page.count("/office/people/") >= 2
    assert "At most 2 people are shown for one search." in page
    page = client.post("/en/office/people/", {"name": "huseynov kamran"}).content.decode()
    assert "At most" not in page


def test_staff_find_an_azerbaijani_q_written_with_the_russian_k(world: World) -> None:
    # Soviet and Russian documents write the Q of Qurbanov as Г (Гурбанов) or as К
    # (Курбанов, and Kurbanov in the Latin made from it)
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Qurbanov", given_names="Yusif"),
            guest(surname="Кулиев", given_names="Эльвин", document_number="U22345678"),
            guest(surname="Zahir", given_names="Elvin", document_number="U32345678"),
        ],
    )
    for query, found in [
        ("Курбанов", ["Qurbanov"]),
        ("Курбанов Юсиф", ["Qurbanov"]),
        ("KURBANOV YUSIF", ["Qurbanov"]),
        ("Гурбанов", ["Qurbanov"]),
        ("Quliyev", ["Кулиев"]),
        ("Quliyev Elvin", ["Кулиев"]),
        ("Zakir", []),  # but K is not an H: Zakir and Zahir are two names
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_staff_find_a_name_written_in_arabic_script_in_latin(world: World) -> None:
    # Arabic and Persian write the consonants and long vowels only: حسین is Hüseyn (Hosein),
    # علی is Əli (Ali), محمد is Məhəmməd (Mohammad)
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Əzizi", given_names="Hüseyn"),
            guest(surname="Rəhimi", given_names="Əli", document_number="U22345678"),
            guest(surname="Kərimi", given_names="Məhəmməd", document_number="U32345678"),
            guest(surname="Kornilova", given_names="Lyudmila", document_number="U42345678"),
            guest(surname="Əlizadə", given_names="Ola", document_number="U52345678"),
        ],
    )
    for query, found in [
        ("حسین", ["Əzizi"]),
        ("عزیزی", ["Əzizi"]),
        ("علی", ["Rəhimi"]),  # not Lyudmila (ly...), not Ola
        ("علي رحيمي", ["Rəhimi"]),
        ("محمد", ["Kərimi"]),
        ("محمد کریمی", ["Kərimi"]),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


@pytest.mark.parametrize(
    ("lang", "field", "message"),
    [
        ("/en", "name", "The text contains control characters."),
        ("/ru", "document", "Текст содержит управляющие символы."),
        ("", "name", "Mətndə idarəetmə simvolları var."),
    ],
)
def test_a_nul_in_the_search_is_refused_beside_its_field(
    world: World, client: Client, lang: str, field: str, message: str
) -> None:
    client.force_login(world.alice)
    posted = {"name": "Hüseynov", "document": "U123", field: "Hüs\x00eyn"}
    response = client.post(f"{lang}/office/people/", posted)
    assert response.status_code == 422  # the search's own page, not the 400 page
    page = response.content.decode()
    form = page.split('id="people-search"', 1)[1].split("</form>", 1)[0]
    assert f'<span class="error" id="error_{field}">{message}</span>' in form
    assert f'name="{field}" value="Hüseyn" maxlength' in form  # as typed, less the NUL
    assert f'aria-invalid="true" aria-describedby="error_{field}"' in form
    assert 'id="people-results"' not in page


def test_staff_find_a_name_by_the_readings_screening_and_intake_use(
    world: World, client: Client
) -> None:
    # Q written К, German names as Russian writes them, Heinrich as Генрих, a Persian و read
    # v: the back office finds whom screening and intake take for the same name
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Кулиев", given_names="Эльвин"),
            guest(surname="Бах", given_names="Генрих", document_number="U22345678"),
            guest(surname="Vogel", given_names="Ulrich", document_number="U32345678"),
            guest(surname="Schmidt", given_names="Joachim", document_number="U42345678"),
            guest(surname="Movahed", given_names="Ali", document_number="U52345678"),
        ],
    )
    for query, found in [
        ("Quliyev", ["Кулиев"]),
        ("Heinrich", ["Бах"]),
        ("BACH HEINRICH", ["Бах"]),
        ("Ульрих", ["Vogel"]),
        ("Фогель Ульрих", ["Vogel"]),
        ("Иоахим", ["Schmidt"]),
        ("Joakim", ["Schmidt"]),  # the Scandinavian spelling of Joachim
        ("موحد", ["Movahed"]),
        ("Эрик", []),  # Erich is Эрих, Eric Эрик
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query
    client.force_login(world.alice)
    page = client.post("/en/office/people/", {"name": "Heinrich"}).content.decode()
    assert "Бах" in page
    assert "Vogel" not in page


def test_people_on_file_are_found_by_the_readings_after_the_upgrade(world: World) -> None:
    import importlib

    from django.apps import apps

    from umis.people.models import Person

    stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(surname="Бах", given_names="Генрих")]
    )
    Person.objects.update(match_key="bah hanrih")  # as stored before
    assert person_search(user=world.alice, name="Heinrich") == []
    migration = importlib.import_module("umis.people.migrations.0013_search_readings")
    migration.add_readings(apps, None)
    assert [p.surname for p in person_search(user=world.alice, name="Heinrich")] == ["Бах"]


def test_staff_find_a_name_on_file_in_arabic_script_by_its_latin_spelling(
    world: World, client: Client
) -> None:
    # Persian writes the consonants and long vowels only: مهسا رضایی is Mahsa Rezaei
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="رضایی", given_names="مهسا"),
            guest(surname="رحیمی", given_names="مهوش", document_number="U22345678"),
            guest(surname="حسینی", given_names="علی", document_number="U32345678"),
            guest(surname="Li", given_names="Wei", document_number="U42345678"),
        ],
    )
    for query, found in [
        ("Rezaei", ["رضایی"]),
        ("REZAEI MAHSA", ["رضایی"]),
        ("Махса Резаи", ["رضایی"]),
        ("Mahsa", ["رضایی"]),  # not مهوش, Mahvash: its و is written
        ("Mahvash Rahimi", ["رحیمی"]),
        ("Hosseini Ali", ["حسینی"]),
        ("Ali", ["حسینی"]),  # not Li: in Latin, Ali less its a is another name
        ("Reza", []),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query
    client.force_login(world.alice)
    page = client.post("/en/office/people/", {"name": "Mahsa Rezaei"}).content.decode()
    assert "رضایی" in page
    assert "رحیمی" not in page


def test_staff_find_a_persian_name_whose_final_ya_is_a_long_a(world: World) -> None:
    # Persian writes the ā of Arabic Murtaḍā, Muṣṭafā with a final ی: مرتضی is Morteza in
    # Iranian passports, Murtuza in Azerbaijani, Муртуза in Russian; its ت and ض are t and z,
    # which do not run together into the ts of ц (Mirza, میرزا, is another name)
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Karimi", given_names="Morteza"),
            guest(surname="Kərimov", given_names="Murtuza", document_number="U22345678"),
            guest(surname="Керимов", given_names="Муртуза", document_number="U32345678"),
            guest(surname="Quliyev", given_names="Mustafa", document_number="U42345678"),
            guest(surname="رضایی", given_names="مرتضی", document_number="U52345678"),
            guest(surname="Əliyev", given_names="Mirza", document_number="U62345678"),
            guest(surname="Rahimi", given_names="Ali", document_number="U72345678"),
        ],
    )
    for query, found in [
        ("مرتضی", ["Karimi", "Kərimov", "Керимов", "رضایی"]),
        ("مرتضي", ["Karimi", "Kərimov", "Керимов", "رضایی"]),  # with the Arabic ي
        ("مرتضى", ["Karimi", "Kərimov", "Керимов", "رضایی"]),  # with the Arabic ى
        ("مرتضی کریمی", ["Karimi"]),
        ("مصطفی", ["Quliyev"]),
        ("Murtuza", ["Kərimov", "Керимов", "رضایی"]),
        ("Муртуза", ["Kərimov", "Керимов", "رضایی"]),
        ("Morteza Rezaei", ["رضایی"]),
        ("Murtaza", ["رضایی"]),
        ("Mirza", ["Əliyev"]),
        ("علی", ["Rahimi"]),  # its final ی is the ī of Ali: not a long a
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_a_persian_name_on_file_is_found_by_its_long_a_after_the_upgrade(world: World) -> None:
    import importlib

    from django.apps import apps

    from umis.people.models import Person

    stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(surname="رضایی", given_names="مرتضی")]
    )
    Person.objects.update(match_key="mrtazi mrtdi mrzi rzaii rzi")  # as stored before
    assert person_search(user=world.alice, name="Murtuza") == []
    migration = importlib.import_module("umis.people.migrations.0017_final_ya_read_long_a")
    migration.add_readings(apps, None)
    assert [p.surname for p in person_search(user=world.alice, name="Murtuza")] == ["رضایی"]


def test_staff_find_a_persian_name_whose_final_ya_is_a_long_a_by_its_shape(world: World) -> None:
    # موسی, عیسی, یحیی, کبری, صغری, لیلی end in the ā Arabic writes ى (Mūsá, ʻĪsá, Yaḥyá,
    # Kubrá, Ṣughrá, Laylá), which Persian writes ی, as it writes the ī of Ali (علی)
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Karimi", given_names="Musa"),
            guest(surname="Керимов", given_names="Муса", document_number="U22345678"),
            guest(surname="Musavi", given_names="Ali", document_number="U32345678"),
            guest(surname="Quliyev", given_names="İsa", document_number="U42345678"),
            guest(surname="Исаев", given_names="Иса", document_number="U52345678"),
            guest(surname="Haddad", given_names="Issa", document_number="U62345678"),
            guest(surname="Həsənov", given_names="Yəhya", document_number="U72345678"),
            guest(surname="Гасанов", given_names="Яхья", document_number="U82345678"),
            guest(surname="Əliyeva", given_names="Kübra", document_number="U92345678"),
            guest(surname="Rahimi", given_names="Kobra", document_number="V12345678"),
            guest(surname="Алиева", given_names="Лейла", document_number="V22345678"),
            guest(surname="Məmmədova", given_names="Leyla", document_number="V32345678"),
            guest(surname="Hosseini", given_names="Soghra", document_number="V42345678"),
            guest(surname="Nouri", given_names="Mehdi", document_number="V52345678"),
        ],
    )
    for query, found in [
        ("موسی", ["Karimi", "Керимов"]),
        ("موسي", ["Karimi", "Керимов"]),  # with the Arabic ي
        ("موسی کریمی", ["Karimi"]),
        ("عیسی", ["Haddad", "Quliyev", "Исаев"]),
        ("یحیی", ["Həsənov", "Гасанов"]),
        ("کبری", ["Rahimi", "Əliyeva"]),
        ("كبرى", ["Rahimi", "Əliyeva"]),  # in Arabic spelling
        ("لیلی", ["Məmmədova", "Алиева"]),
        ("صغری", ["Hosseini"]),
        ("مهدی", ["Nouri"]),  # its final ی is the ī of Mehdi
        ("موسوی", ["Musavi"]),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_staff_find_a_persian_name_on_file_whose_final_ya_is_a_long_a(world: World) -> None:
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="کریمی", given_names="موسی"),
            guest(surname="عیسی", given_names="یحیی", document_number="U22345678"),
            guest(surname="رحیمی", given_names="کبری", document_number="U32345678"),
            guest(surname="حسینی", given_names="لیلی", document_number="U42345678"),
            guest(surname="رضایی", given_names="علی", document_number="U52345678"),
        ],
    )
    for query, found in [
        ("Musa", ["کریمی"]),
        ("Муса Керими", ["کریمی"]),
        ("Isa", ["عیسی"]),
        ("Yahya", ["عیسی"]),
        ("Яхья", ["عیسی"]),
        ("Kübra", ["رحیمی"]),
        ("Kobra Rahimi", ["رحیمی"]),
        ("Лейла", ["حسینی"]),
        ("Leyli", ["حسینی"]),
        ("Ala", []),  # علی is Ali: its final ی is ī
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query


def test_a_name_on_file_in_long_a_is_found_after_the_upgrade(world: World) -> None:
    import importlib

    from django.apps import apps

    from umis.people.models import Person

    stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(surname="کریمی", given_names="موسی")]
    )
    Person.objects.update(match_key="krimi musi")  # as stored before
    assert person_search(user=world.alice, name="Musa") == []
    migration = importlib.import_module("umis.people.migrations.0018_final_ya_long_a_names")
    migration.add_readings(apps, None)
    assert [p.surname for p in person_search(user=world.alice, name="Musa")] == ["کریمی"]


@pytest.mark.parametrize(
    ("surname", "given_names", "patronymic", "query"),
    [
        # each name part read several ways: the stored skeletons outgrow the names
        (
            " ".join(["Щербаков-Щукин"] * 8)[:100],
            " ".join(["مهوش"] * 25)[:99],
            " ".join(["Joachim", "Qasımov", "Heinrich"] * 5)[:99],
            "Иоахим Касумов",
        ),
        # Щ folded to shch: the folded name outgrows them
        (
            " ".join(["Щащ"] * 25)[:99],
            " ".join(["Щащ"] * 25)[:99],
            " ".join(["Щащ"] * 25)[:99],
            "Щащ",
        ),
    ],
)
def test_the_longest_names_intake_accepts_are_stored_and_found(
    world: World, client: Client, surname: str, given_names: str, patronymic: str, query: str
) -> None:
    from umis.people.models import Person
    from umis.stays.testing import post

    assert max(len(surname), len(given_names), len(patronymic)) >= 99  # the forms take 100
    body = guest(surname=surname, given_names=given_names, patronymic=patronymic)
    assert post(client, "/api/v1/stay-registrations", body, world.hotel_key).status_code == 201
    person = Person.objects.get()
    assert (person.surname, person.given_names, person.patronymic) == (
        surname,
        given_names,
        patronymic,
    )
    assert len(person.match_key) > 400 or len(person.search_name) > 400
    assert person_search(user=world.alice, name=query) == [person]


def test_a_latin_name_with_an_arabic_sign_is_not_read_as_one_in_arabic_script(
    world: World,
) -> None:
    # a sign (shadda, the doubling) is no letter: Li with one is a Latin name, which Ali, less its
    # a, does not find; the intake's checks and the search agree which names are Arabic
    from umis.people.names import name_is_arabic

    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Li\u0651", given_names="Wei"),
            guest(surname="حسینی", given_names="علی", document_number="U22345678"),
        ],
    )
    assert not name_is_arabic("Li\u0651")
    assert name_is_arabic("علی")
    assert [p.surname for p in person_search(user=world.alice, name="Ali")] == ["حسینی"]
    assert [p.surname for p in person_search(user=world.alice, name="Li")] == ["Li\u0651", "حسینی"]


def test_the_database_looks_for_exactly_the_letters_taken_for_arabic_script() -> None:
    import re

    from umis.people.names import arabic_letter_class, name_is_arabic

    letter = re.compile(arabic_letter_class())
    for code in [*range(0x80, 0x3000), *range(0xFB00, 0x10000), *range(0x1E800, 0x1F000)]:
        c = chr(code)
        if not 0xD800 <= code <= 0xDFFF:
            assert bool(letter.fullmatch(c)) == (c.isalpha() and name_is_arabic(c)), hex(code)


def test_the_letters_taken_for_arabic_script_are_those_unicode_gives() -> None:
    # the class the database is given is kept in the code, not worked out at the first search:
    # it is every letter of the first two planes (which hold all of the script's) that
    # `name_is_arabic` counts, as this Python's Unicode data has them
    from umis.people.names import ARABIC_LETTER_RANGES, name_is_arabic

    ranges: list[list[int]] = []
    for code in range(0x80, 0x20000):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF or not c.isalpha() or not name_is_arabic(c):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    assert [tuple(r) for r in ranges] == list(ARABIC_LETTER_RANGES)


def test_an_arabic_script_name_finds_the_names_it_reads_as_not_its_letters_in_others(
    world: World,
) -> None:
    # the ain of علی is the A of Ali: without it the name's letters are those of Li and Lai
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[
            guest(surname="Hasanov", given_names="Ali"),
            guest(surname="Rəhimi", given_names="Əli", document_number="U22345678"),
            guest(surname="Керимов", given_names="Али", document_number="U32345678"),
            guest(surname="حسینی", given_names="علی", document_number="U42345678"),
            guest(surname="Li", given_names="Wei", document_number="U52345678"),
            guest(surname="Lai", given_names="Ming", document_number="U62345678"),
        ],
    )
    for query, found in [
        ("علی", ["Hasanov", "Rəhimi", "Керимов", "حسینی"]),
        ("علي", ["Hasanov", "Rəhimi", "Керимов", "حسینی"]),
        ("Li", ["Li", "حسینی"]),
    ]:
        assert [p.surname for p in person_search(user=world.alice, name=query)] == found, query
