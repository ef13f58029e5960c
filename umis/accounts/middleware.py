from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse


class StaffSessionMiddleware:
    """Staff sessions end after 15 minutes idle and 8 hours in all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_staff_member", False):
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
