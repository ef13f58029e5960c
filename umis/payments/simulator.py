"""A payment gateway simulator, run as its own HTTP process (`umis payments simulator`).

It behaves like a hosted-payment-page acquirer: UMIS sends the payer's browser to
`/pay?...&sig=` (the query signed with the shared secret); the payer presses Pay; the
simulator books the transaction, redirects the browser back and notifies UMIS by a
JSON POST signed with HMAC-SHA256 (header X-Umis-Signature), retrying with back-off
until UMIS answers 2xx. Every booked payment goes into the day's statement file
(`statement-YYYY-MM-DD.csv`, signed too), which `umis payments reconcile FILE` reads.

Fault modes for the tests and the demo (flags, or POST /_faults with JSON):
  drop_callbacks       never notify (reconciliation must settle the payment)
  duplicate_callbacks  notify twice
  callback_first       notify before redirecting the browser (the default notifies after)
  tamper_amount        notify with a wrong amount
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gettext
import html
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from umis.payments.gateway import SIGNATURE_HEADER, sign, signature_valid, statement_render

log = logging.getLogger("umis.payments.simulator")
RETRY_DELAYS = (0.0, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class Simulator:
    def __init__(self, *, secret: str, statement_dir: Path) -> None:
        self.secret = secret
        self.statement_dir = statement_dir
        self.lock = threading.Lock()
        self.payments: dict[str, dict[str, Any]] = {}  # order number -> booked payment
        self.faults: dict[str, bool] = {
            "drop_callbacks": False,
            "duplicate_callbacks": False,
            "callback_first": False,
            "tamper_amount": False,
        }
        self.deliveries: list[dict[str, Any]] = []  # (order, attempt, status) for the tests

    def book(self, params: dict[str, str]) -> tuple[dict[str, Any], bool]:
        """Book a payment for an order once; a second Pay returns the first booking."""
        with self.lock:
            existing = self.payments.get(params["order"])
            if existing is not None:
                return existing, False
            now = dt.datetime.now(dt.UTC)
            payment = {
                "event_id": f"EV{secrets.token_hex(8).upper()}",
                "transaction_id": f"TX{now:%Y%m%d}{secrets.token_hex(6).upper()}",
                "order": params["order"],
                "amount": params["amount"],
                "currency": params["currency"],
                "status": "payment.succeeded",
                "paid_at": now.isoformat(),
                "callback": params["callback"],
            }
            self.payments[params["order"]] = payment
            self._write_statement(now.date())
            return payment, True

    def _write_statement(self, day: dt.date) -> None:
        rows = [p for p in self.payments.values() if p["paid_at"][:10] == day.isoformat()]
        self.statement_dir.mkdir(parents=True, exist_ok=True)
        path = self.statement_dir / f"statement-{day.isoformat()}.csv"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(statement_render(self.secret, rows))
        tmp.replace(path)

    def statement(self, day: dt.date) -> bytes:
        with self.lock:
            rows = [p for p in self.payments.values() if p["paid_at"][:10] == day.isoformat()]
            return statement_render(self.secret, rows)

    def notify(self, payment: dict[str, Any]) -> None:
        if self.faults["drop_callbacks"]:
            return
        body = {
            k: payment[k]
            for k in ("event_id", "transaction_id", "order", "amount", "currency", "paid_at")
        }
        body["kind"] = payment["status"]
        if self.faults["tamper_amount"]:
            body["amount"] = "1.00"
        data = json.dumps(body, sort_keys=True).encode()
        times = 2 if self.faults["duplicate_callbacks"] else 1
        for _ in range(times):
            self._deliver(payment["callback"], data, payment["order"])

    def _deliver(self, url: str, data: bytes, order: str) -> None:
        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            time.sleep(delay)
            request = urllib.request.Request(  # noqa: S310 (the callback URL is signed by UMIS)
                url,
                data=data,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(self.secret, data),
                },
            )
            status = 0
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError):
                status = 0
            with self.lock:
                self.deliveries.append({"order": order, "attempt": attempt, "status": status})
            if 200 <= status < 300 or 400 <= status < 500 and status not in (408, 429):
                return  # delivered, or refused for good (bad content): retrying cannot help
        log.warning("callback for %s given up after %d attempts", order, len(RETRY_DELAYS))


PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{t_title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}button{{font-size:1.1rem;padding:.5rem 1.5rem}}</style></head>
<body><h1>{t_payment}</h1><p>{t_simulated}</p>
<dl><dt>{t_order}</dt><dd id="order">{order}</dd><dt>{t_for}</dt><dd>{description}</dd><dt>{t_amount}</dt><dd id="amount">{amount} {currency}</dd></dl>
<form method="post" action="/pay"><input type="hidden" name="q" value="{query}">
<label>{t_card} <input name="card" value="4111 1111 1111 1111" autocomplete="off"></label>
<p><button type="submit" name="action" value="pay" id="pay-button">{t_pay}</button>
<button type="submit" name="action" value="cancel" id="cancel-button">{t_cancel}</button></p></form></body></html>"""

