"""A land crossing point names the neighbouring country in every language (Qırmızı Körpü is
on the Georgian border, Astara on the Iranian one); installations loaded with the names
that did not say it are mended, and a name an administrator changed stays."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from umis.border.models import CrossingPoint
from umis.border.selectors import crossing_point_names
from umis.border.services import crossing_points_load_defaults
from umis.core.testing import World

pytestmark = pytest.mark.django_db

LAND = {
    "samur": ("Samur (Rusiya)", "Samur (Russia)", "Самур (Россия)"),
    "red-bridge": ("Qırmızı Körpü (Gürcüstan)", "Red Bridge (Georgia)", "Красный мост (Грузия)"),
    "astara": ("Astara (İran)", "Astara (Iran)", "Астара (Иран)"),
}


def _names() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {code: [] for code in LAND}
    for lang in ("az", "en", "ru"):
        with translation.override(lang):
            for code, name in crossing_point_names(codes=LAND).items():
                out[code].append(name)
    return {code: tuple(names) for code, names in out.items()}


def test_land_crossings_name_the_neighbouring_country_in_every_language(world: World) -> None:
    assert _names() == LAND


def _as_loaded_before() -> None:
    """The land crossings as the loader named them before, one renamed by an administrator."""
    CrossingPoint.objects.filter(code="samur").update(name_az="Samur")
    CrossingPoint.objects.filter(code="red-bridge").update(name_az="Qırmızı Körpü")
    CrossingPoint.objects.filter(code="astara").update(name_az="Astara gömrük-keçid məntəqəsi")


def test_loading_the_reference_data_again_mends_the_names_loaded_before(world: World) -> None:
    _as_loaded_before()
    crossing_points_load_defaults()
    names = _names()
    assert names["samur"] == LAND["samur"]
    assert names["red-bridge"] == LAND["red-bridge"]
    assert names["astara"][0] == "Astara gömrük-keçid məntəqəsi"  # the administrator's


def test_the_migration_mends_the_names_loaded_before(world: World) -> None:
    _as_loaded_before()
    migration = importlib.import_module(
        "umis.border.migrations.0005_land_crossings_name_their_country"
    )
    migration.land_crossings_name_their_country(apps, None)
    names = _names()
    assert names["samur"] == LAND["samur"]
    assert names["red-bridge"] == LAND["red-bridge"]
    assert names["astara"][0] == "Astara gömrük-keçid məntəqəsi"
