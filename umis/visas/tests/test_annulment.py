"""An officer annuls an issued e-visa with a legal ground and the reasons: the visa then
verifies as annulled (page and API), the applicant's status page says so and the applicant
is told by e-mail; a wrong form, a stale page, another office or another role changes
nothing, and the attempt is in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from umis.audit.models import AuditEvent
from umis.cases.models import Case, CaseEvent
from umis.cases.services import case_assign
from umis.core import clock
from umis.core.errors import Conflict, DomainError, PermissionDenied
from umis.core.models import OutboxMessage
from umis.core.outbox import outbox_drain
from umis.core.testing import make_user
from umis.documents.models import IssuedDocument
from umis.documents.services import document_verify_code
from umis.reference.models import LegalGround
from umis.visas import notify, services, workflow
from umis.visas.models import VisaApplication
from umis.visas.tests.conftest import Agency
from umis.visas.tests.test_evisa import _apply_and_pay, _referred

pytestmark = pytest.mark.django_db

BAN = "mc-visa-annul-entry-ban"
FALSE_INFORMATION = "mc-visa-annul-false-information"
REASONS = "Listed under an entry ban since 2026-11-20.\r\nSame passport number."
KEPT_REASONS = "Listed under an entry ban since 2026-11-20.\nSame passport number."  # as kept
SHOWN_AS_NOW = {
    "en": "Someone else changed this case while you were working on it: it is shown below as "
    "it is now.",
    "ru": "Пока вы работали, это дело изменил кто-то другой: ниже оно показано в нынешнем виде.",
}
KEPT = {
    "en": "What you entered is kept: check it and decide again.",
    "ru": "Введённое вами сохранено: проверьте его и примите решение заново.",
}


def _issued(client: Client, agency: Agency) -> VisaApplication:
    [app] = _apply_and_pay(client, agency)  # a clean application: issued at once
    assert app.case.state == workflow.ISSUED
    return app


def _annul(client: Client, case: Case, version: int, lang: str = "en", **fields: str) -> Any:
    posted = {"version": version, "legal_ground": BAN, "note": REASONS, "confirm": "1"}
    posted.update(fields)
    prefix = "" if lang == "az" else f"/{lang}"
    return client.post(f"{prefix}/office/evisa/{case.reference}/annul/", posted)


def _form(page: str) -> str:
    return page.split('id="annul-form"', 1)[1].split("</form>", 1)[0]


def _document(app: VisaApplication) -> IssuedDocument:
    return IssuedDocument.objects.get(case_id=app.case_id, kind=IssuedDocument.Kind.EVISA)


def _nothing_annulled(app: VisaApplication, version: int) -> None:
    case = Case.objects.get(pk=app.case_id)
    assert (case.state, case.version) == (workflow.ISSUED, version)
    assert _document(app).status == IssuedDocument.Status.VALID
    assert not CaseEvent.objects.filter(case=case, action="EVISA_ANNULLED").exists()
    assert not AuditEvent.objects.filter(
        action__in=["EVISA_ANNULLED", "DOCUMENT_ANNULLED"]
    ).exists()
    assert not OutboxMessage.objects.filter(
        topic=notify.MAIL_TOPIC, payload__kind=notify.ANNULLED
    ).exists()


def test_an_officer_annuls_an_issued_e_visa_and_it_verifies_as_annulled(
    client: Client, agency: Agency
) -> None:
    app = _issued(client, agency)
    code = document_verify_code(_document(app))
    before = client.get(f"/api/v1/documents/verify/{code}").json()
    assert before["status"] == "genuine"
    alice = agency.world.alice
    client.force_login(alice)
    page = client.get(f"/en/office/evisa/{app.case.reference}/").content.decode()
    form = _form(page)
    assert f'action="/en/office/evisa/{app.case.reference}/annul/"' in page
    assert f'<option value="{BAN}">Migration Code, art. 16.1 — After the visa was issued' in form
    assert 'value="mc-visa-entry-ban"' not in form  # a refusal's grounds are not offered
    assert f'name="version" value="{app.case.version}"' in form

    response = _annul(client, app.case, app.case.version)
    assert response.status_code == 302
    assert response["Location"] == f"/en/office/evisa/{app.case.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "The e-visa is annulled." in page
    assert 'data-state="annulled"' in page and 'id="annul-form"' not in page

    case = Case.objects.get(pk=app.case_id)
    assert (case.state, case.version, case.is_open) == (
        workflow.ANNULLED,
        app.case.version + 1,
        False,
    )
    [event] = CaseEvent.objects.filter(case=case, action="EVISA_ANNULLED")
    assert (event.actor, event.legal_ground.code, event.from_state, event.to_state) == (  # type: ignore[union-attr]
        alice,
        BAN,
        workflow.ISSUED,
        workflow.ANNULLED,
    )
    assert event.note == KEPT_REASONS
    [audit] = AuditEvent.objects.filter(action="EVISA_ANNULLED")
    assert audit.actor == alice and audit.data["legal_ground"] == BAN
    [annulled] = AuditEvent.objects.filter(action="DOCUMENT_ANNULLED")
    number = VisaApplication.objects.get(pk=app.pk).visa_number
    assert annulled.data == {"number": number, "reason": BAN}
    assert not AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED").exists()

    # the border, an airline, anyone holding the code: annulled, from today
    client.logout()
    verified = client.get(f"/api/v1/documents/verify/{code}").json()
    assert (verified["status"], verified["annulled_on"]) == ("annulled", clock.today().isoformat())
    page = client.get(f"/en/verify/{code}").content.decode()
    assert 'id="verdict" data-status="annulled"' in page
    # and the agency that applied reads it on the application
    read = client.get(
        f"/api/v1/evisa/applications/{app.group_reference}", headers={"X-API-Key": agency.key}
    ).json()
    [traveller] = read["travellers"]
    assert (traveller["state"], traveller["evisa_url"]) == ("annulled", None)


def test_the_applicant_is_told_by_e_mail_in_their_language(client: Client, agency: Agency) -> None:
    app = _issued(client, agency)
    VisaApplication.objects.filter(pk=app.pk).update(language="ru")
    outbox_drain()
    mail.outbox.clear()
    services.visa_annul(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        legal_ground=LegalGround.objects.get(code=BAN),
        reasons=REASONS,
    )
    assert mail.outbox == []  # owed in the decision's transaction, sent by the worker
    outbox_drain()
    [told] = mail.outbox
    number = VisaApplication.objects.get(pk=app.pk).visa_number
    assert told.to == ["anna@example.org"]
    assert told.subject == f"Ваша э-виза {number} аннулирована"
    assert told.body.startswith("Ваша э-виза аннулирована: въезд по ней больше невозможен.")
    assert f"/evisa/status/{app.group_reference}" in told.body
    outbox_drain()
    assert len(mail.outbox) == 1  # once


@pytest.mark.parametrize(
    ("lang", "state", "said"),
    [
        (
            "en",
            "e-visa annulled",
            "Annulled on {day} by the State Migration Service: After the visa was issued, the "
            "person was found to be banned from entering the country (Migration Code, art. 16.1)",
        ),
        (
            "ru",
            "э-виза аннулирована",
            "Аннулирована {day} Государственной миграционной службой: После выдачи визы "
            "установлено, что лицу запрещён въезд в страну (Миграционный кодекс, ст. 16.1)",
        ),
        (
            "az",
            "e-viza ləğv edilib",
            "{day} tarixində Dövlət Miqrasiya Xidməti tərəfindən ləğv edilib: Viza verildikdən "
            "sonra şəxsin ölkəyə girişinin qadağan olunduğu müəyyən edilib (Miqrasiya "
            "Məcəlləsi, m. 16.1)",
        ),
    ],
)
def test_the_status_page_says_the_e_visa_is_annulled_and_on_what_ground(
    client: Client, agency: Agency, lang: str, state: str, said: str
) -> None:
    app = _issued(client, agency)
    services.visa_annul(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        legal_ground=LegalGround.objects.get(code=BAN),
        reasons=REASONS,
    )
    prefix = "" if lang == "az" else f"/{lang}"
    found = client.post(
        f"{prefix}/evisa/status/",
        {"reference": app.group_reference, "passport_number": "C01X00T47"},
    )
    assert found.status_code == 302
    page = client.get(found["Location"]).content.decode()
    row = page.split('id="travellers"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="state" data-state="annulled">{state}</td>' in row
    assert said.format(day=f"{clock.today():%d.%m.%Y}") in row
    assert "Listed under an entry ban" not in page  # the officer's reasons stay in the file
    assert "evisa.pdf" not in row  # nothing to download any more
    # the old link to the e-visa: a page in the applicant's language saying it was annulled,
    # when and on what ground, with where it verifies as annulled; 410 Gone, not a bare 404
    gone = client.get(f"{prefix}/evisa/status/{app.group_reference}/{app.case.reference}/evisa.pdf")
    assert (gone.status_code, gone["Content-Type"]) == (410, "text/html; charset=utf-8")
    text = gone.content.decode()
    heading = {
        "en": "This e-visa has been annulled",
        "ru": "Эта э-виза аннулирована",
        "az": "Bu e-viza ləğv edilib",
    }[lang]
    assert f'<h1 id="annulled-heading">{heading}</h1>' in text
    assert said.format(day=f"{clock.today():%d.%m.%Y}") in text
    assert "Listed under an entry ban" not in text
    code = document_verify_code(_document(app))
    assert f'<a id="verify-link" href="{prefix}/verify/{code}">' in text
    assert f'<a id="back-link" href="{prefix}/evisa/status/{app.group_reference}">' in text


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"legal_ground": ""}, "legal_ground", "Choose the legal ground for this decision."),
        ({"note": "  "}, "note", "Give the reasons for this decision."),
        (
            {"note": "x" * 2001},
            "note",
            "The reasons are too long: at most 2000 characters, these have 2001.",
        ),
        (
            {"confirm": ""},
            "confirm",
            "Tick the box to confirm the annulment. It cannot be undone.",
        ),
        # a refusal's ground is not one an annulment may cite
        (
            {"legal_ground": "mc-visa-entry-ban"},
            "legal_ground",
            "This legal ground does not apply to the annulment of a visa.",
        ),
    ],
)
def test_a_wrong_annulment_comes_back_as_typed_with_the_error_beside_the_field(
    client: Client, agency: Agency, posted: dict[str, str], field: str, message: str
) -> None:
    app = _issued(client, agency)
    client.force_login(agency.world.alice)
    response = _annul(client, app.case, app.case.version, **posted)
    assert response.status_code == 422
    form = _form(response.content.decode())
    assert "The e-visa was not annulled. Correct the fields marked below." in form
    assert f'<p class="error" id="error_annul_{field}">{message}</p>' in form
    assert form.count('aria-invalid="true"') == 1
    # what the officer entered is shown again
    if "legal_ground" not in posted:
        assert f'<option value="{BAN}" selected>' in form
    if "note" not in posted:
        assert KEPT_REASONS in form
    if "confirm" not in posted:
        assert 'name="confirm" value="1" required aria-required="true" checked>' in form
    _nothing_annulled(app, app.case.version)
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.actor == agency.world.alice
    assert attempt.data["decision"] == "annul"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_an_annulment_on_a_page_since_changed_comes_back_as_typed(
    client: Client, agency: Agency, lang: str
) -> None:
    app = _issued(client, agency)
    seen = app.case.version
    # meanwhile the case is assigned: still issued, one version on
    case_assign(
        actor=agency.world.hannah,
        case=Case.objects.get(pk=app.case_id),
        assignee=agency.world.alice,
        expected_version=seen,
    )
    client.force_login(agency.world.alice)
    response = _annul(client, app.case, seen, lang, legal_ground=FALSE_INFORMATION)
    assert response.status_code == 409
    form = _form(response.content.decode())
    errors = form.split('id="annul-errors"', 1)[1].split("</div>", 1)[0]
    assert SHOWN_AS_NOW[lang] in errors and KEPT[lang] in errors
    assert KEPT_REASONS in form
    assert f'<option value="{FALSE_INFORMATION}" selected>' in form
    assert f'name="version" value="{seen + 1}"' in form  # the case as it is now
    assert (
        'name="confirm" value="1" required aria-required="true">' in form
    )  # ticked again, knowing the change
    _nothing_annulled(app, seen + 1)
    [attempt] = AuditEvent.objects.filter(action="EVISA_DECISION_REFUSED")
    assert attempt.data == {"decision": "annul", "code": "version_conflict"}
    # sent again from the page shown, it is recorded
    assert _annul(client, app.case, seen + 1, lang).status_code == 302
    assert Case.objects.get(pk=app.case_id).state == workflow.ANNULLED


def test_an_annulment_on_a_page_since_annulled_says_so_without_the_form(
    client: Client, agency: Agency
) -> None:
    app = _issued(client, agency)
    seen = app.case.version
    services.visa_annul(
        actor=agency.world.hannah,
        case=app.case,
        expected_version=seen,
        legal_ground=LegalGround.objects.get(code=FALSE_INFORMATION),
        reasons="The hotel booking was forged.",
    )
    client.force_login(agency.world.alice)
    response = _annul(client, app.case, seen)
    assert response.status_code == 409
    page = response.content.decode()
    assert SHOWN_AS_NOW["en"] in page.split('id="decision-conflict"', 1)[1].split("</div>", 1)[0]
    assert 'id="annul-form"' not in page and 'data-state="annulled"' in page
    [event] = CaseEvent.objects.filter(case_id=app.case_id, action="EVISA_ANNULLED")
    assert event.legal_ground.code == FALSE_INFORMATION  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="DOCUMENT_ANNULLED").count() == 1
    # sent again without a reason, it is the change that is told, not the missing reason
    response = _annul(client, app.case, seen, note="")
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="decision-conflict"' in page and 'id="annul-form"' not in page
    assert CaseEvent.objects.filter(case_id=app.case_id, action="EVISA_ANNULLED").count() == 1


def test_an_officer_of_another_office_cannot_annul(client: Client, agency: Agency) -> None:
    app = _issued(client, agency)
    client.force_login(agency.world.bob)  # the Shaki office: e-visas are Baku's
    assert client.get(f"/en/office/evisa/{app.case.reference}/").status_code == 404
    assert _annul(client, app.case, app.case.version).status_code == 404
    _nothing_annulled(app, app.case.version)
    assert AuditEvent.objects.filter(action="CASE_ACCESS_DENIED", actor=agency.world.bob).exists()
    with pytest.raises(PermissionDenied):
        services.visa_annul(
            actor=agency.world.bob,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code=BAN),
            reasons=REASONS,
        )
    _nothing_annulled(app, app.case.version)


@pytest.mark.parametrize("role", ["analyst", "administrator"])
def test_staff_of_another_role_cannot_annul(client: Client, agency: Agency, role: str) -> None:
    app = _issued(client, agency)
    user = make_user(f"{role}-1", role, "head")
    client.force_login(user)
    assert _annul(client, app.case, app.case.version).status_code == 404
    _nothing_annulled(app, app.case.version)
    with pytest.raises(PermissionDenied) as refused:
        services.visa_annul(
            actor=user,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code=BAN),
            reasons=REASONS,
        )
    assert refused.value.code == "forbidden"
    _nothing_annulled(app, app.case.version)


def test_only_an_issued_e_visa_is_annulled(client: Client, agency: Agency) -> None:
    app = _referred(client, agency)
    client.force_login(agency.world.alice)
    page = client.get(f"/en/office/evisa/{app.case.reference}/").content.decode()
    assert 'id="annul-form"' not in page
    with pytest.raises(Conflict) as refused:
        services.visa_annul(
            actor=agency.world.alice,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code=BAN),
            reasons=REASONS,
        )
    assert refused.value.code == "invalid_transition"
    case = Case.objects.get(pk=app.case_id)
    assert (case.state, case.version) == (workflow.REFERRED, app.case.version)


def test_the_service_refuses_an_annulment_without_reasons(client: Client, agency: Agency) -> None:
    app = _issued(client, agency)
    with pytest.raises(DomainError) as refused:
        services.visa_annul(
            actor=agency.world.alice,
            case=app.case,
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code=BAN),
            reasons=" \r\n ",
        )
    assert (refused.value.code, refused.value.field) == ("reasons_required", "note")
    _nothing_annulled(app, app.case.version)


def test_the_general_case_page_leaves_an_e_visa_to_its_own_page(
    client: Client, agency: Agency
) -> None:
    app = _issued(client, agency)
    client.force_login(agency.world.alice)
    page = client.get(f"/en/office/cases/{app.case.reference}/").content.decode()
    assert 'id="evisa-case-link"' in page
    assert 'id="annul-form"' not in page  # not the registration's annulment


def test_the_queue_tells_annulled_e_visas_from_annulled_registrations(
    client: Client, agency: Agency
) -> None:
    from umis.core.testing import annul
    from umis.stays.testing import register

    app = _issued(client, agency)
    services.visa_annul(
        actor=agency.world.alice,
        case=app.case,
        expected_version=app.case.version,
        legal_ground=LegalGround.objects.get(code=BAN),
        reasons=REASONS,
    )
    registration = register(agency.world)
    client.force_login(agency.world.alice)
    annul(client, registration)
    assert Case.objects.get(pk=registration.pk).state == "annulled"

    page = client.get("/en/office/queue/?state=evisa:annulled").content.decode()
    assert '<option value="evisa:annulled" selected>e-visa annulled</option>' in page
    assert '<option value="stay_registration:annulled">annulled</option>' in page
    listed = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert app.case.reference in listed and registration.reference not in listed
    page = client.get("/en/office/queue/?state=stay_registration:annulled").content.decode()
    listed = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    assert registration.reference in listed and app.case.reference not in listed


def test_an_annulment_keeps_the_decision_time_and_both_are_on_the_case_pages(
    client: Client, agency: Agency
) -> None:
    from umis.cases.statistics import cases_by_office
    from umis.core.statistics import Query

    app = _issued(client, agency)
    decided_at = Case.objects.get(pk=app.case_id).closed_at
    assert decided_at is not None
    later = decided_at + dt.timedelta(days=3, hours=2)
    with clock.frozen_at(later):
        services.visa_annul(
            actor=agency.world.alice,
            case=Case.objects.get(pk=app.case_id),
            expected_version=app.case.version,
            legal_ground=LegalGround.objects.get(code=BAN),
            reasons=REASONS,
        )
    case = Case.objects.get(pk=app.case_id)
    assert (case.state, case.closed_at) == (workflow.ANNULLED, decided_at)

    # the statistics count the case closed on the day of its decision, not of its annulment
    def closed_on(day: dt.date) -> int:
        query = Query(first_day=day, last_day=day, office_id=None, at=later)
        return sum(row[2] for row in cases_by_office(query))  # type: ignore[misc]

    assert closed_on(timezone.localdate(decided_at)) == 1
    assert closed_on(timezone.localdate(later)) == 0

    client.force_login(agency.world.alice)
    shown = {
        "decided": timezone.localtime(decided_at).strftime("%d.%m.%Y %H:%M"),
        "annulled": timezone.localtime(later).strftime("%d.%m.%Y %H:%M"),
    }
    page = client.get(f"/en/office/evisa/{case.reference}/").content.decode()
    assert (
        f'<dt>Decided on</dt><dd id="decided-at"><time datetime="{timezone.localtime(decided_at).isoformat()}">{shown["decided"]}</time></dd>'
        in page
    )
    assert f">{shown['annulled']}</time></dd>" in page.split('id="annulled-at"', 1)[1][:120]
    page = client.get(f"/ru/office/cases/{case.reference}/").content.decode()
    assert '<dt>Дата закрытия</dt><dd id="closed-at">' in page
    assert (
        page.split('id="closed-at"', 1)[1]
        .split("</dd>", 1)[0]
        .endswith(f">{shown['decided']}</time>")
    )
    assert (
        page.split('id="annulled-at"', 1)[1]
        .split("</dd>", 1)[0]
        .endswith(f">{shown['annulled']}</time>")
    )
    assert "<dt>Дата аннулирования</dt>" in page