# The page stands in for a bank's: in the payer's language, az, en or ru, from UMIS's
# catalogues (this process runs without Django: the compiled catalogues are read directly).
LANGUAGES = ("az", "en", "ru")
DEFAULT_LANGUAGE = "az"
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


def gettext_noop(message: str) -> str:
    """Marks a text for the catalogue; it is translated when a page is written."""
    return message


TEXTS = {
    "title": gettext_noop("Payment — payment gateway simulator"),
    "payment": gettext_noop("Payment"),
    "simulated": gettext_noop("Simulated acquirer: no real money moves."),
    "order": gettext_noop("Payment order"),
    "for": gettext_noop("Purpose of payment"),
    "amount": gettext_noop("Amount to pay"),
    "card": gettext_noop("Card number"),
    "pay": gettext_noop("Pay %(amount)s"),
    "cancel": gettext_noop("Cancel the payment"),
    "bad_request": gettext_noop("The payment request is not valid or not signed."),
}


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation("django", LOCALE_DIR, languages=[lang], fallback=True)


def translated(key: str, lang: str) -> str:
    return _catalogue(lang).gettext(TEXTS[key])


def language_of_return(return_url: str) -> str:
    """The language of the UMIS page the payer comes from, as its return address names it
    (/en/…, /ru/…; the default language, az, has no prefix)."""
    first = urlsplit(return_url).path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else DEFAULT_LANGUAGE


