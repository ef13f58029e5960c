from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from umis.api.auth import presented_key, request_api_client
from umis.api.errors import error_body
from umis.audit.middleware import client_ip
from umis.core.ratelimit import RateLimited, rate_limit_count


class ApiRateLimitMiddleware:
    """Every API call counts: against its client when it carries a valid key
    (`api_client`), otherwise against the caller's address (`api_anonymous`), so neither
    a missing nor a made-up key escapes the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            key = presented_key(request)
            client = request_api_client(request, key) if key else None
            try:
                if client is not None:
                    rate_limit_count("api_client", f"client:{client.pk}")
                else:
                    rate_limit_count("api_anonymous", client_ip(request) or "")
            except RateLimited as exc:
                response = JsonResponse(error_body(exc.code, str(exc.message)), status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)


class ApiMethodMiddleware:
    """A method an API path does not take is refused like every other API error: JSON with
    a stable code in the request's language, with the `Allow` header. HEAD is answered as
    GET, without the body. A body sent in chunks without a length is refused with 411: the
    application reads a body only up to its Content-Length, so it would read none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower() and not (
            request.META.get("CONTENT_LENGTH")
        ):
            return JsonResponse(
                error_body(
                    "length_required",
                    _("Send the body with a Content-Length header: a chunked body is not read."),
                    "Content-Length",
                ),
                status=411,
            )
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = JsonResponse(
                error_body("method_not_allowed", _("This method is not allowed here.")), status=405
            )
            response["Allow"] = allow
        if head and not response.streaming:
            response.content = b""
        return response
