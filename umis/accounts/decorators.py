"""Who may open a page, checked before the view runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase

R = TypeVar("R", bound=HttpResponseBase)


def officer_required(view: Callable[..., R]) -> Callable[..., R]:
    """An officer's page: anyone else signed in gets 404 (the page is not for them, and
    does not say it exists); anyone signed out is sent to sign in."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        if not getattr(request.user, "is_officer", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