def language_accepted(header: str) -> str:
    """The first of az, en, ru in an Accept-Language header, by preference; az if none."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        code, _sep, params = part.strip().partition(";")
        try:
            weight = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            weight = 0.0
        base = code.strip().lower().split("-", 1)[0]
        if base in LANGUAGES and weight > 0:
            ranked.append((-weight, position, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def payment_page(params: dict[str, str], query: str) -> str:
    # the payer's language as UMIS sends it with the order, else as the return address names it
    lang = params.get("lang", "")
    lang = lang if lang in LANGUAGES else language_of_return(params["return"])
    amount = f"{params['amount']} {params['currency']}"
    return PAGE.format(
        lang=lang,
        **{f"t_{k}": html.escape(translated(k, lang)) for k in TEXTS if k not in ("pay",)},
        t_pay=html.escape(translated("pay", lang) % {"amount": amount}),
        order=html.escape(params["order"]),
        description=html.escape(params.get("description", "")),
        amount=html.escape(params["amount"]),
        currency=html.escape(params["currency"]),
        query=html.escape(query, quote=True),
    )


def make_handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "UMIS-PaymentSimulator/1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/plain; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _refuse_request(self) -> None:
            """400 for a request not signed by UMIS, in the browser's language (its return
            address cannot be trusted)."""
            lang = language_accepted(self.headers.get("Accept-Language", ""))
            self._send(
                400, translated("bad_request", lang).encode(), headers={"Content-Language": lang}
            )

        def _checked_params(self, query: str) -> dict[str, str] | None:
            base, sep, sig = query.rpartition("&sig=")
            if not sep or not signature_valid(sim.secret, base.encode(), sig):
                return None
            params = dict(parse_qsl(base, keep_blank_values=True))
            needed = {"order", "amount", "currency", "callback", "return"}
            return params if needed <= params.keys() else None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/health":
                self._send(200, b"ok")
            elif parts.path == "/pay":
                params = self._checked_params(parts.query)
                if params is None:
                    self._refuse_request()
                    return
                page = payment_page(params, parts.query)
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif parts.path.startswith("/statements/"):
                try:
                    day = dt.date.fromisoformat(parts.path.rsplit("/", 1)[1])
                except ValueError:
                    self._send(404, b"no such statement")
                    return
                self._send(200, sim.statement(day), "text/csv; charset=utf-8")
            elif parts.path == "/_deliveries":
                with sim.lock:
                    body = json.dumps(sim.deliveries).encode()
                self._send(200, body, "application/json")
            else:
                self._send(404, b"not found")

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(min(length, 65536))

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/_faults":
                try:
                    changes = json.loads(self._body() or b"{}")
                except ValueError:
                    self._send(400, b"bad json")
                    return
                with sim.lock:
                    for k, v in changes.items():
                        if k in sim.faults:
                            sim.faults[k] = bool(v)
                    body = json.dumps(sim.faults).encode()
                self._send(200, body, "application/json")
                return
            if parts.path == "/api/pay":  # a scripted payer (benchmarks): same as pressing Pay
                query = self._body().decode(errors="replace")
                action = "pay"
            elif parts.path == "/pay":
                form = dict(parse_qsl(self._body().decode(errors="replace")))
                query, action = form.get("q", ""), form.get("action", "pay")
            else:
                self._send(404, b"not found")
                return
            params = self._checked_params(query)
            if params is None:
                self._refuse_request()
                return
            back = params["return"]
            if action != "pay":
                self._send(
                    303,
                    b"",
                    headers={
                        "Location": f"{back}{'&' if '?' in back else '?'}{urlencode({'cancelled': '1'})}"
                    },
                )
                return
            payment, new = sim.book(params)
            if new:
                if sim.faults["callback_first"]:
                    sim.notify(payment)
                else:
                    threading.Thread(target=sim.notify, args=(payment,), daemon=True).start()
            if parts.path == "/api/pay":
                self._send(
                    200,
                    json.dumps(
                        {k: payment[k] for k in ("order", "transaction_id", "event_id")}
                    ).encode(),
                    "application/json",
                )
            else:
                self._send(303, b"", headers={"Location": back})

    return Handler


def serve(
    *, host: str, port: int, secret: str, statement_dir: Path, faults: dict[str, bool] | None = None
) -> None:
    sim = Simulator(secret=secret, statement_dir=statement_dir)
    sim.faults.update(faults or {})
    server = ThreadingHTTPServer((host, port), make_handler(sim))
    server.daemon_threads = True
    print(f"payment gateway simulator at http://{host}:{port}/", flush=True)  # noqa: T201
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--statement-dir", type=Path, required=True)
    for name in ("drop_callbacks", "duplicate_callbacks", "callback_first", "tamper_amount"):
        parser.add_argument(f"--{name.replace('_', '-')}", action="store_true")
    args = parser.parse_args(argv)
    serve(
        host=args.host,
        port=args.port,
        secret=args.secret,
        statement_dir=args.statement_dir,
        faults={
            n: getattr(args, n)
            for n in ("drop_callbacks", "duplicate_callbacks", "callback_first", "tamper_amount")
        },
    )


if __name__ == "__main__":
    main()
