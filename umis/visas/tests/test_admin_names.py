"""The admin names a nationality eligible for the e-visa by its country and the day it
applies from, in the reader's language, not «EligibleNationality object (1)»."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from umis.core.testing import World
from umis.visas.models import EligibleNationality

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "question"),
    [
        (
            "ru",
            'Вы уверены, что хотите удалить гражданство, дающее право на э-визу "NZ, с '
            '01.05.2020"? Все следующие связанные объекты также будут удалены:',
        ),
        (
            "az",
            'Elektron viza verilə bilən vətəndaşlıq "NZ, 01.05.2020 tarixindən" obyektini '
            "silməkdə əminsiniz? Ona bağlı olan aşağıdakı obyektlər də silinəcək:",
        ),
    ],
)
def test_the_deletion_question_names_the_country_and_the_day(
    world: World, language: str, question: str
) -> None:
    row = EligibleNationality.objects.create(country_code="NZ", valid_from=dt.date(2020, 5, 1))
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"
    page = client.get(f"{prefix}/admin/visas/eligiblenationality/{row.pk}/delete/")
    text = page.content.decode().split('id="content"', 1)[1].split("<p>", 1)[1]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text.split("</p>", 1)[0]))
    assert html.unescape(text).strip() == question
