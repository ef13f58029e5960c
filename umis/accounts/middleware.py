from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from umis.accounts.services import user_requires_second_factor


class StaffSessionMiddleware:
    """Sessions end on the next request when the account was disabled or removed, and a
    staff session that was not confirmed with the second factor (any way of signing in
    other than the sign-in page) ends at once. Staff sessions (a staff role, or an account
    that may open the admin, whatever its role) end after 15 minutes idle and 8 hours in
    all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None:
            return self.get_response(request)
        if not user.is_authenticated:
            if SESSION_KEY in request.session:
                # signed in once, no longer an active account: the session must not come
                # back to life when the account is enabled again
                request.session.flush()
        elif user_requires_second_factor(user=user) and not _verified(user):
            logout(request)
        elif user.is_staff or user.is_superuser or getattr(user, "is_staff_member", False):
            now = int(time.time())
            started = request.session.setdefault("umis_started", now)
            seen = request.session.get("umis_seen", now)
            if (
                now - seen > settings.UMIS_STAFF_IDLE_SECONDS
                or now - started > settings.UMIS_STAFF_ABSOLUTE_SECONDS
            ):
                logout(request)
            else:
                request.session["umis_seen"] = now
        return self.get_response(request)


def _verified(user: object) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    return bool(is_verified and is_verified())
