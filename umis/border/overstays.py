"""The daily overstay and missed-registration job (`umis overstays --on DATE`).

1. Who is inside: `Presence` rows whose last crossing is an entry (index on direction and
   entry day) — the job never scans the whole crossing history.
2. Candidates: persons whose days used exceed their smallest allowance, an upper bound.
   On PostgreSQL, first those whose current stay alone is too long (presence rows only),
   then one set-based query over the crossings of the last window (partitions pruned by
   time, parallel workers) for the others, whose earlier stays of the window count too;
   that query runs on a second connection while this process checks the first candidates
   and the registrations (when the job is not inside a caller's transaction).
   Other databases compute the same bound in Python (small installations, tests).
3. Each candidate is checked exactly with `stayrules.calculate` against every legal
   basis the providers know (visa-free, e-visa, extension, permit); a person is an
   overstayer when the date is past their last legal day.
4. Persons inside past their registration deadline (reference rule by nationality) with
   no registration for that stay: missed registration.
Each finding is one row per person, kind and stay, opened as a proposal (fine or
enforcement case) in the office where the person is registered, or of the crossing
point; a rerun refreshes the figures, and an open finding's proposal with its days over (one
taken up or dismissed keeps the proposal it was decided on), and changes nothing else
(idempotent).

What a run changes is audited in its transaction (ADR 0019): a finding whose outcome changes
has a row of its own (OVERSTAY_FINDING_OPENED, _REOPENED, _PROPOSAL_CHANGED, in the finding's
history); the figures refreshed every day are one OVERSTAY_FINDINGS_REFRESHED row per run
(entity `border.detectionrun`, the day), not one per finding and day: the counts, the ids of
the findings refreshed as runs of ids (`id_ranges`), and those whose last legal day or
registration deadline moved, with both dates. A finding's days over on a run's day follow
from its dates and that day (the day less the last legal day, or less the registration
deadline; a stay with no legal day left counts from its entry, that day included), so the
row and the findings' dates tell an auditor what each finding said on each day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from umis.audit.services import AuditEntry, audit_collect, audit_record_many
from umis.border import basis as basis_mod
from umis.border.models import (
    Crossing,
    CrossingPoint,
    DetectionRun,
    FindingKind,
    FindingState,
    OverstayFinding,
    Presence,
    Proposal,
)
from umis.border.selectors import HISTORY_DAYS, best_result
from umis.border.services import country_tz
from umis.border.stayrules import Event, stays_from_events
from umis.core import clock
from umis.reference.models import Office, RegistrationRule
from umis.reference.selectors import ReferenceSnapshot
from umis.stays.selectors import person_office_of_latest_registration, persons_registered_since

CHUNK = 2000  # persons per query on SQLite
PG_CHUNK = 10_000


@dataclass
class Found:
    person_id: int
    kind: str
    entry_day: dt.date
    nationality: str
    entry_point: str
    days_over: int
    last_legal_day: dt.date | None = None
    registration_due: dt.date | None = None
    basis: str = ""


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), country_tz())


def _inside(on: dt.date, base: Any = None) -> Iterator[tuple[int, str, dt.date, str]]:
    qs = (base if base is not None else Presence.objects.all()).filter(
        last_direction="entry", entry_day__lte=on
    )
    for pid, nationality, entry_day, point in qs.values_list(
        "person_id", "nationality", "entry_day", "entry_point"
    ).iterator(chunk_size=20000):
        if entry_day is not None:
            yield pid, nationality, entry_day, point


def _presence_rows(ids: list[int]) -> list[tuple[int, str, dt.date, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, nationality, entry_day, entry_point FROM border_presence"
            " WHERE person_id = ANY(%s)",
            [ids],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _late_cutoff(on: dt.date) -> dt.date:
    """Entries before this day may be past a registration deadline on `on`."""
    shortest = min(
        [min(r.deadline_days, max(r.threshold_days - 1, 0)) for r in RegistrationRule.objects.all()]
        or [0]
    )
    return on - dt.timedelta(days=shortest)


def _limits(on: dt.date) -> tuple[dict[str, int], int, set[str]]:
    """Per nationality the smallest visa-free allowance around `on`; the longest window;
    the nationalities whose every rule counts per stay (no rolling window)."""
    periods = basis_mod.visa_free_periods_all(on - dt.timedelta(days=HISTORY_DAYS), on)
    smallest: dict[str, int] = {}
    per_stay: set[str] = set()
    window = 1
    for nationality, found in periods.items():
        smallest[nationality] = min(p.regime.days for p in found)
        window = max([window, *(p.regime.span for p in found)])
        if all(p.regime.window_days is None for p in found):
            per_stay.add(nationality)
    return smallest, window, per_stay


# Persons inside whose current stay alone is above their smallest allowance (the days of the
# stay in the longest window, or of the whole stay for per-stay rules): candidates whatever
# their earlier crossings. One pass over the persons inside, no crossing read.
CURRENT_SQL = """
SELECT p.person_id, p.nationality, p.entry_day, p.entry_point
FROM border_presence p JOIN unnest(%(nats)s::varchar[], %(days)s::int[], %(stay_only)s::bool[])
    AS lim(nationality, days, stay_only) ON lim.nationality = p.nationality
WHERE p.last_direction = 'entry' AND p.entry_day <= %(on)s
  AND CASE WHEN lim.stay_only THEN %(on)s::date - p.entry_day + 1
           ELSE %(on)s::date - greatest(p.entry_day, %(ws)s::date) + 1 END > lim.days
ORDER BY p.person_id
"""

# The others under a rolling rule: the closed stays of the window (each exit counts from the
# entry before it, or from the window's start: also after two entries in a row, a missed exit
# that keeps the person inside since the first of them, which this one pass cannot see) plus
# the current stay, above the allowance.
# The limits are inline arrays (no CTE), so the plan may use parallel workers; what the final
# test needs (the days the current stay leaves free) rides along with each crossing, so the
# per-person aggregate is the last step, without a second pass over the persons inside.
HISTORY_SQL = """
SELECT person_id FROM (
    SELECT c.person_id, c.day, c.direction, f.free,
           lag(c.direction) OVER w AS prev_dir, lag(c.day) OVER w AS prev_day,
           lag(c.direction, 2) OVER w AS prev2_dir
    FROM border_crossing c
    JOIN (
        SELECT p.person_id,
               lim.days - (%(on)s::date - greatest(p.entry_day, %(ws)s::date) + 1) AS free
        FROM border_presence p
        JOIN unnest(%(nats)s::varchar[], %(days)s::int[], %(stay_only)s::bool[])
            AS lim(nationality, days, stay_only) ON lim.nationality = p.nationality
        WHERE NOT lim.stay_only AND p.last_direction = 'entry' AND p.entry_day <= %(on)s
    ) f ON f.person_id = c.person_id
    WHERE f.free >= 0
      AND c.occurred_at >= %(from)s AND c.occurred_at < %(to)s AND c.direction <> 'refused'
    WINDOW w AS (PARTITION BY c.person_id ORDER BY c.occurred_at, c.id)
) ev
WHERE direction = 'exit'
GROUP BY person_id
HAVING sum(day - CASE WHEN prev_dir = 'entry' AND prev2_dir IS DISTINCT FROM 'entry'
                           THEN greatest(prev_day, %(ws)s::date)
                      ELSE %(ws)s::date END + 1) > max(free)
"""


def _candidate_params(
    on: dt.date, smallest: dict[str, int], window: int, per_stay: set[str]
) -> dict[str, Any]:
    ws = on - dt.timedelta(days=window - 1)
    nats = list(smallest)
    return {
        "nats": nats,
        "days": [smallest[n] for n in nats],
        "stay_only": [n in per_stay for n in nats],
        "on": on,
        "ws": ws,
        "from": _start_of(ws),
        "to": _start_of(on + dt.timedelta(days=1)),
    }


def _current_candidates(
    on: dt.date, smallest: dict[str, int], window: int, per_stay: set[str]
) -> list[tuple[int, str, dt.date, str]]:
    """Presence rows of the persons whose current stay alone is above their allowance."""
    if not smallest:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_SQL, _candidate_params(on, smallest, window, per_stay))
        return [tuple(row) for row in cursor.fetchall()]


def _history_candidates(
    on: dt.date, smallest: dict[str, int], window: int, per_stay: set[str]
) -> set[int]:
    """Persons within their allowance by the current stay whose closed stays of the window
    bring them above it."""
    if not smallest or all(n in per_stay for n in smallest):
        return set()
    work_mem = str(getattr(settings, "UMIS_OVERSTAY_WORK_MEM", "256MB"))
    workers = str(int(settings.UMIS_OVERSTAY_PARALLEL_WORKERS))
    with transaction.atomic(), connection.cursor() as cursor:
        # the per-person window sort of a national day fits in memory instead of on disk
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        # compiling this one query with JIT costs more (1.3 s at 10 M crossings) than it saves
        cursor.execute("SELECT set_config('jit', 'off', true)")
        # the scan, the join to the persons inside and the sort split between processes
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [workers])
        cursor.execute(HISTORY_SQL, _candidate_params(on, smallest, window, per_stay))
        return {row[0] for row in cursor.fetchall()}


def _candidates_sql(
    on: dt.date, smallest: dict[str, int], window: int, per_stay: set[str]
) -> set[int]:
    """Persons inside whose days in the longest window (or in the current stay, for
    per-stay rules) exceed their smallest allowance: an upper bound, checked exactly later."""
    current = {row[0] for row in _current_candidates(on, smallest, window, per_stay)}
    return current | _history_candidates(on, smallest, window, per_stay)


def _candidates_python(
    on: dt.date,
    inside: list[tuple[int, str, dt.date, str]],
    smallest: dict[str, int],
    window: int,
    per_stay: set[str],
) -> set[int]:
    ws = on - dt.timedelta(days=window - 1)
    ids = [pid for pid, nat, _e, _p in inside if nat in smallest and nat not in per_stay]
    days: dict[int, set[dt.date]] = defaultdict(set)
    by_person: dict[int, list[Any]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for pid, at, direction, day in (
            Crossing.objects.filter(
                person_id__in=ids[start : start + CHUNK],
                occurred_at__gte=_start_of(ws),
                occurred_at__lt=_start_of(on + dt.timedelta(days=1)),
            )
            .exclude(direction="refused")
            .order_by("occurred_at", "id")
            .values_list("person_id", "occurred_at", "direction", "day")
        ):
            by_person[pid].append((at, direction, day))
    out = set()
    for pid, nat, entry_day, _p in inside:
        if nat not in smallest:
            continue
        if nat in per_stay:
            if (on - entry_day).days + 1 > smallest[nat]:
                out.add(pid)
            continue
        start_day: dt.date | None = None
        for _at, direction, day in by_person.get(pid, []):
            if direction == "entry":
                # a second entry without an exit: inside since the first (`stays_from_events`)
                start_day = start_day or day
            else:
                first = max(start_day or ws, ws)
                days[pid].update(
                    first + dt.timedelta(days=i) for i in range((day - first).days + 1)
                )
                start_day = None
        first = max(entry_day, ws)
        days[pid].update(first + dt.timedelta(days=i) for i in range((on - first).days + 1))
        if len(days[pid]) > smallest[nat]:
            out.add(pid)
    return out


@contextmanager
def _planner(**values: str) -> Iterator[None]:
    """PostgreSQL settings for the statements of the block (inside `transaction.atomic()`),
    put back as they were afterwards, also inside a longer transaction."""
    with connection.cursor() as cursor:
        names = list(values)
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        before = cursor.fetchone()
        for name in names:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, values[name]])
        yield  # after a failure the transaction (or savepoint) rolls the settings back
        for name, value in zip(names, before or [], strict=True):
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _events_of(ids: list[int], start: dt.date, on: dt.date) -> list[tuple[Any, ...]]:
    low, high = _start_of(start), _start_of(on + dt.timedelta(days=1))
    if connection.vendor == "postgresql":
        # one index probe per person and month: the planner, which overestimates the rows of
        # a list of ids, would scan every crossing of the 800 days with parallel workers
        with (
            transaction.atomic(),
            _planner(enable_seqscan="off", max_parallel_workers_per_gather="0", jit="off"),
            psycopg.Cursor(connection.connection) as cursor,
        ):
            # binary results: the moments arrive as numbers, not text to parse
            cursor.execute(
                "SELECT person_id, occurred_at, direction, event_id FROM border_crossing"
                " WHERE person_id = ANY(%s::bigint[]) AND occurred_at >= %s AND occurred_at < %s"
                " AND direction <> 'refused'",
                [ids, low, high],
                binary=True,
            )
            return list(cursor.fetchall())
    return list(
        Crossing.objects.filter(person_id__in=ids, occurred_at__gte=low, occurred_at__lt=high)
        .exclude(direction="refused")
        .values_list("person_id", "occurred_at", "direction", "event_id")
    )


def _exact_overstays(on: dt.date, candidates: list[tuple[int, str, dt.date, str]]) -> list[Found]:
    out: list[Found] = []
    tz = country_tz()
    start = on - dt.timedelta(days=HISTORY_DAYS)
    size = PG_CHUNK if connection.vendor == "postgresql" else CHUNK
    for first in range(0, len(candidates), size):
        chunk = candidates[first : first + size]
        ids = [c[0] for c in chunk]
        events: dict[int, list[Event]] = defaultdict(list)
        for pid, at, direction, event_id in _events_of(ids, start, on):
            events[pid].append(Event(at, direction, event_id))
        bases = basis_mod.bases_for({c[0]: c[1] for c in chunk}, start, on)
        for pid, nationality, entry_day, point in chunk:
            evs = events.get(pid, [])
            if entry_day < start or not evs:
                evs = [Event(_start_of(max(entry_day, start)), "entry", ""), *evs]
            stays = stays_from_events(evs, tz).stays
            held = bases.get(pid, [])
            result, chosen = best_result(stays, on, held, count_overstay=False)
            if result is None or not held:
                # not inside, or of a nationality without visa-free stay and no document the
                # system knows (`basis.document_holders`); with a single-entry e-visa used
                # by an earlier stay, no basis is left and the whole stay is over
                continue
            last = result.last_legal_day
            if last is not None and last >= on:
                continue
            current = result.current_entry or entry_day
            over = (on - last).days if last else (on - current).days + 1
            out.append(
                Found(
                    person_id=pid,
                    kind=FindingKind.OVERSTAY,
                    entry_day=current,
                    nationality=nationality,
                    entry_point=point,
                    days_over=over,
                    last_legal_day=last,
                    # in no language: each reader reads it in theirs (`basis.basis_label`)
                    basis=(chosen.code or chosen.label)[:100] if chosen else "",
                )
            )
    return out


def _registration_due(
    ref: ReferenceSnapshot, nationality: str, entry_day: dt.date, on: dt.date
) -> dt.date | None:
    """The registration deadline of a stay begun on `entry_day`, if it has passed on `on`
    (and the stay is long enough to need one); otherwise None."""
    rule = ref.registration_rule(nationality=nationality, on=entry_day)
    if rule is None:
        return None
    due = entry_day + dt.timedelta(days=rule.deadline_days)
    if on > due and (on - entry_day).days + 1 > rule.threshold_days:
        return due
    return None


def _past_deadline_sql(on: dt.date) -> list[tuple[int, str, dt.date, str]]:
    """PostgreSQL: presence rows of the persons inside past a registration deadline. The rule
    is looked up per nationality and day of entry (a few dozen pairs), then only the
    persons of the late pairs are read, not everyone inside who entered before the cut-off."""
    ref = ReferenceSnapshot()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT nationality, entry_day FROM border_presence"
            " WHERE last_direction = 'entry' AND entry_day < %s",
            [_late_cutoff(on)],
        )
        late = [(n, d) for n, d in cursor.fetchall() if _registration_due(ref, n, d, on)]
        if not late:
            return []
        cursor.execute(
            "SELECT p.person_id, p.nationality, p.entry_day, p.entry_point"
            " FROM border_presence p JOIN unnest(%s::varchar[], %s::date[])"
            "   AS k(nationality, entry_day)"
            "   ON k.nationality = p.nationality AND k.entry_day = p.entry_day"
            " WHERE p.last_direction = 'entry'",
            [[n for n, _d in late], [d for _n, d in late]],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _missed_registrations(on: dt.date, inside: list[tuple[int, str, dt.date, str]]) -> list[Found]:
    ref = ReferenceSnapshot()
    late: dict[int, tuple[str, dt.date, str, dt.date]] = {}
    dues: dict[tuple[str, dt.date], dt.date | None] = {}
    for pid, nationality, entry_day, point in inside:
        key = (nationality, entry_day)
        if key not in dues:
            dues[key] = _registration_due(ref, nationality, entry_day, on)
        due = dues[key]
        if due is not None:
            late[pid] = (nationality, entry_day, point, due)
    registered = persons_registered_since(arrivals={pid: v[1] for pid, v in late.items()})
    return [
        Found(
            person_id=pid,
            kind=FindingKind.MISSED_REGISTRATION,
            entry_day=entry_day,
            nationality=nationality,
            entry_point=point,
            days_over=(on - due).days,
            registration_due=due,
        )
        for pid, (nationality, entry_day, point, due) in late.items()
        if pid not in registered
    ]


def _stopwatch(into: dict[str, Any]) -> Callable[[str], None]:
    """`lap(name)` records in `into` the seconds since the previous lap (or the start)."""
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        into[name] = round(now - mark, 2)
        mark = now

    return lap


class _Meanwhile:
    """`fn(*args)` on a connection of its own in another thread, while the caller goes on;
    `result()` waits for it. Inside a transaction (a caller's, or a test's) another
    connection would not see its uncommitted rows: then `result()` runs `fn` itself."""

    def __init__(self, fn: Callable[..., set[int]], *args: Any) -> None:
        self._fn, self._args = fn, args
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[set[int]] | None = None
        self.seconds = 0.0

    def __enter__(self) -> _Meanwhile:
        if not connection.in_atomic_block:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="overstays")
            self._future = self._pool.submit(self._run)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # a failure here still waits for the query

    def _run(self) -> set[int]:
        try:
            return self._timed()
        finally:
            connection.close()  # this thread's own connection

    def _timed(self) -> set[int]:
        began = time.perf_counter()
        out = self._fn(*self._args)
        self.seconds = time.perf_counter() - began
        return out

    def result(self) -> set[int]:
        return self._future.result() if self._future is not None else self._timed()


def overstays_detect(*, on: dt.date, actor: Any = None) -> dict[str, Any]:
    """Run the detection for `on` and store the findings; returns the summary."""
    started = clock.now()
    timings: dict[str, Any] = {}
    lap = _stopwatch(timings)

    smallest, window, per_stay = _limits(on)
    if connection.vendor == "postgresql":
        # only the rows that matter leave the database: candidates and the late
        inside_count = Presence.objects.filter(last_direction="entry", entry_day__lte=on).count()
        lap("inside")
        # the crossing history of the window is read by the database while this process
        # checks the persons whose current stay alone is too long and the registrations
        with _Meanwhile(_history_candidates, on, smallest, window, per_stay) as history:
            candidates = _current_candidates(on, smallest, window, per_stay)
            for holders in basis_mod.document_holders(on - dt.timedelta(days=window), on):
                without_visa_free = Presence.objects.exclude(nationality__in=list(smallest))
                candidates += list(_inside(on, without_visa_free.filter(person_id__in=holders)))
            lap("candidates")
            found = _exact_overstays(on, candidates)
            lap("exact")
            found += _missed_registrations(on, _past_deadline_sql(on))
            lap("registrations")
            more = _presence_rows(sorted(history.result()))
            timings["history_query"] = round(history.seconds, 2)
            lap("history_wait")
        found += _exact_overstays(on, more)
        candidates += more
        lap("history_exact")
    else:
        inside = list(_inside(on))
        inside_count = len(inside)
        lap("inside")
        candidate_ids = _candidates_python(on, inside, smallest, window, per_stay)
        for holders in basis_mod.document_holders(on - dt.timedelta(days=window), on):
            held = set(holders)
            candidate_ids |= {
                pid for pid, nat, _e, _p in inside if nat not in smallest and pid in held
            }
        candidates = [row for row in inside if row[0] in candidate_ids]
        lap("candidates")
        found = _exact_overstays(on, candidates)
        lap("exact")
        found += _missed_registrations(on, inside)
        lap("registrations")
    opened = _store(on=on, found=found, actor=actor, timings=timings)
    lap("store")
    summary = {
        "on": on.isoformat(),
        "inside": inside_count,
        "candidates": len(candidates),
        "overstays": sum(1 for f in found if f.kind == FindingKind.OVERSTAY),
        "missed_registrations": sum(1 for f in found if f.kind == FindingKind.MISSED_REGISTRATION),
        "opened": opened,
        "seconds": round((clock.now() - started).total_seconds(), 3),
        "timings": timings,
    }
    DetectionRun.objects.update_or_create(
        on=on, defaults={"started_at": started, "finished_at": clock.now(), "summary": summary}
    )
    return summary


def _offices(found: list[Found]) -> dict[int, int]:
    registered = person_office_of_latest_registration(person_ids=[f.person_id for f in found])
    points = dict(CrossingPoint.objects.values_list("code", "region__office_id"))
    head = Office.objects.filter(kind=Office.Kind.HEAD).values_list("id", flat=True).first()
    out = {}
    for f in found:
        office = registered.get(f.person_id) or points.get(f.entry_point) or head
        if office is not None:
            out[f.person_id] = office
    return out


def _enforcement_after() -> int:
    return int(getattr(settings, "UMIS_ENFORCEMENT_AFTER_OVERSTAY_DAYS", 90))


def _proposal(f: Found, enforcement_after: int) -> str:
    if f.kind == FindingKind.OVERSTAY and f.days_over > enforcement_after:
        return str(Proposal.ENFORCEMENT)
    return str(Proposal.FINE)


REFRESHED = ["days_over", "last_detected_on", "last_legal_day", "registration_due"]


def _refresh(findings: list[OverstayFinding], decided: set[int], on: dt.date) -> None:
    """Today's figures on findings already stored, and the proposal on those still open (not
    in `decided`) (SQLite; PostgreSQL refreshes in SQL)."""
    for f in findings:
        f.last_detected_on = on
    still_open = [f for f in findings if f.pk not in decided]
    if still_open:
        OverstayFinding.objects.bulk_update(still_open, [*REFRESHED, "proposal"], batch_size=500)
    kept = [f for f in findings if f.pk in decided]
    if kept:
        OverstayFinding.objects.bulk_update(kept, REFRESHED, batch_size=500)


@dataclass(frozen=True)
class _Stored:
    """What the job compares of a finding already stored."""

    id: int
    person_id: int
    state: str
    last_legal_day: dt.date | None
    registration_due: dt.date | None
    proposal: str = ""


def _findings_of(person_ids: list[int]) -> dict[tuple[int, str, dt.date], _Stored]:
    return {
        (pid, kind, entry): _Stored(fid, pid, state, last, due, proposal)
        for fid, pid, kind, entry, state, last, due, proposal in OverstayFinding.objects.filter(
            person_id__in=person_ids
        ).values_list(
            "id",
            "person_id",
            "kind",
            "entry_day",
            "state",
            "last_legal_day",
            "registration_due",
            "proposal",
        )
    }


def _facts_changed(stored: _Stored, found: Found) -> bool:
    """Whether a dismissed finding's facts are no longer those the officer dismissed: the
    days over grow every day, the last legal day and the registration deadline do not."""
    return stored.state == FindingState.DISMISSED and (
        stored.last_legal_day != found.last_legal_day
        or stored.registration_due != found.registration_due
    )


def _reopen(rows: list[tuple[Any, ...]]) -> list[AuditEntry]:
    """Dismissed findings whose facts changed opened again (SQLite; rows of id, person,
    kind, and the last legal day and registration deadline as dismissed and as found now),
    and their audit rows."""
    if not rows:
        return []
    OverstayFinding.objects.filter(pk__in=[r[0] for r in rows]).update(
        state=FindingState.OPEN,
        decided_by=None,
        decided_at=None,
        decision_note="",
        version=F("version") + 1,
        updated_at=clock.now(),
    )
    return _reopened_entries(rows)


def _reopened_entries(rows: list[tuple[Any, ...]]) -> list[AuditEntry]:
    """One OVERSTAY_FINDING_REOPENED audit row per finding opened again, with the last
    legal day and registration deadline [as dismissed, as found now]."""
    label = OverstayFinding._meta.label_lower
    return [
        AuditEntry(
            "OVERSTAY_FINDING_REOPENED",
            person_id=pid,
            data={
                "kind": kind,
                "last_legal_day": [_iso(was_last), _iso(last)],
                "registration_due": [_iso(was_due), _iso(due)],
            },
            entity_type=label,
            entity_id=str(fid),
        )
        for fid, pid, kind, was_last, last, was_due, due in rows
    ]


def id_ranges(ids: list[int]) -> str:
    """Finding ids, sorted, as runs of consecutive ids: `3-5,9,11-12` (the findings opened
    by one run take consecutive ids, so a day's list is short)."""
    out: list[str] = []
    ordered = sorted(set(ids))
    start = 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
            first, last = ordered[start], ordered[i - 1]
            out.append(str(first) if first == last else f"{first}-{last}")
            start = i
    return ",".join(out)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _proposal_changed_entries(rows: list[tuple[int, int, str, str, str, int]]) -> list[AuditEntry]:
    """One OVERSTAY_FINDING_PROPOSAL_CHANGED audit row per open finding whose proposal the
    daily check changed (id, person, kind, proposal before, proposal now, days over): only
    the changes, not every finding refreshed."""
    label = OverstayFinding._meta.label_lower
    return [
        AuditEntry(
            "OVERSTAY_FINDING_PROPOSAL_CHANGED",
            person_id=pid,
            data={"kind": kind, "proposal": [was, now], "days_over": days_over},
            entity_type=label,
            entity_id=str(fid),
        )
        for fid, pid, kind, was, now, days_over in rows
    ]


def _opened_entries(rows: list[tuple[int, int, str, str, int]]) -> list[AuditEntry]:
    """One OVERSTAY_FINDING_OPENED audit row per new finding (id, person, kind, proposal, days)."""
    label = OverstayFinding._meta.label_lower
    return [
        AuditEntry(
            "OVERSTAY_FINDING_OPENED",
            person_id=pid,
            data={"kind": kind, "proposal": proposal, "days_over": days_over},
            entity_type=label,
            entity_id=str(fid),
        )
        for fid, pid, kind, proposal, days_over in rows
    ]


@dataclass
class _Changes:
    """What one run changed, for its OVERSTAY_FINDINGS_REFRESHED audit row."""

    refreshed: list[int]
    dates_changed: list[tuple[Any, ...]]  # id, last legal day and deadline as stored, as found
    opened: int = 0
    reopened: int = 0
    proposal_changed: int = 0


def _dates_changed(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [
        {
            "finding": fid,
            "last_legal_day": [_iso(was_last), _iso(last)],
            "registration_due": [_iso(was_due), _iso(due)],
        }
        for fid, was_last, last, was_due, due in sorted(rows)
    ]


def _run_entry(on: dt.date, changes: _Changes) -> AuditEntry:
    """The run's one audit row for the figures it refreshed (see `overstays_detect`)."""
    return AuditEntry(
        "OVERSTAY_FINDINGS_REFRESHED",
        data={
            "on": on.isoformat(),
            "refreshed": len(changes.refreshed),
            "findings": id_ranges(changes.refreshed),
            "dates_changed": _dates_changed(changes.dates_changed),
            "opened": changes.opened,
            "reopened": changes.reopened,
            "proposal_changed": changes.proposal_changed,
        },
        entity_type=DetectionRun._meta.label_lower,
        entity_id=on.isoformat(),
    )


def _store(
    *, on: dt.date, found: list[Found], actor: Any, timings: dict[str, Any] | None = None
) -> int:
    """Open a finding (and its proposal) for each new person, kind and stay, refresh the
    figures of the ones already open; returns how many were opened."""
    offices = _offices(found)
    found = [f for f in found if f.person_id in offices]
    if connection.vendor == "postgresql":
        return _store_sql(on=on, found=found, offices=offices, actor=actor, timings=timings)
    changes = _Changes(refreshed=[], dates_changed=[])
    # one transaction for the run, so its audit row is written with what it records (a
    # small installation's findings: a few thousand rows)
    with transaction.atomic():
        _store_chunks(on=on, found=found, offices=offices, actor=actor, changes=changes)
        audit_record_many(actor=actor, entries=[_run_entry(on, changes)])
    return changes.opened


def _store_chunks(
    *, on: dt.date, found: list[Found], offices: dict[int, int], actor: Any, changes: _Changes
) -> None:
    enforcement_after = _enforcement_after()
    for first in range(0, len(found), CHUNK):
        chunk = found[first : first + CHUNK]
        with transaction.atomic():
            existing = _findings_of(list({f.person_id for f in chunk}))
            new = []
            refreshed = []
            decided = set()  # taken up or dismissed, and not opened again: proposal kept
            reopened = []
            changed = []  # open findings (or opened again) whose proposal is another now
            for f in chunk:
                stored = existing.get((f.person_id, f.kind, f.entry_day))
                if stored is not None:
                    proposal = _proposal(f, enforcement_after)
                    if _facts_changed(stored, f):
                        reopened.append(
                            (
                                stored.id,
                                f.person_id,
                                str(f.kind),
                                stored.last_legal_day,
                                f.last_legal_day,
                                stored.registration_due,
                                f.registration_due,
                            )
                        )
                    elif stored.state != FindingState.OPEN:
                        decided.add(stored.id)
                    if (stored.last_legal_day, stored.registration_due) != (
                        f.last_legal_day,
                        f.registration_due,
                    ):
                        changes.dates_changed.append(
                            (
                                stored.id,
                                stored.last_legal_day,
                                f.last_legal_day,
                                stored.registration_due,
                                f.registration_due,
                            )
                        )
                    if stored.id not in decided and stored.proposal != proposal:
                        changed.append(
                            (
                                stored.id,
                                f.person_id,
                                str(f.kind),
                                stored.proposal,
                                proposal,
                                f.days_over,
                            )
                        )
                    refreshed.append(
                        OverstayFinding(
                            pk=stored.id,
                            proposal=proposal,
                            days_over=f.days_over,
                            last_detected_on=on,
                            last_legal_day=f.last_legal_day,
                            registration_due=f.registration_due,
                        )
                    )
                    continue
                new.append(
                    OverstayFinding(
                        person_id=f.person_id,
                        kind=f.kind,
                        entry_day=f.entry_day,
                        office_id=offices[f.person_id],
                        proposal=_proposal(f, enforcement_after),
                        nationality=f.nationality,
                        legal_basis=f.basis,
                        last_legal_day=f.last_legal_day,
                        registration_due=f.registration_due,
                        days_over=f.days_over,
                        first_detected_on=on,
                        last_detected_on=on,
                    )
                )
            reopened_entries = _reopen(reopened)
            _refresh(refreshed, decided, on)
            OverstayFinding.objects.bulk_create(new, batch_size=1000)
            audit_record_many(
                actor=actor,
                entries=reopened_entries
                + _proposal_changed_entries(changed)
                + _opened_entries(
                    [(n.pk, n.person_id, n.kind, n.proposal, n.days_over) for n in new]
                ),
            )
            changes.refreshed += [r.pk for r in refreshed]
            changes.opened += len(new)
            changes.reopened += len(reopened)
            changes.proposal_changed += len(changed)


FOUND_TABLE = """
CREATE TEMPORARY TABLE border_found (
    person_id bigint, kind text, entry_day date, office_id bigint, proposal text,
    nationality text, legal_basis text, last_legal_day date, registration_due date,
    days_over integer, id bigint
) ON COMMIT DROP
"""
FOUND_COLUMNS = (
    "person_id, kind, entry_day, office_id, proposal, nationality, legal_basis,"
    " last_legal_day, registration_due, days_over"
)
FOUND_TYPES = ["int8", "text", "date", "int8", "text", "text", "text", "date", "date", "int4"]
# a dismissed finding whose last legal day or registration deadline is no longer the one
# dismissed is open again (before the refresh: the values returned are those dismissed)
FOUND_REOPEN = """
UPDATE border_overstayfinding f
SET state = %(open)s, decided_by_id = NULL, decided_at = NULL, decision_note = '',
    version = f.version + 1, updated_at = %(now)s
FROM border_found n
WHERE f.person_id = n.person_id AND f.kind = n.kind AND f.entry_day = n.entry_day
  AND f.state = %(dismissed)s
  AND (f.last_legal_day IS DISTINCT FROM n.last_legal_day
       OR f.registration_due IS DISTINCT FROM n.registration_due)
RETURNING f.id, f.person_id, f.kind, f.last_legal_day, n.last_legal_day, f.registration_due,
    n.registration_due
"""
# the open findings (also those just opened again) whose proposal the refresh changes, for
# their audit rows: only the changes (a few a night), not every finding refreshed
FOUND_PROPOSAL_CHANGED = """
SELECT f.id, f.person_id, f.kind, f.proposal, n.proposal, n.days_over
FROM border_overstayfinding f JOIN border_found n
    ON f.person_id = n.person_id AND f.kind = n.kind AND f.entry_day = n.entry_day
WHERE f.state = %(open)s AND f.proposal <> n.proposal
ORDER BY f.id
"""
# the stored findings whose last legal day or registration deadline the refresh changes (also
# those just opened again), for the run's audit row: a few a night
FOUND_DATES_CHANGED = """
SELECT f.id, f.last_legal_day, n.last_legal_day, f.registration_due, n.registration_due
FROM border_overstayfinding f JOIN border_found n
    ON f.person_id = n.person_id AND f.kind = n.kind AND f.entry_day = n.entry_day
WHERE f.last_legal_day IS DISTINCT FROM n.last_legal_day
   OR f.registration_due IS DISTINCT FROM n.registration_due
"""
# (after the reopening: a finding opened again follows its days over like any open one); the
# ids of the findings refreshed come back for the run's audit row
FOUND_REFRESH = """
UPDATE border_overstayfinding f
SET days_over = n.days_over, last_legal_day = n.last_legal_day,
    registration_due = n.registration_due, last_detected_on = %(on)s,
    proposal = CASE WHEN f.state = %(open)s THEN n.proposal ELSE f.proposal END
FROM border_found n
WHERE f.person_id = n.person_id AND f.kind = n.kind AND f.entry_day = n.entry_day
RETURNING f.id
"""
# the findings not open yet get their ids from the table's sequence, in person order, and
# come back for their audit rows before they are inserted
FOUND_NEW = """
UPDATE border_found n SET id = s.id
FROM (
    SELECT o.person_id, o.kind, o.entry_day,
           -- the sequence looked up once (an InitPlan), not for every row
           nextval((SELECT pg_get_serial_sequence('border_overstayfinding', 'id'))::regclass)
               AS id
    FROM (
        SELECT n.person_id, n.kind, n.entry_day FROM border_found n
        WHERE NOT EXISTS (
            SELECT 1 FROM border_overstayfinding f
            WHERE f.person_id = n.person_id AND f.kind = n.kind AND f.entry_day = n.entry_day
        )
        ORDER BY n.person_id, n.kind
    ) o
) s
WHERE n.person_id = s.person_id AND n.kind = s.kind AND n.entry_day = s.entry_day
RETURNING n.id, n.person_id, n.kind, n.proposal, n.days_over
"""
FOUND_OPEN = """
INSERT INTO border_overstayfinding (id, created_at, updated_at, created_by_id, person_id, kind,
    entry_day, office_id, proposal, state, nationality, legal_basis, last_legal_day,
    registration_due, days_over, first_detected_on, last_detected_on, case_reference,
    decided_by_id, decided_at, decision_note, version)
SELECT n.id, %(now)s, %(now)s, NULL, n.person_id, n.kind, n.entry_day, n.office_id, n.proposal,
       %(state)s, n.nationality, n.legal_basis, n.last_legal_day, n.registration_due,
       n.days_over, %(on)s, %(on)s, '', NULL, NULL, '', 1
FROM border_found n
WHERE n.id IS NOT NULL
ORDER BY n.id
ON CONFLICT (person_id, kind, entry_day) DO NOTHING
"""


def _open_new(raw: Any, params: dict[str, Any]) -> int:
    """Insert the new findings (on the job's connection, from another thread); their foreign
    keys are checked by this statement rather than at commit, so while the database checks
    them the job's process builds their audit rows."""
    with raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(FOUND_OPEN, params)
        inserted = int(cursor.rowcount)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them
        return inserted


def _store_sql(
    *,
    on: dt.date,
    found: list[Found],
    offices: dict[int, int],
    actor: Any,
    timings: dict[str, Any] | None = None,
) -> int:
    """PostgreSQL: every finding goes to the database once (binary COPY into a temporary
    table); one UPDATE refreshes the open ones, one INSERT opens the others while their
    audit rows are built — all in one transaction, so a failure leaves nothing."""
    parts: dict[str, Any] = {}
    lap = _stopwatch(parts)
    enforcement_after = _enforcement_after()

    with transaction.atomic(), connection.cursor() as cursor:
        # one job stores at a time: what is new is decided before it is inserted
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('umis.border.overstays'))")
        cursor.execute(FOUND_TABLE)
        with cursor.cursor.copy(
            f"COPY border_found ({FOUND_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(FOUND_TYPES)
            for f in found:
                copy.write_row(
                    (
                        f.person_id,
                        str(f.kind),
                        f.entry_day,
                        offices[f.person_id],
                        _proposal(f, enforcement_after),
                        f.nationality,
                        f.basis,
                        f.last_legal_day,
                        f.registration_due,
                        f.days_over,
                    )
                )
        cursor.execute("ANALYZE border_found")
        lap("copy")
        cursor.execute(
            FOUND_REOPEN,
            {"open": FindingState.OPEN, "dismissed": FindingState.DISMISSED, "now": clock.now()},
        )
        reopened = _reopened_entries(list(cursor.fetchall()))
        cursor.execute(FOUND_PROPOSAL_CHANGED, {"open": FindingState.OPEN})
        changed = _proposal_changed_entries(list(cursor.fetchall()))
        cursor.execute(FOUND_DATES_CHANGED)
        changes = _Changes(
            refreshed=[], dates_changed=list(cursor.fetchall()), reopened=len(reopened)
        )
        changes.proposal_changed = len(changed)
        cursor.execute(FOUND_REFRESH, {"on": on, "open": FindingState.OPEN})
        changes.refreshed = [row[0] for row in cursor.fetchall()]
        lap("refresh")
        if reopened or changed:
            audit_record_many(actor=actor, entries=reopened + changed)
        cursor.execute(FOUND_NEW)
        opened = sorted(cursor.fetchall())
        lap("new")
        if opened:
            params = {"now": clock.now(), "on": on, "state": str(FindingState.OPEN)}
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="overstays") as pool:
                inserting = pool.submit(_open_new, connection.connection, params)
                with audit_collect():  # the rows are built here and written at the end
                    audit_record_many(actor=actor, entries=_opened_entries(opened))
                    lap("audit_rows")
                    inserted = inserting.result()
                    lap("open")
                    if inserted != len(opened):  # cannot happen under the lock
                        raise DatabaseError("overstay findings opened by another job meanwhile")
            lap("audit_insert")
        changes.opened = len(opened)
        audit_record_many(actor=actor, entries=[_run_entry(on, changes)])
        cursor.execute("DROP TABLE border_found")  # the job may run twice in one transaction
    lap("commit")  # with the deferred foreign-key checks of the audit rows
    if timings is not None:
        timings["store_parts"] = parts
    return len(opened)
