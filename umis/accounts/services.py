from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp import match_token
from django_otp.models import Device

from umis.accounts.models import ApiClient, User
from umis.audit.services import audit_record
from umis.core.prepared import Prepared


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


def api_client_live_exists(*, user: User, name: str) -> bool:
    """Whether the account has a key of this name that is not revoked."""
    return ApiClient.objects.filter(user=user, name=name, revoked_at__isnull=True).exists()


def api_client_scopes_grant(*, actor: User | None, client: ApiClient, scopes: list[str]) -> bool:
    """Let the client use these scopes too (those it lacks are added, in the audit log).
    Returns whether any was added."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        added = [s for s in scopes if s not in locked.scopes]
        if added:
            locked.scopes = [*locked.scopes, *added]
            locked.save(update_fields=["scopes"])
            audit_record(
                actor=actor,
                action="API_CLIENT_SCOPES_GRANTED",
                entity=locked,
                data={"added": added, "scopes": locked.scopes},
            )
    client.scopes = locked.scopes
    return bool(added)


def api_client_revoke(*, actor: User | None, client: ApiClient) -> None:
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(actor=actor, action="API_CLIENT_REVOKED", entity=client)


def user_password_set(*, actor: User | None, user: User, password: str) -> None:
    """Give the account a new password (it must pass the password rules); the audit row says
    that it changed, never what to."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="USER_PASSWORD_CHANGED", entity=user)


_CLIENT_BY_KEY_HASH = Prepared(
    lambda p: (
        ApiClient.objects.select_related("user", "user__office")
        .filter(key_hash=p["key_hash"], revoked_at__isnull=True, user__is_active=True)
        .order_by("pk")[:1]
    )
)


def api_client_authenticate(key: str) -> ApiClient | None:
    """The active client of an active user holding this key (read on every API request:
    compiled once, `core.prepared`)."""
    if not key or len(key) > 200:
        return None
    return _CLIENT_BY_KEY_HASH.first(key_hash=ApiClient.hash_key(key))


def user_requires_second_factor(*, user: User) -> bool:
    """Staff (by role) and anybody who may open the admin sign in with a TOTP code too."""
    return bool(
        settings.UMIS_STAFF_MFA and (user.is_staff_member or user.is_staff or user.is_superuser)
    )


def user_second_factor_verify(*, user: User, token: str) -> Device | None:
    """The user's device that accepts `token`, or None. A code accepted once is refused for
    the rest of its time step (the device keeps the last step used), also when two sign-ins
    race with the same code: django-otp's `match_token` checks under a row lock
    (`select_for_update`) on the user's devices."""
    token = token.strip()
    return match_token(user, token) if token else None


def user_sign_in_refused(*, username: str, reason: str) -> None:
    """An audit row for a refused sign-in (`reason`: password, mfa_missing, mfa_invalid,
    locked_out). A name that is no account is not kept: it may be a mistyped password."""
    user = User.objects.filter(username=username[:150]).first() if username else None
    audit_record(
        actor=None,
        action="USER_LOCKED_OUT" if reason == "locked_out" else "USER_SIGN_IN_REFUSED",
        entity=user,
        entity_type="" if user else "accounts.user",
        data={"reason": reason, "known_account": user is not None},
    )


def sessions_prune() -> None:
    """Forget the sessions that have expired (a periodic job): the session table would
    otherwise keep every visitor's session, the anonymous ones included."""
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
