"""The OpenAPI document says which API key scope each operation needs.

django-ninja lists the key scheme on each operation with an empty list of scopes; here the
scope of the operation's `ApiKeyAuth` is named in three places a reader or a generated
client looks: the security requirement (OpenAPI 3.1 lets a scheme other than OAuth2 list
the roles it needs), `x-required-scopes`, and a sentence at the end of the description.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from umis.api.auth import ApiKeyAuth


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
