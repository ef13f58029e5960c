"""Back-office hit review and the public entry-ban check, through the pages people use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.core import clock
from umis.core.testing import World
from umis.screening import selectors
from umis.screening.models import ScreeningHit
from umis.screening.services import watchlist_entry_withdraw, watchlist_import
from umis.screening.tests.test_intake import ban, listed, register

pytestmark = pytest.mark.django_db


def test_an_officer_sees_the_hit_on_the_case_and_dismisses_it(world: World, client: Client) -> None:
    listed(world)
    case = register(client, world)
    hit = ScreeningHit.objects.get(case=case)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/")
    assert f"/office/screening/hits/{hit.pk}/" in page.content.decode()
    page = client.get(f"/en/office/screening/hits/{hit.pk}/")
    assert page.status_code == 200
    assert "Гусейнов Рашад" in page.content.decode()
    assert "birth_date:same" in page.content.decode()
    r = client.post(
        f"/en/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "dismiss", "reason": "Different person: photo"},
    )
    assert r.status_code == 302
    hit.refresh_from_db()
    assert (hit.status, hit.decision_reason) == ("dismissed", "Different person: photo")
    assert (
        "Different person: photo"
        in client.get(f"/en/office/screening/hits/{hit.pk}/").content.decode()
    )


@pytest.mark.parametrize(
    ("decision", "named"),
    [
        ("dismiss", "Совпадение с контрольным списком отклонено"),
        ("confirm", "Совпадение с контрольным списком подтверждено"),
    ],
)
def test_the_case_history_names_the_hit_decision_in_the_readers_language(
    world: World, client: Client, decision: str, named: str
) -> None:
    listed(world)
    case = register(client, world)
    hit = ScreeningHit.objects.get(case=case)
    client.force_login(world.alice)
    client.post(
        f"/ru/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": decision, "reason": "checked"},
    )
    page = client.get(f"/ru/office/cases/{case.reference}/").content.decode()
    assert named in page
    assert "SCREENING_HIT_" not in page.replace('data-action="SCREENING_HIT_', "")


def field_of(page: str, name: str) -> str:
    """The form field (its <div class="field">) around the control named `name`."""
    before, after = page.split(f'name="{name}"', 1)
    return before.rsplit('<div class="field', 1)[1] + after.split("</div>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "reason", "message"),
    [
        ("/en", "", "Give the reason for the decision."),
        ("/en", "  \r\n  ", "Give the reason for the decision."),
        ("", " ", "Qərarın səbəbini göstərin."),
        ("/ru", "", "Укажите причину решения."),
    ],
)
def test_a_decision_without_a_reason_is_refused_beside_the_field(
    world: World, client: Client, lang: str, reason: str, message: str
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    r = client.post(
        f"{lang}/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "confirm", "reason": reason},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert 'id="hit-errors"' in page
    field = field_of(page, "reason")
    assert f'<p class="error" id="error_reason">{message}</p>' in field
    assert 'aria-invalid="true"' in field
    assert 'class="messages"' not in page
    hit.refresh_from_db()
    assert (hit.status, hit.version, hit.decision_reason) == ("open", 1, "")


def test_an_over_long_reason_is_refused_not_cut(world: World, client: Client) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    reason = "Photo and signature differ. " * 72  # 2,016 characters
    r = client.post(
        f"/en/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "dismiss", "reason": reason},
    )
    assert r.status_code == 422
    page = r.content.decode()
    field = field_of(page, "reason")
    assert "The reasons are too long: at most 2000 characters, these have 2015." in field
    assert reason.strip() in field  # kept as typed, to be shortened
    hit.refresh_from_db()
    assert (hit.status, hit.decision_reason) == ("open", "")


def test_reasons_of_2000_characters_on_several_lines_are_kept_whole(
    world: World, client: Client
) -> None:
    # a browser counts a line break as one character and sends two (CR LF)
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    lines = ["x" * 99] * 20
    r = client.post(
        f"/en/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "dismiss", "reason": "\r\n".join(lines)},
    )
    assert r.status_code == 302
    hit.refresh_from_db()
    assert hit.decision_reason == "\n".join(lines)
    assert len(hit.decision_reason) == 1999


def test_an_officer_of_another_region_gets_404_and_is_logged(world: World, client: Client) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.bob)
    assert client.get(f"/en/office/screening/hits/{hit.pk}/").status_code == 404
    assert (
        client.get("/en/office/screening/hits/").content.decode().count("/office/screening/hits/1/")
        == 0
    )
    assert AuditEvent.objects.filter(
        action="SCREENING_HIT_ACCESS_DENIED", actor=world.bob, entity_id=str(hit.pk)
    ).exists()


def test_the_head_office_sees_watchlist_entries_with_history(world: World, client: Client) -> None:
    entry = listed(world)
    client.force_login(world.hannah)
    page = client.get(f"/en/office/screening/watchlist/{entry.pk}/").content.decode()
    assert "Гусейнов Рашад" in page
    assert "Entry created · version 1" in page
    assert "Гусейнов Рашад" in client.get("/en/office/screening/watchlist/").content.decode()
    client.force_login(world.alice)
    assert client.get(f"/en/office/screening/watchlist/{entry.pk}/").status_code == 404
    # the lists are kept by the head office: a regional officer has no page of them
    assert client.get("/en/office/screening/watchlist/").status_code == 404
    assert AuditEvent.objects.filter(
        action="WATCHLIST_ACCESS_DENIED", actor=world.alice, entity_type="screening.watchlist"
    ).exists()


@pytest.mark.parametrize(
    ("lang", "label", "country"),
    [
        ("", "Vətəndaşlığı", "Türkiyə"),
        ("/ru", "Гражданство", "Турция"),
        ("/en", "Nationality", "Türkiye"),
    ],
)
def test_the_hit_names_the_nationalities_in_the_readers_language(
    world: World, client: Client, lang: str, label: str, country: str
) -> None:
    listed(world, issuing_state="TR", document_number="U12345678")
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    page = client.get(f"{lang}/office/screening/hits/{hit.pk}/").content.decode()
    assert page.count(f"<dt>{label}</dt><dd>{country}</dd>") == 2  # the person and the entry
    assert f"U12345678 ({country})" in page
    assert "<dd>TR</dd>" not in page and "U12345678 TR" not in page


def test_the_entry_history_reads_in_the_readers_language(world: World, client: Client) -> None:
    entry = listed(world)
    wl = entry.watchlist
    until = clock.today() + dt.timedelta(days=365)
    later = until + dt.timedelta(days=30)
    watchlist_import(
        actor=world.hannah,
        watchlist=wl,
        raws=[ban(nationality="KZ", valid_until=later.isoformat())],
    )
    entry.refresh_from_db()
    watchlist_entry_withdraw(
        actor=world.hannah, entry=entry, reason="Ban lifted by the court", expected_version=2
    )
    client.force_login(world.hannah)
    page = client.get(f"/ru/office/screening/watchlist/{entry.pk}/").content.decode()
    history = page.split('id="entry-history">', 1)[1].split("</ol>", 1)[0]
    assert "Запись создана · версия 1" in history
    assert "Запись изменена · версия 2" in history
    assert "Гражданство: Турция → Казахстан" in history
    assert f"Дата окончания действия: {until:%d.%m.%Y} → {later:%d.%m.%Y}" in history
    assert "Запись отозвана · версия 3" in history
    shown = re.sub(r' data-action="[A-Z]+"', "", history)
    assert not any(code in shown for code in ("CREATED", "UPDATED", "WITHDRAWN", "nationality")), (
        shown
    )
    assert "<dt>Гражданство</dt><dd>Казахстан</dd>" in page
    az = client.get(f"/office/screening/watchlist/{entry.pk}/").content.decode()
    assert "Qeyd yaradılıb · versiya 1" in az
    assert "Vətəndaşlığı: Türkiyə → Qazaxıstan" in az


def ban_check(client: Client, **overrides: str) -> tuple[int, str]:
    data = {
        "document_number": "U12345678",
        "issuing_state": "TUR",
        "surname": "Hüseynov",
        "birth_date": "1985-03-14",
    }
    data.update(overrides)
    r = client.post("/en/entry-ban-check/", data)
    return r.status_code, r.content.decode()


def test_the_entry_ban_check_answers_for_the_own_passport_only(
    world: World, client: Client
) -> None:
    listed(world, document_number="U12345678", issuing_state="TR")
    status, page = ban_check(client)
    assert status == 200
    assert 'data-banned="yes"' in page
    # Somebody else's surname or birth date with the number: no answer about that person.
    assert 'data-banned="no"' in ban_check(client, surname="Əliyev")[1]
    assert 'data-banned="no"' in ban_check(client, birth_date="1985-03-15")[1]
    # A name alone never reads the ban; the same name and birth date with another passport
    # (a renewed one) are not cleared either: the check cannot answer.
    by_name = ban_check(client, document_number="X0000000")[1]
    assert 'data-banned="yes"' not in by_name
    assert "in force until" not in by_name
    assert 'data-banned="unknown"' in by_name
    assert AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").count() == 4


@pytest.mark.parametrize("number", ["-", "< <", "***"])
def test_a_number_without_letters_or_digits_cannot_look_up_a_ban_by_name(
    world: World, client: Client, number: str
) -> None:
    listed(world)  # a ban recorded by name and date of birth, no passport number
    status, page = ban_check(client, document_number=number)
    assert status == 422
    assert "Enter the number as printed in the passport." in page
    assert 'data-banned="yes"' not in page
    assert selectors.entry_ban_check(
        document_number=number,
        issuing_state="TR",
        surname="Hüseynov",
        birth_date=dt.date(1985, 3, 14),
    ) == selectors.EntryBanAnswer(False)


def test_the_entry_ban_check_ignores_expired_bans_and_validates_input(
    world: World, client: Client
) -> None:
    listed(
        world,
        document_number="U12345678",
        valid_until=(clock.today() - dt.timedelta(days=1)).isoformat(),
    )
    assert 'data-banned="no"' in ban_check(client)[1]
    status, page = ban_check(client, birth_date="14.03.1985", issuing_state="QQQ")
    assert status == 422
    assert "Enter a date as YYYY-MM-DD." in page
    assert "Unknown country code." in page


@pytest.mark.parametrize("typed", ["19850314", "1985-W11-4", "1985W114"])
def test_a_birth_date_not_written_yyyy_mm_dd_is_refused_not_read_as_a_day(
    world: World, client: Client, typed: str
) -> None:
    listed(world, document_number="U12345678", issuing_state="TR")  # born 14.03.1985
    status, page = ban_check(client, birth_date=typed)
    assert status == 422
    assert "Enter a date as YYYY-MM-DD." in page
    assert "data-banned" not in page
    assert not AuditEvent.objects.filter(action="ENTRY_BAN_CHECKED").exists()


def test_the_portal_lists_the_entry_ban_check_as_available(client: Client) -> None:
    page = client.get("/en/services/entry_ban_check/").content.decode()
    assert "/entry-ban-check/" in page


def test_another_regions_officer_gets_404_for_an_incomplete_decision_too(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.bob)
    response = client.post(
        f"/en/office/screening/hits/{hit.pk}/decide/", {"decision": "maybe", "reason": ""}
    )
    assert response.status_code == 404
    hit.refresh_from_db()
    assert (hit.status, hit.version) == ("open", 1)
    assert AuditEvent.objects.filter(
        action="SCREENING_HIT_ACCESS_DENIED", actor=world.bob, entity_id=str(hit.pk)
    ).exists()


def test_a_decision_sent_twice_tells_the_officer_it_was_their_own(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    form = {"version": hit.version, "decision": "dismiss", "reason": "Different person"}
    client.post(f"/ru/office/screening/hits/{hit.pk}/decide/", form)
    again = client.post(f"/ru/office/screening/hits/{hit.pk}/decide/", form, follow=True)
    page = again.content.decode()
    assert "Вы уже приняли решение по этому совпадению." in page
    assert "кто-то другой" not in page
    hit.refresh_from_db()
    assert (hit.status, hit.version, hit.decision_reason) == ("dismissed", 2, "Different person")


@pytest.mark.parametrize(
    ("lang", "open_ended", "until_only"),
    [
        ("/en", "from 01.01.2024, no end date", "until 31.12.2030"),
        ("/ru", "с 01.01.2024, без срока окончания", "до 31.12.2030"),
        ("", "01.01.2024 tarixindən, bitmə tarixi yoxdur", "31.12.2030 tarixinədək"),
    ],
)
def test_a_listed_entry_without_an_end_says_so_on_the_hit_and_entry_pages(
    world: World, client: Client, lang: str, open_ended: str, until_only: str
) -> None:
    entry = listed(world, valid_until="")
    case = register(client, world)
    hit = ScreeningHit.objects.get(case=case)
    dated = listed(world, external_id="EB-2", valid_from="", valid_until="2030-12-31")
    client.force_login(world.hannah)  # the head office: the hit and the list's entries
    for url in (
        f"{lang}/office/screening/hits/{hit.pk}/",
        f"{lang}/office/screening/watchlist/{entry.pk}/",
    ):
        page = client.get(url).content.decode()
        assert f'<dd id="entry-validity">{open_ended}</dd>' in page, url
        assert "– —" not in page, url
    page = client.get(f"{lang}/office/screening/watchlist/{dated.pk}/").content.decode()
    assert f'<dd id="entry-validity">{until_only}</dd>' in page


def test_a_decision_on_a_hit_decided_meanwhile_shows_it_and_the_reasons_typed(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    other = Client()
    other.force_login(world.hannah)
    decided = other.post(
        f"/en/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "confirm", "reason": "Same person: photo"},
    )
    assert decided.status_code == 302
    client.force_login(world.alice)
    response = client.post(
        f"/ru/office/screening/hits/{hit.pk}/decide/",
        {"version": hit.version, "decision": "dismiss", "reason": "Другой человек:\nне тот год"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    conflict = page.split('id="hit-conflict">', 1)[1].split("</div>", 1)[0]
    assert "По этому совпадению уже принял решение кто-то другой." in conflict
    assert '<p class="note" id="hit-typed">Другой человек:<br>не тот год</p>' in conflict
    hit.refresh_from_db()
    assert (hit.status, hit.decided_by, hit.version) == ("confirmed", world.hannah, 2)
    assert hit.decision_reason == "Same person: photo"


def test_a_decision_on_a_page_since_changed_keeps_the_reasons_in_the_form(
    world: World, client: Client
) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/screening/hits/{hit.pk}/decide/",
        {"version": "7", "decision": "dismiss", "reason": "Different person: photo"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "What you entered is kept: check it and decide again." in page
    assert ">Different person: photo</textarea>" in field_of(page, "reason")
    assert f'name="version" value="{hit.version}"' in page
    hit.refresh_from_db()
    assert (hit.status, hit.version, hit.decision_reason) == ("open", 1, "")


def test_the_hits_pager_names_only_the_status_chosen(world: World, client: Client) -> None:
    listed(world)
    hit = ScreeningHit.objects.get(case=register(client, world))
    copies = []
    for _ in range(50):  # 51 open hits: two pages of 50
        hit.pk = None
        copies.append(
            ScreeningHit(**{f.attname: getattr(hit, f.attname) for f in hit._meta.fields})
        )
    ScreeningHit.objects.bulk_create(copies)
    client.force_login(world.alice)

    def next_link(url: str) -> str:
        pager = client.get(url).content.decode().split('class="pager"', 1)[1]
        return pager.split('href="', 2)[1].split('"', 1)[0].replace("&amp;", "&")

    assert next_link("/en/office/screening/hits/") == "?page=2"
    assert next_link("/en/office/screening/hits/?status=open") == "?page=2"
    assert next_link("/en/office/screening/hits/?status=all") == "?status=all&page=2"
    assert next_link("/en/office/screening/hits/?status=") == "?status=all&page=2"
    second = client.get("/en/office/screening/hits/?status=all&page=2").content.decode()
    assert "Hits found: 51" in second and "Page 2 of 2" in second
    assert 'option value="all" selected' in second
