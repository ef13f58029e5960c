"""Secure headers on pages and API answers, CSRF on every state-changing form, and the
production settings: HSTS, `__Host-` session and CSRF cookies that are Secure and HttpOnly,
and `manage.py check --deploy` clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from umis.cases.models import Case
from umis.core.testing import PASSWORD, World, production_env, production_settings
from umis.portal.tests.scene import Scene, make_scene
from umis.portal.tests.test_url_access import PAGES

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PRODUCTION_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SAMESITE",
    "UMIS_STAFF_MFA",
)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The settings a production process reads (computed in a process of its own)."""
    return production_settings(tmp_path_factory.mktemp("prod"), PRODUCTION_SETTINGS)


def _assert_secure_headers(response: Any) -> None:
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_and_api_answers_carry_the_secure_headers(world: World, client: Client) -> None:
    _assert_secure_headers(client.get("/"))
    _assert_secure_headers(client.get("/api/v1/documents/signer-keys"))
    _assert_secure_headers(client.get("/api/v1/stay-registrations"))  # a 401
    _assert_secure_headers(client.get("/en/office/no-such-page/"))  # a 404


def test_pages_with_personal_data_are_not_cached(scene: Scene, client: Client) -> None:
    client.force_login(scene.world.alice)
    for url in (f"/office/cases/{scene.case.reference}/", f"/office/people/{scene.person.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        _assert_secure_headers(response)
    api = client.get(
        f"/api/v1/stay-registrations/{scene.case.reference}",
        HTTP_X_API_KEY=scene.world.hotel_key,
    )
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"


def test_production_turns_on_hsts_and_host_only_secure_cookies(
    production: dict[str, Any],
) -> None:
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["UMIS_STAFF_MFA"] is True


def test_under_production_settings_answers_send_hsts_and_cookies_are_secure(
    production: dict[str, Any], world: World
) -> None:
    values = {k: v for k, v in production.items() if k != "UMIS_STAFF_MFA"}
    with override_settings(**values):
        client = Client()
        plain = client.get("/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        response = client.get("/", secure=True)
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        _assert_secure_headers(response)
        form = client.get("/accounts/login/", secure=True)
        csrf = form.cookies["__Host-csrftoken"]
        assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]
        signed_in = client.post(
            "/accounts/login/",
            {"username": "harry", "password": PASSWORD},
            secure=True,
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies["__Host-sessionid"]
        assert session["secure"] and session["httponly"]
        assert session["samesite"] == "Lax" and session["path"] == "/" and not session["domain"]


def test_manage_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Forms that change something (or sign in, or submit an application) beyond PAGES' POSTs.
POST_FORMS = {"evisa/apply/", "evisa/status/", "entry-ban-check/", "host/register/"}
# The gateway's server-to-server callback carries an HMAC signature instead of a token.
CSRF_EXEMPT = {"payments/callback"}


@pytest.fixture
def scene(world: World, client: Client) -> Scene:
    return make_scene(world, client)


def test_every_form_post_without_a_csrf_token_is_refused(scene: Scene) -> None:
    w = scene.world
    routes = {r for r, s in PAGES.items() if s.method == "POST"} | POST_FORMS
    assert routes >= CSRF_EXEMPT
    users = {"host": w.harry, "office": w.alice}
    case_before = Case.objects.filter(pk=scene.case.pk).values("state", "version").get()
    for route in sorted(routes - CSRF_EXEMPT):
        url = PAGES[route].url(scene)
        client = Client(enforce_csrf_checks=True)
        user = users.get(route.split("/")[0])
        if user is not None:
            client.force_login(user)
        response = client.post(url, {"decision": "confirm", "reason": "x", "version": "1"})
        assert response.status_code == 403, (route, response.status_code)
    assert Case.objects.filter(pk=scene.case.pk).values("state", "version").get() == case_before
    # the exempt callback refuses a call without the gateway's signature instead
    unsigned = Client(enforce_csrf_checks=True).post(
        "/payments/callback", data=b'{"kind": "payment.succeeded"}', content_type="application/json"
    )
    assert unsigned.status_code == 400


def test_a_form_with_its_token_is_accepted(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.harry)
    form = client.get("/en/host/register/")
    token = form.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/en/host/register/", {"csrfmiddlewaretoken": token, "surname": "Hüseynov"}
    )
    assert response.status_code == 422  # the form again, with the missing fields marked
    assert 'id="form-errors"' in response.content.decode()


def test_api_calls_with_a_key_need_no_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/stay-registrations",
        data="{}",
        content_type="application/json",
        HTTP_X_API_KEY=world.hotel_key,
    )
    assert response.status_code == 422
