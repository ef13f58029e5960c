"""Officers take a case, release it, or give it to a colleague who may work on it, from
the case pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from umis.accounts.models import Role, User
from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.cases.services import case_assign
from umis.core.testing import World, make_user
from umis.portal.tests.scene import make_scene
from umis.stays.testing import register

pytestmark = pytest.mark.django_db


def assign(client: Client, case: Case, version: int, lang: str = "/en", **data: Any) -> Any:
    return client.post(
        f"{lang}/office/cases/{case.reference}/assignment/", {"version": version, **data}
    )


def section(page: str) -> str:
    """The case page's assignment block."""
    return page.split('id="assignment"', 1)[1].split("</section>", 1)[0]


def history(page: str) -> list[str]:
    items = page.split('id="history"', 1)[1].split("</ol>", 1)[0].split('class="event"')[1:]
    return [i.split(">", 1)[1].split("</span>", 1)[0] for i in items]


def options(page: str) -> list[str]:
    select = section(page).split('id="id_assignee"', 1)[1].split("</select>", 1)[0]
    return [o.split(">", 1)[1].split("</option>", 1)[0] for o in select.split("<option")[2:]]


def test_an_officer_takes_a_case_and_releases_it(world: World, client: Client) -> None:
    case = register(world)
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    assert "Nobody has this case yet." in section(page)
    assert 'id="take-button"' in section(page) and 'id="release-button"' not in section(page)

    response = assign(client, case, case.version, action="take")

    assert response.status_code == 302
    assert response["Location"] == f"/en/office/cases/{case.reference}/"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (world.alice, case.version + 1)
    event = CaseEvent.objects.get(case=case, action="CASE_ASSIGNED")
    assert (event.actor, event.data) == (world.alice, {"assignee": "alice", "previous": None})
    [audit] = AuditEvent.objects.filter(action="CASE_ASSIGNED")
    assert (audit.actor, audit.data["assignee"]) == (world.alice, "alice")
    page = client.get(response["Location"]).content.decode()
    assert "You have taken this case." in page
    assert "You have this case." in section(page)
    assert 'id="take-button"' not in section(page) and 'id="release-button"' in section(page)
    assert '<dd id="assignee">alice</dd>' in page
    assert history(page)[-1] == "Taken by alice"

    response = assign(client, case, stored.version, action="release")

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (None, case.version + 2)
    page = client.get(response["Location"]).content.decode()
    assert "The case is released: nobody is assigned to it now." in page
    assert "Nobody has this case yet." in section(page)
    assert history(page)[-2:] == ["Taken by alice", "Released by alice"]
    assert AuditEvent.objects.filter(action="CASE_ASSIGNED").count() == 2


def test_an_officer_gives_a_case_to_a_colleague_who_may_work_on_it(
    world: World, client: Client
) -> None:
    case = register(world)  # a case of the Baku office
    colleague = make_user("dana", Role.REGIONAL_OFFICER, "baku")
    colleague.first_name, colleague.last_name = "Dana", "Əliyeva"
    colleague.save()
    gone = make_user("gone", Role.REGIONAL_OFFICER, "baku")
    gone.is_active = False
    gone.save()
    make_user("ana", Role.ANALYST, "baku")
    client.force_login(world.alice)
    page = client.get(f"/en/office/cases/{case.reference}/").content.decode()
    # the Baku officers and the head office's; not Shaki's, nor an analyst, a host or an
    # administrator, nor an account no longer active
    assert options(page) == [
        "alice — Baku regional migration department",
        "Dana Əliyeva (dana) — Baku regional migration department",
        "hannah — State Migration Service — head office",
    ]

    response = assign(client, case, case.version, action="assign", assignee=colleague.pk)

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (colleague, case.version + 1)
    page = client.get(response["Location"]).content.decode()
    assert "The case is assigned to Dana Əliyeva (dana)." in page
    assert "Dana Əliyeva (dana) has this case." in section(page)
    assert history(page)[-1] == "Assigned to Dana Əliyeva (dana) by alice"
    # the head office gives it on to one of its own
    client.force_login(world.hannah)
    assert assign(client, case, stored.version, action="assign", assignee=world.hannah.pk)
    assert Case.objects.get(pk=case.pk).assignee == world.hannah
    event = CaseEvent.objects.filter(case=case, action="CASE_ASSIGNED").last()
    assert event is not None and event.data == {"assignee": "hannah", "previous": "dana"}


