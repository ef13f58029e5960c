"""Run the gateway simulator as a real process in tests (on a free loopback port)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from umis.payments.models import PaymentOrder
from umis.payments.services import payment_return_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningSimulator:
    url: str
    statement_dir: Path
    process: subprocess.Popen[bytes]

    def faults(self, **changes: bool) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.url}/_faults", data=json.dumps(changes).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result

    def pay(self, checkout_url: str) -> dict[str, Any]:
        """What a payer pressing Pay on the hosted page does (scripted)."""
        query = checkout_url.split("?", 1)[1]
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.url}/api/pay", data=query.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result

    def cancel(self, checkout_url: str) -> str:
        """What a payer pressing Cancel on the hosted page does: the address their browser is
        sent back to."""
        return self._press(checkout_url, "cancel")

    def pay_in_browser(self, checkout_url: str) -> str:
        """What a payer pressing Pay on the hosted page does: the address their browser is
        sent back to."""
        return self._press(checkout_url, "pay")

    def _press(self, checkout_url: str, action: str) -> str:
        query = checkout_url.split("?", 1)[1]
        connection = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=30)
        try:
            connection.request(
                "POST",
                "/pay",
                body=urlencode({"q": query, "action": action}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            assert response.status == 303, response.status
            return response.getheader("Location") or ""
        finally:
            connection.close()

    def deliveries(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/_deliveries", timeout=5) as response:  # noqa: S310
            result: list[dict[str, Any]] = json.loads(response.read())
            return result


def return_path(order: PaymentOrder, *, cancelled: bool = False) -> str:
    """The address (less the public host) the gateway sends this order's payer back to."""
    path = payment_return_url(order=order).removeprefix(settings.UMIS_PUBLIC_URL)
    return path + ("&cancelled=1" if cancelled else "")


@contextlib.contextmanager
def simulator_running(
    *, secret: str, statement_dir: Path, port: int | None = None
) -> Iterator[RunningSimulator]:
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "umis.payments.simulator",
            "--port",
            str(port),
            "--secret",
            secret,
            "--statement-dir",
            str(statement_dir),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the payment simulator did not start") from None
                time.sleep(0.1)
        yield RunningSimulator(url=url, statement_dir=statement_dir, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
