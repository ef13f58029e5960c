"""The admin's sentences that name a model read correctly in Russian whatever the name's
gender (страна, регион, правовое основание) or whether it is a person (пользователь), and
in Azerbaijani without a plural after a number: the messages after adding, changing and
deleting, the deletion pages, the bulk deletion and the list's "select all"."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from umis.core.testing import World
from umis.reference.models import Country, LegalGround, Office, Region

pytestmark = pytest.mark.django_db


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def _messages(page: str) -> list[str]:
    listed = "".join(re.findall(r'<ul class="messagelist">(.*?)</ul>', page, re.S))
    return [_text(m) for m in re.findall(r"<li[^>]*>(.*?)</li>", listed, re.S)]


def _h1(page: str) -> str:
    return _text(re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)[0])


def _first_paragraph(page: str) -> str:
    return _text(page.split('id="content"', 1)[1].split("<p>", 1)[1].split("</p>", 1)[0])


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _prefix(language: str) -> str:
    return "" if language == "az" else f"/{language}"


def _ground(code: str) -> LegalGround:
    return LegalGround.objects.create(
        code=code, citation="Art. 1", name_az="Əsas", name_en="Ground", name_ru="Основание"
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Добавлено: страна «Иксландия»."),
        ("az", "Əlavə edildi: ölkə “İkslandiya”."),
    ],
)
def test_a_country_added_is_announced_in_the_right_gender(
    world: World, language: str, message: str
) -> None:
    data = {
        "code": "XQ",
        "alpha3": "XQQ",
        "icao_code": "XQQ",
        "kind": Country.Kind.STATE,
        "name_az": "İkslandiya",
        "name_en": "Xland",
        "name_ru": "Иксландия",
        "active": "on",
    }
    url = f"{_prefix(language)}/admin/reference/country/add/"
    page = _admin(world).post(url, data, follow=True).content.decode()
    assert _messages(page) == [message]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Изменено: правовое основание «Основание». Ниже можно изменить запись снова."),
        ("az", "Dəyişdirildi: hüquqi əsas “Əsas”. Aşağıda onu yenidən dəyişə bilərsiniz."),
    ],
)
def test_a_legal_ground_changed_is_announced_in_the_right_gender(
    world: World, language: str, message: str
) -> None:
    ground = _ground("test-ground")
    data = {
        "code": ground.code,
        "citation": "Art. 2",
        "name_az": "Əsas",
        "name_en": "Ground",
        "name_ru": "Основание",
        "valid_from": "2013-01-01",
        "_continue": "1",
    }
    url = f"{_prefix(language)}/admin/reference/legalground/{ground.pk}/change/"
    page = _admin(world).post(url, data, follow=True).content.decode()
    assert _messages(page) == [message]
    ground.refresh_from_db()
    assert ground.citation == "Art. 2"


@pytest.mark.parametrize(
    ("language", "message"),
    [("ru", "Удалено: регион «Тестовый район»."), ("az", "Silindi: region “Test rayonu”.")],
)
def test_a_region_deleted_is_announced_in_the_right_gender(
    world: World, language: str, message: str
) -> None:
    region = Region.objects.create(
        code="test-district",
        office=Office.objects.first(),
        name_az="Test rayonu",
        name_en="Test district",
        name_ru="Тестовый район",
    )
    url = f"{_prefix(language)}/admin/reference/region/{region.pk}/delete/"
    page = _admin(world).post(url, {"post": "yes"}, follow=True).content.decode()
    assert _messages(page) == [message]
    assert not Region.objects.filter(pk=region.pk).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Запись с ID «ZZ» (страна) не найдена. Возможно, она была удалена."),
        ("az", "“ZZ” ID nömrəli ölkə mövcud deyil. Bəlkə silinib?"),
    ],
)
def test_a_missing_country_is_reported_without_a_gender(
    world: World, language: str, message: str
) -> None:
    url = f"{_prefix(language)}/admin/reference/country/ZZ/change/"
    page = _admin(world).get(url, follow=True).content.decode()
    assert _messages(page) == [message]


@pytest.mark.parametrize(
    ("language", "title", "sentence"),
    [
        (
            "ru",
            "Удаление невозможно: подразделение",
            "Удаление записи «Бакинское региональное миграционное управление» (подразделение) "
            "потребует удаления следующих защищённых связанных объектов:",
        ),
        (
            "az",
            "Silmək mümkün deyil: İdarə",
            'İdarə "Bakı regional miqrasiya idarəsi" obyektini silmək üçün aşağıdakı qorunan '
            "obyektlər də silinməlidir:",
        ),
    ],
)
def test_an_office_that_cannot_be_deleted_says_so_in_a_sentence_that_reads(
    world: World, language: str, title: str, sentence: str
) -> None:
    office = Office.objects.get(code="baku")
    url = f"{_prefix(language)}/admin/reference/office/{office.pk}/delete/"
    page = _admin(world).get(url).content.decode()
    assert (_h1(page), _first_paragraph(page)) == (title, sentence)


@pytest.mark.parametrize(
    ("language", "action", "question"),
    [
        (
            "ru",
            "Удалить выбранные записи (пользователи)",
            "Вы уверены, что хотите удалить выбранные записи (пользователь)? Будут удалены "
            "все следующие объекты и связанные с ними данные:",
        ),
        (
            "az",
            "Seçilmiş qeydləri sil (İstifadəçilər)",
            "Seçilmiş qeydləri (İstifadəçi) silməkdə əminsiniz? Aşağıdakı bütün obyektlər və "
            "onlara bağlı obyektlər də silinəcək:",
        ),
    ],
)
def test_deleting_selected_users_reads_as_for_any_model(
    world: World, language: str, action: str, question: str
) -> None:
    client = _admin(world)
    base = f"{_prefix(language)}/admin/accounts/user/"
    page = client.get(base).content.decode()
    assert _text(re.findall(r'<option value="delete_selected">(.*?)</option>', page)[0]) == action
    data = {"action": "delete_selected", "_selected_action": [world.oscar.pk]}
    page = client.post(base, data).content.decode()
    assert _first_paragraph(page) == question


@pytest.mark.parametrize(
    ("language", "question", "message"),
    [
        (
            "ru",
            "Вы уверены, что хотите удалить выбранные записи (правовые основания)? Будут "
            "удалены все следующие объекты и связанные с ними данные:",
            "Удалено записей: 2 (правовые основания).",
        ),
        (
            "az",
            "Seçilmiş qeydləri (hüquqi əsaslar) silməkdə əminsiniz? Aşağıdakı bütün obyektlər "
            "və onlara bağlı obyektlər də silinəcək:",
            "Silindi: 2 qeyd (hüquqi əsaslar).",
        ),
    ],
)
def test_legal_grounds_deleted_together_are_counted_in_a_sentence_that_reads(
    world: World, language: str, question: str, message: str
) -> None:
    grounds = [_ground("test-a"), _ground("test-b")]
    client = _admin(world)
    base = f"{_prefix(language)}/admin/reference/legalground/"
    data = {"action": "delete_selected", "_selected_action": [g.pk for g in grounds]}
    page = client.post(base, data).content.decode()
    assert _first_paragraph(page) == question
    page = client.post(base, {**data, "post": "yes"}, follow=True).content.decode()
    assert _messages(page) == [message]
    assert not LegalGround.objects.filter(pk__in=[g.pk for g in grounds]).exists()


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("ru", "Выбрать все записи (страны): 254"),
        ("az", "Bütün qeydləri seç (ölkələr): 254"),
    ],
)
def test_selecting_every_country_across_pages_reads(
    world: World, language: str, question: str
) -> None:
    assert Country.objects.count() == 254
    page = _admin(world).get(f"{_prefix(language)}/admin/reference/country/").content.decode()
    link = re.findall(r'<span class="question hidden">(.*?)</span>', page, re.S)[0]
    assert _text(link) == question
