from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from umis.cases import registry
from umis.documents.services import document_verify


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"services": registry.all_services()})


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        service = registry.get(code)
    except KeyError as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/service.html",
        {"service": service, "can_start": service.can_start(request.user)},
    )


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        code = code.rsplit("/verify/", 1)[-1].strip("/")[:2000]
        if "/" in code:
            # not a code that any seal has (they are base32): answer here, as unknown
            result = document_verify(code=code)
            return render(request, "portal/verify.html", {"result": result, "code": code})
        return redirect(reverse("portal:verify", kwargs={"code": code}))
    if "code" in request.GET:  # sent blank, or only spaces (a browser's `required` lets them)
        return render(
            request,
            "portal/verify_form.html",
            {"error": _("Enter the code or the link printed on the document.")},
            status=400,
        )
    return render(request, "portal/verify_form.html")


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    result = document_verify(code=code[:2000])
    return render(request, "portal/verify.html", {"result": result, "code": code[:2000]})


def _error(request: HttpRequest, status: int) -> HttpResponse:
    """The error page, or the JSON error to a program: under /api/ the API's, and to the
    payment gateway's notification the shape of its other answers (a Host it does not
    answer to, say). A program never gets HTML."""
    api = request.path.startswith("/api/")
    if api or request.path == reverse("payments:callback"):
        from umis.api.errors import error_body

        code, message = {
            400: ("bad_request", _("The request is not valid.")),
            403: ("forbidden", _("You may not do this.")),
            404: ("not_found", _("Not found.")),
        }.get(
            status,
            ("server_error", _("Something went wrong on our side. Nothing was stored; try again.")),
        )
        body = (
            error_body(code, str(message))
            if api
            else {"code": code, "message": str(message), "field": None}
        )
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")
    return render(request, "errors/error.html", {"status": status}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused for its security token (CSRF_FAILURE_VIEW): mostly a page opened
    before its reader signed in or out in another tab. Nothing was stored; the page says so
    in the reader's language, and how to send the form again."""
    if request.path.startswith("/api/"):
        return _error(request, 403)
    message = _(
        "The form was not sent: it was opened before you last signed in or out, or is too old. "
        "Nothing was saved. Go back, copy what you typed, reload the page and send the "
        "form again."
    )
    return render(request, "errors/error.html", {"status": 403, "message": message}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


UNPREFIXED = ("/api/", "/payments/", "/language/")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language: the same page under the new language's URL prefix."""
    language = request.POST.get("language", "")
    codes = [code for code, _name in settings.LANGUAGES]
    next_url = request.POST.get("next", "/")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # only a path of this site; anything else (even "0", which redirect() would take
        # for a view name) goes home
        next_url = "/"
    if language not in codes:
        return HttpResponseRedirect(next_url)
    path = next_url
    first = path.split("/")[1] if path.count("/") > 1 else ""
    if first in codes:
        path = path[len(first) + 1 :] or "/"
    # "/en//evil.example/" is a path of this site; without its prefix it would be a
    # link to another one
    path = "/" + path.lstrip("/\\")
    # the API and the payment gateway's pages have no language prefix: stay there
    if language != settings.LANGUAGE_CODE and not path.startswith(UNPREFIXED):
        path = f"/{language}{path}"
    response = HttpResponseRedirect(path)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
