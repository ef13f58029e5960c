"""The statistics page and its CSV and Excel exports, as an analyst, the head office, a regional
officer and everybody else meet them: the figures are what was stored, small counts by
nationality are hidden, a regional officer sees their own office only, a wrong filter is
said, and every read is in the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from umis.accounts.models import Role, User
from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.testing import World, guest, make_user, name_letters, workbook_rows
from umis.reports.selectors import period_default
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db

URL = "/en/office/reports/"


def _register(world: World, specs: list[tuple[str, str, bool]], start: int = 0) -> None:
    """One guest of the Baku hotel per (nationality, region, late): each a person of their
    own (a name, birth date and passport of their own)."""
    today = clock.today()
    issuing = {"TR": "TUR", "DE": "DEU", "RU": "RUS"}
    raws = [
        guest(
            surname="Guest" + name_letters(start + i),
            birth_date=(dt.date(1970, 1, 1) + dt.timedelta(days=start + i)).isoformat(),
            document_number=f"R{start + i:07d}",
            nationality=nationality,
            issuing_state=issuing[nationality],
            region=region,
            arrival_date=(today - dt.timedelta(days=30 if late else 1)).isoformat(),
        )
        for i, (nationality, region, late) in enumerate(specs)
    ]
    results = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=raws)
    assert [r.errors for r in results] == [[]] * len(specs)
    assert [r.registration.late for r in results if r.registration] == [s[2] for s in specs]


@pytest.fixture
def stored(world: World) -> World:
    """Eleven registrations filed today: in Baku six Turkish guests (one late) and two
    German; in Shaki three Russian guests (one late)."""
    _register(
        world,
        [("TR", "baku", i == 0) for i in range(6)]
        + [("DE", "baku", False)] * 2
        + [("RU", "shaki", i == 0) for i in range(3)],
    )
    return world


def table(html: str, code: str) -> list[list[str]]:
    """The rows of a table on the page, head, body and total, as the cells' text."""
    found = re.search(rf'<table[^>]*data-table="{code}"[^>]*>(.*?)</table>', html, re.S)
    assert found, f"no table {code}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", "", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def exported(client: Client, path: str) -> tuple[bytes, list[list[str]]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def analyst() -> User:
    return make_user("ana", Role.ANALYST, "head")


def test_the_analyst_sees_the_figures_that_were_stored(stored: World, client: Client) -> None:
    client.force_login(analyst())
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert table(html, "cases_by_office") == [
        ["Office", "Submitted", "Closed", "Waiting for staff today", "Of them overdue"],
        ["Baku regional migration department", "8", "0", "8", "0"],
        ["Shaki regional migration department", "3", "0", "3", "0"],
        ["Total", "11", "0", "11", "0"],
    ]
    assert table(html, "cases_by_service_state") == [
        ["Service", "State", "Cases"],
        ["Registration at the place of stay", "registered, awaiting check", "11"],
        ["Total", "", "11"],
    ]
    assert table(html, "stays_by_region") == [
        ["Region", "Registrations", "Filed late"],
        ["Baku city", "8", "1"],
        ["Shaki city", "3", "1"],
        ["Total", "11", "2"],
    ]
    by_month = table(html, "stays_by_month")
    assert len(by_month) == 1 + 12 + 1  # the head, the last 12 months, the total
    assert by_month[-2] == [clock.today().strftime("%B %Y"), "11", "2", "0"]
    assert by_month[1][1:] == ["0", "0", "0"]
    assert by_month[-1] == ["Total", "11", "2", "0"]


def test_counts_by_nationality_below_five_are_hidden_and_have_no_total(
    stored: World, client: Client
) -> None:
    client.force_login(analyst())
    html = client.get(URL).content.decode()
    assert table(html, "stays_by_nationality") == [
        ["Nationality", "Registrations"],
        ["Germany", "<5"],
        ["Russian Federation", "<5"],
        ["Türkiye", "6"],
    ]
    # the late ones (Russia 1, Türkiye 1) would follow from the total of late registrations
    # on the table by region: the whole column is hidden, its zero too, and left out
    assert "Small counts hidden: 2." in html
    assert "Not shown, as every count in them is hidden for this period and office" in html
    assert "Other counts hidden as well, so that a small one cannot be worked out" not in html
    assert "counts from 1 to 4 are shown as “&lt;5” and there is no total row" in html
    # the export hides them the same way
    _body, rows = exported(client, "/en/office/reports/stays_by_nationality.csv")
    assert rows == [
        ["Nationality", "Registrations", "Filed late"],
        ["Germany", "<5", "x"],
        ["Russian Federation", "<5", "x"],
        ["Türkiye", "6", "x"],
    ]


def test_a_table_whose_every_count_is_hidden_says_so_instead_of_a_table_of_x(
    world: World, client: Client
) -> None:
    # one Turkish and one German guest, both late: each count is 1, and the totals of the
    # other tables (2 registrations, 2 late) would give them away, so every count is hidden
    _register(world, [("TR", "baku", True), ("DE", "baku", True)])
    client.force_login(analyst())
    html = client.get(URL).content.decode()
    assert 'data-table="stays_by_nationality"' not in html
    section = re.search(r'<section[^>]*id="stays_by_nationality".*?</section>', html, re.S)
    assert section, "no section stays_by_nationality"
    said = " ".join(unescape(re.sub(r"<[^>]+>", "", section.group(0))).split())
    assert (
        "Every count in this table is hidden for this period and office: counts from 1 to 4 "
        "are hidden, and the other counts with them, because they could be worked out from "
        "the totals of the other tables."
    ) in said
    assert "Germany" not in said and "x" not in said.split()
    assert "Download “Registrations by nationality” as CSV" in said
    html = client.get("/ru/office/reports/").content.decode()
    assert "все числа этой таблицы скрыты: числа от 1 до 4 скрываются" in html
    html = client.get("/office/reports/").content.decode()
    assert "bütün sayları gizlədilib: 1 ilə 4 arasındakı saylar gizlədilir" in html
    # the export keeps its columns and rows, whatever the data, for a program reading it
    _body, rows = exported(client, "/en/office/reports/stays_by_nationality.csv")
    assert rows == [
        ["Nationality", "Registrations", "Filed late"],
        ["Germany", "x", "x"],
        ["Türkiye", "x", "x"],
    ]


def test_a_column_whose_every_count_is_hidden_is_named_instead_of_shown(
    stored: World, client: Client
) -> None:
    client.force_login(analyst())
    for path, columns, said in (
        (URL, ["Nationality", "Registrations"], "Not shown, as every count in them is hidden"),
        ("/ru/office/reports/", ["Гражданство", "Регистрации"], "Не показаны, так как"),
    ):
        html = client.get(path).content.decode()
        assert table(html, "stays_by_nationality")[0] == columns
        hint = re.search(
            r'<p class="hint" id="stays_by_nationality-withheld">(.*?)</p>', html, re.S
        )
        assert hint and said in hint.group(1)
    assert "(counts from 1 to 4 could otherwise be worked out from the totals): Filed late." in (
        client.get(URL).content.decode()
    )


def test_the_limit_is_a_setting(stored: World, client: Client, settings: object) -> None:
    settings.UMIS_REPORTS_SMALL_COUNT = 3  # type: ignore[attr-defined]
    client.force_login(analyst())
    html = client.get(URL).content.decode()
    assert table(html, "stays_by_nationality")[1:] == [
        ["Germany", "<3"],
        ["Russian Federation", "x"],
        ["Türkiye", "6"],
    ]


def test_the_csv_is_the_table_in_the_pages_language_with_a_bom(
    stored: World, client: Client
) -> None:
    client.force_login(analyst())
    today = clock.today()
    first, _last = period_default(today)
    response = client.get("/office/reports/stays_by_region.csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="stays_by_region_{first.isoformat()}_{today.isoformat()}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    body, rows = exported(client, "/office/reports/stays_by_region.csv")
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8
    assert rows == [
        ["Region", "Qeydiyyatlar", "Gecikmə ilə təqdim edilib"],
        ["Bakı şəhəri", "8", "1"],
        ["Şəki şəhəri", "3", "1"],
        ["Cəmi", "11", "2"],
    ]
    _body, rows = exported(client, "/ru/office/reports/stays_by_nationality.csv")
    assert rows[0] == ["Гражданство", "Регистрации", "Поданы с опозданием"]
    assert rows[1:] == [
        ["Германия", "<5", "x"],
        ["Российская Федерация", "<5", "x"],
        ["Турция", "6", "x"],
    ]
    _body, rows = exported(client, "/en/office/reports/stays_by_month.csv")
    assert rows[-2] == [today.strftime("%Y-%m"), "11", "2", "0"]


def test_an_office_chosen_by_the_head_office_narrows_every_table(
    stored: World, client: Client
) -> None:
    client.force_login(stored.hannah)
    html = client.get(URL + "?office=shaki").content.decode()
    assert table(html, "cases_by_office")[1:] == [
        ["Shaki regional migration department", "3", "0", "3", "0"],
        ["Total", "3", "0", "3", "0"],
    ]
    assert table(html, "stays_by_nationality")[1:] == [["Russian Federation", "<5", "<5"]]
    _body, rows = exported(client, "/en/office/reports/stays_by_region.csv?office=shaki")
    assert rows[1:] == [["Shaki city", "3", "1"], ["Total", "3", "1"]]


def test_a_regional_officer_sees_their_own_office_only(stored: World, client: Client) -> None:
    client.force_login(stored.alice)  # Baku
    html = client.get(URL).content.decode()
    assert table(html, "stays_by_region")[1:] == [["Baku city", "8", "1"], ["Total", "8", "1"]]
    assert re.findall(r'<option value="([^"]*)"', html) == ["baku"]
    assert client.get(URL + "?office=baku").status_code == 200
    # another office's figures: not found, and the attempt is in the audit log
    viewed = AuditEvent.objects.filter(action="REPORT_VIEWED").count()
    for path in (URL + "?office=shaki", "/en/office/reports/stays_by_region.csv?office=shaki"):
        assert client.get(path).status_code == 404
    denied = AuditEvent.objects.filter(action="REPORT_ACCESS_DENIED").order_by("id")
    assert [(e.actor_id, e.entity_id, e.data["office"]) for e in denied] == [
        (stored.alice.pk, "shaki", "shaki")
    ] * 2
    assert (
        AuditEvent.objects.filter(action__startswith="REPORT_")
        .exclude(action="REPORT_ACCESS_DENIED")
        .count()
        == viewed
    )
    _body, rows = exported(client, "/en/office/reports/cases_by_office.csv")
    assert rows[1:] == [
        ["Baku regional migration department", "8", "0", "8", "0"],
        ["Total", "8", "0", "8", "0"],
    ]


@pytest.mark.parametrize("who", ["harry", "oscar", "agency"])
def test_hosts_applicants_and_agencies_get_404(stored: World, client: Client, who: str) -> None:
    user = make_user("agency", Role.AGENCY) if who == "agency" else getattr(stored, who)
    client.force_login(user)
    for path in (URL, "/en/office/reports/stays_by_region.csv"):
        assert client.get(path).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["REPORT_VIEWED", "REPORT_EXPORTED"]).exists()
    assert 'href="/en/office/reports/"' not in client.get("/en/").content.decode()


def test_a_visitor_signs_in_first(client: Client) -> None:
    for path in (URL, "/en/office/reports/stays_by_region.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/?next=")


def test_every_member_of_staff_finds_the_page_in_the_header(world: World, client: Client) -> None:
    for user in (analyst(), world.alice, world.hannah, world.admin):
        client.force_login(user)
        assert 'href="/en/office/reports/"' in client.get("/en/").content.decode(), user


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-01", "Period from", "“2026-13-01” is not a date: enter it as YYYY-MM-DD."),
        ("to=yesterday", "to", "“yesterday” is not a date: enter it as YYYY-MM-DD."),
        ("from=1980-01-01", "Period from", "The date must be between 1990 and 2100."),
        ("from=2026-03-10&to=2026-03-01", "", "The end of the period is before its start."),
        ("office=atlantis", "Office", "Choose an office from the list."),
    ],
)
def test_a_wrong_filter_is_said_and_no_figures_are_shown(
    stored: World, client: Client, query: str, field: str, message: str
) -> None:
    client.force_login(analyst())
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "The figures are not shown: correct the filter." in html
    assert (f"{field}: {message}" if field else message) in html
    assert "data-table=" not in html
    assert not AuditEvent.objects.filter(action="REPORT_VIEWED").exists()
    csv_response = client.get(f"/en/office/reports/stays_by_region.csv?{query}")
    assert csv_response.status_code == 400
    assert csv_response.content.decode() == message
    assert not AuditEvent.objects.filter(action="REPORT_EXPORTED").exists()


