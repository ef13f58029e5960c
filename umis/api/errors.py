"""Every API error is JSON: {"error": {"code", "message", "field", "errors": [...]}}."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from umis.core.errors import DomainError, FieldError, unknown_field_error


def error_body(
    code: str, message: str, field: str | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "field": field,
            "errors": errors or [{"code": code, "message": message, "field": field}],
        }
    }


# what pydantic puts in an error's location that is no field: where the value came from,
# and the member of a union it tried ("int", "list[str]", "function-after[...]")
_NOT_FIELDS = {"body", "payload", "query", "path", "int", "str", "float", "bool", "none"}


def _field_of(loc: list[Any]) -> str | None:
    parts = [
        str(p) for p in loc if isinstance(p, int) or (p not in _NOT_FIELDS and "[" not in str(p))
    ]
    return ".".join(parts) or None


_PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "string_type": lambda: _("Enter text."),
    "date_from_datetime_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda: _("Enter a date as YYYY-MM-DD."),
    "list_type": lambda: _("Enter a list."),
    "model_attributes_type": lambda: _("Enter an object."),
    "dict_type": lambda: _("Enter an object."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "string_too_long": lambda: _("The text is too long."),
    "too_long": lambda: _("Too many items."),
    "int_parsing": lambda: _("Enter a whole number."),
    "int_type": lambda: _("Enter a whole number."),
    "int_from_float": lambda: _("Enter a whole number."),
    "float_parsing": lambda: _("Enter a number."),
    "float_type": lambda: _("Enter a number."),
    "finite_number": lambda: _("Enter a number."),
    "greater_than_equal": lambda: _("The number is too small."),
    "greater_than": lambda: _("The number is too small."),
    "less_than_equal": lambda: _("The number is too large."),
    "less_than": lambda: _("The number is too large."),
    "bool_parsing": lambda: _("Enter true or false."),
    "bool_type": lambda: _("Enter true or false."),
    "extra_forbidden": lambda: _("Unknown field."),
    "identifier_range": lambda: _("Enter a valid identifier."),  # schemas.Identifier
}


# the codes the API's own checks give for the same mistakes (a date as `invalid_date`, as the
# fields read as text and checked by the services do)
_PYDANTIC_CODES = {
    "missing": "required",
    "json_invalid": "invalid_json",
    "extra_forbidden": "unknown_field",  # a field the operation does not know (ADR 20)
}


def _place(sent: Any, loc: list[Any]) -> int | None:
    """The place of the field `loc` ends with among the fields of its object in `sent` (the
    JSON read), None when it cannot be found."""
    parts = [p for p in loc if isinstance(p, int) or (p not in _NOT_FIELDS and "[" not in str(p))]
    where = sent
    for part in parts[:-1]:
        try:
            where = where[part]
        except (KeyError, IndexError, TypeError):
            return None
    found = isinstance(where, dict) and parts and parts[-1] in where
    return list(where).index(parts[-1]) if found else None


def read_errors(errors: Iterable[Mapping[str, Any]], sent: Any = None) -> list[FieldError]:
    """pydantic's errors of a reading, with the API's codes and messages, each naming its
    field by its path from where the reading began (the body, or a batch's item: `sent`, as
    read from JSON). A field no schema knows is named as every unknown field is
    (`unknown_field_error`): by its place in `sent` when its name is not fit to show."""
    read = []
    for e in errors:
        kind = str(e.get("type", "invalid"))
        loc = list(e.get("loc", []))
        if kind == "extra_forbidden" and loc:
            path = _field_of(loc[:-1]) or ""
            read.append(unknown_field_error(loc[-1], _place(sent, loc), path))
            continue
        message = _PYDANTIC_MESSAGES.get(kind, lambda: _("This value is not valid."))()
        code = _PYDANTIC_CODES.get(kind, "invalid_date" if kind.startswith("date_") else "invalid")
        read.append(FieldError(code, str(message), _field_of(list(e.get("loc", [])))))
    return read


def _body_missing(error: dict[str, Any]) -> bool:
    """The operation reads a body and the request has none (`loc` is the body parameter)."""
    loc = list(error.get("loc", []))
    return error.get("type") == "missing" and len(loc) == 2 and loc[0] == "body"


def _body_of(request: HttpRequest) -> Any:
    """The JSON body as read (the parser accepted it), for the places of its fields."""
    try:
        return json.loads(request.body)
    except (ValueError, RawPostDataException):
        return None


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = 422 if exc.status == 400 else exc.status
        return api.create_response(request, {"error": exc.to_dict()}, status=status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        if any(_body_missing(e) for e in exc.errors):
            # "this field is required" naming no field told a client nothing
            return api.create_response(
                request,
                error_body("body_not_object", _("The request body must be a JSON object.")),
                status=422,
            )
        errors = [e.to_dict() for e in read_errors(exc.errors, _body_of(request))]
        if not errors:
            errors = [
                {"code": "invalid", "message": str(_("The request is not valid.")), "field": None}
            ]
        first = errors[0]
        return api.create_response(
            request,
            error_body(str(first["code"]), str(first["message"]), first["field"], errors),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body("unauthorized", _("A valid API key is required (header X-API-Key).")),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, DomainError):  # refused while the body was read
            return domain_error(request, exc.__cause__)
        codes = {
            # django-ninja raises 400 when the body cannot be read as JSON (or not UTF-8)
            400: ("invalid_json", _("The request body is not valid JSON.")),
            404: ("not_found", _("Not found.")),
            405: ("method_not_allowed", _("This method is not allowed here.")),
            413: ("too_large", _("The request is too large.")),
        }
        code, message = codes.get(exc.status_code, ("error", _("The request is not valid.")))
        return api.create_response(request, error_body(code, str(message)), status=exc.status_code)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        from django.core.exceptions import RequestDataTooBig

        if isinstance(exc, RequestDataTooBig):
            return api.create_response(
                request, error_body("too_large", _("The request is too large.")), status=413
            )
        import logging

        logging.getLogger("umis.api").exception("unexpected API error")
        return api.create_response(
            request,
            error_body(
                "server_error",
                _("Something went wrong on our side. Nothing was stored; try again."),
            ),
            status=500,
        )
