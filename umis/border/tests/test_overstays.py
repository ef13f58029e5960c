"""The daily overstay job, the officers' list and its exports, the person's time line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from umis.accounts.models import User
from umis.audit.models import AuditEvent
from umis.border import overstays
from umis.border.imports import crossings_import
from umis.border.jobs import overstays_daily
from umis.border.models import Crossing, DetectionRun, ImportRun, OverstayFinding
from umis.border.overstays import overstays_detect
from umis.border.selectors import person_stay_compute
from umis.border.tests.factories import at_day, border_key, event, send
from umis.core import clock
from umis.core.testing import World, guest, workbook_rows
from umis.people.models import Person, TravelDocument

pytestmark = pytest.mark.django_db


def person_of(number: str) -> int:
    return TravelDocument.objects.get(number=number).person_id


def setup_people(client: Client, today: dt.date) -> None:
    """An overstayer (95 days, Turkish, entered at the airport: Baku office), one registered
    in Shaki who overstays, a recent arrival, one who left, and a Kazakh with 30 days to register."""
    key = border_key()
    send(
        client,
        key,
        [
            event(document_number="OVER1", timestamp=at_day(today - dt.timedelta(days=94))),
            event(document_number="OVER2", timestamp=at_day(today - dt.timedelta(days=200))),
            event(document_number="NEW1", timestamp=at_day(today - dt.timedelta(days=3))),
            event(document_number="GONE1", timestamp=at_day(today - dt.timedelta(days=120))),
            event(
                document_number="GONE1",
                direction="exit",
                timestamp=at_day(today - dt.timedelta(days=10)),
            ),
            event(
                document_number="KZ1",
                nationality="KZ",
                issuing_state="KAZ",
                timestamp=at_day(today - dt.timedelta(days=20)),
            ),
        ],
    )


def test_the_job_finds_overstays_and_missed_registrations(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    # OVER2 registered in Shaki a long time ago: the finding goes to the Shaki office
    reg = guest(
        surname="Öztürk",
        given_names="Mehmet",
        birth_date="1980-05-01",
        document_number="OVER2",
        region="shaki",
        arrival_date=(today - dt.timedelta(days=1)).isoformat(),
    )
    response = client.post(
        "/api/v1/stay-registrations",
        json.dumps(reg),
        "application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 201, response.content

    summary = overstays_detect(on=today)
    assert summary["inside"] == 4
    findings = {(f.person_id, f.kind): f for f in OverstayFinding.objects.select_related("office")}
    over1 = findings[(person_of("OVER1"), "overstay")]
    assert over1.days_over == 5
    assert over1.last_legal_day == today - dt.timedelta(days=5)
    assert over1.proposal == "fine"
    assert over1.office.code == "baku"  # the airport's region
    over2 = findings[(person_of("OVER2"), "overstay")]
    assert over2.days_over == 111
    assert over2.proposal == "enforcement"
    assert over2.office.code == "shaki"  # where the person is registered
    # missed registration: OVER1 (no registration, 15 days passed); OVER2 registered late
    # but registered; NEW1 still has time; KZ1 has 30 days
    missed = {pid for pid, kind in findings if kind == "missed_registration"}
    assert missed == {person_of("OVER1")}
    assert (person_of("GONE1"), "overstay") not in findings
    opened = AuditEvent.objects.filter(action="OVERSTAY_FINDING_OPENED")
    assert sorted(
        (a.entity_type, a.entity_id, a.person_id, a.data["kind"]) for a in opened
    ) == sorted(
        ("border.overstayfinding", str(f.pk), f.person_id, f.kind) for f in findings.values()
    )
    assert {a.data["proposal"] for a in opened if a.entity_id == str(over2.pk)} == {"enforcement"}

    # idempotent: a rerun the next day refreshes the figures and opens nothing new
    again = overstays_detect(on=today + dt.timedelta(days=1))
    assert again["opened"] == 0
    assert OverstayFinding.objects.count() == 3
    assert AuditEvent.objects.filter(action="OVERSTAY_FINDING_OPENED").count() == 3
    over1.refresh_from_db()
    assert over1.days_over == 6


def test_findings_and_their_audit_rows_are_stored_together_or_not_at_all(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = clock.today()
    setup_people(client, today)

    def audit_down(**_kwargs: object) -> None:
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(overstays, "audit_record_many", audit_down)
    with pytest.raises(DatabaseError):
        overstays_detect(on=today)
    assert OverstayFinding.objects.count() == 0
    assert not DetectionRun.objects.exists()

    monkeypatch.undo()  # OVER1 and OVER2: overstay and missed registration each
    assert overstays_detect(on=today)["opened"] == 4
    assert AuditEvent.objects.filter(action="OVERSTAY_FINDING_OPENED").count() == 4


def test_the_periodic_job_runs_once_a_day(world: World, client: Client) -> None:
    setup_people(client, clock.today())
    assert "overstays" in (overstays_daily() or "")
    assert overstays_daily() is None
    assert DetectionRun.objects.count() == 1


def test_the_command_prints_the_summary(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    out = StringIO()
    call_command("overstays", "--on", today.isoformat(), stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["overstays"] == 2


@pytest.mark.parametrize("typed", ["20261122", "2026-W47-7"])
def test_the_command_refuses_a_day_not_written_yyyy_mm_dd(world: World, typed: str) -> None:
    with pytest.raises(CommandError, match="enter a date as YYYY-MM-DD"):
        call_command("overstays", "--on", typed, stdout=StringIO())
    assert not DetectionRun.objects.exists()


def login(client: Client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


def test_the_list_shows_the_officers_office_only(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "alice")  # Baku
    html = client.get("/en/office/overstays/").content.decode()
    assert "Öztürk" in html
    assert html.count('data-kind="overstay"') == 2  # OVER1, OVER2 (both entered at gyd)
    filtered = client.get("/en/office/overstays/?kind=missed_registration").content.decode()
    assert filtered.count('data-kind="missed_registration"') == 2  # OVER1, OVER2
    assert 'data-kind="overstay"' not in filtered
    login(client, "bob")  # Shaki: none
    assert 'data-kind="' not in client.get("/en/office/overstays/").content.decode()
    client.logout()
    assert client.get("/en/office/overstays/").status_code == 302
    login(client, "harry")  # a hotel
    assert client.get("/en/office/overstays/").status_code == 404


@pytest.mark.parametrize(
    ("lang", "office", "country"),
    [
        ("/en", "Baku regional migration department", "Türkiye"),
        ("", "Bakı regional miqrasiya idarəsi", "Türkiyə"),
        ("/ru", "Бакинское региональное миграционное управление", "Турция"),
    ],
)
def test_the_list_names_the_office_and_the_nationality(
    world: World, client: Client, lang: str, office: str, country: str
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "alice")
    html = client.get(f"{lang}/office/overstays/").content.decode()
    rows = html.split('id="findings"', 1)[1].split("</tbody>", 1)[0].split("<tr>")[2:]
    assert len(rows) == 4
    for row in rows:
        assert f"<td>{office}</td>" in row
        assert f'<td class="col-nationality">{country}</td>' in row
        assert "<td>TR</td>" not in row and "<td>baku</td>" not in row


@pytest.mark.parametrize("field", ["from", "to"])
def test_an_invalid_date_filter_on_the_list_is_reported(
    world: World, client: Client, field: str
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "alice")
    response = client.get(f"/en/office/overstays/?{field}=2026-13-01")
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert "“2026-13-01” is not a date: enter it as YYYY-MM-DD." in errors
    assert 'data-kind="' not in html  # no list that looks filtered but is not
    export = client.get(f"/en/office/overstays/export.csv?{field}=2026-13-01")
    assert export.status_code == 400
    assert "is not a date" in export.content.decode()


def _nationality_select(html: str) -> str:
    return html.split('name="nationality"', 1)[1].split("</select>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "everyone", "turkey"), [("", "Hamısı", "Türkiyə"), ("/ru", "Все", "Турция")]
)
def test_the_nationality_filter_is_a_list_of_countries_with_all(
    world: World, client: Client, lang: str, everyone: str, turkey: str
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")  # head office
    html = client.get(f"{lang}/office/overstays/").content.decode()
    select = _nationality_select(html)
    assert f'<option value="" selected>{everyone}</option>' in select
    assert f'<option value="TR">{turkey}</option>' in select
    assert 'maxlength="2"' not in html
    chosen = client.get(f"{lang}/office/overstays/?nationality=TR&state=").content.decode()
    assert f'<option value="TR" selected>{turkey}</option>' in _nationality_select(chosen)
    assert chosen.count('data-kind="') == 4  # OVER1 and OVER2, overstay and registration
    kazakh = client.get(f"{lang}/office/overstays/?nationality=KZ&state=").content.decode()
    assert kazakh.count('data-kind="') == 0


@pytest.mark.parametrize("code", ["TUR", "tur", "TR"])
def test_a_nationality_in_a_three_letter_code_in_the_address_is_read(
    world: World, client: Client, code: str
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")
    response = client.get(f"/en/office/overstays/?nationality={code}&state=")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="TR" selected>Türkiye</option>' in _nationality_select(html)
    assert html.count('data-kind="') == 4


def test_an_unknown_nationality_in_the_address_is_reported_not_an_empty_list(
    world: World, client: Client
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")
    response = client.get("/ru/office/overstays/?nationality=QQQ")
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert "Гражданство: «QQQ» — не код страны: выберите гражданство из списка." in errors
    assert 'data-kind="' not in html  # no list that looks filtered but is not
    assert 'name="nationality" aria-invalid="true"' in html
    export = client.get("/en/office/overstays/export.csv?nationality=QQQ")
    assert export.status_code == 400
    assert "“QQQ” is not a country code" in export.content.decode()


def _export_csv(client: Client, url: str) -> tuple[bytes, list[list[str]]]:
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


CODE_HEADINGS = {
    "": ["Vətəndaşlıq (ISO kodu)", "Növ (kod)", "Təklif (kod)", "Vəziyyət (kod)", "İdarə (kod)"],
    "/ru": ["Гражданство (код ISO)", "Вид (код)", "Предложение (код)", "Состояние (код)"],
}


@pytest.mark.parametrize(
    ("lang", "headings", "over2"),
    [
        (
            "",
            ["Şəxsin qeyd nömrəsi", "Soyad", "Adı", "Doğum tarixi", "Vətəndaşlığı", "Növ"],
            [
                "Öztürk",
                "Mehmet",
                "1980-05-01",
                "Türkiyə",
                "Qalma müddətinin keçməsi",
                "Məcburi tədbir işi",
                "Açıq",
                "Bakı regional miqrasiya idarəsi",
            ],
        ),
        (
            "/ru",
            ["Номер записи о лице", "Фамилия", "Имя", "Дата рождения", "Гражданство", "Вид"],
            [
                "Öztürk",
                "Mehmet",
                "1980-05-01",
                "Турция",
                "Превышение срока пребывания",
                "Дело о принудительных мерах",
                "Открыто",
                "Бакинское региональное миграционное управление",
            ],
        ),
    ],
)
def test_the_csv_reads_in_the_readers_language_with_its_codes_beside(
    world: World, client: Client, lang: str, headings: list[str], over2: list[str]
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")
    body, rows = _export_csv(client, f"{lang}/office/overstays/export.csv")
    assert body.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
    # the headings and labels as the workbook has them, then the codes, for a program
    assert rows[0][:6] == headings
    assert rows[0][19 : 19 + len(CODE_HEADINGS[lang])] == CODE_HEADINGS[lang]
    assert len(rows[0]) == 25
    row = next(r for r in rows[1:] if r[0] == str(person_of("OVER2")) and r[20] == "overstay")
    assert row[1:9] == over2
    assert row[19:] == ["TR", "overstay", "enforcement", "open", "baku", "visa_free:90/180"]
    assert row[18] != "visa_free:90/180"  # the basis by name, its code at the end
    # days are ISO dates, which a spreadsheet reads in any language
    finding = OverstayFinding.objects.get(person_id=person_of("OVER2"), kind="overstay")
    assert row[9:12] == [
        finding.entry_day.isoformat(),
        finding.last_legal_day.isoformat() if finding.last_legal_day else "",
        finding.registration_due.isoformat() if finding.registration_due else "",
    ]
    assert row[13:15] == [today.isoformat(), today.isoformat()]
    _body, rows = _export_csv(client, "/en/office/overstays/export.csv?kind=overstay")
    assert rows[0][5] == "Kind" and rows[0][20] == "Kind (code)"
    assert sorted(int(r[12]) for r in rows[1:]) == [5, 111]


@pytest.mark.parametrize(
    ("lang", "headings", "over2"),
    [
        (
            "",
            [
                "Şəxsin qeyd nömrəsi",
                "Soyad",
                "Adı",
                "Doğum tarixi",
                "Vətəndaşlığı",
                "Növ",
                "Təklif",
                "Vəziyyət",
                "İdarə",
                "Giriş tarixi",
                "Son qanuni gün",
                "Qeydiyyat üçün son tarix",
                "Müddətin keçdiyi günlər",
                "İlk dəfə aşkar edilib",
                "Son dəfə aşkar edilib",
                "Qərarı verən",
                "Qərarın vaxtı",
                "Qeyd və ya əsaslandırma",
                "Hüquqi əsas",
            ],
            [
                "Türkiyə",
                "Qalma müddətinin keçməsi",
                "Məcburi tədbir işi",
                "Açıq",
                "Bakı regional miqrasiya idarəsi",
                "vizasız qalma (90/180)",
            ],
        ),
        (
            "/ru",
            [
                "Номер записи о лице",
                "Фамилия",
                "Имя",
                "Дата рождения",
                "Гражданство",
                "Вид",
                "Предложение",
                "Состояние",
                "Подразделение",
                "Дата въезда",
                "Последний законный день",
                "Срок регистрации",
                "Дней сверх срока",
                "Впервые выявлено",
                "Последний раз выявлено",
                "Решение принял",
                "Время решения",
                "Примечание или обоснование",
                "Правовое основание",
            ],
            [
                "Турция",
                "Превышение срока пребывания",
                "Дело о принудительных мерах",
                "Открыто",
                "Бакинское региональное миграционное управление",
                "безвизовое пребывание (90/180)",
            ],
        ),
    ],
)
def test_the_workbook_reads_in_the_readers_language(
    world: World, client: Client, lang: str, headings: list[str], over2: list[str]
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")
    response = client.get(f"{lang}/office/overstays/export.xlsx?kind=overstay")
    assert response.status_code == 200
    _name, rows = workbook_rows(response.content)
    assert rows[0] == headings
    assert len(rows) == 3  # the headings and two overstays
    person = f"#{person_of('OVER2')}"
    # (the cells left blank are not in the file: the legal basis is the last one)
    assert [r[1:3] + r[4:9] + r[-1:] for r in rows[1:] if r[0] == person] == [
        ["Öztürk", "Mehmet", *over2]
    ]
    codes = {"overstay", "missed_registration", "fine", "enforcement", "open", "baku", "TR"}
    assert not codes & {cell for row in rows for cell in row}


def test_an_export_is_recorded_in_the_file_of_each_person_listed(
    world: World, client: Client
) -> None:
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "hannah")
    _body, rows = _export_csv(client, "/office/overstays/export.csv")
    listed = [int(r[0]) for r in rows[1:]]
    assert sorted(set(listed)) == sorted({person_of("OVER1"), person_of("OVER2")})
    assert client.get("/office/overstays/export.xlsx?kind=overstay").status_code == 200
    summary = AuditEvent.objects.filter(action="OVERSTAY_FINDINGS_EXPORTED").order_by("id")
    assert [a.data["format"] for a in summary] == ["csv", "xlsx"]
    each = AuditEvent.objects.filter(action="OVERSTAY_FINDING_EXPORTED")
    assert sorted(a.person_id for a in each if a.data["format"] == "csv") == sorted(listed)
    assert sorted(a.person_id for a in each if a.data["format"] == "xlsx") == sorted(
        [person_of("OVER1"), person_of("OVER2")]
    )
    assert {a.actor_id for a in each} == {User.objects.get(username="hannah").pk}
    assert {a.entity_type for a in each} == {"border.overstayfinding"}


def test_the_person_page_shows_the_time_line(world: World, client: Client) -> None:
    today = clock.today()
    setup_people(client, today)
    login(client, "hannah")  # the head office: a crossing alone ties nobody to a region
    html = client.get(f"/en/office/people/{person_of('GONE1')}/?purpose=overstay").content.decode()
    assert html.count('data-kind="crossing"') == 2
    assert 'data-kind="stay"' in html
    assert "Red Bridge" not in html
    page = client.get(f"/en/office/people/{person_of('OVER1')}/?purpose=overstay").content.decode()
    assert 'data-status="overdue"' in page


@pytest.mark.parametrize(
    ("lang", "overdue", "days_over"),
    [
        ("", "müddəti keçib", "Müddətin keçdiyi günlər"),
        ("/ru", "просрочена", "Дней сверх срока"),
        ("/en", "overdue", "Days over"),
    ],
)
def test_the_registration_and_the_days_over_read_as_sentences(
    world: World, client: Client, lang: str, overdue: str, days_over: str
) -> None:
    """ "Регистрация по месту пребывания: просрочена" agrees with its noun (it said
    "просрочено", as a case is), and the days past the limit are not "days gone by"."""
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "alice")
    page = client.get(
        f"{lang}/office/people/{person_of('OVER1')}/?purpose=overstay"
    ).content.decode()
    status = page.split('data-status="overdue">', 1)[1].split("(", 1)[0]
    assert status.strip() == overdue
    listed = client.get(f"{lang}/office/overstays/").content.decode()
    assert f'<th scope="col" class="col-days">{days_over}</th>' in listed


@pytest.mark.parametrize(
    ("lang", "entered", "due"),
    [
        ("", "Giriş tarixi", "Qeydiyyat üçün son tarix"),
        ("/ru", "Дата въезда", "Срок регистрации"),
        ("/en", "Entered", "Registration due"),
    ],
)
def test_the_columns_of_dates_say_which_date(
    world: World, client: Client, lang: str, entered: str, due: str
) -> None:
    """The day of entry was headed "Въехал" (he entered), also over a woman's row, and the
    registration deadline "Qeydiyyat müddəti" (the term of a registration)."""
    today = clock.today()
    setup_people(client, today)
    overstays_detect(on=today)
    login(client, "alice")
    listed = client.get(f"{lang}/office/overstays/").content.decode()
    head, body = listed.split('id="findings"', 1)[1].split("</thead>", 1)
    assert f'<th scope="col" class="col-entered">{entered}</th>' in head
    # the day a registration was due shares its column with the last legal day, named in the cell
    assert f"<small>{due}</small>" in body.split("</table>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "entry", "exit"),
    [
        ("", "Giriş · Astara (İran) · ", "Çıxış · Heydər Əliyev Beynəlxalq Aeroportu · "),
        ("/ru", "Въезд · Астара (Иран) · ", "Выезд · Международный аэропорт Гейдар Алиев · "),
        ("/en", "Entry · Astara (Iran) · ", "Exit · Heydar Aliyev International Airport · "),
    ],
)
def test_the_time_line_names_the_crossing_points_in_the_readers_language(
    world: World, client: Client, lang: str, entry: str, exit: str
) -> None:
    today = clock.today()
    send(
        client,
        border_key(),
        [
            event(
                document_number="PT1",
                crossing_point="astara",
                timestamp=at_day(today - dt.timedelta(days=30)),
            ),
            event(
                document_number="PT1",
                direction="exit",
                timestamp=at_day(today - dt.timedelta(days=20)),
            ),
            event(
                document_number="PT1",
                crossing_point="astara",
                timestamp=at_day(today - dt.timedelta(days=5)),
            ),
        ],
    )
    login(client, "hannah")  # the head office: a crossing alone ties nobody to a region
    url = f"{lang}/office/people/{person_of('PT1')}/?purpose=overstay"
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    timeline = html.split('id="timeline">', 1)[1].split("</ol>", 1)[0]
    assert timeline.count(entry) == 2 and timeline.count(exit) == 1
    assert "· astara ·" not in timeline and "· gyd ·" not in timeline
    read_points = [
        q for q in queries.captured_queries if q["sql"].startswith('SELECT "border_crossingpoint"')
    ]
    assert len(read_points) == 1  # the names of all the crossings' points at once


CSV_FIELDS = [
    "event_id",
    "crossing_point",
    "direction",
    "timestamp",
    "document_type",
    "document_number",
    "issuing_state",
    "document_expiry",
    "surname",
    "given_names",
    "birth_date",
    "nationality",
]


def test_the_csv_import_resumes_after_an_interruption(world: World, tmp_path: Path) -> None:
    today = clock.today()
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_FIELDS)
        for i in range(25):
            day = today - dt.timedelta(days=400 - i * 10)
            e = event(
                event_id=f"H{i}",
                document_number=f"P{i % 5}",
                direction="entry" if i < 20 else "exit",
                timestamp=at_day(day),
            )
            writer.writerow([e[k] for k in CSV_FIELDS])
        writer.writerow(["BAD", "gyd", "entry", "2026-99-01T00:00:00Z", "passport", "Z", "TUR"])
    first = crossings_import(path=path, batch=10, stop_after_batches=1)
    assert (first.rows_done, Crossing.objects.count()) == (10, 10)
    out = StringIO()
    errors = tmp_path / "errors.csv"
    call_command(
        "import",
        "crossings",
        str(path),
        "--batch",
        "10",
        "--errors",
        str(errors),
        stdout=out,
        stderr=StringIO(),
    )
    assert "26 rows: 25 stored, 1 refused (resumed)" in out.getvalue()
    assert Crossing.objects.count() == 25
    assert "timestamp:invalid_timestamp" in errors.read_text()
    run = ImportRun.objects.get()
    assert run.finished
    # a third run changes nothing
    call_command("import", "crossings", str(path), stdout=StringIO(), stderr=StringIO())
    assert Crossing.objects.count() == 25


def test_a_per_stay_rule_counts_the_current_stay_only(world: World, client: Client) -> None:
    today = clock.today()
    key = border_key()
    send(
        client,
        key,
        [
            # 25 days earlier this year do not count against 30 days per stay
            event(
                document_number="AE1",
                nationality="AE",
                issuing_state="ARE",
                timestamp=at_day(today - dt.timedelta(days=80)),
            ),
            event(
                document_number="AE1",
                nationality="AE",
                issuing_state="ARE",
                direction="exit",
                timestamp=at_day(today - dt.timedelta(days=56)),
            ),
            event(
                document_number="AE1",
                nationality="AE",
                issuing_state="ARE",
                timestamp=at_day(today - dt.timedelta(days=29)),
            ),
            event(
                document_number="AE2",
                nationality="AE",
                issuing_state="ARE",
                timestamp=at_day(today - dt.timedelta(days=34)),
            ),
        ],
    )
    overstays_detect(on=today)
    found = {(f.person_id, f.days_over) for f in OverstayFinding.objects.filter(kind="overstay")}
    assert found == {(person_of("AE2"), 5)}


@pytest.mark.parametrize("batches", [1, 2])
def test_a_second_entry_without_an_exit_counts_the_stay_from_the_first(
    world: World, client: Client, batches: int
) -> None:
    """Entered 120 days ago and again 20 days ago with no exit between (a missed exit):
    inside since the first entry, as the stay calculation counts it, so 31 days over 90."""
    today = clock.today()
    key = border_key()
    entries = [
        event(document_number="TWICE1", timestamp=at_day(today - dt.timedelta(days=days)))
        for days in (120, 20)
    ]
    for chunk in [entries] if batches == 1 else [[e] for e in entries]:
        send(client, key, chunk)
    pid = person_of("TWICE1")
    stay = person_stay_compute(person=Person.objects.get(pk=pid), on=today)
    assert stay.result.overstay_days == 31

    overstays_detect(on=today)

    finding = OverstayFinding.objects.get(person_id=pid, kind="overstay")
    assert (finding.entry_day, finding.days_over, finding.last_legal_day) == (
        today - dt.timedelta(days=120),
        31,
        today - dt.timedelta(days=31),
    )


def test_a_missed_exit_in_an_earlier_stay_counts_that_stay_from_its_first_entry(
    world: World, client: Client
) -> None:
    """Entries 170 and 100 days ago, an exit 60 days ago, back 5 days ago: the earlier
    stay counts 111 days of the window, so 117 days in the last 180 are over 90."""
    today = clock.today()
    key = border_key()
    trips = [("entry", 170), ("entry", 100), ("exit", 60), ("entry", 5)]
    send(
        client,
        key,
        [
            event(
                document_number="TWICE2",
                direction=direction,
                timestamp=at_day(today - dt.timedelta(days=days)),
            )
            for direction, days in trips
        ],
    )
    pid = person_of("TWICE2")
    stay = person_stay_compute(person=Person.objects.get(pk=pid), on=today)
    assert (stay.result.days_used, stay.result.overstay_days) == (117, 27)

    overstays_detect(on=today)

    finding = OverstayFinding.objects.get(person_id=pid, kind="overstay")
    assert (finding.entry_day, finding.days_over) == (today - dt.timedelta(days=5), 6)


def test_a_finding_is_taken_up_once(world: World, client: Client) -> None:
    from umis.border.services import overstay_finding_dismiss, overstay_finding_take
    from umis.core.errors import DomainError

    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    finding = OverstayFinding.objects.filter(kind="overstay").first()
    assert finding is not None
    overstay_finding_take(actor=world.alice, finding_id=finding.pk, case_reference="FN-2026-000001")
    finding.refresh_from_db()
    assert (finding.state, finding.case_reference) == ("taken", "FN-2026-000001")
    with pytest.raises(DomainError) as exc:
        overstay_finding_dismiss(actor=world.alice, finding_id=finding.pk, reason="x")
    assert exc.value.code == "finding_not_open"
    finding.refresh_from_db()
    assert finding.state == "taken"
    assert AuditEvent.objects.filter(action="OVERSTAY_FINDING_TAKEN").count() == 1


def test_only_the_findings_office_takes_up_or_dismisses_it(world: World, client: Client) -> None:
    from umis.border.services import overstay_finding_dismiss, overstay_finding_take
    from umis.core.errors import DomainError

    setup_people(client, clock.today())
    overstays_detect(on=clock.today())
    finding = OverstayFinding.objects.filter(kind="overstay").first()
    assert finding is not None
    officers = [world.alice, world.bob]
    [outsider] = [u for u in officers if u.office_id != finding.office_id]
    for actor in (outsider, world.harry, world.admin):
        with pytest.raises(DomainError) as exc:
            overstay_finding_dismiss(actor=actor, finding_id=finding.pk, reason="x")
        assert exc.value.code == "not_found"
        with pytest.raises(DomainError):
            overstay_finding_take(actor=actor, finding_id=finding.pk, case_reference="FN-1")
    finding.refresh_from_db()
    assert finding.state == "open"
    denied = AuditEvent.objects.filter(action="OVERSTAY_FINDING_ACCESS_DENIED")
    assert {e.actor_id for e in denied} == {outsider.pk, world.harry.pk, world.admin.pk}
    assert {e.person_id for e in denied} == {finding.person_id}
    with pytest.raises(DomainError):  # a caller without an account is refused, not a 500
        overstay_finding_dismiss(actor=None, finding_id=finding.pk, reason="x")
    overstay_finding_dismiss(actor=world.hannah, finding_id=finding.pk, reason="left in time")
    finding.refresh_from_db()
    assert finding.state == "dismissed"
