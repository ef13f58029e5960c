from __future__ import annotations

import pytest
from django.test import Client

from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core.testing import World, guest
from umis.people.models import IdentityMatch, Person, PersonMerge
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _doubtful_pair(world: World) -> IdentityMatch:
    for overrides in ({}, {"birth_date": "1985-03-17", "document_number": "C7654321"}):
        stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest(**overrides)])
    return IdentityMatch.objects.get()


def test_an_officer_links_two_records_from_the_review_page(world: World, client: Client) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    queue = client.get("/en/office/duplicates/").content.decode()
    assert f"/en/office/duplicates/{match.pk}/" in queue
    page = client.get(f"/en/office/duplicates/{match.pk}/").content.decode()
    assert "U12345678" in page and "C7654321" in page
    assert "birth_date_one_digit" in page

    stale = client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man", "version": "9"},
        follow=True,
    )
    assert "Someone else changed this record" in stale.content.decode()
    assert not PersonMerge.objects.exists()

    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man, passport renewed", "version": "1"},
    )
    old, new = Person.objects.order_by("id")
    assert Case.objects.filter(applicant=old).count() == 2
    merged_page = client.get(f"/en/office/people/{new.pk}/?purpose=identity").content.decode()
    assert 'id="merged-into"' in merged_page

    merge = PersonMerge.objects.get()
    client.post(
        f"/en/office/duplicates/merges/{merge.pk}/unmerge/",
        {"reason": "two brothers after all", "version": "1", "person": str(old.pk)},
    )
    assert Case.objects.filter(applicant=new).count() == 1
    assert Case.objects.filter(applicant=old).count() == 1


@pytest.mark.parametrize(
    ("lang", "office", "nationality"),
    [
        ("", "Bakı regional miqrasiya idarəsi", "Türkiyə"),
        ("/ru", "Бакинское региональное миграционное управление", "Турция"),
        ("/en", "Baku regional migration department", "Türkiye"),
    ],
)
def test_the_review_names_offices_and_countries_in_the_readers_language(
    world: World, client: Client, lang: str, office: str, nationality: str
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    page = client.get(f"{lang}/office/duplicates/{match.pk}/").content.decode()
    assert page.count(f" · {office}</li>") == 2  # each side's case
    assert " · baku</li>" not in page
    assert page.count(f"U12345678 ({nationality})") == 1 and "(TR)" not in page
    queue = client.get(f"{lang}/office/duplicates/").content.decode()
    assert queue.count(f", {nationality}</td>") == 2 and ", TR</td>" not in queue


def test_the_review_shows_only_the_year_of_a_birth_known_by_its_year(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    Person.objects.filter(pk=match.candidate_id).update(
        birth_date="1985-01-01", birth_year_only=True
    )
    client.force_login(world.alice)
    page = client.get(f"/en/office/duplicates/{match.pk}/").content.decode()
    born = [dd.split("</dd>")[0] for dd in page.split("<dt>Date of birth</dt><dd>")[1:]]
    assert sorted(born) == ["17.03.1985", "1985"]


def test_an_officer_of_another_region_gets_404(world: World, client: Client) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.bob)
    assert client.get(f"/en/office/duplicates/{match.pk}/").status_code == 404
    response = client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "x", "version": "1"},
    )
    assert response.status_code == 404
    assert (
        f"/en/office/duplicates/{match.pk}/"
        not in client.get("/en/office/duplicates/").content.decode()
    )
    match.refresh_from_db()
    assert match.status == "open"
    assert (
        AuditEvent.objects.filter(action="IDENTITY_MATCH_ACCESS_DENIED", actor=world.bob).count()
        == 2
    )


def test_hosts_cannot_reach_the_review_pages(world: World, client: Client) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.harry)
    assert client.get(f"/en/office/duplicates/{match.pk}/").status_code == 404
    assert client.get("/en/office/duplicates/").status_code == 404


def test_another_regions_officer_gets_404_whatever_was_posted(world: World, client: Client) -> None:
    """A foreign officer's incomplete decision or undo is refused as not found (and logged),
    not answered with the form's validation message."""
    match = _doubtful_pair(world)
    client.force_login(world.bob)
    response = client.post(
        f"/en/office/duplicates/{match.pk}/decide/", {"decision": "", "reason": ""}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="IDENTITY_MATCH_ACCESS_DENIED", actor=world.bob, entity_id=str(match.pk)
    ).exists()

    client.force_login(world.alice)
    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man", "version": "1"},
    )
    merge = PersonMerge.objects.get()
    client.force_login(world.bob)
    response = client.post(
        f"/en/office/duplicates/merges/{merge.pk}/unmerge/", {"reason": "", "version": "x"}
    )
    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert AuditEvent.objects.filter(
        action="PERSON_MERGE_ACCESS_DENIED", actor=world.bob, entity_id=str(merge.pk)
    ).exists()


def test_the_unmerge_service_itself_refuses_a_merge_of_another_region(world: World) -> None:
    from umis.core.errors import NotFound
    from umis.people.services import identity_match_decide, person_unmerge

    match = _doubtful_pair(world)
    identity_match_decide(
        actor=world.alice, match_id=match.pk, decision="link", reason="same", expected_version=1
    )
    merge = PersonMerge.objects.get()
    with pytest.raises(NotFound):
        person_unmerge(actor=world.bob, merge_id=merge.pk, expected_version=1, reason="no")
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    assert AuditEvent.objects.filter(action="PERSON_MERGE_ACCESS_DENIED", actor=world.bob).exists()


def test_a_failed_undo_returns_to_the_merged_record_whatever_was_posted(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man", "version": "1"},
    )
    merge = PersonMerge.objects.get()
    for person in ("-1", "", str(10**30)):
        response = client.post(
            f"/en/office/duplicates/merges/{merge.pk}/unmerge/",
            {"reason": "undo", "version": "999", "person": person},  # a stale version
        )
        assert response.status_code == 302, person
        assert response["Location"].startswith(f"/en/office/people/{merge.merged_id}/")
    merge.refresh_from_db()
    assert merge.unmerged_at is None


def test_a_closed_review_no_longer_opens_another_offices_file(world: World, client: Client) -> None:
    baku = stay_registrations_submit(actor=world.harry, host=world.hotel, raws=[guest()])[0]
    stay_registrations_submit(
        actor=world.harry,
        host=world.hotel,
        raws=[guest(region="shaki", birth_date="1985-03-17", document_number="C7654321")],
    )
    match = IdentityMatch.objects.get()  # the Baku person and the Shaki person
    assert baku.registration is not None
    person_id = baku.registration.person_id
    client.force_login(world.bob)  # Shaki: may open both files while the review is open
    assert client.get(f"/en/office/people/{person_id}/?purpose=identity").status_code == 200
    client.force_login(world.hannah)
    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "separate", "reason": "different people", "version": "1"},
    )
    client.force_login(world.bob)
    assert client.get(f"/en/office/people/{person_id}/?purpose=identity").status_code == 404


