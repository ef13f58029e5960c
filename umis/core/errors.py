"""Errors that cross layers: a stable code, a translated message, the offending field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


# A name a caller chose (a field or a column no schema knows) is given back as sent only when
# it is short plain text: no control or invisible character, no markup, at most this long.
SENT_NAME_MAX = 64
_MARKUP = frozenset("<>&\"'`")


def name_as_sent(name: object) -> str | None:
    """`name` when it is fit to show back to whoever sent it, else None: the caller then
    names it by its place."""
    if not isinstance(name, str) or not 0 < len(name) <= SENT_NAME_MAX:
        return None
    if not name.isprintable() or _MARKUP.intersection(name):
        return None
    return name


def unknown_field_error(name: object, position: int | None, path: str = "") -> FieldError:
    """The error of a field its schema does not know, under `path` (`entries.0`): named as
    sent when `name_as_sent` allows, else by its place among the object's fields (`#3`,
    counted from 0), the message saying so (its object alone when the place is not known)."""
    prefix = f"{path}." if path else ""
    shown = name_as_sent(name)
    if shown is not None:
        return FieldError("unknown_field", _("Unknown field."), f"{prefix}{shown}")
    if position is None:
        return FieldError("unknown_field", _("Unknown field."), path or None)
    return FieldError(
        "unknown_field",
        _(
            "Unknown field, named by its place among the fields sent, counted from 0: its "
            "name is not plain text of at most %(n)d characters."
        )
        % {"n": SENT_NAME_MAX},
        f"{prefix}#{position}",
    )
