"""Backfilling crossing history from CSV, resumable.

The file is identified by its SHA-256; after each batch the number of rows done is
committed in the same transaction as the batch's crossings, so a rerun after an
interruption starts at the first row not stored (and event ids make a repeat harmless).
"""

from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from umis.border.models import ImportRun
from umis.border.services import crossings_receive


@dataclass
class ImportSummary:
    rows_done: int
    stored: int
    refused: int
    resumed: bool


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _count_rows(path: Path) -> int:
    with path.open("rb") as f:
        return max(0, sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1)


class Progress:
    def __init__(self, out: IO[str] | Any, total: int, start: int) -> None:
        self.out = out
        self.total = max(total, 1)
        self.start = start
        self.began = time.monotonic()

    def show(self, done: int) -> None:
        if self.out is None:
            return
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        rate = (done - self.start) / max(time.monotonic() - self.began, 1e-6)
        self.out.write(
            f"\r[{bar:<30}] {share:6.1%} {done:,}/{self.total:,} rows {rate:,.0f} rows/s"
        )
        self.out.flush()

    def end(self) -> None:
        if self.out is not None:
            self.out.write("\n")


def crossings_import(
    *,
    path: Path,
    batch: int = 5000,
    errors_path: Path | None = None,
    progress: IO[str] | Any = None,
    actor: Any = None,
    stop_after_batches: int | None = None,
) -> ImportSummary:
    run, created = ImportRun.objects.get_or_create(
        digest=_digest(path), defaults={"name": path.name[:300]}
    )
    resumed = not created and run.rows_done > 0
    if run.finished:
        return ImportSummary(run.rows_done, run.stored, run.refused, resumed)
    bar = Progress(progress, _count_rows(path), run.rows_done)
    errors_file = errors_path.open("a", newline="", encoding="utf-8") if errors_path else None
    errors_writer = csv.writer(errors_file) if errors_file else None
    batches = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows: list[dict[str, Any]] = []
            line = 0
            for raw in reader:
                line += 1
                if line <= run.rows_done:
                    continue
                rows.append({k: v for k, v in raw.items() if k})
                if len(rows) >= batch:
                    _store(run, rows, actor, errors_writer)
                    rows = []
                    bar.show(run.rows_done)
                    batches += 1
                    if stop_after_batches is not None and batches >= stop_after_batches:
                        return ImportSummary(run.rows_done, run.stored, run.refused, resumed)
            if rows:
                _store(run, rows, actor, errors_writer)
            run.finished = True
            run.save(update_fields=["finished", "updated_at"])
            bar.show(run.rows_done)
            bar.end()
    finally:
        if errors_file:
            errors_file.close()
    return ImportSummary(run.rows_done, run.stored, run.refused, resumed)


def _store(run: ImportRun, rows: list[dict[str, Any]], actor: Any, errors: Any) -> None:
    with transaction.atomic():
        results = crossings_receive(actor=actor, source=f"import:{run.name}"[:100], raws=rows)
        run.rows_done += len(rows)
        run.stored += sum(1 for r in results if r.status == "stored")
        run.refused += sum(1 for r in results if r.status == "refused")
        run.save(update_fields=["rows_done", "stored", "refused", "updated_at"])
    if errors is not None:
        for r in results:
            if r.status == "refused":
                errors.writerow(
                    [run.rows_done - len(rows) + r.index + 2, r.event_id]
                    + [f"{e.field}:{e.code}" for e in r.errors]
                )