def test_the_errors_are_in_the_pages_language(stored: World, client: Client) -> None:
    client.force_login(analyst())
    html = unescape(
        client.get("/ru/office/reports/?from=2026-03-10&to=2026-03-01").content.decode()
    )
    assert "Конец периода раньше его начала." in html
    html = unescape(client.get("/office/reports/?from=abc").content.decode())
    assert "“abc” tarix deyil: onu İİİİ-AA-GG şəklində yazın." in html


def test_the_period_is_the_last_12_months_unless_chosen(world: World, client: Client) -> None:
    assert period_default(dt.date(2026, 3, 15)) == (dt.date(2025, 4, 1), dt.date(2026, 3, 15))
    assert period_default(dt.date(2026, 12, 31)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # a registration filed 14 months ago is outside the default period, inside a chosen one
    moment = clock.now() - dt.timedelta(days=425)
    with clock.frozen_at(moment):
        _register(world, [("TR", "baku", False)])
    _register(world, [("DE", "baku", False)], start=1)
    client.force_login(analyst())
    html = client.get(URL).content.decode()
    assert table(html, "stays_by_region")[1:] == [["Baku city", "1", "0"], ["Total", "1", "0"]]
    day = timezone.localdate(moment)
    chosen = f"{URL}?from={day.isoformat()}&to={day.isoformat()}"
    html = client.get(chosen).content.decode()
    assert table(html, "stays_by_region")[1:] == [["Baku city", "1", "0"], ["Total", "1", "0"]]
    assert table(html, "stays_by_nationality")[1:] == [["Türkiye", "<5", "0"]]
    assert table(html, "stays_by_month")[1:] == [
        [day.strftime("%B %Y"), "1", "0", "0"],
        ["Total", "1", "0", "0"],
    ]


@pytest.mark.parametrize(
    ("lang", "period", "first_month"),
    [
        ("", "1 dekabr 2025 – 24 noyabr 2026", "Dekabr 2025"),
        ("/ru", "1 декабря 2025 г. – 24 ноября 2026 г.", "Декабрь 2025"),
        ("/en", "Dec. 1, 2025 – Nov. 24, 2026", "December 2025"),
    ],
)
def test_the_period_writes_month_names_as_each_language_does(
    world: World, client: Client, lang: str, period: str, first_month: str
) -> None:
    # in Azerbaijani a month is written in lower case inside a date, with a capital alone
    client.force_login(analyst())
    html = client.get(f"{lang}/office/reports/?from=2025-12-01&to=2026-11-24").content.decode()
    scope = html.split('id="report-scope">', 1)[1].split("</p>", 1)[0]
    assert f"<strong>{period}</strong>" in scope
    assert table(html, "stays_by_month")[1][0] == first_month


def test_every_view_and_export_is_in_the_audit_log(stored: World, client: Client) -> None:
    user = analyst()
    client.force_login(user)
    today = clock.today()
    first, _last = period_default(today)
    client.get(URL + "?office=baku")
    client.get("/en/office/reports/stays_by_nationality.csv?from=2026-01-01&to=2026-01-31")
    viewed, exported_ = AuditEvent.objects.filter(action__startswith="REPORT_").order_by("id")
    assert (viewed.action, viewed.actor_id, viewed.role, viewed.entity_id) == (
        "REPORT_VIEWED",
        user.pk,
        "analyst",
        "statistics",
    )
    assert viewed.data["from"] == first.isoformat()
    assert viewed.data["to"] == today.isoformat()
    assert viewed.data["office"] == "baku"
    assert viewed.data["format"] == "page"
    assert "stays_by_nationality" in viewed.data["tables"]
    assert viewed.person_id is None
    assert (exported_.action, exported_.entity_id, exported_.data) == (
        "REPORT_EXPORTED",
        "stays_by_nationality",
        {
            "from": "2026-01-01",
            "to": "2026-01-31",
            "office": "",
            "tables": ["stays_by_nationality"],
            "format": "csv",
        },
    )


def test_an_unknown_table_is_not_found(world: World, client: Client) -> None:
    client.force_login(analyst())
    assert client.get("/en/office/reports/no_such_table.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="REPORT_EXPORTED").exists()


def test_the_page_costs_the_same_queries_however_many_figures(
    world: World, client: Client, django_assert_max_num_queries: object
) -> None:
    client.force_login(analyst())
    _register(world, [("TR", "baku", False)])
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _register(
        world,
        [("DE", "shaki", True), ("RU", "ganja", False), ("TR", "gabala", True)] * 3,
        start=1,
    )
    with CaptureQueriesContext(connection) as more:
        assert client.get(URL).status_code == 200
    assert len(more) == len(few)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        client.get(URL)


def test_a_table_downloads_as_an_excel_workbook_with_counts_as_numbers(
    stored: World, client: Client
) -> None:
    # a CSV opens in one column where the list separator is ";" (az and ru settings)
    client.force_login(analyst())
    html = client.get("/office/reports/").content.decode()
    assert 'href="/office/reports/stays_by_region.xlsx?' in html
    response = client.get("/office/reports/stays_by_region.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    first, _last = period_default(clock.today())
    assert response["Content-Disposition"] == (
        f'attachment; filename="stays_by_region_{first.isoformat()}_{clock.today()}.xlsx"'
    )
    name, rows = workbook_rows(response.content)
    assert name == "Qeydiyyatlar: regionlar üzrə".replace(":", " ")  # ":" is not allowed
    assert rows == [
        ["Region", "Qeydiyyatlar", "Gecikmə ilə təqdim edilib"],
        ["Bakı şəhəri", "#8", "#1"],
        ["Şəki şəhəri", "#3", "#1"],
        ["Cəmi", "#11", "#2"],
    ]
    _name, rows = workbook_rows(client.get("/ru/office/reports/stays_by_nationality.xlsx").content)
    assert rows == [
        ["Гражданство", "Регистрации", "Поданы с опозданием"],
        ["Германия", "<5", "x"],
        ["Российская Федерация", "<5", "x"],
        ["Турция", "#6", "x"],
    ]
    exports = AuditEvent.objects.filter(action="REPORT_EXPORTED").order_by("id")
    assert [e.data["format"] for e in exports] == ["xlsx", "xlsx"]


def test_the_workbook_refuses_what_the_page_refuses(stored: World, client: Client) -> None:
    client.force_login(stored.alice)  # Baku
    assert client.get("/en/office/reports/stays_by_region.xlsx?office=shaki").status_code == 404
    assert client.get("/en/office/reports/nothing_such.xlsx").status_code == 404
    wrong = client.get("/en/office/reports/stays_by_region.xlsx?from=2026-02-30")
    assert wrong.status_code == 400
    client.force_login(stored.harry)  # a host
    assert client.get("/en/office/reports/stays_by_region.xlsx").status_code == 404


@pytest.mark.parametrize("query", ["", "?office=shaki"])
def test_an_export_reads_the_offices_once(stored: World, client: Client, query: str) -> None:
    client.force_login(analyst())  # of the head office, who may choose any office
    client.get(URL)
    with CaptureQueriesContext(connection) as read:
        _body, rows = exported(client, f"/en/office/reports/stays_by_region.csv{query}")
    assert rows[-1][0] == "Total"
    offices = [q["sql"] for q in read.captured_queries if 'FROM "reference_office"' in q["sql"]]
    assert len(offices) == 1, offices
    assert AuditEvent.objects.filter(action="REPORT_EXPORTED").latest("pk").office == "head"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_label_that_a_spreadsheet_would_read_as_a_formula_is_written_as_text(
    stored: World, client: Client, start: str
) -> None:
    """OWASP's CSV injection: a cell starting with one of these characters (a tab or a
    carriage return too, which a spreadsheet drops before reading the rest as a formula)
    gets an apostrophe first; the counts stay numbers."""
    from umis.reference.models import Region

    Region.objects.filter(code="baku").update(name_az=f"{start}HYPERLINK(1)")
    client.force_login(analyst())
    _body, rows = exported(client, "/office/reports/stays_by_region.csv")
    assert sorted(rows[1:-1]) == sorted(
        [[f"'{start}HYPERLINK(1)", "8", "1"], ["Şəki şəhəri", "3", "1"]]
    )
    assert rows[-1] == ["Cəmi", "11", "2"]
