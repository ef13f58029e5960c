"""The OpenAPI document says which API key scope each operation needs.

django-ninja lists the key scheme on each operation with an empty list of scopes; here the
scope of the operation's `ApiKeyAuth` is named in three places a reader or a generated
client looks: the security requirement (OpenAPI 3.1 lets a scheme other than OAuth2 list
the roles it needs), `x-required-scopes`, and a sentence at the end of the description.
Each 429 also describes its `Retry-After` header.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from umis.api.auth import ApiKeyAuth
from umis.core.ratelimit import RETRY_AFTER_MAX, RETRY_AFTER_MIN

# what every 429 (`core.ratelimit`, counted per minute) says of how long to wait
RATE_LIMITED: dict[str, Any] = {
    "description": "Too many requests: the caller's limit for this minute is reached "
    "(code `rate_limited`). Try again after the seconds `Retry-After` gives.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before the next request is counted again: "
            "until the current minute ends",
            "required": True,
            "schema": {"type": "integer", "minimum": RETRY_AFTER_MIN, "maximum": RETRY_AFTER_MAX},
        }
    },
}


def operation_scopes(operation: Operation) -> list[str]:
    """The scopes a key needs for the operation (any one of its authentications)."""
    return [str(a.scope) for a in operation.auth_callbacks if isinstance(a, ApiKeyAuth)]


class ScopedOpenAPISchema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        if not security:
            return security
        # one requirement per authentication, in order, each {scheme name: []}
        return [
            {name: [str(auth.scope)] for name in requirement}
            if isinstance(auth, ApiKeyAuth)
            else requirement
            for requirement, auth in zip(security, operation.auth_callbacks, strict=True)
        ]

    def responses(self, operation: Operation) -> dict[int, dict[str, Any]]:
        responses: dict[int, dict[str, Any]] = super().responses(operation)
        if 429 in responses:
            responses[429] = {**responses[429], **RATE_LIMITED}
        return responses

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details: dict[str, Any] = super().operation_details(operation)
        scopes = operation_scopes(operation)
        if scopes:
            details["x-required-scopes"] = scopes
            needs = " or ".join(f"`{s}`" for s in scopes)
            sentence = f"Needs an API key with the scope {needs}."
        else:
            sentence = "Open to anyone: no API key needed."
        description = str(details.get("description", "")).strip()
        details["description"] = f"{description}\n\n{sentence}" if description else sentence
        return details


class UmisNinjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ScopedOpenAPISchema(api=self, path_prefix=path_prefix)
