"""The case queue: what is overdue, which office, and filters that say when they are wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from umis.cases.models import Case
from umis.cases.selectors import QueueFilter, case_queue_for_user
from umis.cases.services import case_assign
from umis.core import clock
from umis.core.testing import World, guest
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registration_end, stay_registrations_submit
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def row_of(page: str, reference: str) -> str:
    rows = [r for r in page.split("<tr")[1:] if f">{reference}</a>" in r]
    assert len(rows) == 1, reference
    return rows[0].split("</tr>", 1)[0]


def past_due(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(due_at=clock.now() - dt.timedelta(days=3))


def test_only_an_open_case_is_shown_overdue(world: World, client: Client) -> None:
    waiting = register(world)
    ended = register(world, document_number="E1234567")
    stay_registration_end(
        actor=world.harry,
        registration=StayRegistration.objects.get(case=ended),
        left_on=clock.today(),
    )
    past_due(waiting)
    past_due(ended)
    client.force_login(world.alice)
    page = client.get("/en/office/queue/?closed=1").content.decode()
    assert 'class="overdue' in row_of(page, waiting.reference)
    assert "overdue" in row_of(page, waiting.reference).split('class="badge danger">', 1)[1]
    ended_row = row_of(page, ended.reference)
    assert 'data-state="ended"' in ended_row
    assert "overdue" not in ended_row and "due-soon" not in ended_row
    assert "due soon" not in ended_row


def test_an_ended_case_due_within_a_day_is_not_shown_due_soon(world: World, client: Client) -> None:
    ended = register(world)
    stay_registration_end(
        actor=world.harry,
        registration=StayRegistration.objects.get(case=ended),
        left_on=clock.today(),
    )
    Case.objects.filter(pk=ended.pk).update(due_at=clock.now() + dt.timedelta(hours=2))
    client.force_login(world.alice)
    ru = client.get("/ru/office/queue/?closed=1").content.decode()
    assert "срок истекает" not in row_of(ru, ended.reference)
    assert "due-soon" not in row_of(ru, ended.reference)


@pytest.mark.parametrize(
    ("lang", "office"),
    [
        ("/en", "Baku regional migration department"),
        ("", "Bakı regional miqrasiya idarəsi"),
        ("/ru", "Бакинское региональное миграционное управление"),
    ],
)
def test_the_queue_names_the_office_in_the_readers_language(
    world: World, client: Client, lang: str, office: str
) -> None:
    case = register(world)
    client.force_login(world.hannah)
    page = client.get(f"{lang}/office/queue/").content.decode()
    assert f'<td class="col-office">{office}</td>' in row_of(page, case.reference)
    assert "<td>baku</td>" not in page


@pytest.mark.parametrize("field", ["from", "to"])
def test_an_invalid_date_filter_is_reported_not_ignored(
    world: World, client: Client, field: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    response = client.get(f"/en/office/queue/?{field}=2026-02-31")
    assert response.status_code == 400
    page = response.content.decode()
    errors = page.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert "“2026-02-31” is not a date: enter it as YYYY-MM-DD." in errors
    assert 'aria-invalid="true"' in page.split(f'name="{field}"', 1)[1].split(">", 1)[0]
    assert case.reference not in page  # no list that looks filtered but is not


def test_the_date_filter_error_in_azerbaijani_and_russian(world: World, client: Client) -> None:
    client.force_login(world.alice)
    az = client.get("/office/queue/?from=yesterday").content.decode()
    assert "“yesterday” tarix deyil: onu İİİİ-AA-GG şəklində yazın." in az
    ru = client.get("/ru/office/queue/?to=31.12.2026").content.decode()
    assert "«31.12.2026» — не дата: введите её в виде ГГГГ-ММ-ДД." in ru


def test_valid_date_filters_still_filter(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    today = clock.today()
    inside = client.get(f"/en/office/queue/?from={today}&to={today}")
    assert inside.status_code == 200 and case.reference in inside.content.decode()
    before = today - dt.timedelta(days=1)
    outside = client.get(f"/en/office/queue/?to={before}")
    assert outside.status_code == 200 and case.reference not in outside.content.decode()


def test_a_date_and_its_time_are_kept_on_one_line(world: World, client: Client) -> None:
    # A <time> element is kept whole by the style sheet (`main time { white-space: nowrap }`).
    case = register(world)
    client.force_login(world.alice)
    row = row_of(client.get("/en/office/queue/").content.decode(), case.reference)
    local = timezone.localtime(case.created_at)
    cells = row.split("<td")[1:]
    submitted, due = cells[6], cells[7]  # after the state and the assignee
    assert submitted.startswith(' class="col-submitted"><time datetime="'), submitted
    assert due.startswith("><time datetime="), due
    assert local.strftime("%d.%m.%Y %H:%M") in submitted.split("</time>", 1)[0]


def ended(world: World, **overrides: object) -> Case:
    case = register(world, **overrides)
    stay_registration_end(
        actor=world.harry,
        registration=StayRegistration.objects.get(case=case),
        left_on=clock.today(),
    )
    return case


def references_in_order(page: str) -> list[str]:
    table = page.split('id="queue"', 1)[1].split("</table>", 1)[0]
    return [cell.split("/", 1)[0] for cell in table.split("/office/cases/")[1:]]


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        (
            "/en",
            "Cases in the state “ended” are not waiting for action: they are shown because"
            " this state is chosen.",
        ),
        (
            "",
            "“başa çatıb” vəziyyətindəki işlər icra gözləmir: bu vəziyyət seçildiyi üçün"
            " göstərilir.",
        ),
        (
            "/ru",
            "Дела в состоянии «завершена» не ожидают действий: они показаны, потому что"
            " выбрано это состояние.",
        ),
    ],
)
def test_choosing_a_state_not_waiting_for_action_lists_its_cases(
    world: World, client: Client, lang: str, note: str
) -> None:
    done = ended(world)
    waiting = register(world, document_number="W1234567")
    client.force_login(world.alice)
    response = client.get(f"{lang}/office/queue/?state=ended")
    page = response.content.decode()
    assert response.status_code == 200
    assert references_in_order(page) == [done.reference]
    assert waiting.reference not in page
    assert page.split('id="closed-by-state">', 1)[1].split("</p>", 1)[0] == note
    # a state in which cases wait lists only those, and says nothing more
    open_page = client.get(f"{lang}/office/queue/?state=registered").content.decode()
    assert references_in_order(open_page) == [waiting.reference]
    assert 'id="closed-by-state"' not in open_page


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "The end of the period is before its start."),
        ("", "Dövrün sonu başlanğıcından əvvəldir."),
        ("/ru", "Конец периода раньше его начала."),
    ],
)
def test_an_end_date_before_the_start_is_reported_beside_the_dates(
    world: World, client: Client, lang: str, message: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    today = clock.today()
    response = client.get(f"{lang}/office/queue/?from={today}&to={today - dt.timedelta(days=23)}")
    assert response.status_code == 400
    page = response.content.decode()
    errors = page.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert f"<li>{message}</li>" in errors
    for field in ("from", "to"):
        assert 'aria-invalid="true"' in page.split(f'name="{field}"', 1)[1].split(">", 1)[0]
    assert case.reference not in page  # no "0 cases" that looks like an answer


@pytest.mark.parametrize(
    ("lang", "registration", "evisa"),
    [
        (
            "/en",
            ["registered, awaiting check", "registered, checked", "ended", "annulled"],
            [
                "awaiting payment",
                "paid, being checked",
                "referred to an officer",
                "e-visa issued",
                "refused",
                "e-visa annulled",
            ],
        ),
        (
            "/ru",
            [
                "зарегистрирована, ожидает проверки",
                "зарегистрирована, проверена",
                "завершена",
                "аннулирована",
            ],
            [
                "ожидает оплаты",
                "оплачено, проверяется",
                "передано сотруднику",
                "э-виза выдана",
                "отказано",
                "э-виза аннулирована",
            ],
        ),
    ],
)
def test_the_states_are_offered_service_by_service_in_their_workflow_order(
    world: World, client: Client, lang: str, registration: list[str], evisa: list[str]
) -> None:
    client.force_login(world.alice)
    page = client.get(f"{lang}/office/queue/").content.decode()
    select = page.split('name="state">', 1)[1].split("</select>", 1)[0]
    groups = select.split("<optgroup")[1:]
    assert len(groups) == 2

    def labels(group: str) -> list[str]:
        return [o.split(">", 1)[1].split("<", 1)[0] for o in group.split("<option")[1:]]

    # the services in the catalogue's order (as the portal lists them), then each workflow's
    assert labels(groups[0]) == evisa
    assert labels(groups[1]) == registration


def test_with_the_cases_not_waiting_included_open_work_comes_first(
    world: World, client: Client
) -> None:
    old_done = ended(world)
    new_done = ended(world, document_number="N1234567")
    later = register(world, document_number="L1234567")
    sooner = register(world, document_number="S7654321")
    now = clock.now()
    Case.objects.filter(pk=old_done.pk).update(due_at=now - dt.timedelta(days=300))
    Case.objects.filter(pk=new_done.pk).update(due_at=now - dt.timedelta(days=2))
    Case.objects.filter(pk=later.pk).update(due_at=now + dt.timedelta(days=5))
    Case.objects.filter(pk=sooner.pk).update(due_at=now + dt.timedelta(days=1))
    client.force_login(world.alice)
    page = client.get("/en/office/queue/?closed=1").content.decode()
    assert references_in_order(page) == [
        sooner.reference,
        later.reference,
        new_done.reference,
        old_done.reference,
    ]
    assert "<p>4 cases</p>" in page
    # a page that starts among the open cases and ends among the others
    middle = case_queue_for_user(
        user=world.alice, filters=QueueFilter(include_closed=True), page=2, per_page=2
    )
    assert [c.reference for c in middle] == [new_done.reference, old_done.reference]
    straddling = case_queue_for_user(
        user=world.alice, filters=QueueFilter(include_closed=True), page=1, per_page=3
    )
    assert [c.reference for c in straddling] == [
        sooner.reference,
        later.reference,
        new_done.reference,
    ]
    # the page costs the same few queries however many cases it lists
    with CaptureQueriesContext(connection) as few:
        client.get("/en/office/queue/?closed=1")
    ended(world, document_number="M1234567")
    register(world, document_number="R1234567")
    with CaptureQueriesContext(connection) as more:
        client.get("/en/office/queue/?closed=1")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_queue_shows_the_assignee_and_filters_by_it(world: World, client: Client) -> None:
    mine = register(world)
    hers = register(world, document_number="H1234567")
    free = register(world, document_number="F1234567")
    case_assign(actor=world.alice, case=mine, assignee=world.alice, expected_version=1)
    case_assign(actor=world.alice, case=hers, assignee=world.hannah, expected_version=1)
    client.force_login(world.alice)

    page = client.get("/en/office/queue/").content.decode()
    assert "<strong>you</strong>" in row_of(page, mine.reference)
    assert '<td class="assignee">hannah</td>' in row_of(page, hers.reference)
    assert '<td class="assignee">—</td>' in row_of(page, free.reference)

    def listed(query: str) -> set[str]:
        page = client.get(f"/en/office/queue/?{query}").content.decode()
        rows = page.split('id="queue"', 1)[1].split("</tbody>", 1)[0]
        return {c.reference for c in (mine, hers, free) if f">{c.reference}</a>" in rows}

    assert listed("assigned=me") == {mine.reference}
    assert listed("assigned=nobody") == {free.reference}
    assert listed("assigned=anyone") == {mine.reference, hers.reference}
    assert listed("assigned=") == {mine.reference, hers.reference, free.reference}
    # the other filters and the pages keep working with it
    assert listed("assigned=me&service=stay_registration&state=registered&closed=1") == {
        mine.reference
    }
    assert listed("assigned=me&state=confirmed") == set()
    page = client.get("/en/office/queue/?assigned=nobody").content.decode()
    assert '<option value="nobody" selected>' in page and "<p>1 case</p>" in page
    # the head office's own are its own: Alice's are not Hannah's
    client.force_login(world.hannah)
    assert listed("assigned=me") == {hers.reference}


@pytest.mark.parametrize(
    ("lang", "field", "label", "message"),
    [
        ("/en", "state", "State", "“annulled” is not in this list: choose from the list."),
        ("", "service", "Xidmət", "“visa” bu siyahıda yoxdur: siyahıdan seçin."),
        ("/ru", "assigned", "Кому назначено", "«him» нет в этом списке: выберите из списка."),
    ],
)
def test_a_value_not_in_a_list_is_reported_not_read_as_all(
    world: World, client: Client, lang: str, field: str, label: str, message: str
) -> None:
    # an address kept from before (?state=annulled, now per service) or edited by hand
    case = register(world)
    client.force_login(world.alice)
    value = {"state": "annulled", "service": "visa", "assigned": "him"}[field]
    response = client.get(f"{lang}/office/queue/?{field}={value}")
    assert response.status_code == 400
    page = response.content.decode()
    errors = page.split('id="filter-errors"', 1)[1].split("</div>", 1)[0]
    assert label in errors and message in errors
    assert 'aria-invalid="true"' in page.split(f'name="{field}"', 1)[1].split(">", 1)[0]
    assert case.reference not in page  # not every case, as if nothing had been chosen


def test_the_queue_pages_link_without_an_empty_parameter(world: World, client: Client) -> None:
    raws = [
        guest(document_number=f"P{n:07d}", surname=f"Guest{chr(65 + n)}", given_names="Ali")
        for n in range(26)
    ]
    results = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=raws)
    assert all(r.registration is not None for r in results)
    client.force_login(world.alice)

    first = client.get("/en/office/queue/").content.decode()
    second = client.get("/en/office/queue/?page=2").content.decode()
    filtered = client.get("/en/office/queue/?service=stay_registration&page=2").content.decode()

    assert 'href="?page=2"' in first and "?&amp;" not in first
    assert 'href="?page=1"' in second and "?&amp;" not in second
    assert 'href="?service=stay_registration&amp;page=1"' in filtered
