"""What the benchmarks share: the code on the import path, a free port, and a database
with Django set up on it.

Imported first by a benchmark run as `.venv/bin/python bench/NAME.py` (bench/ is then on
the path), it puts the repository on the path too, so `umis` imports.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT), str(ROOT / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now, nor a PostgreSQL socket in /tmp
    names, so that two benchmarks run at once do not meet on one."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not Path(f"/tmp/.s.PGSQL.{port}").exists():
            return port


def database_create(url: str) -> None:
    """The PostgreSQL database `url` names, created when missing (a run with the same name
    later finds it, and its rows, again)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def django_env(database_url: str | None = None, *, var: str | None = None) -> dict[str, str]:
    """The environment of a process of the application for a benchmark: on `database_url`,
    or on a SQLite database in the folder `var` when no URL is given; quiet logs."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        "UMIS_LOG_LEVEL": "WARNING",
        "UMIS_AXES_ENABLED": "false",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    if var:
        env["UMIS_VAR_DIR"] = var
    return env


def django_start(
    database_url: str | None = None, *, var: str | None = None, migrate: bool = False
) -> None:
    """Django set up in this process on the database `django_env` names, migrated when
    `migrate`."""
    os.environ.update(django_env(database_url, var=var))
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
