from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyHeader

from umis.accounts.models import ApiClient
from umis.accounts.services import api_client_authenticate
from umis.audit.context import set_client
from umis.audit.services import audit_record
from umis.core.errors import PermissionDenied


def presented_key(request: HttpRequest) -> str | None:
    """The API key a request carries: `X-API-Key`, or `Authorization: Bearer <key>`."""
    key = request.headers.get("X-API-Key")
    if not key:
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            key = authorization[7:].strip()
    return key


def request_api_client(request: HttpRequest, key: str | None) -> ApiClient | None:
    """The active client of the request's key, looked up once per request (the rate limit
    looks first, `ApiKeyAuth` then uses its answer)."""
    if not hasattr(request, "umis_api_client"):
        request.umis_api_client = api_client_authenticate(key or "")  # type: ignore[attr-defined]
    return request.umis_api_client  # type: ignore[attr-defined]


class ApiKeyAuth(APIKeyHeader):
    """Per-client keys in `X-API-Key` (or `Authorization: Bearer`), checked for a scope."""

    param_name = "X-API-Key"
    openapi_description = (
        "Per-client API key issued by the migration service; scopes limit what it may do."
    )

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def _get_key(self, request: HttpRequest) -> str | None:
        return presented_key(request)

    def __call__(self, request: HttpRequest) -> Any:
        return self.authenticate(request, self._get_key(request))

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiClient | None:
        client = request_api_client(request, key)
        if client is None:
            return None
        set_client(f"api:{client.name}")
        if not client.has_scope(self.scope):
            audit_record(
                actor=client.user,
                action="API_SCOPE_DENIED",
                entity=client,
                data={"scope": self.scope, "path": request.path[:200]},
            )
            raise PermissionDenied("scope_missing", _("This API key may not use this endpoint."))
        request.user = client.user
        request.api_client = client  # type: ignore[attr-defined]
        if (
            client.last_used_at is None
            or (timezone.now() - client.last_used_at).total_seconds() > 300
        ):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client
