from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from umis.core.text import storable

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API docs page (Swagger UI from the installed package) needs inline styles.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """Content-Security-Policy everywhere; no caching of pages that may carry personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        path = request.path
        if not path.startswith("/static/"):
            response.setdefault(
                "Content-Security-Policy", CSP_DOCS if path.startswith("/api/v1/docs") else CSP
            )
            response.setdefault("Cache-Control", "no-store")
            response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiLanguageMiddleware:
    """The API answers in the language of Accept-Language (az, en, ru); pages use the URL prefix."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        language = settings.LANGUAGE_CODE
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            try:
                language = get_supported_language_variant(code)
                break
            except LookupError:
                continue
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.setdefault("Content-Language", language)
        return response


class AdminLanguageMiddleware:
    """The admin follows the language chosen on the site (the switch keeps it in the language
    cookie): its address without a prefix (`/admin/…`, the default language's) asked for
    by a browser that chose English or Russian goes to the same page under that language's
    prefix (`/en/admin/…`), so every link in it stays in that language. Without a choice,
    or after choosing Azerbaijani, it is served where it is. Only reads are sent on: a form
    posted to the unprefixed address is handled there, its data kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    @functools.cache
    def _root(language: str) -> str:
        """The admin's address in that language (the URL patterns do not change while the
        process runs, so each is worked out once)."""
        with translation.override(language):
            return reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        root = self._root(settings.LANGUAGE_CODE)
        if not request.path.startswith(root):
            return self.get_response(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if (
            request.method in ("GET", "HEAD")
            and chosen != settings.LANGUAGE_CODE
            and chosen in dict(settings.LANGUAGES)
        ):
            full_path = request.get_full_path()
            response: HttpResponse = HttpResponseRedirect(
                self._root(chosen) + full_path[len(root) :]
            )
        else:
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response


View = TypeVar("View", bound=Callable[..., HttpResponse])


def unstorable_input_checked_by_view(view: View) -> View:
    """Mark a page that refuses text the database cannot hold itself, beside the field that
    holds it, before any query: the middleware below lets its requests through, so the
    visitor gets the form back rather than the 400 page."""
    view.checks_unstorable_input = True  # type: ignore[attr-defined]
    return view


def _view_checks_input(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "checks_unstorable_input", False) is True


class UnstorableInputMiddleware:
    """A page request whose query or form holds text the database cannot hold (a NUL: no
    browser sends one, a crafted request can) is refused with a 400 page saying so, before
    any view reads it into a query, unless the page checks it itself. The API refuses it in
    its JSON errors instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.path.startswith("/api/")
            and self._unstorable(request)
            and not _view_checks_input(request)
        ):
            from django.shortcuts import render

            message = translation.gettext("The text contains control characters.")
            return render(
                request, "errors/error.html", {"status": 400, "message": message}, status=400
            )
        return self.get_response(request)

    @staticmethod
    def _unstorable(request: HttpRequest) -> bool:
        try:
            data = [request.GET]
            if request.method == "POST" and request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                request.body  # noqa: B018 (kept, so the view can still read the raw body)
                data.append(request.POST)
            return any(
                not storable(text)
                for query in data
                for key, values in query.lists()
                for text in (key, *values)
            )
        except (RequestDataTooBig, MultiPartParserError, TooManyFieldsSent, UnreadablePostError):
            return False  # the view refuses it as before, with its own answer
