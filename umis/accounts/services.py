from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from umis.accounts.models import ApiClient, User
from umis.audit.services import audit_record


def api_client_create(
    *, actor: User | None, name: str, user: User, scopes: list[str], key: str | None = None
) -> tuple[ApiClient, str]:
    """Create an API client; returns it with the key in clear (shown once, stored hashed)."""
    prefix = secrets.token_hex(4)
    key = key or f"umis_{prefix}_{secrets.token_urlsafe(32)}"
    prefix = key.split("_")[1] if key.startswith("umis_") and key.count("_") >= 2 else prefix
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, user=user, key_prefix=prefix, key_hash=ApiClient.hash_key(key), scopes=scopes
        )
        audit_record(
            actor=actor,
            action="API_CLIENT_CREATED",
            entity=client,
            data={"name": name, "scopes": scopes},
        )
    return client, key


def api_client_revoke(*, actor: User | None, client: ApiClient) -> None:
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(actor=actor, action="API_CLIENT_REVOKED", entity=client)


def api_client_authenticate(key: str) -> ApiClient | None:
    if not key or len(key) > 200:
        return None
    client = (
        ApiClient.objects.select_related("user", "user__office")
        .filter(key_hash=ApiClient.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return client
