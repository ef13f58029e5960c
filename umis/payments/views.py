from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils.translation import (
    get_language_from_path,
    get_language_from_request,
    override,
)
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from umis.core.errors import DomainError
from umis.core.middleware import unstorable_input_checked_by_view
from umis.payments import purposes
from umis.payments.services import (
    payment_callback_receive,
    payment_order_returned,
    payment_return_verify,
)


def _json(status: int, payload: dict[str, object]) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


# it reads neither its address's query nor a form: its body is JSON, which the gateway's
# parser checks, so text the database cannot hold gets the JSON refusal, not the 400 page
@unstorable_input_checked_by_view
@csrf_exempt  # server-to-server, authenticated by the HMAC signature instead
def callback(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _json(
            405,
            {
                "code": "method_not_allowed",
                "message": str(_("This method is not allowed here.")),
                "field": None,
            },
        )
        response["Allow"] = "POST"
        return response
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
    """Where the gateway sends the payer's browser back (paid or not: the page says which),
    by the address signed for the order when the payment started; another address is
    refused (400), but for an unsigned one (a payment started before the address was
    signed) in the payer's own browser, which is sent to its page with nothing recorded.
    `?cancelled=1`: the payer cancelled on the gateway's page. It only chooses what the page
    says; the order is paid by the signed notification alone."""
    open_subjects = {
        p.code: [str(s) for s in request.session.get(p.session_key, []) if isinstance(s, str)]
        for p in purposes.all_registered()
        if p.session_key
    }
    try:
        checked = payment_return_verify(
            number=number[:30],
            signature=request.GET.get("signature", "")[:100],
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            open_subjects=open_subjects,
        )
    except DomainError as exc:
        # the address has no language prefix: the reader's chosen language (the switch's
        # cookie), else their browser's
        with override(get_language_from_request(request)):
            return render(
                request, "errors/error.html", {"status": 400, "message": exc.message}, status=400
            )
    order = checked.order
    purpose = purposes.get(order.purpose)
    if purpose is None:
        raise Http404
    cancelled = request.GET.get("cancelled") == "1"
    if checked.signed:
        payment_order_returned(order=order, cancelled=cancelled)
    elsewhere = purpose.return_path_elsewhere
    if elsewhere is not None and order.subject not in open_subjects.get(order.purpose, []):
        path = elsewhere(order, cancelled)
    else:
        path = purpose.return_path(order, cancelled)
    # the purpose answers in the language the payment was started in; a language the
    # reader chose since (the switch's cookie) wins
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        with override(get_language_from_path(path) or settings.LANGUAGE_CODE):
            path = translate_url(path, chosen)
    return redirect(path)
