"""The public verification page of an e-visa: its type and the stay it allows, as sealed."""

from __future__ import annotations

import pytest
from django.test import Client

from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.documents.tests.test_verify_page import facts
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_evisa import _apply_and_pay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "kind", "stay"),
    [
        (
            "/en",
            "<dt>Type</dt><dd",
            '<dt>Duration of stay</dt><dd id="stay-days">up to 14 days</dd>',
        ),
        ("", "<dt>Növ</dt><dd", '<dt>Qalma müddəti</dt><dd id="stay-days">14 günədək</dd>'),
        ("/ru", "<dt>Тип</dt><dd", '<dt>Срок пребывания</dt><dd id="stay-days">до 14 дней</dd>'),
    ],
)
def test_an_e_visa_shows_its_type_and_the_stay_it_allows(
    client: Client, agency: Agency, lang: str, kind: str, stay: str
) -> None:
    [app] = _apply_and_pay(client, agency)
    document = IssuedDocument.objects.get(case=app.case)
    code = document_verify_code(document)
    shown = facts(client.get(f"{lang}/verify/{code}").content.decode())
    label = {
        "/en": "Electronic visa, single entry",
        "": "Elektron viza, birdəfəlik giriş",
        "/ru": "Электронная виза, однократный въезд",
    }[lang]
    assert f'{kind} id="doc-kind" data-kind="evisa">{label}</dd>' in shown
    assert stay in shown
    verdict = client.get(f"/api/v1/documents/verify/{code}").json()
    assert (verdict["kind"], verdict["entries"], verdict["stay_days"]) == ("evisa", 1, 14)
