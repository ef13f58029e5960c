"""Who is acting, from where and why: set once per request or command, read by audit_record."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AuditContext:
    channel: str = "cli"
    ip: str | None = None
    purpose: str = ""
    client_label: str = ""


_current: ContextVar[AuditContext] = ContextVar("umis_audit_context", default=AuditContext())  # noqa: B039 (frozen)


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def audit_context(**changes: object) -> Iterator[AuditContext]:
    ctx = replace(_current.get(), **changes)  # type: ignore[arg-type]
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_client(label: str) -> None:
    """Name the API client acting in this request (the request middleware restores the context after)."""
    _current.set(replace(_current.get(), client_label=label))
