"""ICAO Doc 9303 machine-readable zones: specimens, every check digit, composition."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umis.people import mrz

TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
MRVB = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")


def test_check_digits_follow_the_7_3_1_rule() -> None:
    assert mrz.check_digit("L898902C3") == 6
    assert mrz.check_digit("740812") == 2
    assert mrz.check_digit("120415") == 9
    assert mrz.check_digit("<<<<<<") == 0


def test_the_icao_passport_specimen() -> None:
    doc = mrz.parse_mrz(TD3)
    assert (doc.format, doc.document_type, doc.issuing_state) == ("TD3", "passport", "UTO")
    assert (doc.surname, doc.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (doc.document_number, doc.nationality, doc.sex) == ("L898902C3", "UTO", "F")
    assert doc.birth_date == dt.date(1974, 8, 12)
    assert doc.expiry_date == dt.date(2012, 4, 15)
    assert doc.optional_data == "ZE184226B"
    assert [c.name for c in doc.checks] == [
        "document_number",
        "birth_date",
        "expiry_date",
        "optional_data",
        "composite",
    ]
    assert doc.valid


def test_the_icao_id_card_specimens() -> None:
    td1 = mrz.parse_mrz(TD1)
    assert (td1.format, td1.document_type, td1.document_number, td1.surname) == (
        "TD1",
        "id_card",
        "D23145890",
        "ERIKSSON",
    )
    assert td1.valid
    td2 = mrz.parse_mrz(TD2)
    assert (td2.format, td2.document_number, td2.given_names) == ("TD2", "D23145890", "ANNA MARIA")
    assert td2.valid


def test_the_icao_visa_specimen() -> None:
    doc = mrz.parse_mrz(MRVB)
    assert (doc.format, doc.document_type, doc.document_number) == ("MRVB", "visa", "L8988901C")
    assert doc.birth_date == dt.date(1940, 9, 7)
    assert doc.expiry_date == dt.date(1996, 12, 10)  # not 2096: long expired
    assert doc.valid


@pytest.mark.parametrize(
    ("nationality", "document_type"),
    [
        ("XXA", "travel_document"),  # 1954 Convention: a stateless person's
        ("XXB", "travel_document"),  # 1951 Convention: a refugee's
        ("XXC", "travel_document"),  # a refugee's under another instrument
        ("XXX", "passport"),  # unspecified nationality: a passport like any other
    ],
)
def test_a_convention_travel_document_names_the_status_as_nationality(
    nationality: str, document_type: str
) -> None:
    """A stateless person's or a refugee's travel document: a state issues it with the
    document code P, and the nationality is the ICAO code of the holder's status."""
    lines = mrz.compose_td3(
        issuing_state="DEU",
        surname="NASSER",
        given_names="OMAR",
        document_number="T22000129",
        nationality=nationality,
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 5, 1),
    )
    doc = mrz.parse_mrz(lines)
    assert (doc.format, doc.document_type, doc.issuing_state, doc.nationality) == (
        "TD3",
        document_type,
        "DEU",
        nationality,
    )
    assert (doc.document_code, doc.valid) == ("P", True)


def test_a_stateless_holders_id_card_stays_an_id_card() -> None:
    lines = mrz.compose_td1(
        issuing_state="DEU",
        surname="NASSER",
        given_names="OMAR",
        document_number="T22000129",
        nationality="XXA",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 5, 1),
    )
    assert mrz.parse_mrz(lines).document_type == "id_card"


@pytest.mark.parametrize(
    ("compose", "fmt", "width"), [(mrz.compose_mrv_a, "MRVA", 44), (mrz.compose_mrv_b, "MRVB", 36)]
)
def test_a_visa_is_read_as_a_visa_whatever_its_size(compose: Any, fmt: str, width: int) -> None:
    """MRV-A has the size of a passport's zone and MRV-B of a TD2 card's: the document
    code V tells them apart from travel documents."""
    lines = compose(
        issuing_state="AZE",
        surname="HUSEYNOV",
        given_names="RASAD",
        document_number="VA0012345",
        nationality="TUR",
        birth_date=dt.date(1985, 3, 14),
        sex="M",
        expiry_date=dt.date(2031, 5, 1),
    )
    assert [len(line) for line in lines] == [width, width]
    doc = mrz.parse_mrz(lines)
    assert (doc.format, doc.document_code, doc.document_type) == (fmt, "V", "visa")
    assert (doc.document_number, doc.issuing_state, doc.nationality) == ("VA0012345", "AZE", "TUR")
    assert doc.valid


