"""The payment simulator's page stands in for a bank's: it speaks the payer's language, the
one of the UMIS page the payer comes from (named in the return address), or the browser's
when the request cannot be read."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from umis.payments.gateway import sign
from umis.payments.testing import RunningSimulator, simulator_running

SECRET = "simulator-page-secret"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    statements: Path = tmp_path_factory.mktemp("statements")
    with simulator_running(secret=SECRET, statement_dir=statements) as running:
        yield running


def _page(sim: RunningSimulator, return_path: str, accept: str = "") -> tuple[int, str]:
    params = {
        "order": "PO-2026-000001",
        "amount": "26.00",
        "currency": "AZN",
        "description": "E-visa EV-2026-000001",
        "callback": "http://127.0.0.1:9/payments/callback",
        "return": f"http://127.0.0.1:8000{return_path}",
    }
    query = urlencode(sorted(params.items()))
    url = f"{sim.url}/pay?{query}&sig={sign(SECRET, query.encode())}"
    return _get(url, accept)


def _get(url: str, accept: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": accept} if accept else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize(
    ("prefix", "lang", "texts"),
    [
        ("", "az", ("Kart nömrəsi", "26.00 AZN ödəyin", "Ödənişi ləğv edin")),
        ("/en", "en", ("Card number", "Pay 26.00 AZN", "Cancel the payment")),
        ("/ru", "ru", ("Номер карты", "Оплатить 26.00 AZN", "Отменить оплату")),
    ],
)
def test_the_page_speaks_the_language_of_the_page_the_payer_comes_from(
    sim: RunningSimulator, prefix: str, lang: str, texts: tuple[str, ...]
) -> None:
    # the browser's language does not override the one the payer chose on UMIS
    status, page = _page(sim, f"{prefix}/payments/return/PO-2026-000001?signature=x", "de, en")
    assert status == 200
    assert f'<html lang="{lang}">' in page
    for text in texts:
        assert text in page, text


@pytest.mark.parametrize(
    ("accept", "text"),
    [
        ("ru-RU,ru;q=0.9", "Запрос на оплату неверен или не подписан."),
        ("en-GB,en;q=0.8", "The payment request is not valid or not signed."),
        ("de", "Ödəniş sorğusu yanlışdır və ya imzalanmayıb."),
    ],
)
def test_a_request_not_signed_is_refused_in_the_browser_s_language(
    sim: RunningSimulator, accept: str, text: str
) -> None:
    status, body = _get(f"{sim.url}/pay?order=PO-1&sig=bad", accept)
    assert status == 400
    assert body == text
