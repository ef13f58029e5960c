"""The admin's lists of sign-in attempts and background tasks (models of installed
packages) head their columns in the administrator's language, not in English."""

from __future__ import annotations

import html
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django_tasks_db.models import DBTaskResult

from umis.core import clock
from umis.core.testing import World

pytestmark = pytest.mark.django_db

ENGLISH = {
    "id",
    "task name",  # "Status" is Azerbaijani too
    "enqueued at",
    "started at",
    "finished at",
    "priority",
    "queue name",
    "attempt time",
    "ip address",
    "user agent",
    "path",
    "failed logins",
    "logout time",
    "access lock out",
}

COLUMNS = {
    ("ru", "axes/accessattempt"): [
        "Время попытки входа",
        "IP-адрес",
        "Браузер (User-Agent)",
        "Имя пользователя",
        "Путь",
        "Неудачные попытки",
        "Статус",
    ],
    ("az", "axes/accesslog"): [
        "Cəhd vaxtı",
        "Çıxış vaxtı",
        "IP ünvanı",
        "İstifadəçi adı",
        "Brauzer (User-Agent)",
        "Yol",
    ],
    ("ru", "django_tasks_database/dbtaskresult"): [
        "Идентификатор",
        "Задача",
        "Статус",
        "Поставлена в очередь",
        "Начата",
        "Завершена",
        "Приоритет",
        "Очередь",
    ],
}


def _rows() -> None:
    who = {"user_agent": "Mozilla/5.0", "ip_address": "192.0.2.1", "username": "alice"}
    seen = {"http_accept": "text/html", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**who, **seen, get_data="", post_data="", failures_since_start=2)
    AccessLog.objects.create(**who, **seen)
    AccessFailureLog.objects.create(**who, **seen, locked_out=False)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="umis.core.tasks.nothing",
        backend_name="default",
        run_after=clock.now(),
        exception_class_path="",
        traceback="",
    )


def _columns(page: str) -> list[str]:
    head = page.split('id="result_list"', 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).strip() for c in cells]
    return [t for t in texts if t]  # the column of check boxes has no heading


@pytest.mark.parametrize("language", ["az", "ru"])
@pytest.mark.parametrize(
    "path",
    [
        "axes/accessattempt",
        "axes/accesslog",
        "axes/accessfailurelog",
        "django_tasks_database/dbtaskresult",
    ],
)
def test_the_columns_are_headed_in_the_administrators_language(
    world: World, language: str, path: str
) -> None:
    _rows()
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"
    page = client.get(f"{prefix}/admin/{path}/")
    assert page.status_code == 200
    columns = _columns(page.content.decode())
    assert len(columns) >= 6
    assert [c for c in columns if c.lower() in ENGLISH] == []
    if (language, path) in COLUMNS:
        assert columns == COLUMNS[language, path]


def _cells(page: str, column: str) -> list[str]:
    body = page.split('id="result_list"', 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(rf'<td class="field-{column}[^"]*">(.*?)</td>', body, re.S)
    return [html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).strip() for c in cells]


@pytest.mark.parametrize(
    ("language", "status", "locked_out"),
    [
        ("ru", {"Осталось попыток: 3", "Вход заблокирован"}, "Вход заблокирован"),
        ("az", {"Qalan cəhdlər: 3", "Giriş bloklanıb"}, "Giriş bloklanıb"),
    ],
)
def test_the_status_of_sign_in_attempts_is_in_the_administrators_language(
    world: World, language: str, status: set[str], locked_out: str
) -> None:
    """How many attempts are left, or that sign-in is locked, and the filter by it."""
    who = {"user_agent": "Mozilla/5.0", "http_accept": "text/html", "path_info": "/"}
    for ip, failures in (("192.0.2.1", 2), ("192.0.2.2", 5)):
        AccessAttempt.objects.create(
            **who,
            ip_address=ip,
            username="alice",
            get_data="",
            post_data="",
            failures_since_start=failures,
        )
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"

    page = client.get(f"{prefix}/admin/axes/accessattempt/").content.decode()

    assert set(_cells(page, "status")) == status
    filters = html.unescape(page.split('id="changelist-filter"', 1)[1])
    assert locked_out in filters
    assert "Locked Out" not in filters


@pytest.mark.parametrize(("language", "qr_code"), [("ru", "QR-код"), ("az", "QR kod")])
def test_the_second_factor_devices_are_listed_in_the_administrators_language(
    world: World, language: str, qr_code: str
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.alice, name="Phone", confirmed=True)
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"

    page = client.get(f"{prefix}/admin/otp_totp/totpdevice/").content.decode()

    columns = _columns(page)
    assert len(columns) == 6
    assert [c for c in columns if c.lower() in {*ENGLISH, "user", "name", "qr code"}] == []
    assert columns[-1] == qr_code


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("axes/accessattempt/", "ru", "Выберите попытку входа для изменения"),
        ("otp_totp/totpdevice/", "ru", "Выберите устройство TOTP для изменения"),
        ("otp_totp/totpdevice/add/", "ru", "Добавить устройство TOTP"),
        ("django_tasks_database/dbtaskresult/", "ru", "Выберите результат задачи для просмотра"),
        ("django_tasks_database/dbtaskresult/", "az", "Baxmaq üçün tapşırığın nəticəsi seçin"),
        ("django_tasks_database/dbtaskresult/", "en", "Select task result to view"),
    ],
)
def test_the_packages_lists_are_headed_as_the_language_declines_their_names(
    world: World, path: str, language: str, heading: str
) -> None:
    client = Client()
    client.force_login(world.admin)
    prefix = "" if language == "az" else f"/{language}"
    page = client.get(f"{prefix}/admin/{path}").content.decode()
    assert html.unescape(re.findall(r"<h1[^>]*>(.*?)</h1>", page)[0]) == heading
