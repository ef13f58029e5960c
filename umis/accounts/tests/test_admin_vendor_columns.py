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
