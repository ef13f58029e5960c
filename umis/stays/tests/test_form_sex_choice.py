"""A sex value the form does not offer is refused naming the choices as the form shows them."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.core.testing import World, guest
from umis.stays.testing import counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Choose Male (M), Female (F) or Unspecified (X)."),
        ("", "Kişi (M), Qadın (F) və ya Göstərilməyib (X) seçin."),
        ("ru", "Выберите: мужской (M), женский (F) или не указан (X)."),
    ],
)
def test_an_unknown_sex_is_refused_naming_the_choices_shown(
    world: World, client: Client, lang: str, message: str
) -> None:
    client.force_login(world.harry)
    prefix = f"/{lang}" if lang else ""
    response = client.post(f"{prefix}/host/register/", guest(sex="Q"))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert counts() == (0, 0, 0, 0)
