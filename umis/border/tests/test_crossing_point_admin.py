"""A land crossing point an administrator adds or edits names its neighbouring country in
every language, as the loaded ones do ("Qırmızı Körpü (Gürcüstan)"); a name that already
ends in brackets is the administrator's and stays, and so does a name not edited."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from umis.audit.models import AuditEvent
from umis.border.models import CrossingPoint
from umis.core.testing import World
from umis.reference.models import Region

pytestmark = pytest.mark.django_db


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _form(**values: Any) -> dict[str, Any]:
    form = {
        "code": "lagodekhi",
        "kind": "land",
        "region": Region.objects.get(code="ganja").pk,
        "country": "GE",
        "name_az": "Lagodexi",
        "name_en": "Lagodekhi",
        "name_ru": "Лагодехи",
        "active": "on",
    }
    form.update(values)
    return form


def _names(code: str) -> tuple[str, str, str]:
    point = CrossingPoint.objects.get(code=code)
    return point.name_az, point.name_en, point.name_ru


def test_a_land_crossing_added_in_the_admin_names_its_neighbouring_country(
    world: World,
) -> None:
    response = _admin(world).post("/admin/border/crossingpoint/add/", _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _names("lagodekhi") == (
        "Lagodexi (Gürcüstan)",
        "Lagodekhi (Georgia)",
        "Лагодехи (Грузия)",
    )
    event = AuditEvent.objects.get(
        action="ADMIN_RECORD_CREATED", entity_type="border.crossingpoint"
    )
    assert event.actor_id == world.admin.pk


def test_the_country_is_named_as_the_loaded_crossings_name_it(world: World) -> None:
    """Russia and Iran by their short names, as on "Samur (Rusiya)", not the ISO ones."""
    _admin(world).post(
        "/admin/border/crossingpoint/add/",
        _form(code="yalama", country="RU", name_az="Yalama", name_en="Yalama", name_ru="Ялама"),
    )
    assert _names("yalama") == ("Yalama (Rusiya)", "Yalama (Russia)", "Ялама (Россия)")


def test_a_name_that_already_says_it_in_brackets_is_kept(world: World) -> None:
    _admin(world).post(
        "/admin/border/crossingpoint/add/",
        _form(name_az="Lagodexi (Gürcüstan)", name_en="Lagodekhi (Kakheti, Georgia)"),
    )
    assert _names("lagodekhi") == (
        "Lagodexi (Gürcüstan)",
        "Lagodekhi (Kakheti, Georgia)",
        "Лагодехи (Грузия)",
    )


def test_editing_fills_only_the_names_typed_and_follows_a_change_of_country(
    world: World,
) -> None:
    client = _admin(world)
    client.post("/admin/border/crossingpoint/add/", _form())
    point = CrossingPoint.objects.get(code="lagodekhi")
    change = f"/admin/border/crossingpoint/{point.pk}/change/"

    # the administrator chose an Azerbaijani name without the country: kept while not edited
    CrossingPoint.objects.filter(pk=point.pk).update(name_az="Lagodexi gömrük-keçid məntəqəsi")
    response = client.post(
        change,
        _form(
            name_az="Lagodexi gömrük-keçid məntəqəsi",
            name_en="Lagodekhi (Georgia)",
            name_ru="Лагодехи-2",
            active="",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _names("lagodekhi") == (
        "Lagodexi gömrük-keçid məntəqəsi",
        "Lagodekhi (Georgia)",
        "Лагодехи-2 (Грузия)",
    )

    # the neighbour was wrong: the country in brackets follows, the chosen name is left
    client.post(
        change,
        _form(
            country="AM",
            name_az="Lagodexi gömrük-keçid məntəqəsi",
            name_en="Lagodekhi (Georgia)",
            name_ru="Лагодехи-2 (Грузия)",
        ),
    )
    assert _names("lagodekhi") == (
        "Lagodexi gömrük-keçid məntəqəsi (Ermənistan)",
        "Lagodekhi (Armenia)",
        "Лагодехи-2 (Армения)",
    )


def _error_beside_country(html: str) -> str:
    row = html.split("field-country", 1)[1].split("field-name_az", 1)[0]
    return row.split('class="errorlist', 1)[1].split("</ul>", 1)[0]


def test_a_land_crossing_needs_its_country_and_an_airport_has_none(world: World) -> None:
    client = _admin(world)
    response = client.post("/admin/border/crossingpoint/add/", _form(country=""))
    assert response.status_code == 200
    assert "Quru sərhəd keçid məntəqəsi qonşu ölkəni göstərir." in _error_beside_country(
        response.content.decode()
    )
    response = client.post(
        "/ru/admin/border/crossingpoint/add/",
        _form(code="nakhchivan", kind="air", country="TR", name_en="Nakhchivan Airport"),
    )
    assert response.status_code == 200
    assert "У аэропорта или морского порта нет соседней страны." in _error_beside_country(
        response.content.decode()
    )
    assert not CrossingPoint.objects.filter(code__in=["lagodekhi", "nakhchivan"]).exists()
    assert not AuditEvent.objects.filter(entity_type="border.crossingpoint").exists()


def test_the_loaded_land_crossings_know_their_country(world: World) -> None:
    countries = dict(CrossingPoint.objects.filter(kind="land").values_list("code", "country_id"))
    assert countries == {"samur": "RU", "red-bridge": "GE", "astara": "IR"}


def test_the_migration_sets_the_countries_of_the_land_crossings_loaded_before(
    world: World,
) -> None:
    CrossingPoint.objects.update(country=None)
    CrossingPoint.objects.filter(code="astara").update(country_id="AM")  # an administrator's
    migration = importlib.import_module(
        "umis.border.migrations.0007_crossing_points_name_their_neighbour"
    )
    migration.land_crossings_know_their_neighbour(apps, None)
    countries = dict(CrossingPoint.objects.values_list("code", "country_id"))
    assert countries == {
        "gyd": None,
        "gnj": None,
        "baku-port": None,
        "samur": "RU",
        "red-bridge": "GE",
        "astara": "AM",
    }
    assert _names("samur") == ("Samur (Rusiya)", "Samur (Russia)", "Самур (Россия)")
