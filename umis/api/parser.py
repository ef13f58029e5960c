"""JSON bodies as the API reads them: a body not sent as JSON (415), a body that is not a
JSON object (every operation reads one) and text the database cannot hold (a NUL, a lone
surrogate) are refused here, naming the field, before any rule or query sees it."""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser

from umis.core.errors import DomainError
from umis.core.text import unstorable_path

# A NUL or a lone surrogate reaches a decoded UTF-8 body only as an escape (`\u0000`,
# `\ud800`) or as a surrogate's raw bytes (which `json.loads` lets through); a UTF-16 or
# UTF-32 body has NUL bytes. A body with none of these needs no walk through its values
# (a border batch is 10,000 events of 14 fields).
_MAYBE_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|\x00|\xed[\xa0-\xbf]")


class UnsupportedMediaType(DomainError):
    status = 415


def _sent_as_json(request: HttpRequest) -> bool:
    """`application/json` or a `+json` type, in UTF-8 (RFC 8259) when a charset is named."""
    kind = (request.content_type or "").lower()
    json_type = kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )
    charset = (request.content_params or {}).get("charset", "utf-8").lower().replace("_", "-")
    return json_type and charset in ("utf-8", "utf8")


class CheckedJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        if not _sent_as_json(request):
            # a form, text or another encoding was read as UTF-8 JSON whatever it said it was
            raise UnsupportedMediaType(
                "unsupported_media_type",
                _(
                    "Send the body as JSON in UTF-8, with the header Content-Type: application/json."
                ),
                "Content-Type",
            )
        body = request.body
        data = json.loads(body)
        if not isinstance(data, dict):
            # an array or a bare value would be read as an object missing every field
            raise DomainError("body_not_object", _("The request body must be a JSON object."))
        field = unstorable_path(data) if _MAYBE_UNSTORABLE.search(body) else None
        if field is not None:
            # django-ninja turns any parser error into a 400; errors.http_error unwraps this
            raise DomainError(
                "control_character", _("The text contains control characters."), field
            )
        return cast(Any, data)
