"""Screening index at process start: how long a new process takes to build its index from
the database (plain rows, each distinct name part normalised once); what the first screening
after a restart costs with and without the warm-up; whether screenings during the warm-up
answer exactly as after it; and what a fallback scan (answering without the index while it
is built) would cost per query.

    SCREENING_WARM_BENCH_SIZE=100000 .venv/bin/python bench/screening_warm.py

Environment: SCREENING_WARM_BENCH_SIZE (watchlist entries, default 1,000,000, the
screening benchmark's size), SCREENING_WARM_BENCH_QUERIES (true variants of listed people
screened during and after the warm-up, default 200), SCREENING_WARM_BENCH_FALLBACK
(queries the fallback scan answers, default 3). Each measurement runs in its own fresh
process against one SQLite database built here (in a temporary directory). Results are
printed as JSON and written to bench/results/screening-warm-SIZE.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import ROOT, django_start  # first: it puts umis on the path

SIZE = int(os.environ.get("SCREENING_WARM_BENCH_SIZE", "1000000"))
QUERIES = int(os.environ.get("SCREENING_WARM_BENCH_QUERIES", "200"))
FALLBACK = int(os.environ.get("SCREENING_WARM_BENCH_FALLBACK", "3"))
THRESHOLD = 85.0


def _django(var: str) -> None:
    django_start(var=var)


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def setup(var: str) -> dict[str, Any]:
    """The watchlist in a fresh SQLite database, and the queries (true variants) beside it."""
    _django(var)
    from django.core.management import call_command
    from namegen import Generator

    from umis.screening.models import Watchlist, WatchlistEntry, WatchlistSequence

    call_command("migrate", verbosity=0, interactive=False)
    gen = Generator(seed=20261123)
    wl = Watchlist.objects.create(code="bench", name="Bench")
    t0 = time.perf_counter()
    queries: list[dict[str, Any]] = []
    batch: list[WatchlistEntry] = []
    for i in range(SIZE):
        p = gen.person(i)
        name, how = gen.render(p)
        batch.append(
            WatchlistEntry(
                watchlist=wl,
                kind="person",
                category="entry_ban",
                external_id=str(i),
                full_name=name,
                birth_date=p.birth,
                nationality=p.nationality,
                reason="bench",
                source="bench",
                change_seq=1,
            )
        )
        if i % max(1, SIZE // QUERIES) == 0 and len(queries) < QUERIES:
            queries.append(
                {
                    "external_id": str(i),
                    "names": [gen.variant(p, how)],
                    "birth_date": p.birth.isoformat(),
                    "nationality": p.nationality,
                }
            )
        if len(batch) == 10_000:
            WatchlistEntry.objects.bulk_create(batch)
            batch = []
    WatchlistEntry.objects.bulk_create(batch)
    WatchlistSequence.objects.update_or_create(pk=1, defaults={"value": 1})
    ids = dict(WatchlistEntry.objects.values_list("external_id", "id"))
    for q in queries:
        q["entry_id"] = ids[q.pop("external_id")]
    (Path(var) / "queries.json").write_text(json.dumps(queries))
    return {"load_s": round(time.perf_counter() - t0, 1)}


def _queries(var: str) -> list[tuple[Any, int]]:
    from umis.screening.index import Query

    return [
        (
            Query(
                names=tuple(q["names"]),
                birth_date=dt.date.fromisoformat(q["birth_date"]),
                nationality=q["nationality"],
            ),
            int(q["entry_id"]),
        )
        for q in json.loads((Path(var) / "queries.json").read_text())
    ]


def _searches(index: Any, queries: list[tuple[Any, int]]) -> dict[str, Any]:
    lat, found = [], 0
    for q, target in queries:
        t1 = time.perf_counter()
        hits = index.search(q, threshold=THRESHOLD, limit=20)
        lat.append((time.perf_counter() - t1) * 1000)
        found += target in {h.entry_id for h in hits}
    return {
        "search_p50_ms_after_build": round(sorted(lat)[len(lat) // 2], 2),
        "recall_after_build": round(found / max(1, len(queries)), 4),
    }


def child_new_build(var: str) -> dict[str, Any]:
    _django(var)
    from umis.screening import engine
    from umis.screening.models import WatchlistEntry

    t0 = time.perf_counter()
    records = list(engine._records(WatchlistEntry.objects.filter(active=True)))
    read_s = time.perf_counter() - t0
    del records
    t0 = time.perf_counter()
    index = engine.index_current()
    build_s = time.perf_counter() - t0
    return {
        "entries": len(index),
        "read_s": round(read_s, 2),
        "build_s": round(build_s, 2),
        "peak_rss_mb": _rss_mb(),
        **_searches(index, _queries(var)),
    }


def child_cold_first_search(var: str) -> dict[str, Any]:
    """No warm-up: the first screening after the start builds the index itself."""
    _django(var)
    from umis.screening import engine

    q, _target = _queries(var)[0]
    t0 = time.perf_counter()
    engine.index_current().search(q, threshold=THRESHOLD, limit=20)
    return {"first_search_ms": round((time.perf_counter() - t0) * 1000)}


def child_warm(var: str) -> dict[str, Any]:
    """Warm-up at the start; screenings arrive from the first moment, one after another,
    during and after the build: each answer is compared with the built index's answer."""
    _django(var)
    from django.db import connection

    from umis.screening import engine

    queries = _queries(var)
    answers: list[tuple[float, float, int, list[int]]] = []
    t0 = time.perf_counter()
    thread = engine.index_warm_start(force=True)
    assert thread is not None

    def screen() -> None:
        for i, (q, _target) in enumerate(queries):
            start = time.perf_counter()
            hits = engine.index_current().search(q, threshold=THRESHOLD, limit=20)
            answers.append(
                (start - t0, (time.perf_counter() - start) * 1000, i, [h.entry_id for h in hits])
            )
            if i < len(queries) // 2:
                time.sleep(0.05)  # the first half spread over the build
        connection.close()

    searcher = threading.Thread(target=screen)
    searcher.start()
    thread.join()
    warm_s = time.perf_counter() - t0
    searcher.join()
    index = engine.index_current()
    during = [a for a in answers if a[0] < warm_s]
    same = sum(
        1
        for _at, _ms, i, ids in answers
        if ids == [h.entry_id for h in index.search(queries[i][0], threshold=THRESHOLD, limit=20)]
    )
    found = sum(1 for _at, _ms, i, ids in answers if queries[i][1] in ids)
    return {
        "warm_up_s": round(warm_s, 2),
        "searches_started_during_warm_up": len(during),
        "first_search_ms": round(answers[0][1]) if answers else None,
        "max_wait_ms_during_warm_up": round(max((a[1] for a in during), default=0.0)),
        "searches_answered_as_after_warm_up": f"{same}/{len(answers)}",
        "recall_of_all_searches": round(found / max(1, len(answers)), 4),
        "builds": engine.index_status().builds,
    }


def child_fallback(var: str) -> dict[str, Any]:
    """A fallback that answers without the index: read every entry, normalise its names and
    score them against the query (the exact scorer, so the same answers)."""
    _django(var)
    from umis.people.normalize import name_similarity, normalize_name
    from umis.screening import engine
    from umis.screening.index import birth_agreement, nationality_agreement
    from umis.screening.models import WatchlistEntry

    per_query, found = [], 0
    queries = _queries(var)[:FALLBACK]
    for q, target in queries:
        t0 = time.perf_counter()
        qn = normalize_name(q.names[0])
        hits = []
        for r in engine._records(WatchlistEntry.objects.filter(active=True)):
            best = max(name_similarity(qn, normalize_name(n)).score for n in r.names)
            score = best + birth_agreement(q, r)[0] + nationality_agreement(q, r)[0]
            if score >= THRESHOLD:
                hits.append(r.id)
        per_query.append(time.perf_counter() - t0)
        found += target in hits
    return {
        "queries": len(queries),
        "seconds_per_query": [round(s, 1) for s in per_query],
        "recall": round(found / max(1, len(queries)), 4),
    }


CHILDREN = {
    "new_build": child_new_build,
    "cold_first_search": child_cold_first_search,
    "warm": child_warm,
    "fallback": child_fallback,
}


def _run_child(name: str, var: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", name, var],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:  # the child's own traceback says why
        sys.stderr.write(out.stderr)
        out.check_returncode()
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(CHILDREN[sys.argv[2]](sys.argv[3])))
        return
    with tempfile.TemporaryDirectory(prefix="umis-warm-bench-") as var:
        load_start = [round(x, 1) for x in os.getloadavg()]
        setup_out = _run_setup(var)
        result: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "database": "SQLite (WAL)",
            "watchlist_size": SIZE,
            "queries": QUERIES,
            "load_average_1_5_15_at_start": load_start,
            "setup": setup_out,
        }
        for name in CHILDREN:
            result[name] = _run_child(name, var)
        result["load_average_1_5_15_at_end"] = [round(x, 1) for x in os.getloadavg()]
    new = result["new_build"]
    fallback = result["fallback"]["seconds_per_query"]
    result["fallback_query_vs_whole_build"] = round(
        (sum(fallback) / max(1, len(fallback))) / max(new["build_s"], 1e-9), 2
    )
    text = json.dumps(result, indent=2)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"screening-warm-{SIZE}.json").write_text(text + "\n")


def _run_setup(var: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import sys; sys.argv=['x']; sys.path.insert(0, {str(ROOT / 'bench')!r}); "
            f"import screening_warm as b, json; print(json.dumps(b.setup({var!r})))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=str(ROOT),
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    main()
