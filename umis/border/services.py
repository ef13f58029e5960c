"""Every write of the border domain: crossings in, presence kept current, findings.

Crossings arrive in batches of up to 10,000. The path is set-based: one query for the
event ids already stored, one for the known travel documents, identity resolution only
for documents never seen, then COPY (PostgreSQL) or a bulk insert, one upsert of each
person's presence and one audit row for the batch, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import officer_name
from umis.audit.services import AuditEntry, audit_record, audit_record_many, audit_refusal
from umis.border.models import Crossing, CrossingPoint, FindingState, OverstayFinding, Presence
from umis.border.validation import EVENT_ID_MAX, CrossingData, CrossingReader
from umis.cases.services import case_reasons_clean
from umis.core import clock
from umis.core.errors import Conflict, DomainError, FieldError
from umis.core.lookups import array_parameter
from umis.people.identity import PersonData
from umis.people.models import TravelDocument
from umis.people.services import person_resolve_many

MAX_BATCH = 10_000
REUSE_WINDOW = dt.timedelta(days=7)
CHUNK = 5_000

COLUMNS = (
    "event_id",
    "occurred_at",
    "day",
    "direction",
    "crossing_point",
    "person_id",
    "document_type",
    "document_number",
    "issuing_state",
    "nationality",
    "surname",
    "given_names",
    "birth_date",
    "refusal_reason",
    "source",
    "received_at",
)

# the PostgreSQL types of COLUMNS, for binary COPY (no text to format here or to parse there)
COLUMN_TYPES = [
    "varchar",
    "timestamptz",
    "date",
    "varchar",
    "varchar",
    "int8",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "date",
    "varchar",
    "varchar",
    "timestamptz",
]


@dataclass
class CrossingResult:
    index: int
    event_id: str
    status: str  # stored, duplicate or refused
    person_id: int | None = None
    errors: list[FieldError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "event_id": self.event_id,
            "status": self.status,
            "person_id": self.person_id,
            "errors": [e.to_dict() for e in self.errors],
        }


def country_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def crossings_receive(*, actor: Any, source: str, raws: Sequence[Any]) -> list[CrossingResult]:
    """Store a batch of border events; each is stored, a duplicate, or refused with errors."""
    if not raws:  # a batch of nothing did nothing and answered 200
        raise DomainError("required", _("Send at least one item."), "events")
    if len(raws) > MAX_BATCH:
        raise DomainError(
            "batch_too_large",
            _("At most %(n)d events per request; this one has %(m)d.")
            % {"n": MAX_BATCH, "m": len(raws)},
            "events",
        )
    now = clock.now()
    points = set(CrossingPoint.objects.filter(active=True).values_list("code", flat=True))
    reader = CrossingReader(now=now, tz=country_tz(), points=points)
    results: list[CrossingResult] = []
    accepted: list[tuple[CrossingResult, CrossingData]] = []
    first_in_batch: dict[str, CrossingData] = {}
    for i, raw in enumerate(raws):
        parsed = reader.parse(raw)
        event_id = str(raw.get("event_id", ""))[:EVENT_ID_MAX] if isinstance(raw, dict) else ""
        if isinstance(parsed, list):
            results.append(CrossingResult(i, event_id, "refused", errors=parsed))
            continue
        result = CrossingResult(i, parsed.event_id, "stored")
        results.append(result)
        earlier = first_in_batch.get(parsed.event_id)
        if earlier is not None:
            _mark_repeat(result, same=earlier.occurred_at == parsed.occurred_at)
            continue
        first_in_batch[parsed.event_id] = parsed
        accepted.append((result, parsed))

    stored = _stored_times(
        [d.event_id for _r, d in accepted],
        min((d.occurred_at for _r, d in accepted), default=now),
        max((d.occurred_at for _r, d in accepted), default=now),
    )
    fresh: list[tuple[CrossingResult, CrossingData]] = []
    for result, data in accepted:
        times = stored.get(data.event_id)
        if times:
            _mark_repeat(result, same=data.occurred_at in times)
        else:
            fresh.append((result, data))

    with transaction.atomic():
        persons = _link_persons(actor=actor, items=[d for _r, d in fresh])
        for (result, _data), person_id in zip(fresh, persons, strict=True):
            result.person_id = person_id
        rows = [
            _row(data, person_id, source, now)
            for (_r, data), person_id in zip(fresh, persons, strict=True)
        ]
        _insert(rows)
        _presence_update([(d, pid) for (_r, d), pid in zip(fresh, persons, strict=True)])
        if fresh:
            audit_record_many(
                actor=actor,
                entries=[
                    AuditEntry(
                        "BORDER_CROSSINGS_RECEIVED",
                        entity_type="border.crossing",
                        entity_id=fresh[0][1].event_id,
                        data={
                            "source": source,
                            "stored": len(fresh),
                            "refused": sum(1 for r in results if r.status == "refused"),
                            "duplicates": sum(1 for r in results if r.status == "duplicate"),
                            "first_event": fresh[0][1].event_id,
                            "last_event": fresh[-1][1].event_id,
                        },
                    )
                ],
            )
    return results


def _mark_repeat(result: CrossingResult, *, same: bool) -> None:
    if same:
        result.status = "duplicate"
        return
    result.status = "refused"
    result.errors = [
        FieldError(
            "event_id_reused",
            _("This event id was already used for a crossing at another time."),
            "event_id",
        )
    ]


def _stored_times(
    event_ids: list[str], first: dt.datetime, last: dt.datetime
) -> dict[str, set[dt.datetime]]:
    """Event ids already stored around the batch's times (a week either side), so the
    lookup touches the partitions of those months only."""
    out: dict[str, set[dt.datetime]] = {}
    low, high = first - REUSE_WINDOW, last + REUSE_WINDOW
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            ids, param = array_parameter(event_ids)
            cursor.execute(
                f"SELECT event_id, occurred_at FROM border_crossing WHERE event_id = ANY({ids})"  # noqa: S608 (constant text)
                " AND occurred_at >= %s AND occurred_at <= %s",
                [param, low, high],
            )
            for event_id, at in cursor.fetchall():
                out.setdefault(event_id, set()).add(at)
        return out
    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start : start + CHUNK]
        for event_id, at in Crossing.objects.filter(
            event_id__in=chunk, occurred_at__gte=low, occurred_at__lte=high
        ).values_list("event_id", "occurred_at"):
            out.setdefault(event_id, set()).add(at)
    return out


def _link_persons(*, actor: Any, items: list[CrossingData]) -> list[int]:
    """The person of each event: a known travel document first, then identity resolution."""
    keys = {(d.issuing_state, d.document_number) for d in items}
    known: dict[tuple[str, str], int] = {}
    numbers = sorted({k[1] for k in keys})
    for state, number, person_id in _documents(numbers):
        if (state, number) in keys:
            known[(state, number)] = person_id
    unknown: dict[tuple[str, str], CrossingData] = {}
    for d in items:
        key = (d.issuing_state, d.document_number)
        if key not in known and key not in unknown:
            unknown[key] = d
    if unknown:
        resolved = person_resolve_many(
            actor=actor,
            stored={},  # none on file: looked up just above
            items=[
                PersonData(
                    surname=d.surname,
                    given_names=d.given_names,
                    birth_date=d.birth_date,
                    sex=d.sex,
                    nationality=d.nationality,
                    document_type=d.document_type,
                    document_number=d.document_number,
                    issuing_state=d.issuing_state,
                    document_expiry=d.document_expiry,
                )
                for d in unknown.values()
            ],
        )
        for key, (person, _doc) in zip(unknown, resolved, strict=True):
            known[key] = person.merged_into_id or person.pk
    return [known[(d.issuing_state, d.document_number)] for d in items]


def _documents(numbers: list[str]) -> list[tuple[str, str, int]]:
    """(issuing state, number, person) of the travel documents with these numbers. A merge
    moves the merged person's documents to the survivor (`people.services.person_merge`),
    so a document's person is a live one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            wanted, param = array_parameter(numbers)
            cursor.execute(
                "SELECT issuing_state_id, number, person_id FROM people_traveldocument"  # noqa: S608 (constant text)
                f" WHERE number = ANY({wanted})",
                [param],
            )
            return list(cursor.fetchall())
    out: list[tuple[str, str, int]] = []
    for start in range(0, len(numbers), CHUNK):
        out.extend(
            TravelDocument.objects.filter(number__in=numbers[start : start + CHUNK]).values_list(
                "issuing_state_id", "number", "person_id"
            )
        )
    return out


def _row(data: CrossingData, person_id: int, source: str, now: dt.datetime) -> tuple[Any, ...]:
    return (
        data.event_id,
        data.occurred_at,
        data.day,
        data.direction,
        data.crossing_point,
        person_id,
        data.document_type,
        data.document_number,
        data.issuing_state,
        data.nationality,
        data.surname,
        data.given_names,
        data.birth_date,
        data.refusal_reason,
        source[:100],
        now,
    )


def _insert(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg 3
                with raw.copy(
                    f"COPY border_crossing ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(COLUMN_TYPES)
                    for row in rows:
                        copy.write_row(row)
            return
        except IntegrityError:
            pass  # a concurrent batch stored some of the same events: insert the rest
        except Exception as exc:  # psycopg's own UniqueViolation from COPY
            if getattr(exc, "sqlstate", "") != "23505":
                raise
    Crossing.objects.bulk_create(
        [Crossing(**dict(zip(COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
        ignore_conflicts=True,
    )


PRESENCE_INSERT = (
    "INSERT INTO border_presence (person_id, nationality, last_event_at, last_direction,"
    " last_day, entry_day, entry_point)"
)
# `entry_day` is the first day of the person's latest stay, as the stay rules count it: a
# second entry without an exit between keeps the person inside since the first. A newer
# batch moves it to the batch's stay when that stay follows an exit (of the batch, marked by
# `{restarts}`, or the stored last crossing); when the stored last crossing is an entry the
# batch's entries continue that stay. Events older than the stored last one change nothing,
# except that they give a row with no entry yet (only exits seen) its entry.
PRESENCE_MOVES = """excluded.entry_day IS NOT NULL AND (border_presence.entry_day IS NULL
        OR excluded.last_event_at > border_presence.last_event_at
            AND ({restarts} OR border_presence.last_direction <> 'entry'))"""
PRESENCE_CONFLICT = """
ON CONFLICT (person_id) DO UPDATE SET
    nationality = excluded.nationality,
    last_event_at = CASE WHEN excluded.last_event_at > border_presence.last_event_at
        THEN excluded.last_event_at ELSE border_presence.last_event_at END,
    last_direction = CASE WHEN excluded.last_event_at > border_presence.last_event_at
        THEN excluded.last_direction ELSE border_presence.last_direction END,
    last_day = CASE WHEN excluded.last_event_at > border_presence.last_event_at
        THEN excluded.last_day ELSE border_presence.last_day END,
    entry_day = CASE WHEN {moves}
        THEN excluded.entry_day ELSE border_presence.entry_day END,
    entry_point = CASE WHEN {moves}
        THEN excluded.entry_point ELSE border_presence.entry_point END
"""
PRESENCE_STAGE = """
CREATE TEMPORARY TABLE border_presence_in (
    person_id bigint, nationality varchar, last_event_at timestamptz, last_direction varchar,
    last_day date, entry_day date, entry_point varchar
) ON COMMIT DROP
"""
PRESENCE_STAGE_TYPES = ["int8", "varchar", "timestamptz", "varchar", "date", "date", "varchar"]
# PostgreSQL: the people whose batch has an exit before its stay come as one array parameter
# (twice: once for each column it decides)
PRESENCE_FROM_STAGE = (
    PRESENCE_INSERT  # noqa: S608 (constant text)
    + " SELECT * FROM border_presence_in ORDER BY person_id"
    + PRESENCE_CONFLICT.format(
        moves=PRESENCE_MOVES.format(restarts="excluded.person_id = ANY(%s::bigint[])")
    )
)
# other databases: each row says it itself (a parameter after the values, twice)
PRESENCE_VALUES = (
    PRESENCE_INSERT
    + " VALUES (%s, %s, %s, %s, %s, %s, %s)"
    + PRESENCE_CONFLICT.format(moves=PRESENCE_MOVES.format(restarts="%s"))
)


class _Crossed(Protocol):
    """What presence reads of a crossing: one just received or one stored."""

    @property
    def direction(self) -> str: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def day(self) -> dt.date: ...
    @property
    def nationality(self) -> str: ...
    @property
    def crossing_point(self) -> str: ...


def _in_time_order(crossed: _Crossed) -> tuple[dt.datetime, bool]:
    return crossed.occurred_at, crossed.direction != "entry"  # as `stays_from_events`


def _latest_stay(crossed: Sequence[_Crossed]) -> tuple[_Crossed | None, bool]:
    """The entry that began the latest stay of these crossings (in time order), and whether
    an exit came before it: a later entry without an exit between continues that stay."""
    start: _Crossed | None = None
    inside = after_exit = restarts = False
    for c in crossed:
        if c.direction == "exit":
            inside, after_exit = False, True
        elif not inside:
            start, inside, restarts = c, True, after_exit
    return start, restarts


def _presence_update(events: Sequence[tuple[_Crossed, int]]) -> None:
    """Each person's latest entry or exit and the first day of their latest stay (refusals
    do not change presence)."""
    by_person: dict[int, list[_Crossed]] = {}
    for data, pid in events:
        if data.direction != "refused":
            by_person.setdefault(pid, []).append(data)
    if not by_person:
        return
    rows = []
    restarts: list[int] = []
    # in person order: two batches updating the same people lock their rows in the same
    # order and wait for each other, instead of deadlocking
    for pid in sorted(by_person):
        crossed = sorted(by_person[pid], key=_in_time_order)
        data = crossed[-1]
        e, after_exit = _latest_stay(crossed)
        if after_exit:
            restarts.append(pid)
        rows.append(
            (
                pid,
                data.nationality,
                data.occurred_at,
                data.direction,
                data.day,
                e.day if e else None,
                e.crossing_point if e else "",
            )
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # binary COPY into a temporary table, then one upsert: psycopg formats
            # 10,000 rows for COPY in C, where array parameters are built in Python
            cursor.execute(PRESENCE_STAGE)
            with cursor.cursor.copy("COPY border_presence_in FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(PRESENCE_STAGE_TYPES)
                for row in rows:
                    copy.write_row(row)
            cursor.execute(PRESENCE_FROM_STAGE, [restarts, restarts])
            cursor.execute("DROP TABLE border_presence_in")  # batches may share a transaction
        else:
            ops = connection.ops
            restarted = set(restarts)
            cursor.executemany(
                PRESENCE_VALUES,
                [
                    (
                        r[0],
                        r[1],
                        ops.adapt_datetimefield_value(r[2]),
                        r[3],
                        ops.adapt_datefield_value(r[4]),
                        ops.adapt_datefield_value(r[5]),
                        r[6],
                        r[0] in restarted,
                        r[0] in restarted,
                    )
                    for r in rows
                ],
            )


def presence_rebuild(person_ids: Sequence[int]) -> None:
    """These people's presence again from their stored crossings, after a merge or an
    unmerge moved crossings between their records: a person left with none has no row."""
    ids = sorted(set(person_ids))
    Presence.objects.filter(person_id__in=ids).delete()
    events: list[tuple[_Crossed, int]] = []
    for pid in ids:
        # on the index of person and time, latest first: the last entry or exit, back to
        # the exit before the latest stay (a later entry without an exit continues a stay)
        latest = (
            Crossing.objects.filter(person_id=pid)
            .exclude(direction="refused")
            .order_by("-occurred_at", "-direction", "-id")
        )
        entered = False
        for crossing in latest.iterator(chunk_size=50):
            if crossing.direction == "exit" and entered:
                break
            entered = entered or crossing.direction == "entry"
            events.append((crossing, pid))
    _presence_update(events)


CROSSING_POINTS = [
    # code, kind, region, az, en, ru: a land crossing names the neighbouring country
    (
        "gyd",
        "air",
        "baku",
        "Heydər Əliyev Beynəlxalq Aeroportu",
        "Heydar Aliyev International Airport",
        "Международный аэропорт Гейдар Алиев",
    ),
    (
        "gnj",
        "air",
        "ganja",
        "Gəncə Beynəlxalq Aeroportu",
        "Ganja International Airport",
        "Международный аэропорт Гянджа",
    ),
    (
        "baku-port",
        "sea",
        "baku",
        "Bakı Beynəlxalq Dəniz Ticarət Limanı",
        "Port of Baku",
        "Бакинский морской порт",
    ),
    ("samur", "land", "khachmaz", "Samur (Rusiya)", "Samur (Russia)", "Самур (Россия)"),
    (
        "red-bridge",
        "land",
        "ganja",
        "Qırmızı Körpü (Gürcüstan)",
        "Red Bridge (Georgia)",
        "Красный мост (Грузия)",
    ),
    ("astara", "land", "astara", "Astara (İran)", "Astara (Iran)", "Астара (Иран)"),
]


# Names the loader gave before (code, language, name): a land crossing without its country.
# Rows still named so are given today's name; a name an administrator changed stays.
CROSSING_POINT_NAMES_BEFORE = [
    ("samur", "az", "Samur"),
    ("red-bridge", "az", "Qırmızı Körpü"),
    ("astara", "az", "Astara"),
]


def crossing_point_names_mend(points: Any) -> int:
    """Today's names on the crossing points still named as the loader named them before
    (`points`: the CrossingPoint model, or its state in a migration); returns how many
    names were changed."""
    today = {
        (code, lang): name
        for code, _kind, _region, *names in CROSSING_POINTS
        for lang, name in zip(("az", "en", "ru"), names, strict=True)
    }
    changed = 0
    for code, lang, before in CROSSING_POINT_NAMES_BEFORE:
        changed += points.objects.filter(code=code, **{f"name_{lang}": before}).update(
            **{f"name_{lang}": today[(code, lang)]}
        )
    return changed


# The loaded land crossings' neighbours, and how the names give Azerbaijan's neighbours in
# brackets (az, en, ru): short names, as "Samur (Rusiya)", not the ISO ones ("Rusiya
# Federasiyası", "Iran, Islamic Republic of"); another country by its reference name.
LAND_NEIGHBOURS = {"samur": "RU", "red-bridge": "GE", "astara": "IR"}
NEIGHBOUR_NAMES = {
    "RU": ("Rusiya", "Russia", "Россия"),
    "GE": ("Gürcüstan", "Georgia", "Грузия"),
    "AM": ("Ermənistan", "Armenia", "Армения"),
    "IR": ("İran", "Iran", "Иран"),
    "TR": ("Türkiyə", "Türkiye", "Турция"),
}
NAME_LANGUAGES = ("az", "en", "ru")
_IN_BRACKETS_AT_END = re.compile(r"\s*\(([^()]*)\)\s*$")


def crossing_point_countries_mend(points: Any, countries: Any) -> int:
    """The loaded land crossings' neighbouring country where none is set and the country is
    in the reference data (`points`, `countries`: the models, or their state in a
    migration); returns how many were set."""
    known = set(countries.objects.filter(code__in=LAND_NEIGHBOURS.values()).values_list("pk"))
    changed = 0
    for code, country in LAND_NEIGHBOURS.items():
        if (country,) in known:
            changed += points.objects.filter(code=code, country__isnull=True).update(
                country_id=country
            )
    return changed


def _neighbour_name(country: Any, lang: str) -> str:
    short = NEIGHBOUR_NAMES.get(country.code)
    if short:
        return short[NAME_LANGUAGES.index(lang)]
    return str(getattr(country, f"name_{lang}") or country.name_en)


def crossing_point_names_complete(
    *, point: CrossingPoint, changed: Iterable[str], country_before: Any = None
) -> list[str]:
    """A land crossing's names give its neighbouring country in brackets, as the loaded ones
    do ("Samur (Rusiya)"), filled when it is saved from the admin, not computed when it is
    shown: the name stored is the name every page, export and document reads.

    A name typed in this save (a point added, that name edited, or the kind or the country
    changed) gets " (country)" in its language. A name that already ends in brackets is
    left as written (the administrator put the country, or something else, there), except
    that on a change of country the former country in brackets becomes the new one. A name
    not typed in this save stays as it is, as migration border 0005 left a name an
    administrator had changed: a name chosen without the country is not overwritten when
    the point is saved for another reason. Sets the names on `point` (not saved); returns
    the fields changed."""
    country = point.country if point.country_id else None
    if point.kind != CrossingPoint.Kind.LAND or country is None:
        return []
    changed = set(changed)
    moved = bool({"country", "kind"} & changed)
    filled = []
    for lang in NAME_LANGUAGES:
        field = f"name_{lang}"
        name = str(getattr(point, field) or "").strip()
        if not name or not (moved or field in changed):
            continue
        ours = _neighbour_name(country, lang)
        end = _IN_BRACKETS_AT_END.search(name)
        if end is None:
            new = f"{name} ({ours})"
        elif (
            country_before is not None
            and "country" in changed
            and end.group(1).strip() == _neighbour_name(country_before, lang)
        ):
            new = f"{name[: end.start()]} ({ours})"
        else:
            continue
        if new != getattr(point, field):
            setattr(point, field, new[:200])  # the names' length (`Translated`)
            filled.append(field)
    return filled


@transaction.atomic
def crossing_points_load_defaults() -> None:
    """The main crossing points (idempotent); an administrator adds the others. Points
    loaded before under names since mended get today's names (`crossing_point_names_mend`)."""
    from umis.reference.models import Country, Region

    regions = {r.code: r for r in Region.objects.all()}
    crossing_point_names_mend(CrossingPoint)
    loaded = set(CrossingPoint.objects.values_list("code", flat=True))
    for code, kind, region, n_az, n_en, n_ru in CROSSING_POINTS:
        if code in loaded:
            continue
        CrossingPoint.objects.create(
            code=code, kind=kind, region=regions[region], name_az=n_az, name_en=n_en, name_ru=n_ru
        )
    crossing_point_countries_mend(CrossingPoint, Country)


def overstay_finding_take(
    *,
    actor: Any,
    finding_id: int,
    note: str = "",
    case_reference: str = "",
    expected_version: int | None = None,
) -> OverstayFinding:
    """An officer takes the proposal up (a fine or an enforcement case follows), with an
    optional note; the fines or enforcement app may name the case it opened."""
    return _finding_decide(
        actor=actor,
        finding_id=finding_id,
        state=FindingState.TAKEN,
        text=note,
        field="note",
        case_reference=case_reference,
        expected_version=expected_version,
    )


def overstay_finding_dismiss(
    *, actor: Any, finding_id: int, reason: str, expected_version: int | None = None
) -> OverstayFinding:
    """An officer dismisses the finding, with the reasons (required)."""
    return _finding_decide(
        actor=actor,
        finding_id=finding_id,
        state=FindingState.DISMISSED,
        text=reason,
        field="reason",
        expected_version=expected_version,
    )


def _finding_decide(
    *,
    actor: Any,
    finding_id: int,
    state: str,
    text: str,
    field: str,
    case_reference: str = "",
    expected_version: int | None = None,
) -> OverstayFinding:
    """Take up or dismiss an open finding: the officer's scope first (to anyone else the
    finding is as unknown as one that does not exist, and the attempt is on record), then
    what was typed, then the finding as it is now, locked: one that another officer has
    dealt with, or that changed since the page was read (`expected_version`), is a conflict
    that changes nothing. One conditional update, so two officers never both act."""
    from umis.border.selectors import finding_get_for_user

    finding = finding_get_for_user(user=actor, finding_id=finding_id)  # NotFound, audited
    text = case_reasons_clean(reasons=text, field=field, required=state == FindingState.DISMISSED)
    if len(case_reference) > 30:
        raise DomainError(
            "case_reference_too_long", _("The case number is too long."), "case_reference"
        )
    try:
        with transaction.atomic():
            current = (
                OverstayFinding.objects.select_for_update(of=("self",))
                .select_related("decided_by")
                .get(pk=finding.pk)
            )
            _finding_check_open(current, expected_version)
            now = clock.now()
            changed = OverstayFinding.objects.filter(
                pk=current.pk, state=FindingState.OPEN, version=current.version
            ).update(
                state=state,
                decided_by=actor,
                decided_at=now,
                decision_note=text,
                case_reference=case_reference,
                version=F("version") + 1,
                updated_at=now,
            )
            if changed != 1:  # cannot happen under the row lock; a conflict if it does
                raise Conflict("version_conflict", _FINDING_CHANGED, "finding")
            current.refresh_from_db()
            audit_record(
                actor=actor,
                action="OVERSTAY_FINDING_TAKEN"
                if state == FindingState.TAKEN
                else "OVERSTAY_FINDING_DISMISSED",
                entity=current,
                person_id=current.person_id,
                data={
                    "note" if state == FindingState.TAKEN else "reason": text[:500],
                    "case": case_reference,
                    "version": current.version,
                },
            )
    except Conflict as exc:
        audit_refusal(
            actor=actor,
            entries=[
                AuditEntry(
                    "OVERSTAY_FINDING_DECISION_REFUSED",
                    finding,
                    person_id=finding.person_id,
                    data={"decision": state, "code": exc.code},
                )
            ],
        )
        raise
    return current


_FINDING_CHANGED = _(
    "This finding changed since you opened it: it was dealt with and opened again. Read it "
    "again before you act."
)


def _finding_check_open(finding: OverstayFinding, expected_version: int | None) -> None:
    """A Conflict unless the finding is open and as the officer saw it."""
    if finding.state != FindingState.OPEN:
        values = {
            "user": officer_name(finding.decided_by) or "—",
            "date": f"{timezone.localtime(finding.decided_at):%d.%m.%Y %H:%M}"
            if finding.decided_at
            else "—",
        }
        message = (
            _("This finding was already taken up (%(user)s, %(date)s).")
            if finding.state == FindingState.TAKEN
            else _("This finding was already dismissed (%(user)s, %(date)s).")
        )
        raise Conflict("finding_not_open", message % values, "finding")
    if expected_version is not None and expected_version != finding.version:
        raise Conflict("version_conflict", _FINDING_CHANGED, "finding")