@pytest.mark.parametrize(
    ("position", "name"),
    [
        (9, "document_number"),
        (19, "birth_date"),
        (27, "expiry_date"),
        (42, "optional_data"),
        (43, "composite"),
    ],
)
def test_each_wrong_check_digit_is_named(position: int, name: str) -> None:
    line2 = TD3[1]
    wrong = str((int(line2[position]) + 1) % 10)
    doc = mrz.parse_mrz((TD3[0], line2[:position] + wrong + line2[position + 1 :]))
    failed = [c for c in doc.checks if not c.valid]
    assert failed[0].name == name
    assert failed[0].found == wrong
    assert failed[0].expected == line2[position]
    assert not doc.valid


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (["P<UTOERIKSSON"], "mrz_line_count"),
        (["P<UTO", "L898902C36"], "mrz_line_length"),
        ([TD3[0], TD3[1][:40]], "mrz_line_length"),
        ([TD3[0].replace("E", "é", 1), TD3[1]], "mrz_characters"),
    ],
)
def test_unusable_input_is_refused_with_a_code(lines: list[str], code: str) -> None:
    with pytest.raises(mrz.MrzError) as raised:
        mrz.parse_mrz(lines)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Məmmədov", "MAMMADOV"),
        ("Hüseynov", "HUESEYNOV"),
        ("Çələbi", "CALABI"),
        ("Гусейнов", "GUSEINOV"),
        ("Щукин", "SHCHUKIN"),
        ("Ağayev", "AGAYEV"),
        ("İsmayılov", "ISMAYILOV"),
        ("O'Brien", "O<BRIEN"),
        ("Anna-Maria", "ANNA<MARIA"),
    ],
)
def test_names_are_transliterated_per_doc_9303_part_3(name: str, expected: str) -> None:
    assert mrz.mrz_name(name) == expected


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZƏÜÖŞÇĞİ", min_size=1, max_size=12)
numbers = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=9)
# an expiry is read within 50 years ahead (a later year is taken for the past century)
_YEAR = dt.date.today().year
dates = st.dates(min_value=dt.date(_YEAR - 49, 1, 1), max_value=dt.date(_YEAR + 50, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    surname=names,
    given_names=names,
    number=numbers,
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
    expiry=dates,
    sex=st.sampled_from("MFX"),
)
def test_composed_zones_read_back_with_valid_digits(
    surname: str, given_names: str, number: str, birth: dt.date, expiry: dt.date, sex: str
) -> None:
    fields = {
        "issuing_state": "AZE",
        "surname": surname,
        "given_names": given_names,
        "document_number": number,
        "nationality": "AZE",
        "birth_date": birth,
        "sex": sex,
        "expiry_date": expiry,
    }
    for compose in (
        mrz.compose_td3,
        mrz.compose_td2,
        mrz.compose_td1,
        mrz.compose_mrv_a,
        mrz.compose_mrv_b,
    ):
        doc = mrz.parse_mrz(compose(**fields))
        assert doc.valid, (compose.__name__, doc.checks)
        assert doc.document_number == number
        assert doc.expiry_date == expiry
        assert doc.surname == mrz.mrz_name(surname)[: len(doc.surname)].replace("<", " ")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=50), min_size=0, max_size=4))
def test_arbitrary_text_only_ever_raises_mrz_error(lines: list[str]) -> None:
    try:
        mrz.parse_mrz(lines)
    except mrz.MrzError:
        pass


def test_a_long_name_fits_the_widest_name_field() -> None:
    name = mrz.mrz_name("Щедрина Щукина Щербакова Щеглова Щорсовна Щапова")
    assert len(name) <= mrz.MRZ_NAME_MAX
    assert name.startswith("SHCHEDRINA<SHCHUKINA<") and not name.endswith("<")


@pytest.mark.parametrize("zone", [TD3, TD1, TD2])
def test_a_zone_sent_without_line_breaks_is_read_as_its_lines(zone: tuple[str, ...]) -> None:
    """A scanner that sends no line break gives the zone as one run of 88, 72 or 90
    characters; a space a keyboard wedge put in is dropped."""
    assert mrz.split_mrz_text("".join(zone)) == list(zone)
    assert mrz.split_mrz_text(" ".join(zone) + "\r\n") == list(zone)
    assert mrz.split_mrz_text("\n".join(zone)) == list(zone)
    assert mrz.split_mrz_text("".join(zone)[:-1]) == ["".join(zone)[:-1]]  # not a zone's width
