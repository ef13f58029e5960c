"""Who may open a page, checked before the view runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

R = TypeVar("R", bound=HttpResponseBase)


def signed_in_required(view: Callable[..., R]) -> Callable[..., R]:
    """A page for those signed in: anyone signed out is sent to sign in, and back here after.
    A form sent by someone signed out (signed out in another tab, or the session ended
    while it was being filled in) is not stored: the sign-in page says so, and leads back to
    the page the form was on, not to the address it was sent to (which answers no GET)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        back = request.get_full_path()
        if request.method == "POST":
            messages.warning(
                request,
                _(
                    "You were signed out before the form was sent, so nothing was saved. "
                    "Sign in, then fill in the form again and send it."
                ),
            )
            back = _form_page(request)
        return redirect_to_login(back)

    return wrapper


def _form_page(request: HttpRequest) -> str:
    """The page a form was sent from (its Referer, a path of this site), else the site's
    start page."""
    referer = request.headers.get("Referer", "")
    host = request.get_host()
    for prefix in (f"https://{host}", f"http://{host}"):
        if referer.startswith(prefix + "/"):
            path = referer[len(prefix) :]
            if url_has_allowed_host_and_scheme(path, allowed_hosts={host}):
                return path
    return "/"


def officer_required(view: Callable[..., R]) -> Callable[..., R]:
    """An officer's page: anyone else signed in gets 404 (the page is not for them, and
    does not say it exists); anyone signed out is sent to sign in (`signed_in_required`)."""

    @signed_in_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        if not getattr(request.user, "is_officer", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
