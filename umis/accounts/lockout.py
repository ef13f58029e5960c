"""django-axes counts failed sign-ins per account and per address (`AXES_LOCKOUT_PARAMETERS`).

A success clears the failures of the account signed in to, and only those. Axes' own reset
clears every failure that shares any lockout parameter with the request, the address's
included; then anyone with an account could guess another's password four times, sign in
to their own, and go on guessing without end.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class AccountLockoutHandler(AxesDatabaseHandler):
    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted
