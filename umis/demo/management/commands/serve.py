"""`umis serve`: migrate, load the demo when the database is empty, then run the web server
(gunicorn), the background worker with the periodic jobs, and the payment gateway
simulator until interrupted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from umis.demo.data import demo_load, demo_logins_text, demo_renewed_text


class Command(BaseCommand):
    help = "Run UMIS: web server and worker (loads demo data into an empty database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not _port_free(options["host"], options["port"]):
            raise CommandError(
                f"Port {options['port']} is already in use on {options['host']}: stop what "
                "serves there, or choose another port, e.g. make run PORT=8123"
            )
        simulator, held = _simulator_port(options["port"])
        public = {**_public_url(options["host"], options["port"]), **simulator}
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            result = demo_load()
            if renewed := demo_renewed_text(result):
                self.stdout.write(renewed)
            self.stdout.write(demo_logins_text(result.credentials))
        bind = f"{options['host']}:{options['port']}"
        env = {
            **os.environ,
            **public,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        children = [
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(options["workers"]),
                    "--access-logfile",
                    "-",
                    "--logger-class",
                    "umis.core.accesslog.AccessLogger",
                    "--graceful-timeout",
                    "10",
                    # gunicorn's control socket is one per user (~/.gunicorn): a second
                    # UMIS on another port would take over the first one's
                    "--no-control-socket",
                ],
                env=env,
            ),
            subprocess.Popen([sys.executable, "-m", "umis.cli", "worker"], env=env),  # noqa: S603
        ]
        if held is not None:  # kept until now, so that nothing else took it meanwhile
            held.close()
        payments = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "umis.cli", "payments", "simulator"], env=env
        )
        self.stdout.write(f"UMIS is running at http://{bind}/  (Ctrl+C stops it)")
        self.stdout.write(f"Payment gateway simulator at {settings.UMIS_PAYMENT_GATEWAY_URL}/")
        stopping = False
        stopped: list[subprocess.Popen[bytes]] = []

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(c.poll() is None for c in children):
            if payments.poll() is not None and payments not in stopped:
                stopped.append(payments)
                self.stderr.write(
                    "The payment gateway simulator stopped (see above): the web server and the "
                    "worker go on, but payments cannot be made until UMIS is started again."
                )
            time.sleep(0.5)
        children.append(payments)
        for c in children:
            if c.poll() is None:
                c.terminate()
        for c in children:
            try:
                c.wait(timeout=15)
            except subprocess.TimeoutExpired:
                c.kill()


def _public_url(host: str, port: int) -> dict[str, str]:
    """Unless set, the address that links, e-mails, payment returns and certificates' codes
    point to is the one served here (`make run PORT=8123`), in this process and its children."""
    if os.environ.get("UMIS_PUBLIC_URL"):
        return {}
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    public = {"UMIS_PUBLIC_URL": url}
    settings.UMIS_PUBLIC_URL = url
    if not os.environ.get("UMIS_PAYMENT_CALLBACK_BASE"):
        public["UMIS_PAYMENT_CALLBACK_BASE"] = url
        settings.UMIS_PAYMENT_CALLBACK_BASE = url
    return public


def _port_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host`:`port` now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _simulator_port(web_port: int) -> tuple[dict[str, str], socket.socket | None]:
    """Unless its address is configured, the payment gateway simulator listens on its usual
    port (8001) or, when that is taken (the web server's own port, another UMIS running
    beside this one), on the next free port after the web server's, in this process and its
    children. The port is held (the socket returned) until the simulator starts, so that
    another server starting meanwhile does not take it: the simulator never stops the others
    by failing to start."""
    if os.environ.get("UMIS_PAYMENT_GATEWAY_URL") or os.environ.get("UMIS_PAYMENT_SIMULATOR_PORT"):
        return {}, None
    wanted = settings.UMIS_PAYMENT_SIMULATOR_PORT
    candidates = [] if wanted == web_port else [wanted]
    candidates += range(web_port + 1, min(web_port + 200, 65536))
    for port in candidates:
        held = _hold("127.0.0.1", port)
        if held is not None:
            break
    else:
        raise CommandError(
            "No free port for the payment gateway simulator: set UMIS_PAYMENT_SIMULATOR_PORT"
        )
    url = f"http://127.0.0.1:{port}"
    settings.UMIS_PAYMENT_SIMULATOR_PORT = port
    settings.UMIS_PAYMENT_GATEWAY_URL = url
    return {"UMIS_PAYMENT_SIMULATOR_PORT": str(port), "UMIS_PAYMENT_GATEWAY_URL": url}, held


def _hold(host: str, port: int) -> socket.socket | None:
    """A socket bound to `host`:`port`, or None when the port is taken."""
    sock = socket.socket(socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1)  # a socket only bound would not stop another from binding the port
    except OSError:
        sock.close()
        return None
    return sock
