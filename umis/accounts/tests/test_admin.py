"""The admin: every change it makes is in the audit log; a revoked key stays revoked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from umis.accounts.models import ApiClient, Role, Scope, User
from umis.accounts.services import api_client_revoke
from umis.audit.models import AuditEvent
from umis.core.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _user_form(user: User, **changes: str) -> dict[str, str]:
    joined = timezone.localtime(user.date_joined)
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "office": str(user.office_id or ""),
        "preferred_language": user.preferred_language,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        # the page sends the initial value too (the field's default is a callable)
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
    }
    form.update(changes)
    return form


def test_making_an_account_superuser_in_the_admin_is_audited_with_the_fields_changed(
    world: World,
) -> None:
    oscar = world.oscar
    form = _user_form(oscar, role=Role.ADMINISTRATOR, is_staff="on", is_superuser="on")
    response = _admin(world).post(f"/en/admin/accounts/user/{oscar.pk}/change/", form)
    assert response.status_code == 302
    oscar.refresh_from_db()
    assert (oscar.role, oscar.is_staff, oscar.is_superuser) == (Role.ADMINISTRATOR, True, True)
    event = AuditEvent.objects.get(action="ADMIN_RECORD_CHANGED")
    assert (event.actor_id, event.entity_type, event.entity_id) == (
        world.admin.pk,
        "accounts.user",
        str(oscar.pk),
    )
    assert event.data == {"fields": ["is_staff", "is_superuser", "role"]}


def test_a_password_set_in_the_admin_is_audited_without_the_password(world: World) -> None:
    oscar = world.oscar
    new = f"{PASSWORD}-renewed"
    response = _admin(world).post(
        f"/en/admin/accounts/user/{oscar.pk}/password/",
        {"password1": new, "password2": new, "set_usable_password": "true"},
    )
    assert response.status_code == 302
    oscar.refresh_from_db()
    assert oscar.check_password(new)
    event = AuditEvent.objects.get(action="ADMIN_RECORD_CHANGED")
    assert (event.actor_id, event.entity_id, event.data) == (
        world.admin.pk,
        str(oscar.pk),
        {"fields": ["password"]},
    )
    assert new not in str(event.data) and oscar.password not in str(event.data)


def test_a_revoked_key_cannot_be_brought_back_in_the_admin(world: World) -> None:
    key = ApiClient.objects.get(user=world.harry)
    api_client_revoke(actor=world.admin, client=key)
    key.refresh_from_db()
    revoked_at = key.revoked_at
    assert revoked_at is not None
    response = _admin(world).post(
        f"/en/admin/accounts/apiclient/{key.pk}/change/",
        {
            "name": key.name,
            "user": world.harry.pk,
            "scopes": f'["{Scope.STAY_REGISTRATIONS}", "{Scope.PEOPLE_READ}"]',
            "revoked_at_0": "",
            "revoked_at_1": "",
        },
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at == revoked_at  # still revoked
    event = AuditEvent.objects.get(action="ADMIN_RECORD_CHANGED")
    assert (event.entity_type, event.entity_id, event.data) == (
        "accounts.apiclient",
        str(key.pk),
        {"fields": ["scopes"]},
    )
    assert key.key_hash not in str(event.data)


def test_keys_are_revoked_from_the_admin_list(world: World) -> None:
    key = ApiClient.objects.get(user=world.harry)
    response = _admin(world).post(
        "/en/admin/accounts/apiclient/",
        {"action": "revoke_keys", "_selected_action": [str(key.pk)]},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    event = AuditEvent.objects.get(action="API_CLIENT_REVOKED")
    assert (event.actor_id, event.entity_id) == (world.admin.pk, str(key.pk))


def test_the_admin_speaks_azerbaijani_and_keeps_the_fees_and_e_visa_nationalities(
    world: World,
) -> None:
    import re

    from umis.payments.models import Fee
    from umis.payments.services import fees_load_defaults
    from umis.visas.models import EligibleNationality

    client = _admin(world)
    page = client.get("/admin/").content.decode()
    headings = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", page)
    rows = re.findall(r"<th scope=.row.[^>]*>\s*<a[^>]*>([^<]+)</a>", page)
    assert {"Giriş cəhdləri", "Arxa plan tapşırıqları", "Arayış məlumatları", "Ödənişlər"} <= set(
        headings
    )
    assert {"İstifadəçilər", "İdarələr", "Rüsumlar cədvəli", "TOTP cihazları"} <= set(rows)
    english = {
        "Axes",
        "Otp_Totp",
        "Tasks Database Backend",
        "Users",
        "Access attempts",
        "Payments",
        "Visas",
    }
    assert not english & set(headings + rows)
    assert not [r for r in rows if r.startswith("I")]  # capital İ, not I, in Azerbaijani

    fees_load_defaults()
    fee = Fee.objects.order_by("pk").first()
    assert fee is not None
    assert client.get(f"/admin/payments/fee/{fee.pk}/change/").status_code == 200
    refused = client.post(
        "/admin/visas/eligiblenationality/add/",
        {"country_code": "QQ", "valid_from": "2026-01-01", "valid_to": ""},
    )
    assert refused.status_code == 200 and "Naməlum ölkə kodu" in refused.content.decode()
    assert not EligibleNationality.objects.filter(country_code="QQ").exists()
    added = client.post(
        "/admin/visas/eligiblenationality/add/",
        {"country_code": "de", "valid_from": "2026-01-01", "valid_to": ""},
    )
    assert added.status_code == 302
    assert EligibleNationality.objects.filter(country_code="DE").exists()
    assert AuditEvent.objects.filter(
        action="ADMIN_RECORD_CREATED", entity_type="visas.eligiblenationality"
    ).exists()


@pytest.mark.parametrize(
    ("lang", "germany"), [("", "Almaniya"), ("/en", "Germany"), ("/ru", "Германия")]
)
def test_the_eligible_nationalities_are_listed_with_the_country_named(
    world: World, lang: str, germany: str
) -> None:
    """An administrator reads which states are eligible for the e-visa by name, in the
    reader's language, not only by their two-letter codes."""
    from umis.visas.models import EligibleNationality

    EligibleNationality.objects.get_or_create(country_code="DE", valid_from=dt.date(2016, 1, 1))
    page = _admin(world).get(f"{lang}/admin/visas/eligiblenationality/").content.decode()
    assert re.search(rf'<td class="field-country_name">{germany}</td>', page), page[-3000:]


@pytest.mark.parametrize(("lang", "query"), [("", "almaniya"), ("/en", "germ"), ("/ru", "Герм")])
def test_an_eligible_nationality_is_found_by_the_country_s_name(
    world: World, lang: str, query: str
) -> None:
    """The administrator looks a state up by the name he reads beside its code."""
    from umis.visas.models import EligibleNationality

    EligibleNationality.objects.get_or_create(country_code="DE", valid_from=dt.date(2016, 1, 1))
    EligibleNationality.objects.get_or_create(country_code="FR", valid_from=dt.date(2016, 1, 1))
    page = _admin(world).get(f"{lang}/admin/visas/eligiblenationality/", {"q": query})
    codes = re.findall(
        r'<th class="field-country_code"><a [^>]*>([A-Z]{2})</a>', page.content.decode()
    )
    assert codes == ["DE"]


def test_the_admin_shows_an_empty_value_as_the_office_pages_do(world: World) -> None:
    """A value left empty reads "—" in the admin's lists, as on the office's pages, not "-"."""
    page = _admin(world).get("/en/admin/accounts/user/?q=harry").content.decode()

    assert '<td class="field-email">—</td>' in page
    assert '<td class="field-office nowrap">—</td>' in page
