"""Countries as ICAO Doc 9303 writes them in MRZs, with the codes it gives people who hold
no nationality: XXA stateless, XXB and XXC refugees, XXX unspecified."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client

from umis.reference import selectors
from umis.reference.models import Country, VisaFreeRegime
from umis.reference.services import reference_load_defaults

pytestmark = pytest.mark.django_db

WITHOUT_A_STATE = {
    "XXA": (
        "XA",
        "XXA",
        "Stateless person",
        "Vətəndaşlığı olmayan şəxs",
        "Лицо без гражданства",
    ),
    "XXB": (
        "XB",
        "XXB",
        "Refugee (1951 Convention)",
        "Qaçqın (1951-ci il Konvensiyası)",
        "Беженец (Конвенция 1951 года)",
    ),
    "XXC": ("XC", "XXC", "Refugee (other)", "Qaçqın (digər)", "Беженец (иной)"),
    "XXX": (
        "XX",
        "XXX",
        "Person of unspecified nationality",
        "Vətəndaşlığı müəyyən edilməmiş şəxs",
        "Лицо с неустановленным гражданством",
    ),
}


def rows() -> dict[str, tuple[str, ...]]:
    return {
        c.icao_code: (c.code, c.alpha3, c.name_en, c.name_az, c.name_ru)
        for c in Country.objects.filter(icao_code__in=WITHOUT_A_STATE)
    }


def test_an_existing_database_gets_them_from_its_migration() -> None:
    reference_load_defaults()
    Country.objects.filter(icao_code__in=WITHOUT_A_STATE).delete()  # as before the upgrade
    migration = importlib.import_module("umis.reference.migrations.0005_codes_without_a_state")
    migration.add_codes_without_a_state(apps, None)
    migration.add_codes_without_a_state(apps, None)  # run again: nothing twice
    assert rows() == WITHOUT_A_STATE
    assert set(
        Country.objects.filter(icao_code__in=WITHOUT_A_STATE).values_list("kind", flat=True)
    ) == {Country.Kind.STATUS}
    assert Country.objects.get(code="DE").kind == Country.Kind.STATE


def test_a_code_already_on_file_becomes_a_status() -> None:
    reference_load_defaults()
    Country.objects.filter(code="XA").update(kind=Country.Kind.STATE)  # as after a migration back
    migration = importlib.import_module("umis.reference.migrations.0005_codes_without_a_state")
    migration.add_codes_without_a_state(apps, None)
    assert Country.objects.get(code="XA").kind == Country.Kind.STATUS
    assert Country.objects.filter(kind=Country.Kind.STATUS).count() == 4


def test_loading_the_defaults_restores_them_once() -> None:
    Country.objects.filter(icao_code__in=WITHOUT_A_STATE).delete()  # as a test's flush does
    reference_load_defaults()
    reference_load_defaults()
    assert rows() == WITHOUT_A_STATE
    assert Country.objects.filter(kind=Country.Kind.STATUS).count() == 4


@pytest.mark.parametrize("code", ["XXA", "XA", "xxa", "XXA<"])
def test_each_form_of_the_code_finds_the_same_row(code: str) -> None:
    reference_load_defaults()
    assert selectors.country_get_by_code(code) == Country.objects.get(code="XA")
    assert selectors.ReferenceSnapshot().country(code) == Country.objects.get(code="XA")


def test_a_visa_free_regime_is_for_the_citizens_of_a_state() -> None:
    reference_load_defaults()
    assert Country.objects.filter(code="XA").exists()
    regime = VisaFreeRegime(nationality_id="XA", days=30, valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        regime.full_clean()
    assert list(refused.value.message_dict) == ["nationality"]
    VisaFreeRegime(nationality_id="DE", days=30, valid_from=dt.date(2026, 1, 1)).full_clean()


def test_russian_country_names_take_their_capitals(client: Client) -> None:
    reference_load_defaults()
    page = client.get("/ru/entry-ban-check/").content.decode()
    for name in (
        "Соединённые Штаты",
        "Доминиканская Республика",
        "Центральноафриканская Республика",
        "Объединённые Арабские Эмираты",
        "Соединённое Королевство",
        "Маршалловы Острова",
        "Северные Марианские острова",
    ):
        assert f">{name}</option>" in page, name
    assert "Соединённые штаты" not in page and "Доминиканская республика" not in page
    assert "Центрально-африканская" not in page and "Острова северной Марианы" not in page


def test_loading_the_defaults_mends_stored_russian_names_an_administrator_left() -> None:
    reference_load_defaults()
    Country.objects.filter(code="US").update(name_ru="Соединённые штаты")  # the catalogue's
    Country.objects.filter(code="DO").update(name_ru="Доминикана")  # an administrator's
    reference_load_defaults()
    assert Country.objects.get(code="US").name_ru == "Соединённые Штаты"
    assert Country.objects.get(code="DO").name_ru == "Доминикана"


def test_azerbaijani_country_names_are_spelt_as_in_azerbaijani() -> None:
    reference_load_defaults()
    names = dict(
        Country.objects.filter(code__in=["KZ", "RO", "SA", "QA", "US", "KR"]).values_list(
            "code", "name_az"
        )
    )
    assert names == {
        "KZ": "Qazaxıstan",
        "RO": "Rumıniya",
        "SA": "Səudiyyə Ərəbistanı",
        "QA": "Qətər",
        "US": "Amerika Birləşmiş Ştatları",
        "KR": "Koreya Respublikası",
    }
    # stored as the catalogue spelt it: mended when the reference data is loaded again
    Country.objects.filter(code="KZ").update(name_az="Qazaxstan")
    Country.objects.filter(code="QA").update(name_az="Qatar dövləti")  # an administrator's
    reference_load_defaults()
    assert Country.objects.get(code="KZ").name_az == "Qazaxıstan"
    assert Country.objects.get(code="QA").name_az == "Qatar dövləti"
