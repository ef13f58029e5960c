"""The public e-visa form: sex, nationality and the passport's issuing state are chosen from
lists, for every traveller of a group, in the page's language and its order."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from umis.payments.models import PaymentOrder
from umis.visas.models import VisaApplication
from umis.visas.testing import application, photo_png, traveller
from umis.visas.tests.conftest import Agency

pytestmark = pytest.mark.django_db


def _select(page: str, name: str) -> list[tuple[str, str, bool]]:
    """The options of a select: (value, text, selected), the empty one left out."""
    assert f'<input id="id_{name}"' not in page
    body = page.split(f'<select id="id_{name}" name="{name}"', 1)[1].split("</select>", 1)[0]
    return [
        (value, text, bool(selected))
        for value, selected, text in re.findall(
            r'<option value="([^"]+)"( selected)?>([^<]+)</option>', body
        )
    ]


def _form(prefix: str = "", **overrides: object) -> dict[str, object]:
    person = {f"{prefix}{k}": v for k, v in traveller(**overrides).items() if k != "photo"}
    return {**person, f"{prefix}photo": SimpleUploadedFile("me.png", photo_png(), "image/png")}


def _trip(**overrides: object) -> dict[str, object]:
    return {k: v for k, v in application(**overrides).items() if k != "applicants"}


@pytest.mark.parametrize(
    ("prefix", "sex", "germany", "afghanistan"),
    [
        ("", ["Kişi", "Qadın", "Göstərilməyib"], "Almaniya", "Əfqanıstan"),
        ("/ru", ["Мужской", "Женский", "Не указан"], "Германия", "Афганистан"),
    ],
)
def test_every_traveller_chooses_sex_nationality_and_issuing_state_from_lists(
    client: Client,
    agency: Agency,
    prefix: str,
    sex: list[str],
    germany: str,
    afghanistan: str,
) -> None:
    page = client.get(f"{prefix}/evisa/apply/?travellers=2").content.decode()
    for p in ("", "t2-"):
        assert [(v, t) for v, t, _s in _select(page, f"{p}sex")] == list(
            zip(["M", "F", "X"], sex, strict=True)
        )
        nationalities = [t for _v, t, _s in _select(page, f"{p}nationality")]
        issuers = [t for _v, t, _s in _select(page, f"{p}issuing_state")]
        # only the nationalities that may apply; any state may have issued the passport
        assert germany in nationalities and afghanistan not in nationalities
        assert germany in issuers and afghanistan in issuers
        assert not [n for n in nationalities if n not in issuers]  # no status is eligible
        assert len(issuers) > len(nationalities) > 50
    assert "(M, F" not in page and "код страны" not in page and "ölkə kodu" not in page


def test_the_lists_are_in_the_order_of_the_pages_language(client: Client, agency: Agency) -> None:
    az = [t for _v, t, _s in _select(client.get("/evisa/apply/").content.decode(), "nationality")]
    assert az.index("Çexiya") < az.index("Danimarka") < az.index("Estoniya")
    ru = client.get("/ru/evisa/apply/").content.decode()
    issuers = [t for _v, t, _s in _select(ru, "issuing_state")]
    assert issuers.index("Австрия") < issuers.index("Германия") < issuers.index("Япония")


def test_a_group_chosen_from_the_lists_applies(client: Client, agency: Agency) -> None:
    form = {
        **_trip(),
        **_form(),
        **_form("t2-", given_names="Paul", document_number="C01X00T55", sex="M"),
        "travellers": "2",
    }
    form |= {"issuing_state": "DE", "t2-issuing_state": "DE"}  # the lists' values
    response = client.post("/evisa/apply/?travellers=2", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    apps = VisaApplication.objects.select_related("person", "travel_document").order_by("case_id")
    assert [
        (a.person.sex, a.person.nationality_id, a.travel_document.issuing_state_id) for a in apps
    ] == [
        ("F", "DE", "DE"),
        ("M", "DE", "DE"),
    ]


def test_a_form_shown_again_keeps_every_travellers_choices(client: Client, agency: Agency) -> None:
    form = {
        **_trip(stay_days="31"),
        **_form(nationality="FR", issuing_state="FR", sex="X"),
        **_form("t2-", document_number="C01X00T55", sex="M"),
        "travellers": "2",
    }
    response = client.post("/en/evisa/apply/?travellers=2", form)
    assert response.status_code == 422
    page = response.content.decode()
    chosen = {
        name: [(v, t) for v, t, selected in _select(page, name) if selected]
        for name in ("sex", "nationality", "issuing_state", "t2-sex", "t2-nationality")
    }
    assert chosen == {
        "sex": [("X", "Unspecified")],
        "nationality": [("FR", "France")],
        "issuing_state": [("FR", "France")],
        "t2-sex": [("M", "Male")],
        "t2-nationality": [("DE", "Germany")],
    }


def test_a_nationality_not_in_the_list_is_refused_with_the_reason(
    client: Client, agency: Agency
) -> None:
    form = {
        **_trip(),
        **_form(),
        **_form("t2-", document_number="C01X00T55", nationality="AF", issuing_state="AF"),
        "travellers": "2",
    }
    response = client.post("/en/evisa/apply/?travellers=2", form)
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="error_t2-nationality"', 1)[1].split("</p>", 1)[0]
    assert "Citizens of Afghanistan cannot apply for an e-visa; apply at a consulate." in error
    assert not VisaApplication.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_a_name_with_digits_is_refused_beside_the_field(client: Client, agency: Agency) -> None:
    response = client.post("/en/evisa/apply/", {**_trip(), **_form(surname="Müller123")})
    assert response.status_code == 422
    page = response.content.decode()
    error = page.split('id="error_surname"', 1)[1].split("</p>", 1)[0]
    assert "“1” cannot be part of a name: use letters, spaces, hyphens, apostrophes" in error
    assert not VisaApplication.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_markup_in_a_name_is_refused_through_the_api(client: Client, agency: Agency) -> None:
    response = client.post(
        "/api/v1/evisa/applications",
        data=application(traveller(), traveller(given_names="<b>x</b>")),
        content_type="application/json",
        headers={"X-API-Key": agency.key, "Accept-Language": "ru"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("name_character", "applicants[1].given_names")
    assert error["message"].startswith("В имени не может быть символа «<»")
    assert not VisaApplication.objects.exists()
