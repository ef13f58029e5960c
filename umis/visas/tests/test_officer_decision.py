"""The officer's decision on a referred application: no e-visa is issued while a screening
hit on the case is open, and a decision taken on a page since changed is told so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape
from django.utils.translation import override

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.cases.services import case_assign
from umis.core import clock
from umis.core.errors import Conflict
from umis.core.models import OutboxMessage
from umis.documents.models import IssuedDocument
from umis.reference.models import LegalGround
from umis.screening.models import ScreeningHit, WatchlistEntry
from umis.screening.services import screening_hit_decide, watchlist_entry_withdraw
from umis.visas import notify, services, workflow
from umis.visas.models import VisaApplication
from umis.visas.testing import watchlist_entry
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_evisa import _apply_and_pay, _referred

pytestmark = pytest.mark.django_db

HELD = {
    "en": "A screening hit on this application is still open. Confirm or dismiss it first: "
    "the e-visa can be issued only when every hit is decided.",
    "ru": "По этому заявлению ещё открыто совпадение проверки. Сначала подтвердите или "
    "отклоните его: э-визу можно выдать, только когда по всем совпадениям принято решение.",
    "az": "Bu müraciət üzrə yoxlama uyğunluğu hələ açıqdır. Əvvəlcə onu təsdiq edin və ya "
    "rədd edin: e-viza yalnız bütün uyğunluqlar üzrə qərar verildikdən sonra verilə bilər.",
}
BANNED = {
    "en": "An entry ban on the applicant is confirmed: the e-visa cannot be issued. Refuse the "
    "application, citing the legal ground.",
    "ru": "Запрет на въезд в отношении заявителя подтверждён: э-визу выдать нельзя. Откажите в "
    "выдаче, указав правовое основание.",
    "az": "Müraciət edən barəsində ölkəyə giriş qadağası təsdiqlənib: e-viza verilə bilməz. "
    "Hüquqi əsası göstərməklə müraciətdən imtina edin.",
}
DOCUMENT_LISTED = {
    "en": "The applicant's travel document is confirmed as lost, stolen or invalid: the e-visa "
    "cannot be issued on this document. Refuse the application on the ground “The passport is "
    "not valid (lost, stolen or expiring)” (Migration Code, art. 16).",
    "ru": "Подтверждено, что проездной документ заявителя утерян, похищен или недействителен: "
    "по этому документу э-визу выдать нельзя. Откажите в выдаче по основанию «Паспорт "
    "недействителен (утерян, похищен или истекает)» (Миграционный кодекс, ст. 16).",
    "az": "Müraciət edənin səyahət sənədinin itirilmiş, oğurlanmış və ya etibarsız olduğu "
    "təsdiqlənib: bu sənəd üzrə e-viza verilə bilməz. Müraciətdən “Pasport etibarsızdır "
    "(itirilmiş, oğurlanmış və ya müddəti bitmiş)” əsası ilə imtina edin (Miqrasiya "
    "Məcəlləsi, m. 16).",
}
CONFLICT = {
    "en": "Someone else changed this case while you were working on it. Reload it to see the "
    "change, then decide again.",
    "ru": "Пока вы работали, это дело изменил кто-то другой. Обновите страницу, чтобы увидеть "
    "изменения, и примите решение заново.",
}
SHOWN_AS_NOW = {
    "en": "Someone else changed this case while you were working on it: it is shown below as "
    "it is now.",
    "ru": "Пока вы работали, это дело изменил кто-то другой: ниже оно показано в нынешнем виде.",
}
KEPT = {
    "en": "What you entered is kept: check it and decide again.",
    "ru": "Введённое вами сохранено: проверьте его и примите решение заново.",
}
ENTRY_BAN = "mc-visa-entry-ban"


def _prefix(lang: str) -> str:
    return "" if lang == "az" else f"/{lang}"


def _messages(page: str) -> str:
    return page.split('class="messages">', 1)[1].split("</ul>", 1)[0]


def _decide_hit(agency: Agency, app: VisaApplication, decision: str) -> None:
    hit = ScreeningHit.objects.get(case=app.case)
    screening_hit_decide(
        actor=agency.world.alice,
        hit_id=hit.pk,
        decision=decision,
        reason="Checked against the passport photo.",
        expected_version=hit.version,
    )


def _nothing_issued(app: VisaApplication, version: int) -> None:
    case = Case.objects.get(pk=app.case.pk)
    assert (case.state, case.version) == (workflow.REFERRED, version)
    assert not IssuedDocument.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, action="EVISA_APPROVED").exists()
    assert not AuditEvent.objects.filter(action="EVISA_APPROVED").exists()
    assert VisaApplication.objects.get(pk=app.pk).visa_number == ""
    assert not OutboxMessage.objects.filter(
        topic=notify.MAIL_TOPIC, payload__kind=notify.ISSUED
    ).exists()


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_the_e_visa_is_not_issued_while_a_screening_hit_is_open(
    client: Client, agency: Agency, lang: str
) -> None:
    app = _referred(client, agency)  # the applicant matches an entry ban: hit open
    version = app.case.version
    client.force_login(agency.world.alice)
    response = client.post(
        f"{_prefix(lang)}/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": version},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert HELD[lang] in _messages(page)
    _nothing_issued(app, version)
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "screening_hit_open"}
    assert attempt.actor == agency.world.alice
    assert attempt.entity_id == str(app.case.pk)
    assert ScreeningHit.objects.get(case=app.case).status == ScreeningHit.Status.OPEN


def test_the_service_refuses_to_issue_while_a_hit_is_open(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    with pytest.raises(Conflict) as refused:
        services.visa_approve(
            actor=agency.world.hannah, case=app.case, expected_version=app.case.version
        )
    assert (refused.value.code, refused.value.status) == ("screening_hit_open", 409)
    with override("en"):  # the message is translated where it is shown
        assert str(refused.value.message) == HELD["en"]
    _nothing_issued(app, app.case.version)


def test_a_stolen_passport_hit_holds_the_issue_back_too(client: Client, agency: Agency) -> None:
    watchlist_entry(category="stolen", document_number="C01X00T47", issuing_state="DE")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    with pytest.raises(Conflict) as refused:
        services.visa_approve(
            actor=agency.world.alice, case=app.case, expected_version=app.case.version
        )
    assert refused.value.code == "screening_hit_open"
    _nothing_issued(app, app.case.version)


@pytest.mark.parametrize("decision", ["dismiss", "confirm"])
def test_once_every_hit_is_decided_the_officer_decides_the_application(
    client: Client, agency: Agency, decision: str
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, decision)
    case = Case.objects.get(pk=app.case.pk)  # a hit's decision leaves the case's version
    assert case.version == app.case.version
    client.force_login(agency.world.alice)
    if decision == "dismiss":  # not the listed person: the e-visa is issued
        posted = {"decision": "approve", "version": case.version}
    else:  # the listed person: refused on the entry ban
        posted = {
            "decision": "refuse",
            "version": case.version,
            "legal_ground": ENTRY_BAN,
            "note": "The applicant is the listed person.",
        }
    response = client.post(f"/en/office/evisa/{case.reference}/decide/", posted)
    assert response.status_code == 302
    case.refresh_from_db()
    if decision == "dismiss":
        assert case.state == workflow.ISSUED
        assert IssuedDocument.objects.filter(case=case).count() == 1
        assert case.events.filter(action="EVISA_APPROVED", actor=agency.world.alice).exists()
    else:
        assert case.state == workflow.REFUSED
    assert not AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED").exists()


def test_refusing_needs_no_wait_for_the_hit(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    services.visa_refuse(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        legal_ground=LegalGround.objects.get(code=ENTRY_BAN),
        note="The applicant is under an entry ban.",
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFUSED
    assert ScreeningHit.objects.get(case=app.case).status == ScreeningHit.Status.OPEN


def test_a_referral_without_a_screening_hit_is_issued_by_the_officer(
    client: Client, agency: Agency
) -> None:
    from umis.border.models import FindingKind, OverstayFinding, Proposal
    from umis.core import clock

    [first] = _apply_and_pay(client, agency)
    today = clock.today()
    OverstayFinding.objects.create(
        person=first.person,
        kind=FindingKind.OVERSTAY,
        entry_day=today - dt.timedelta(days=60),
        office=first.case.office,
        proposal=Proposal.FINE,
        nationality="DE",
        days_over=12,
        first_detected_on=today - dt.timedelta(days=20),
        last_detected_on=today - dt.timedelta(days=20),
    )
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED and not ScreeningHit.objects.exists()
    client.force_login(agency.world.alice)
    page = client.get(f"/en/office/evisa/{app.case.reference}/").content.decode()
    assert 'id="open-hits"' not in page and "approve-held" not in page
    services.visa_approve(
        actor=agency.world.alice, case=app.case, expected_version=app.case.version
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED


def _approve_button(page: str) -> str:
    return page.split('id="approve-button"', 1)[1].split("</form>", 1)[0]


def test_the_case_page_shows_the_open_hit_by_the_decision_and_holds_the_issue_back(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    hit = ScreeningHit.objects.get(case=app.case)
    client.force_login(agency.world.alice)
    page = client.get(f"/ru/office/evisa/{app.case.reference}/").content.decode()
    decision = page.split('id="open-hits"', 1)[1]
    pending = decision.split("</div>", 1)[0]
    assert "Открытых совпадений проверки по этому делу: 1." in pending
    assert f'href="/ru/office/screening/hits/{hit.pk}/"' in pending
    assert f"Принять решение по совпадению #{hit.pk}" in pending
    assert "Запрет на въезд" in pending  # the hit's category
    # the pending hits come before the decision's buttons, the issue held back with why
    assert 'id="approve-button"' in decision and 'id="refuse-button"' in decision
    button = _approve_button(page)
    assert button.startswith(' disabled aria-describedby="approve-held"')
    assert 'id="approve-held" data-code="screening_hit_open"' in button
    assert HELD["ru"] in button
    assert 'id="refuse-button"' in page.split("refuse-form", 1)[1]  # refusing stays open

    _decide_hit(agency, app, "dismiss")
    page = client.get(f"/ru/office/evisa/{app.case.reference}/").content.decode()
    assert 'id="open-hits"' not in page
    assert not _approve_button(page).startswith(" disabled")
    assert "approve-held" not in page


def test_an_issue_on_a_page_since_refused_is_told_of_the_conflict(
    client: Client, agency: Agency
) -> None:
    """Two tabs on one case: the first refuses, the second, still showing the application
    as referred, issues it."""
    app = _referred(client, agency)
    _decide_hit(agency, app, "dismiss")
    seen = Case.objects.get(pk=app.case.pk).version
    client.force_login(agency.world.alice)
    first = client.post(
        f"/ru/office/evisa/{app.case.reference}/decide/",
        {"decision": "refuse", "version": seen, "legal_ground": ENTRY_BAN, "note": "Banned."},
    )
    assert first.status_code == 302
    second = client.post(
        f"/ru/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": seen},
        follow=True,
    )
    message = _messages(second.content.decode())
    assert CONFLICT["ru"] in message
    assert "не может перейти" not in message
    case = Case.objects.get(pk=app.case.pk)
    assert (case.state, case.version) == (workflow.REFUSED, seen + 1)
    assert not IssuedDocument.objects.filter(case=case).exists()
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "version_conflict"}


def _refuse(client: Client, case: Any, version: int, lang: str = "en") -> Any:
    return client.post(
        f"/{lang}/office/evisa/{case.reference}/decide/",
        {
            "decision": "refuse",
            "version": version,
            "legal_ground": ENTRY_BAN,
            "note": "Listed under an entry ban until 2030.\r\nSame passport number.",
        },
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_refusal_on_a_page_since_changed_comes_back_as_typed(
    client: Client, agency: Agency, lang: str
) -> None:
    app = _referred(client, agency)
    seen = app.case.version
    # meanwhile the case is assigned: still referred, one version on
    case_assign(
        actor=agency.world.hannah,
        case=Case.objects.get(pk=app.case.pk),
        assignee=agency.world.alice,
        expected_version=seen,
    )
    client.force_login(agency.world.alice)
    response = _refuse(client, app.case, seen, lang)
    assert response.status_code == 409
    page = response.content.decode()
    form = page.split('id="refuse-form"', 1)[1].split("</form>", 1)[0]
    errors = form.split('id="refuse-errors"', 1)[1].split("</div>", 1)[0]
    assert SHOWN_AS_NOW[lang] in errors and KEPT[lang] in errors
    assert "Listed under an entry ban until 2030.\r\nSame passport number." in form
    assert f'<option value="{ENTRY_BAN}" selected>' in form
    assert f'name="version" value="{seen + 1}"' in form  # the case as it is now
    case = Case.objects.get(pk=app.case.pk)
    assert (case.state, case.version) == (workflow.REFERRED, seen + 1)
    assert not case.events.filter(action="EVISA_REFUSED").exists()
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "version_conflict"}
    # sent again from the page shown, it is recorded
    assert _refuse(client, app.case, seen + 1, lang).status_code == 302
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFUSED


def test_a_refusal_on_a_page_since_decided_says_so_without_the_form(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, "dismiss")
    seen = app.case.version
    services.visa_approve(actor=agency.world.hannah, case=app.case, expected_version=seen)
    client.force_login(agency.world.alice)
    response = _refuse(client, app.case, seen)
    assert response.status_code == 409
    page = response.content.decode()
    assert SHOWN_AS_NOW["en"] in page.split('id="decision-conflict"', 1)[1].split("</div>", 1)[0]
    assert 'id="refuse-form"' not in page
    assert 'data-state="issued"' in page
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_a_confirmed_entry_ban_holds_the_issue_back_for_good(
    client: Client, agency: Agency, lang: str
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, "confirm")  # the applicant is the person the ban lists
    version = Case.objects.get(pk=app.case.pk).version
    client.force_login(agency.world.alice)
    page = client.get(f"{_prefix(lang)}/office/evisa/{app.case.reference}/").content.decode()
    assert 'id="open-hits"' not in page  # nothing left to decide on the hit
    button = _approve_button(page)
    assert button.startswith(' disabled aria-describedby="approve-held"')
    assert 'id="approve-held" data-code="entry_ban_confirmed"' in button
    assert BANNED[lang] in button
    response = client.post(
        f"{_prefix(lang)}/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": version},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert BANNED[lang] in _messages(page)
    _nothing_issued(app, version)
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "entry_ban_confirmed"}
    # refusing with the legal ground is what is left, and it is recorded
    assert _refuse(client, app.case, version, lang if lang != "az" else "en").status_code == 302
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFUSED


def test_the_service_refuses_to_issue_once_an_entry_ban_is_confirmed(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, "confirm")
    with pytest.raises(Conflict) as refused:
        services.visa_approve(
            actor=agency.world.hannah, case=app.case, expected_version=app.case.version
        )
    assert (refused.value.code, refused.value.status) == ("entry_ban_confirmed", 409)
    with override("en"):
        assert str(refused.value.message) == BANNED["en"]
    _nothing_issued(app, app.case.version)


def test_a_dismissed_entry_ban_hit_does_not_hold_the_issue_back(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, "dismiss")  # not the listed person
    services.visa_approve(
        actor=agency.world.alice, case=app.case, expected_version=app.case.version
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED
    assert IssuedDocument.objects.filter(case=app.case).count() == 1


def test_a_confirmed_hit_of_a_ban_since_lifted_holds_nothing_back(
    client: Client, agency: Agency
) -> None:
    app = _referred(client, agency)
    _decide_hit(agency, app, "confirm")
    hit = ScreeningHit.objects.select_related("entry").get(case=app.case)
    WatchlistEntry.objects.filter(pk=hit.entry_id).update(
        valid_until=clock.today() - dt.timedelta(days=1)
    )
    client.force_login(agency.world.alice)
    page = client.get(f"/en/office/evisa/{app.case.reference}/").content.decode()
    assert "approve-held" not in page
    services.visa_approve(
        actor=agency.world.alice, case=app.case, expected_version=app.case.version
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED


def _stolen_passport(client: Client, agency: Agency) -> VisaApplication:
    """An application whose passport is listed as stolen (the applicant is no listed person):
    referred with one open hit on the document."""
    watchlist_entry(category="stolen", document_number="C01X00T47", issuing_state="DE")
    [app] = _apply_and_pay(client, agency)
    assert app.case.state == workflow.REFERRED
    assert ScreeningHit.objects.get(case=app.case).entry.category == "stolen"
    return app


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_a_confirmed_hit_on_a_stolen_passport_holds_the_issue_back(
    client: Client, agency: Agency, lang: str
) -> None:
    app = _stolen_passport(client, agency)
    _decide_hit(agency, app, "confirm")  # the passport is the one reported stolen
    version = Case.objects.get(pk=app.case.pk).version
    client.force_login(agency.world.alice)
    page = client.get(f"{_prefix(lang)}/office/evisa/{app.case.reference}/").content.decode()
    assert 'id="open-hits"' not in page
    button = _approve_button(page)
    assert button.startswith(' disabled aria-describedby="approve-held"')
    assert 'id="approve-held" data-code="document_hit_confirmed"' in button
    assert escape(DOCUMENT_LISTED[lang]) in button
    response = client.post(
        f"{_prefix(lang)}/office/evisa/{app.case.reference}/decide/",
        {"decision": "approve", "version": version},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert escape(DOCUMENT_LISTED[lang]) in _messages(page)
    _nothing_issued(app, version)
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"code": "document_hit_confirmed"}
    # the ground the message names is one the officer can refuse on
    response = client.post(
        f"/en/office/evisa/{app.case.reference}/decide/",
        {
            "decision": "refuse",
            "version": version,
            "legal_ground": "mc-visa-invalid-document",
            "note": "Passport reported stolen by the issuing state.",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=app.case.pk).state == workflow.REFUSED


def test_the_service_refuses_to_issue_once_a_document_hit_is_confirmed(
    client: Client, agency: Agency
) -> None:
    app = _stolen_passport(client, agency)
    _decide_hit(agency, app, "confirm")
    with pytest.raises(Conflict) as refused:
        services.visa_approve(
            actor=agency.world.hannah, case=app.case, expected_version=app.case.version
        )
    assert (refused.value.code, refused.value.status) == ("document_hit_confirmed", 409)
    with override("en"):
        assert str(refused.value.message) == DOCUMENT_LISTED["en"]
    _nothing_issued(app, app.case.version)


def test_a_dismissed_document_hit_does_not_hold_the_issue_back(
    client: Client, agency: Agency
) -> None:
    app = _stolen_passport(client, agency)
    _decide_hit(agency, app, "dismiss")  # another document with the same number
    services.visa_approve(
        actor=agency.world.alice, case=app.case, expected_version=app.case.version
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED
    assert IssuedDocument.objects.filter(case=app.case).count() == 1


@pytest.mark.parametrize("how", ["withdrawn", "ended"])
def test_a_confirmed_hit_on_a_document_no_longer_listed_holds_nothing_back(
    client: Client, agency: Agency, how: str
) -> None:
    app = _stolen_passport(client, agency)
    _decide_hit(agency, app, "confirm")
    entry = ScreeningHit.objects.select_related("entry").get(case=app.case).entry
    if how == "withdrawn":  # the passport was found again
        watchlist_entry_withdraw(
            actor=agency.world.hannah,
            entry=entry,
            reason="Passport recovered.",
            expected_version=entry.version,
        )
    else:
        WatchlistEntry.objects.filter(pk=entry.pk).update(
            valid_until=clock.today() - dt.timedelta(days=1)
        )
    client.force_login(agency.world.alice)
    page = client.get(f"/en/office/evisa/{app.case.reference}/").content.decode()
    assert "approve-held" not in page
    services.visa_approve(
        actor=agency.world.alice, case=app.case, expected_version=app.case.version
    )
    assert Case.objects.get(pk=app.case.pk).state == workflow.ISSUED
