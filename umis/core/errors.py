"""Errors that cross layers: a stable code, a translated message, the offending field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass
class FieldError:
    code: str
    message: str | Promise
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class DomainError(Exception):
    """A refusal a user can understand: raised by services, rendered by views and the API."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        field: str | None = None,
        *,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field
        self.errors = errors or [FieldError(code, message, field)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "field": self.field,
            "errors": [e.to_dict() for e in self.errors],
        }


class ValidationFailed(DomainError):
    """Several field errors at once (a form or an API item)."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, first.field, errors=errors)


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Gone(DomainError):
    """What was asked for existed and no longer does (an annulled document): 410, with
    `details` (JSON values) beside the code and the message."""

    status = 410

    def __init__(self, code: str, message: str | Promise, *, details: dict[str, Any]) -> None:
        super().__init__(code, message)
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.details}


@dataclass
class ErrorCollector:
    """Collects field errors so a form or API item reports all of them at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, code: str, message: str | Promise, field: str | None = None) -> None:
        self.errors.append(FieldError(code, message, field))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
