from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import translate_url
from django.utils.translation import get_language_from_path, override
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from umis.core.errors import DomainError, NotFound
from umis.payments import purposes
from umis.payments.services import payment_callback_receive, payment_order_get


def _json(status: int, payload: dict[str, object]) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


@csrf_exempt  # server-to-server, authenticated by the HMAC signature instead
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        return _json(
            413,
            {"code": "too_large", "message": str(_("The request is too large.")), "field": None},
        )
    try:
        result = payment_callback_receive(
            body=body,
            headers=dict(request.headers),
            remote_addr=request.META.get("REMOTE_ADDR", ""),
        )
    except DomainError as exc:
        return _json(422 if exc.code == "amount_mismatch" else exc.status, exc.to_dict())
    return _json(
        200,
        {
            "status": result.outcome,
            "duplicate": result.duplicate,
            "order": result.order.number if result.order else None,
        },
    )


@require_GET
def payment_return(request: HttpRequest, number: str) -> HttpResponse:
    """Where the gateway sends the payer's browser back (paid or not: the page says which).
    `?cancelled=1`: the payer cancelled on the gateway's page. Anyone can add it to the address,
    so it only chooses what the page says; the order changes by the signed notification alone."""
    try:
        order = payment_order_get(number=number[:30])
    except NotFound as exc:
        raise Http404 from exc
    purpose = purposes.get(order.purpose)
    if purpose is None:
        raise Http404
    path = purpose.return_path(order, request.GET.get("cancelled") == "1")
    # the purpose answers in the language the payment was started in; a language the
    # reader chose since (the switch's cookie) wins
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        with override(get_language_from_path(path) or settings.LANGUAGE_CODE):
            path = translate_url(path, chosen)
    return redirect(path)