@pytest.mark.parametrize("action", ["take", "release", "assign"])
def test_an_officer_of_another_office_gets_404_and_it_is_audited(
    world: World, client: Client, action: str
) -> None:
    case = register(world)
    case_assign(actor=world.alice, case=case, assignee=world.alice, expected_version=case.version)
    client.force_login(world.bob)

    response = assign(client, case, case.version, action=action, assignee=world.bob.pk)

    assert response.status_code == 404
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (world.alice, case.version)
    assert CaseEvent.objects.filter(case=case, action="CASE_ASSIGNED").count() == 1
    [denied] = AuditEvent.objects.filter(action="CASE_ACCESS_DENIED", actor=world.bob)
    assert denied.entity_id == str(case.pk)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "/en",
            "This case cannot be given to this person: only an officer of its office or of the "
            "head office can work on it.",
        ),
        (
            "",
            "Bu iş həmin şəxsə verilə bilməz: onu yalnız işin aid olduğu idarənin və ya baş "
            "idarənin əməkdaşı icra edə bilər.",
        ),
        (
            "/ru",
            "Это дело нельзя передать этому лицу: исполнять его может только сотрудник "
            "подразделения, к которому оно относится, или центрального аппарата.",
        ),
    ],
)
def test_a_case_is_not_given_to_someone_who_may_not_work_on_it(
    world: World, client: Client, lang: str, message: str
) -> None:
    case = register(world)  # Baku's
    gone = make_user("gone", Role.REGIONAL_OFFICER, "baku")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(world.alice)
    refused = {
        "an officer of Shaki": str(world.bob.pk),
        "a host": str(world.harry.pk),
        "an administrator": str(world.admin.pk),
        "an officer no longer active": str(gone.pk),
        "no account": "999999",
        "not a number": "alice",
        "nothing chosen": "",
    }
    for who, chosen in refused.items():
        response = assign(client, case, case.version, lang, action="assign", assignee=chosen)

        assert response.status_code == 422, who
        errors = section(response.content.decode()).split('id="assignment-errors"', 1)[1]
        assert message in errors.split("</div>", 1)[0], who
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (None, case.version)
    assert not CaseEvent.objects.filter(case=case, action="CASE_ASSIGNED").exists()
    attempts = AuditEvent.objects.filter(action="CASE_ASSIGNMENT_REFUSED", actor=world.alice)
    assert [a.data for a in attempts.order_by("id")] == [
        {"action": "assign", "assignee": chosen, "code": "assignee_not_eligible"}
        for chosen in refused.values()
    ]


@pytest.mark.parametrize(
    ("lang", "conflict"),
    [
        ("/en", "Someone else changed this case while you were working on it, so the assignment"),
        ("", "Siz işləyərkən bu işi başqası dəyişdi, buna görə icraçı dəyişdirilmədi."),
        ("/ru", "Пока вы работали, это дело изменил кто-то другой, поэтому исполнитель"),
    ],
)
def test_an_assignment_from_a_page_since_changed_is_refused_with_409(
    world: World, client: Client, lang: str, conflict: str
) -> None:
    case = register(world)
    seen = case.version
    # meanwhile the head office takes the case
    case_assign(actor=world.hannah, case=case, assignee=world.hannah, expected_version=seen)
    client.force_login(world.alice)

    response = assign(client, case, seen, lang, action="take")

    assert response.status_code == 409
    page = section(response.content.decode())
    assert conflict in page.split('id="assignment-errors"', 1)[1].split("</div>", 1)[0]
    assert "hannah" in page.split('id="assignee-now"', 1)[1].split("</p>", 1)[0]  # as it is now
    assert f'name="version" value="{seen + 1}"' in page
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (world.hannah, seen + 1)
    [attempt] = AuditEvent.objects.filter(action="CASE_ASSIGNMENT_REFUSED", actor=world.alice)
    assert attempt.data == {"action": "take", "assignee": "", "code": "version_conflict"}
    # sent again from the page shown, it is done
    assert assign(client, case, seen + 1, lang, action="take").status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == world.alice


def test_the_e_visa_officer_page_takes_and_releases_its_case(world: World, client: Client) -> None:
    case = make_scene(world, client).visa.case  # an e-visa of the Baku office
    client.force_login(world.alice)
    url = f"/en/office/evisa/{case.reference}/"
    page = client.get(url).content.decode()
    assert f'action="/en/office/evisa/{case.reference}/assignment/"' in section(page)

    response = client.post(f"{url}assignment/", {"version": case.version, "action": "take"})

    assert response.status_code == 302 and response["Location"] == url
    assert Case.objects.get(pk=case.pk).assignee == world.alice
    page = client.get(url).content.decode()
    assert "You have this case." in section(page)
    assert history(page)[-1] == "Taken by alice"
    # from a page read before the change: 409, the page as it is now, nothing changed
    stale = client.post(f"{url}assignment/", {"version": case.version, "action": "release"})
    assert stale.status_code == 409
    assert "You have this case." in section(stale.content.decode())
    assert Case.objects.get(pk=case.pk).assignee == world.alice
    # an officer of another office does not reach it
    client.force_login(world.bob)
    version = Case.objects.get(pk=case.pk).version
    response = client.post(f"{url}assignment/", {"version": version, "action": "take"})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).assignee == world.alice
    assert AuditEvent.objects.filter(action="CASE_ACCESS_DENIED", actor=world.bob).count() == 1


