"""Personal data kept out of log lines: query strings (a search, a look-up) and the codes of
verification links (a document's seal, which carries the holder's name, document number and
birth date) are replaced before a request line or path is written to a log; the DETAIL
line of a PostgreSQL error (`Key (number)=(U12345678) already exists`) is dropped from
logged tracebacks."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")
_SEAL = re.compile(r"(/verify/)[^\s\"?]+")
# Django's own loggers that write request paths or request lines (runserver, 4xx/5xx answers,
# refused hosts); our own log calls name references, never a person.
_REQUEST_LOGGERS = ("django.request", "django.server", "django.security")
_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.M)


def path_for_log(text: str) -> str:
    """`text` (a path, URL or request line) without query strings and verification codes."""
    if "?" not in text and "/verify/" not in text:
        return text
    return _SEAL.sub(r"\1***", _QUERY.sub("?***", text))


class PersonalDataFilter(logging.Filter):
    """Rewrites the paths in the records of Django's request loggers (see `path_for_log`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(_REQUEST_LOGGERS):
            if isinstance(record.args, tuple):
                record.args = tuple(
                    path_for_log(a) if isinstance(a, str) else a for a in record.args
                )
            if isinstance(record.msg, str):
                record.msg = path_for_log(record.msg)
        if record.exc_info:
            # formatted here (the handler's formatter reuses exc_text), without the values
            # a database error quotes
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = _DETAIL.sub(r"\1 ***", text)
        return True
