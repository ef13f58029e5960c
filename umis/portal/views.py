from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

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
    return render(request, "portal/service.html", {"service": service})


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        code = code.rsplit("/verify/", 1)[-1].strip("/")
        return redirect(reverse("portal:verify", kwargs={"code": code[:2000]}))
    return render(request, "portal/verify_form.html")


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    result = document_verify(code=code[:2000])
    return render(request, "portal/verify.html", {"result": result})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"status": 400}, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"status": 403}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/error.html", {"status": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/error.html", {"status": 500}, status=500)
