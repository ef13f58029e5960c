from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