def _field(page: str, name: str, container: str = '<div class="field') -> str:
    before, after = page.split(f'name="{name}"', 1)
    return before.rsplit(container, 1)[1] + after.split("</div>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "reason", "message"),
    [
        ("/en", "", "Give the reason for this decision."),
        ("/en", " \r\n\t ", "Give the reason for this decision."),
        ("", "", "Bu qərarın səbəbini göstərin."),
        ("/ru", "  ", "Укажите причину этого решения."),
    ],
)
def test_a_decision_without_a_reason_keeps_the_choice_and_says_so_beside_the_field(
    world: World, client: Client, lang: str, reason: str, message: str
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    response = client.post(
        f"{lang}/office/duplicates/{match.pk}/decide/",
        {"decision": "separate", "reason": reason, "version": "1"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="decide-errors"' in page
    assert 'value="separate" checked' in page and 'value="link" required checked' not in page
    field = _field(page, "reason")
    assert f'<p class="error" id="error_reason">{message}</p>' in field
    assert 'aria-invalid="true"' in field
    assert 'class="messages"' not in page
    match.refresh_from_db()
    assert (match.status, match.version, match.decision_reason) == ("open", 1, "")


def test_a_decision_not_chosen_and_a_reason_missing_are_both_said(
    world: World, client: Client
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    response = client.post(
        f"/en/office/duplicates/{match.pk}/decide/", {"reason": "", "version": "1"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert '<p class="error" id="error_decision">Choose link or keep separate.</p>' in page
    assert '<p class="error" id="error_reason">Give the reason for this decision.</p>' in page
    assert " checked" not in page.split('id="decide-form"', 1)[1]


def test_an_over_long_reason_is_refused_not_cut(world: World, client: Client) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    reason = "Same man: the passport was renewed in 2024. " * 47  # 2,068 characters
    response = client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": reason, "version": "1"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    field = _field(page, "reason")
    assert "The reasons are too long: at most 2000 characters, these have 2067." in field
    assert reason.strip() in field
    assert 'value="link" required checked' in page
    assert not PersonMerge.objects.exists()
    match.refresh_from_db()
    assert match.status == "open"


@pytest.mark.parametrize(
    ("lang", "merged_into", "undone"),
    [
        (
            "",
            "Hüseynov Rəşad (17.03.1985) qeydi Hüseynov Rəşad (14.03.1985) qeydinə birləşdirilib",
            "Ləğv edilib",
        ),
        (
            "/ru",
            "Запись Hüseynov Rəşad (17.03.1985) присоединена к записи Hüseynov Rəşad (14.03.1985)",
            "Отменено",
        ),
        (
            "/en",
            "Record Hüseynov Rəşad (17.03.1985) merged into record Hüseynov Rəşad (14.03.1985)",
            "Undone",
        ),
    ],
)
def test_the_merge_history_names_both_records_and_who_decided(
    world: World, client: Client, lang: str, merged_into: str, undone: str
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man, passport renewed", "version": "1"},
    )
    old, new = Person.objects.order_by("id")
    merge = PersonMerge.objects.get()
    url = f"{lang}/office/people/{old.pk}/?purpose=identity"
    history = client.get(url).content.decode().split('id="merges"')[1].split("</ol>")[0]
    assert merged_into in history
    assert "alice" in history and "same man, passport renewed" in history
    assert f"{new.pk} → {old.pk}" not in history
    client.force_login(world.hannah)
    client.post(
        f"/en/office/duplicates/merges/{merge.pk}/unmerge/",
        {"reason": "two brothers after all", "version": "1", "person": str(old.pk)},
    )
    history = client.get(url).content.decode().split('id="merges"')[1].split("</ol>")[0]
    assert merged_into in history
    assert undone in history and "hannah" in history and "two brothers after all" in history


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "Give the reason for this decision."),
        ("/ru", "Укажите причину этого решения."),
        ("", "Bu qərarın səbəbini göstərin."),
    ],
)
def test_an_undo_without_a_reason_is_refused_beside_the_field(
    world: World, client: Client, lang: str, message: str
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    client.post(
        f"/en/office/duplicates/{match.pk}/decide/",
        {"decision": "link", "reason": "same man", "version": "1"},
        follow=True,  # its own message read
    )
    old, _new = Person.objects.order_by("id")
    merge = PersonMerge.objects.get()
    response = client.post(
        f"{lang}/office/duplicates/merges/{merge.pk}/unmerge/",
        {"reason": "   ", "version": "1", "person": str(old.pk)},
        follow=True,
    )
    page = response.content.decode()
    merge.refresh_from_db()
    assert merge.unmerged_at is None
    # not at the top of the page, but beside the reason of this merge's form, focused
    assert 'class="messages"' not in page
    form = page.split('id="merges"', 1)[1].split("</form>", 1)[0]
    field = f"unmerge-reason-{merge.pk}"
    assert (
        f'<input id="{field}" name="reason" required aria-required="true" maxlength="2000" value="   " '
        f'aria-invalid="true" aria-describedby="error-{field}" autofocus>'
    ) in form
    assert f'<span class="error" id="error-{field}">{message}</span>' in form
    assert f'<label for="{field}">' in form
    # shown once: the page opened again has the form as new
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert f'id="error-{field}"' not in again


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "Someone else changed this record while you were working on it. Reload it."),
        ("", "Siz işləyərkən bu qeydi başqası dəyişdi. Səhifəni yeniləyin."),
        ("/ru", "Кто-то изменил эту запись, пока вы с ней работали. Обновите страницу."),
    ],
)
def test_a_decision_on_a_page_since_changed_keeps_what_the_officer_typed(
    world: World, client: Client, lang: str, message: str
) -> None:
    match = _doubtful_pair(world)
    client.force_login(world.alice)
    response = client.post(
        f"{lang}/office/duplicates/{match.pk}/decide/",
        {"decision": "separate", "reason": "two brothers, different fathers", "version": "9"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert message in page
    form = page.split('id="decide-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="separate" checked' in form
    assert ">two brothers, different fathers</textarea>" in form
    assert f'name="version" value="{match.version}"' in form  # to be sent again, knowing
    match.refresh_from_db()
    assert (match.status, match.version, match.decision_reason) == ("open", 1, "")
    assert not PersonMerge.objects.exists()
