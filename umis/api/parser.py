"""JSON bodies as the API reads them: text the database cannot hold (a NUL, a lone
surrogate) is refused here, naming the field, before any rule or query sees it."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser

from umis.core.errors import DomainError
from umis.core.text import unstorable_path


class CheckedJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        field = unstorable_path(data)
        if field is not None:
            # django-ninja turns any parser error into a 400; errors.http_error unwraps this
            raise DomainError(
                "control_character", _("The text contains control characters."), field
            )
        return cast(Any, data)