@pytest.mark.parametrize(
    ("lang", "taken", "given", "released"),
    [
        ("/en", "Taken by alice", "Assigned to hannah by alice", "Released by hannah"),
        (
            "",
            "İş alice tərəfindən icraya götürüldü",
            "alice tərəfindən icraçı təyin edildi: hannah",
            "hannah tərəfindən icraçı təyinatı ləğv edildi",
        ),
        (
            "/ru",
            "Дело принято в работу сотрудником alice",
            "Исполнитель hannah назначен сотрудником alice",
            "Исполнитель снят сотрудником hannah",
        ),
    ],
)
def test_the_history_tells_the_assignments_in_the_readers_language(
    world: World, client: Client, lang: str, taken: str, given: str, released: str
) -> None:
    case = register(world)
    case = case_assign(actor=world.alice, case=case, assignee=world.alice, expected_version=1)
    case = case_assign(actor=world.alice, case=case, assignee=world.hannah, expected_version=2)
    case_assign(actor=world.hannah, case=case, assignee=None, expected_version=3)
    client.force_login(world.hannah)
    page = client.get(f"{lang}/office/cases/{case.reference}/").content.decode()
    assert history(page)[-3:] == [taken, given, released]


@pytest.mark.parametrize(
    ("lang", "held_by", "data", "told"),
    [
        (
            "/en",
            "alice",
            {"action": "take"},
            "This case is already assigned to you: nothing was changed.",
        ),
        (
            "/ru",
            "alice",
            {"action": "take"},
            "Вы уже исполнитель этого дела: ничего не изменено.",
        ),
        (
            "",
            "hannah",
            {"action": "assign", "assignee": "hannah"},
            "Bu işin icraçısı artıq təyin edilib: hannah. Heç nə dəyişdirilmədi.",
        ),
        (
            "/en",
            None,
            {"action": "release"},
            "Nobody is assigned to this case: nothing was changed.",
        ),
    ],
)
def test_assigning_a_case_to_the_officer_who_has_it_changes_nothing_and_says_so(
    world: World, client: Client, lang: str, held_by: str | None, data: dict[str, str], told: str
) -> None:
    case = register(world)
    if held_by is not None:
        case = case_assign(
            actor=world.alice,
            case=case,
            assignee=getattr(world, held_by),
            expected_version=case.version,
        )
    if data.get("assignee"):
        data = {**data, "assignee": str(getattr(world, data["assignee"]).pk)}
    events = CaseEvent.objects.filter(case=case).count()
    audits = AuditEvent.objects.filter(action="CASE_ASSIGNED").count()
    client.force_login(world.alice)

    response = assign(client, case, case.version, lang, **data)

    assert response.status_code == 302
    assert response["Location"] == f"{lang}/office/cases/{case.reference}/"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee_id, stored.version) == (case.assignee_id, case.version)
    assert CaseEvent.objects.filter(case=case).count() == events
    assert AuditEvent.objects.filter(action="CASE_ASSIGNED").count() == audits
    page = client.get(response["Location"]).content.decode()
    assert f'<li class="info" role="status">{told}</li>' in page


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("/en", "This action is unknown: take the case, release it or give it to an officer."),
        ("", "Bu əməliyyat naməlumdur: işi götürün, buraxın və ya əməkdaşa verin."),
        (
            "/ru",
            "Такое действие неизвестно: возьмите дело, освободите его или передайте сотруднику.",
        ),
    ],
)
def test_an_unknown_assignment_action_is_said_to_be_unknown(
    world: World, client: Client, lang: str, message: str
) -> None:
    case = register(world)
    client.force_login(world.alice)
    for action in ("grab", ""):
        response = assign(client, case, case.version, lang, action=action, assignee=world.alice.pk)
        assert response.status_code == 400, action
        errors = section(response.content.decode()).split('id="assignment-errors"', 1)[1]
        assert message in errors.split("</div>", 1)[0], action
        assert "cannot be given" not in errors
    stored = Case.objects.get(pk=case.pk)
    assert (stored.assignee, stored.version) == (None, case.version)
    attempts = AuditEvent.objects.filter(action="CASE_ASSIGNMENT_REFUSED", actor=world.alice)
    assert [a.data["code"] for a in attempts] == ["unknown_action", "unknown_action"]
