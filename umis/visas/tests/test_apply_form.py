"""The public e-visa form: sex, nationality and the passport's issuing state are chosen from
lists, for every traveller of a group, in the page's language and its order."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from umis.core.testing import descriptions_missing, field_tag
from umis.core.text import collation_key
from umis.payments.models import PaymentOrder
from umis.visas.models import VisaApplication
from umis.visas.photo import photo_clean
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

    regions = [t for _v, t, _s in _select(ru, "region")]
    assert regions.index("Апшеронский район") < regions.index("город Баку")
    assert regions == sorted(regions, key=lambda n: collation_key(n, "ru"))


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
    assert (error["code"], error["field"]) == ("name_character", "applicants.1.given_names")
    assert error["message"].startswith("В имени не может быть символа «<»")
    assert not VisaApplication.objects.exists()


def _value(page: str, name: str) -> str | None:
    """The value an input is shown with, None when the page has no such input."""
    match = re.search(
        rf'<input id="id_{re.escape(name)}" name="{re.escape(name)}" value="([^"]*)"', page
    )
    return match.group(1) if match else None


def test_changing_the_number_of_travellers_keeps_what_was_typed(
    client: Client, agency: Agency
) -> None:
    typed = {
        "travellers": "1",
        "surname": "Müller",
        "given_names": "Anna",
        "email": "anna@example.org",
        "city": "Bakı",
        "group_size": "3",
        "resize": "1",
    }
    response = client.post("/en/evisa/apply/", typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert (_value(page, "surname"), _value(page, "given_names")) == ("Müller", "Anna")
    assert (_value(page, "email"), _value(page, "city")) == ("anna@example.org", "Bakı")
    assert (_value(page, "t2-surname"), _value(page, "t3-surname")) == ("", "")
    assert '<input type="hidden" name="travellers" value="3">' in page
    assert '<option value="3" selected>3</option>' in page
    assert 'id="form-errors"' not in page and 'id="group-size-changed"' not in page
    assert not VisaApplication.objects.exists()


def test_fewer_travellers_keep_the_remaining_ones_and_drop_the_last(
    client: Client, agency: Agency, settings: Settings
) -> None:
    typed = {
        **_trip(),
        **_form(),
        **_form("t2-", given_names="Paul", document_number="C01X00T55"),
        **_form("t3-", given_names="Eva", document_number="C01X00T63"),
        "travellers": "3",
        "group_size": "2",
        "resize": "1",
    }
    page = client.post("/en/evisa/apply/", typed).content.decode()
    assert _value(page, "t2-given_names") == "Paul"
    assert _value(page, "t2-document_number") == "C01X00T55"
    assert _value(page, "t3-given_names") is None
    # a browser sends a chosen file once: each remaining traveller's photo is kept, the
    # removed traveller's is not
    for name in ("photo", "t2-photo"):
        assert (
            f'<p class="hint" id="kept_{name}" role="status">Photo kept: me.png. Choose another '
            "file only to replace it.</p>"
        ) in page
    assert 'name="t3-photo' not in page and "Choose the photo again" not in page
    assert len(list((settings.VAR_DIR / "pending-photos").iterdir())) == 2
    assert not VisaApplication.objects.exists()


def _kept_tokens(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="((?:t\d+-)?photo)_kept" value="([^"]+)"', page))


def test_a_kept_photo_stays_with_its_traveller_when_one_is_added_or_removed(
    client: Client, agency: Agency, settings: Settings
) -> None:
    """Photos kept across an error stay with their travellers when the number changes: only
    the new traveller's photo is asked for, and a removed traveller's is deleted at once."""
    directory = settings.VAR_DIR / "pending-photos"
    two = {
        **_trip(stay_days="31"),  # refused: both photos are kept
        **_form(),
        **_form("t2-", given_names="Paul", document_number="C01X00T55"),
        "travellers": "2",
        "group_size": "2",
    }
    page = client.post("/en/evisa/apply/", two).content.decode()
    kept = _kept_tokens(page)
    assert set(kept) == {"photo", "t2-photo"}

    # a third traveller is added: the two photos stay, the third is asked for
    three = {
        **{k: v for k, v in two.items() if not k.endswith("photo")},
        "photo_kept": kept["photo"],
        "t2-photo_kept": kept["t2-photo"],
        "group_size": "3",
        "resize": "1",
    }
    response = client.post("/en/evisa/apply/", three)
    assert response.status_code == 200
    page = response.content.decode()
    assert _kept_tokens(page) == kept
    assert 'id="kept_t3-photo"' not in page and "Choose the photo again" not in page
    assert 'name="t3-photo" accept="image/jpeg,image/png" aria-required="true"' in page

    # back to one traveller: the second's photo is removed from the disk at once
    one = {**three, "travellers": "3", "group_size": "1"}
    page = client.post("/en/evisa/apply/", one).content.decode()
    assert _kept_tokens(page) == {"photo": kept["photo"]}
    assert len(list(directory.iterdir())) == 1

    # and the application is sent without choosing the first photo again
    sent = {
        **{k: v for k, v in one.items() if not k.startswith("t2-")},
        "stay_days": "10",
        "travellers": "1",
        "group_size": "1",
    }
    sent.pop("resize")
    response = client.post("/en/evisa/apply/", sent)
    assert response.status_code == 302
    assert bytes(VisaApplication.objects.get().photo) == photo_clean(photo_png())
    assert list(directory.iterdir()) == []


def test_a_form_sent_with_another_number_of_travellers_chosen_is_not_submitted(
    client: Client, agency: Agency
) -> None:
    # the list changed to 1, then "Apply and pay" (not "Change"): the second traveller is not
    # dropped unseen; the form comes back to be checked
    form = {
        **_trip(),
        **_form(),
        **_form("t2-", given_names="Paul", document_number="C01X00T55"),
        "travellers": "2",
        "group_size": "1",
    }
    response = client.post("/evisa/apply/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        '<p class="alert warn" role="alert" id="group-size-changed">Müraciət göndərilmədi: '
        "səyahətçilərin sayı 1 olaraq dəyişdirildi."
    ) in page
    assert _value(page, "surname") == "Müller" and _value(page, "t2-surname") is None
    assert not VisaApplication.objects.exists()
    assert not PaymentOrder.objects.exists()


def test_each_error_is_read_with_its_field_and_its_hint(client: Client, agency: Agency) -> None:
    form = {**_trip(), **_form(surname="Müller123"), "mrz": "P<D<<"}
    form["photo"] = SimpleUploadedFile("me.png", b"not a picture", "image/png")
    response = client.post("/en/evisa/apply/", form)
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("surname", "mrz", "photo"):
        tag = field_tag(page, f"id_{field}")
        assert f'aria-describedby="error_{field}"' in tag, tag
        assert 'aria-invalid="true"' in tag, tag
        assert f'id="error_{field}"' in page
    assert descriptions_missing(page) == []
    assert not VisaApplication.objects.exists()
