"""`make bench-evisa`: e-visa applications through the API with the worker on PostgreSQL.

Measures, in one run against gunicorn + `umis worker` + the payment gateway simulator:
  * applications accepted per second (POST /api/v1/evisa/applications, single traveller,
    photo included), beside a baseline in the same run: a plain signed-callback request
    that writes one row (POST /payments/callback refused for its signature);
  * time from the payment notification reaching UMIS (PaymentEvent.received_at) to the
    issued e-visa (IssuedDocument.issued_at), p50 / p99, payments paced at a fixed rate;
  * the same with 5 % of travellers on the screening entry-ban watchlist (by name, date of
    birth and passport; every application is screened by the fuzzy screening engine): they
    must all land in the officer queue and none may be issued.

Sizes: BENCH_EVISA_N (default 1000), BENCH_EVISA_CLIENTS (4), BENCH_EVISA_PAY_RATE (per
second, 20), BENCH_EVISA_WORKERS (gunicorn, 2), BENCH_EVISA_TASK_WORKERS (db_worker
processes, 2). Starts its own PostgreSQL on
BENCH_EVISA_PG_PORT (55451) unless BENCH_DATABASE_URL is set. Results: printed and written
to bench/results/evisa.json.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import io
import json
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import Postgres, gunicorn, pct  # noqa: E402

PY = sys.executable
N = int(os.environ.get("BENCH_EVISA_N", "1000"))
CLIENTS = int(os.environ.get("BENCH_EVISA_CLIENTS", "4"))
PAY_RATE = float(os.environ.get("BENCH_EVISA_PAY_RATE", "20"))
WORKERS = int(os.environ.get("BENCH_EVISA_WORKERS", "2"))
TASK_WORKERS = int(os.environ.get("BENCH_EVISA_TASK_WORKERS", "2"))
WEB_PORT = int(os.environ.get("BENCH_EVISA_WEB_PORT", "8851"))
SIM_PORT = int(os.environ.get("BENCH_EVISA_SIM_PORT", "8852"))
PG_PORT = int(os.environ.get("BENCH_EVISA_PG_PORT", "55451"))
SECRET = "bench-simulator-secret-0123456789abcdef"


def photo() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (420, 540), (190, 170, 150)).save(buffer, format="JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()


SYLLABLES = ["ba", "ke", "li", "mo", "nu", "ra", "se", "ti", "vo", "zu"]


def traveller_name(n: int) -> tuple[str, str, str]:
    """A distinct surname, given name and date of birth per traveller, so the screening
    engine's fuzzy name matching only finds the travellers actually listed."""
    digits = f"{(n * 48271 + 12345) % 10**8:08d}"  # a bijection: neighbours look unlike
    surname = "".join(SYLLABLES[int(d)] for d in digits[:4]).capitalize()
    given = "".join(SYLLABLES[int(d)] for d in digits[4:]).capitalize()
    born = dt.date(1950, 1, 1) + dt.timedelta(days=(n * 7919) % 18000)
    return surname, given, born.isoformat()


def application(n: int, today: dt.date, picture: str) -> bytes:
    surname, given, born = traveller_name(n)
    return json.dumps(
        {
            "purpose": "tourism",
            "entry_date": (today + dt.timedelta(days=10)).isoformat(),
            "stay_days": 14,
            "speed": "urgent" if n % 2 else "standard",
            "email": f"t{n}@example.org",
            "region": "baku",
            "city": "Baku",
            "street": "Nizami 10",
            "applicants": [
                {
                    "surname": surname,
                    "given_names": given,
                    "birth_date": born,
                    "sex": "F",
                    "nationality": "DE",
                    "issuing_state": "DEU",
                    "document_number": f"B{n:08d}",
                    "document_expiry": (today + dt.timedelta(days=2000)).isoformat(),
                    "photo": picture,
                }
            ],
        }
    ).encode()


def parallel(items: list[Any], clients: int, work: Any) -> float:
    parts = [items[i::clients] for i in range(clients)]
    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(part,)) for part in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def submit(key: str, bodies: list[bytes]) -> tuple[list[dict[str, Any]], float, int]:
    results: list[dict[str, Any]] = []
    failures = [0]
    lock = threading.Lock()

    def work(part: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=60)
        for body in part:
            conn.request(
                "POST",
                "/api/v1/evisa/applications",
                body=body,
                headers={"Content-Type": "application/json", "X-API-Key": key},
            )
            response = conn.getresponse()
            data = response.read()
            with lock:
                if response.status == 201:
                    results.append(json.loads(data))
                else:
                    failures[0] += 1

    elapsed = parallel(bodies, CLIENTS, work)
    return results, elapsed, failures[0]


def baseline(count: int) -> float:
    """Signed-callback requests refused for their signature: HTTP + one audit row each."""

    def work(part: list[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=60)
        for _ in part:
            conn.request(
                "POST",
                "/payments/callback",
                body=b'{"event_id": "x"}',
                headers={"Content-Type": "application/json", "X-Umis-Signature": "00"},
            )
            conn.getresponse().read()

    return count / parallel(list(range(count)), CLIENTS, work)


def pay_all(urls: list[str]) -> float:
    """Press Pay for each order at PAY_RATE per second (the simulator then notifies UMIS)."""
    start = time.perf_counter()
    for i, url in enumerate(urls):
        due = start + i / PAY_RATE
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        query = url.split("?", 1)[1]
        request = urllib.request.Request(
            f"http://127.0.0.1:{SIM_PORT}/api/pay", data=query.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    return time.perf_counter() - start


def wait_decided(case_refs: list[str], timeout: float) -> float:
    from umis.cases.models import Case

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        pending = Case.objects.filter(
            reference__in=case_refs, state__in=["awaiting_payment", "screening"]
        ).count()
        if pending == 0:
            break
        time.sleep(0.2)
    return time.perf_counter() - start


def latencies(case_refs: list[str]) -> list[float]:
    from umis.documents.models import IssuedDocument
    from umis.payments.models import PaymentEvent
    from umis.visas.models import VisaApplication

    apps = VisaApplication.objects.filter(case__reference__in=case_refs).values_list(
        "case_id", "payment_order_id"
    )
    received = dict(
        PaymentEvent.objects.filter(
            order_id__in=[o for _c, o in apps], outcome="applied"
        ).values_list("order_id", "received_at")
    )
    issued = dict(
        IssuedDocument.objects.filter(case_id__in=[c for c, _o in apps]).values_list(
            "case_id", "issued_at"
        )
    )
    return [
        (issued[c] - received[o]).total_seconds() for c, o in apps if c in issued and o in received
    ]


def run_round(key: str, start: int, count: int, banned_every: int | None) -> dict[str, Any]:
    from umis.cases.models import Case
    from umis.screening.services import watchlist_get_or_create, watchlist_import

    today = dt.date.today()
    picture = photo()
    bodies = [application(start + i, today, picture) for i in range(count)]
    accepted, elapsed, failures = submit(key, bodies)
    banned: set[str] = set()
    if banned_every:
        rows = []
        for i in range(0, count, banned_every):
            number = f"B{start + i:08d}"
            banned.add(number)
            surname, given, born = traveller_name(start + i)
            rows.append(
                {
                    "category": "entry_ban",
                    "external_id": f"BENCH-{number}",
                    "full_name": f"{given} {surname}",
                    "birth_date": born,
                    "nationality": "DE",
                    "document_number": number,
                    "issuing_state": "DE",
                    "reason": "bench",
                    "source": "bench",
                }
            )
        watchlist = watchlist_get_or_create(actor=None, code="entry-bans")
        result = watchlist_import(actor=None, watchlist=watchlist, raws=rows)
        assert not result.errors, result.errors
    refs = [a["travellers"][0]["reference"] for a in accepted]
    passport = {
        a["travellers"][0]["reference"]: a["travellers"][0]["passport_number"] for a in accepted
    }
    pay_seconds = pay_all([a["payment_url"] for a in accepted])
    settle = wait_decided(refs, timeout=max(120.0, count / 5))
    lat = latencies(refs)
    states = dict(Case.objects.filter(reference__in=refs).values_list("reference", "state"))
    hits = [r for r in refs if passport[r] in banned]
    from umis.visas.models import VisaApplication

    wrongly = list(
        VisaApplication.objects.filter(
            case__reference__in=[r for r in refs if passport[r] not in banned],
            case__state="referred",
        )
    )
    return {
        "applications": count,
        "accepted": len(accepted),
        "refused": failures,
        "accepted_per_second": round(len(accepted) / elapsed, 1),
        "pay_rate_per_second": PAY_RATE,
        "paying_took_s": round(pay_seconds, 1),
        "all_decided_after_last_payment_s": round(settle, 2),
        "issued": sum(1 for s in states.values() if s == "issued"),
        "referred": sum(1 for s in states.values() if s == "referred"),
        "still_pending": sum(1 for s in states.values() if s in ("awaiting_payment", "screening")),
        "callback_to_issued_s": {
            "count": len(lat),
            "p50": round(pct(lat, 50), 3) if lat else None,
            "p99": round(pct(lat, 99), 3) if lat else None,
            "max": round(max(lat), 3) if lat else None,
        },
        "watchlist_hits": len(hits),
        "watchlist_hits_referred": sum(1 for r in hits if states.get(r) == "referred"),
        "watchlist_hits_issued": sum(1 for r in hits if states.get(r) == "issued"),
        "referred_not_listed": len(wrongly),
        "referred_not_listed_reasons": sorted({r["code"] for a in wrongly for r in a.reasons}),
    }


def main() -> None:
    pg = None
    database_url = os.environ.get("BENCH_DATABASE_URL")
    if not database_url:
        pg = Postgres()
        pg.port = PG_PORT
        database_url = pg.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "UMIS_PAYMENT_SECRET": SECRET,
        "UMIS_PAYMENT_SIMULATOR_PORT": str(SIM_PORT),
        "UMIS_PAYMENT_CALLBACK_BASE": f"http://127.0.0.1:{WEB_PORT}",
        "UMIS_PUBLIC_URL": f"http://127.0.0.1:{WEB_PORT}",
        "UMIS_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "UMIS_LOG_LEVEL": "WARNING",
        "UMIS_VAR_DIR": str(ROOT / "var" / "bench-evisa"),
        "UMIS_TASK_WORKERS": str(TASK_WORKERS),
    }
    os.environ.update(env)
    children: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from umis.accounts.models import Role, Scope, User
        from umis.accounts.services import api_client_create
        from umis.reference.services import reference_load_defaults
        from umis.visas.reference import visa_reference_load_defaults

        reference_load_defaults()
        visa_reference_load_defaults()
        user, _ = User.objects.get_or_create(
            username="bench-agency", defaults={"role": Role.AGENCY}
        )
        _client, key = api_client_create(actor=None, name="bench", user=user, scopes=[Scope.EVISA])
        children.append(gunicorn(WEB_PORT, WORKERS, env, timeout=30))
        children.append(
            subprocess.Popen([PY, "-m", "umis.cli", "worker", "--interval", "5"], cwd=ROOT, env=env)
        )
        children.append(
            subprocess.Popen(
                [PY, "-m", "umis.cli", "payments", "simulator", "--port", str(SIM_PORT)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{WEB_PORT}/api/v1/openapi.json", timeout=2
                ).read()
                urllib.request.urlopen(f"http://127.0.0.1:{SIM_PORT}/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        results: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
            "database": "PostgreSQL (fsync=on, synchronous_commit=on)",
            "server": f"gunicorn {WORKERS} sync workers, umis worker with {TASK_WORKERS} db_worker "
            "process(es) polling 0.2 s, simulator",
            "clients": CLIENTS,
        }
        results["baseline_refused_callback_per_second"] = round(baseline(max(200, N // 2)), 1)
        results["clean"] = run_round(key, 0, N, None)
        results["watchlist_5_percent"] = run_round(key, 1_000_000, N, 20)
        results["accepted_to_baseline_ratio"] = round(
            results["clean"]["accepted_per_second"]
            / results["baseline_refused_callback_per_second"],
            3,
        )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "evisa.json").write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
    finally:
        for c in children:
            c.terminate()
        for c in children:
            try:
                c.wait(timeout=20)
            except subprocess.TimeoutExpired:
                c.kill()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
