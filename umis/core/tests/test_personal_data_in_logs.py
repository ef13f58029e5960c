"""No personal data in the log lines of requests: gunicorn's access log (our logger class)
and Django's request loggers write paths without query strings and without the codes of
verification links (a seal carries the holder's name, document number and birth date)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from umis.core.accesslog import AccessLogger
from umis.core.redact import PersonalDataFilter

SEAL = "DC03AZSMAZE1V7H4KQZ5ERIKSSONANNAL898902C3"
SEARCH = "name=H%C3%BCseynov&birth_date=1985-03-14&document=U12345678"


def _access_line(tmp_path: Path, fmt: str, path: str, query: str, referer: str) -> str:
    cfg = Config()
    log_file = tmp_path / f"access-{len(list(tmp_path.iterdir()))}.log"
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", fmt)
    logger = AccessLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, dt.timedelta(microseconds=1500))
    for handler in logger.access_log.handlers:
        handler.flush()
    return log_file.read_text()


@pytest.mark.parametrize(
    "fmt",
    [
        Config().access_log_format,  # gunicorn's default, as `umis serve` runs it
        '%(r)s %(U)s %(q)s "%(f)s" %({referer}i)s %({query_string}e)s %({raw_uri}e)s',
    ],
)
def test_the_access_log_has_no_search_terms_nor_verification_codes(
    tmp_path: Path, fmt: str
) -> None:
    search = _access_line(
        tmp_path, fmt, "/en/visa/status/", SEARCH, f"https://umis.example/en/office/?{SEARCH}"
    )
    verify = _access_line(
        tmp_path, fmt, f"/en/verify/{SEAL}", "", f"https://umis.example/x/verify/{SEAL}"
    )
    for text in (search, verify):
        assert "seynov" not in text and "U12345678" not in text and "1985" not in text, text
        assert SEAL not in text, text
    assert "GET /en/visa/status/?*** HTTP/1.1" in search
    assert "GET /en/verify/*** HTTP/1.1" in verify
    if "%(h)s" in fmt:
        assert "203.0.113.9" in search  # the rest of the line is as gunicorn writes it


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes (where the server's log goes)."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_request_is_logged_without_the_verification_code(
    client: Client, console: io.StringIO
) -> None:
    response = client.post(f"/en/verify/{SEAL}", {"name": "Hüseynov"})
    assert response.status_code == 405
    text = console.getvalue()
    assert "Method Not Allowed (POST): /en/verify/***" in text
    assert SEAL not in text


def test_runserver_request_lines_lose_their_query_strings(console: io.StringIO) -> None:
    # the call runserver makes for each request
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /en/evisa/apply/?{SEARCH} HTTP/1.1", "200", "1024"
    )
    text = console.getvalue()
    assert '"GET /en/evisa/apply/?*** HTTP/1.1" 200 1024' in text
    assert "U12345678" not in text


def test_a_logged_database_error_keeps_its_kind_but_not_the_values_it_quotes(
    console: io.StringIO,
) -> None:
    from django.db import IntegrityError

    try:  # how PostgreSQL words a duplicate passport number
        raise IntegrityError(
            'duplicate key value violates unique constraint "people_document_number_uniq"\n'
            "DETAIL:  Key (number, issuing_state)=(U12345678, TUR) already exists."
        )
    except IntegrityError:
        logging.getLogger("umis.outbox").exception("outbox message %s failed", "evisa.decide")
    text = console.getvalue()
    assert "outbox message evisa.decide failed" in text
    assert "IntegrityError: duplicate key value" in text and "DETAIL: ***" in text
    assert "U12345678" not in text
