"""Reads of the border domain, bounded and indexed: a person's crossings in a date range
(index on person and time, partitions pruned by time), their stay on a date, timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import officer_name
from umis.audit.models import AuditEvent
from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.border import basis as basis_mod
from umis.border.calculator import EARLIEST, LATEST
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
from umis.border.services import country_tz
from umis.border.stayrules import (
    Event,
    Stay,
    StayResult,
    calculate,
    current_stay,
    stays_from_events,
)
from umis.core.errors import DomainError, NotFound
from umis.people.models import Person
from umis.people.selectors import MAX_ID, person_get_for_user
from umis.reference.selectors import address_line, country_names, registration_rule_for
from umis.stays.selectors import persons_registered_since, stay_registration_current_of_person

HISTORY_DAYS = 800  # crossings read for one answer: more than two 180-day windows and a year
MAX_CROSSINGS = 5000


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), country_tz())


def person_crossings(
    *, person_id: int, start: dt.date, end: dt.date, limit: int = MAX_CROSSINGS
) -> list[Crossing]:
    return list(
        Crossing.objects.filter(
            person_id=person_id,
            occurred_at__gte=_start_of(start),
            occurred_at__lt=_start_of(end + dt.timedelta(days=1)),
        ).order_by("occurred_at", "id")[:limit]
    )


def person_stays(*, person_id: int, start: dt.date, end: dt.date) -> tuple[list[Stay], list[Any]]:
    """Stays from the crossings of [start, end]; someone inside at `start` enters then."""
    crossings = [
        c for c in person_crossings(person_id=person_id, start=start, end=end) if c.direction
    ]
    before = (
        Crossing.objects.filter(person_id=person_id, occurred_at__lt=_start_of(start))
        .exclude(direction="refused")
        .order_by("-occurred_at")
        .values_list("direction", flat=True)
        .first()
    )
    events = [Event(c.occurred_at, c.direction, c.event_id) for c in crossings]
    if before == "entry":
        events.insert(0, Event(_start_of(start), "entry", ""))
    timeline = stays_from_events(events, country_tz())
    return timeline.stays, timeline.anomalies


@dataclass
class PersonStay:
    person: Person
    on: dt.date
    result: StayResult | None
    basis: basis_mod.Basis | None
    registration_status: str  # registered, due, overdue, not_required, not_in_country
    registration_due: dt.date | None
    anomalies: list[tuple[dt.date, str]]
    crossings_recorded: bool = True  # false: the crossings cannot tell whether they are in
    registered_until: dt.date | None = None  # of a registration at a place of stay in force

    @property
    def presence(self) -> str:
        """in_country or not_in_country as the crossings show it; unknown without any."""
        if self.result and self.result.in_country:
            return "in_country"
        return "not_in_country" if self.crossings_recorded else "unknown"

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "person_id": self.person.pk,
            "on": self.on,
            "in_country": bool(r and r.in_country),
            "presence": self.presence,
            "registered_until": self.registered_until,
            "current_entry": r.current_entry if r else None,
            "legal_basis": (
                {
                    "kind": self.basis.kind,
                    "label": self.basis.label,
                    "reference": self.basis.reference,
                    "valid_from": self.basis.valid_from,
                    "valid_to": self.basis.valid_to,
                }
                if self.basis
                else None
            ),
            "regime": r.regime.label if r and r.regime else None,
            "window_start": r.window_start if r else None,
            "days_used": r.days_used if r else None,
            "days_remaining": r.days_remaining if r else None,
            "overstay_days": r.overstay_days if r else None,
            "last_legal_day": r.last_legal_day if r else None,
            "registration": {
                "status": self.registration_status,
                "due_by": self.registration_due,
            },
            "anomalies": [{"day": d, "kind": k} for d, k in self.anomalies],
        }


def best_result(
    stays: list[Stay], on: dt.date, bases: list[basis_mod.Basis], *, count_overstay: bool = True
) -> tuple[StayResult | None, basis_mod.Basis | None]:
    """The basis that keeps the person legal on `on` and for the longest after it, as the
    stays have used the bases (a single-entry e-visa allows one stay). Inside with no basis
    left, a result without one: no day of the stay is legal."""
    best: tuple[tuple[bool, dt.date], StayResult, basis_mod.Basis] | None = None
    for b, periods in basis_mod.bases_as_used(bases, stays, on):
        result = calculate(stays, on, periods, count_overstay=count_overstay)
        last = result.last_legal_day or dt.date.min
        key = (last >= on, last)
        if best is None or key > best[0]:
            best = (key, result, b)
    if best is not None:
        return best[1], best[2]
    current = current_stay(stays, on)
    if current is None:
        return None, None
    return StayResult(on, None, True, 0, 0, 0, None, None, current.entry), None


def person_stay_compute(*, person: Person, on: dt.date) -> PersonStay:
    start = on - dt.timedelta(days=HISTORY_DAYS)
    stays, anomalies = person_stays(person_id=person.pk, start=start, end=on)
    bases = basis_mod.bases_for({person.pk: person.nationality_id}, start, on).get(person.pk, [])
    result, chosen = best_result(stays, on, bases)
    current = current_stay(stays, on)
    status, due = "not_in_country", None
    if current is not None:
        status, due = _registration_status(person, current.entry, on)
    recorded = (
        current is not None
        or Crossing.objects.filter(
            person_id=person.pk, occurred_at__lt=_start_of(on + dt.timedelta(days=1))
        ).exists()
    )
    registration = stay_registration_current_of_person(person_id=person.pk, on=on)
    return PersonStay(
        person,
        on,
        result,
        chosen,
        status,
        due,
        anomalies,
        crossings_recorded=recorded,
        registered_until=registration.planned_departure if registration else None,
    )


def _registration_status(person: Person, entry: dt.date, on: dt.date) -> tuple[str, dt.date | None]:
    rule = registration_rule_for(nationality=person.nationality_id, on=entry)
    if rule is None:
        return "not_required", None
    due = entry + dt.timedelta(days=rule.deadline_days)
    if persons_registered_since(arrivals={person.pk: entry}):
        return "registered", due
    if on > due and (on - entry).days + 1 > rule.threshold_days:
        return "overdue", due
    return "due", due


def person_stay_for_user(*, user: Any, person_id: int, on: dt.date, purpose: str) -> PersonStay:
    """A person's stay on a date, for staff and agencies; the read is audited with the
    purpose stated in free text (refused, nothing read, when it holds an invisible character)."""
    if not EARLIEST <= on <= LATEST:
        # the windows around a date in year 1 or 9999 would run off the calendar
        raise DomainError("date_out_of_range", _("The date must be between 1990 and 2100."), "on")
    person = person_get_for_user(
        user=user,
        person_id=person_id,
        purpose=purpose,
        action="PERSON_STAY_VIEWED",
        data={"on": on.isoformat()},
        agencies=True,
        current_only=True,
        purpose_typed=True,
    )
    return person_stay_compute(person=person, on=on)


def findings_of_office(office_id: int) -> QuerySet[OverstayFinding]:
    """An office's overstay findings: its officers may open those persons' files."""
    return OverstayFinding.objects.filter(office_id=office_id)


def presence_of(*, person_id: int) -> Presence | None:
    return Presence.objects.filter(person_id=person_id).first()


# --- findings -------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFilter:
    kind: str = ""
    state: str = FindingState.OPEN
    nationality: str = ""
    detected_from: dt.date | None = None
    detected_to: dt.date | None = None


def finding_scope_for_user(user: Any) -> QuerySet[OverstayFinding]:
    """The findings an officer may see and act on: the head office's officers all, a
    regional officer their office's; nobody else any."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OverstayFinding.objects.none()
    if user.role == "head_officer":
        return OverstayFinding.objects.all()
    if user.role == "regional_officer" and user.office_id:
        return OverstayFinding.objects.filter(office_id=user.office_id)
    return OverstayFinding.objects.none()


def finding_get_for_user(*, user: Any, finding_id: int) -> OverstayFinding:
    """One finding within the user's scope, with its person, office and who decided;
    NotFound (and an OVERSTAY_FINDING_ACCESS_DENIED audit row) for any other."""
    finding = (
        finding_scope_for_user(user)
        .select_related("person", "office", "decided_by")
        .filter(pk=finding_id)
        .first()
        if 1 <= finding_id <= MAX_ID
        else None
    )
    if finding is None:
        seen = OverstayFinding.objects.filter(pk=finding_id).values_list("person_id", flat=True)
        audit_record(
            actor=user,
            action="OVERSTAY_FINDING_ACCESS_DENIED",
            entity_type=OverstayFinding._meta.label_lower,
            entity_id=str(finding_id)[:60],
            person_id=seen.first() if 1 <= finding_id <= MAX_ID else None,
        )
        raise NotFound("not_found", _("Not found."))
    return finding


def finding_person_for_user(user: Any, reference: str) -> tuple[str, int | None]:
    """A finding named as a person's file's purpose names it (`F<id>`, any letter case) and
    its person, for a finding `user` may see; NotFound (audited as
    `finding_get_for_user` does) for any other."""
    wanted = reference.strip().upper()
    digits = wanted[1:] if wanted.startswith("F") else ""
    finding_id = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 20 else 0
    finding = finding_get_for_user(user=user, finding_id=finding_id)
    return f"F{finding.pk}", finding.person_id


FINDING_EVENTS = {
    "OVERSTAY_FINDING_OPENED": _("Found by the daily check"),
    "OVERSTAY_FINDING_TAKEN": _("Taken up"),
    "OVERSTAY_FINDING_DISMISSED": _("Dismissed"),
    "OVERSTAY_FINDING_REOPENED": _("Opened again: the facts changed"),
    "OVERSTAY_FINDING_PROPOSAL_CHANGED": _("Proposal changed by the daily check"),
}


def _history_note(row: AuditEvent) -> str:
    """What an event of a finding's history says besides its label: the note or reasons of
    a decision; for a change of proposal, from what to what and at how many days over."""
    if row.action == "OVERSTAY_FINDING_PROPOSAL_CHANGED":
        was, now = (list(row.data.get("proposal") or []) + ["", ""])[:2]
        names = dict(Proposal.choices)
        return str(
            _("%(was)s → %(now)s; days over: %(days)s")
            % {
                "was": names.get(was, was),
                "now": names.get(now, now),
                "days": row.data.get("days_over", "—"),
            }
        )
    return str(row.data.get("note") or row.data.get("reason") or "")


@dataclass(frozen=True)
class FindingEvent:
    at: dt.datetime
    action: str
    label: str
    actor: str  # the officer as `officer_name` names one, empty for the daily check
    note: str


def _day_shown(iso: str | None) -> str:
    return f"{dt.date.fromisoformat(iso):%d.%m.%Y}" if iso else "—"


def _dates_moved_note(moved: dict[str, Any]) -> str:
    """A run's change of one finding's dates, as its row holds it (`[before, now]` each)."""
    notes = []
    for key, text in (
        ("last_legal_day", _("Last legal day: %(was)s → %(now)s")),
        ("registration_due", _("Registration due: %(was)s → %(now)s")),
    ):
        was, now = (list(moved.get(key) or []) + [None, None])[:2]
        if was != now:
            notes.append(str(text % {"was": _day_shown(was), "now": _day_shown(now)}))
    return "; ".join(notes)


HISTORY_LIMIT = 200


def _runs_that_moved(finding: OverstayFinding) -> list[FindingEvent]:
    """The daily check's runs that moved this finding's last legal day or registration
    deadline, from each run's one OVERSTAY_FINDINGS_REFRESHED row (ADR 0019): the runs since
    the finding was first found (the entity index), and of those the ones naming it, by a
    JSON containment (`@>`) on PostgreSQL; elsewhere (SQLite, small installations) only
    their list of moved dates is read and searched here."""
    runs = AuditEvent.objects.filter(
        entity_type=DetectionRun._meta.label_lower,
        entity_id__gte=finding.first_detected_on.isoformat(),
        action="OVERSTAY_FINDINGS_REFRESHED",
    )
    rows: list[tuple[int, dt.datetime, Any]]
    if connection.vendor == "postgresql":
        rows = list(
            runs.filter(data__contains={"dates_changed": [{"finding": finding.pk}]})
            .order_by("at", "id")
            .values_list("id", "at", "data__dates_changed")[:HISTORY_LIMIT]
        )
    else:
        rows = list(runs.order_by("at", "id").values_list("id", "at", "data__dates_changed"))
    events = []
    for _id, at, moved in rows:
        mine = [m for m in moved or [] if isinstance(m, dict) and m.get("finding") == finding.pk]
        if mine:
            events.append(
                FindingEvent(
                    at=at,
                    action="OVERSTAY_FINDINGS_REFRESHED",
                    label=str(_("Dates moved by the daily check")),
                    actor="",
                    note=_dates_moved_note(mine[0]),
                )
            )
    return events[:HISTORY_LIMIT]


def _actor_named(row: AuditEvent) -> str:
    """Who acted, as `officer_name` names an officer, with the API client the audit row
    names ("… via Border tools"); empty for the daily check."""
    if row.actor is None:
        return ""
    through = row.actor_label.removeprefix(row.actor.username)
    return officer_name(row.actor) + (through if through.startswith(" via ") else "")


def finding_history(*, finding: OverstayFinding) -> list[FindingEvent]:
    """What became of a finding, oldest first, from its audit rows (reads and exports
    left out), with the daily check's runs that moved its dates."""
    rows = (
        AuditEvent.objects.filter(
            entity_type=OverstayFinding._meta.label_lower,
            entity_id=str(finding.pk),
            action__in=list(FINDING_EVENTS),
        )
        .select_related("actor")
        .order_by("at", "id")[:HISTORY_LIMIT]
    )
    events = [
        FindingEvent(
            at=row.at,
            action=row.action,
            label=str(FINDING_EVENTS[row.action]),
            actor=_actor_named(row),
            note=_history_note(row),
        )
        for row in rows
    ]
    return sorted(events + _runs_that_moved(finding), key=lambda e: e.at)[:HISTORY_LIMIT]


def findings_for_user(*, user: Any, filters: FindingFilter) -> QuerySet[OverstayFinding]:
    """Findings of the officer's office (head office: all); others see none."""
    qs = finding_scope_for_user(user)
    if filters.kind in FindingKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.state in FindingState.values:
        qs = qs.filter(state=filters.state)
    if filters.nationality:
        qs = qs.filter(nationality=filters.nationality.upper()[:2])
    if filters.detected_from:
        qs = qs.filter(first_detected_on__gte=filters.detected_from)
    if filters.detected_to:
        qs = qs.filter(first_detected_on__lte=filters.detected_to)
    return qs.select_related("person", "office", "decided_by").order_by("-first_detected_on", "-id")


@dataclass(frozen=True)
class FindingRow:
    finding: OverstayFinding
    nationality: str  # the country's name in the reader's language (its code if unknown)


def findings_with_country_names(findings: Iterable[OverstayFinding]) -> list[FindingRow]:
    """Findings with their nationality named, in one query for the lot."""
    findings = list(findings)
    names = country_names(codes={f.nationality for f in findings})
    return [FindingRow(f, names.get(f.nationality, f.nationality)) for f in findings]


def crossing_point_names(*, codes: Iterable[str]) -> dict[str, str]:
    """Border crossing points' names in the current language by code, in one query."""
    return {p.code: p.name for p in CrossingPoint.objects.filter(code__in=set(codes))}


EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2000


def findings_export_for_user(
    *, user: Any, filters: FindingFilter, fmt: str, query: str
) -> Iterator[FindingRow]:
    """The findings an export hands out (at most EXPORT_LIMIT), with person, office and the
    nationality's name (one query a chunk). An export is a read of every file it lists: besides one row saying what was exported
    (OVERSTAY_FINDINGS_EXPORTED), each person's file records it (OVERSTAY_FINDING_EXPORTED),
    chunk by chunk, before the chunk is handed out, as a search does for what it shows."""
    audit_record(
        actor=user,
        action="OVERSTAY_FINDINGS_EXPORTED",
        entity_type="border.overstayfinding",
        data={"format": fmt, "query": query[:500]},
    )
    qs = findings_for_user(user=user, filters=filters)[:EXPORT_LIMIT]
    chunk: list[OverstayFinding] = []
    for finding in qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(finding)
        if len(chunk) == EXPORT_CHUNK:
            yield from _exported(user, chunk, fmt)
            chunk = []
    yield from _exported(user, chunk, fmt)


def _exported(user: Any, chunk: list[OverstayFinding], fmt: str) -> list[FindingRow]:
    if not chunk:
        return []
    audit_record_many(
        actor=user,
        entries=[
            AuditEntry("OVERSTAY_FINDING_EXPORTED", f, person_id=f.person_id, data={"format": fmt})
            for f in chunk
        ],
    )
    return findings_with_country_names(chunk)


ANOMALY_LABELS = {
    "entry_without_exit": _("two entries with no exit between them"),
    "exit_without_entry": _("an exit with no entry before it"),
}


def person_timeline(
    *, person: Person, until: dt.date, user: Any, limit: int = 300
) -> list[dict[str, Any]]:
    """Crossings, stays, registrations, visas and permits of one person, newest first. A
    registration of a case the user may not open shows its dates, its region and its standing
    only. Each registration carries its standing on `until` (current, ended, expired or
    annulled): only a current one is shown as the person's registration."""
    from umis.cases.selectors import case_scope_for_user
    from umis.stays.selectors import stay_registration_standing, stay_registrations_of_person

    start = until - dt.timedelta(days=HISTORY_DAYS * 3)
    items: list[dict[str, Any]] = []
    crossings = person_crossings(person_id=person.pk, start=start, end=until, limit=limit)
    points = crossing_point_names(codes={c.crossing_point for c in crossings})
    for c in crossings:
        items.append(
            {
                "day": c.day,
                "kind": "crossing",
                "direction": c.direction,
                "label": c.get_direction_display(),
                "detail": points.get(c.crossing_point, c.crossing_point),
                "at": c.occurred_at,
            }
        )
    stays, anomalies = person_stays(person_id=person.pk, start=start, end=until)
    for s in stays:
        items.append({"day": s.entry, "kind": "stay", "label": "stay", "end": s.exit, "detail": ""})
    for day, kind in anomalies:
        items.append(
            {"day": day, "kind": "anomaly", "label": ANOMALY_LABELS.get(kind, kind), "detail": ""}
        )
    registrations = stay_registrations_of_person(person_id=person.pk)
    visible = set(
        case_scope_for_user(user)
        .filter(pk__in=[reg.case_id for reg in registrations])
        .values_list("pk", flat=True)
    )
    for reg in registrations:
        standing = stay_registration_standing(registration=reg, on=until)
        if reg.case_id not in visible:
            items.append(
                {
                    "day": reg.arrival_date,
                    "kind": "registration_elsewhere",
                    "label": "",
                    "end": reg.ended_on or reg.planned_departure,
                    "detail": reg.region.name,
                    "standing": standing,
                    "annulled": standing == "annulled",
                }
            )
            continue
        items.append(
            {
                "day": reg.arrival_date,
                "kind": "registration",
                "label": reg.case.reference,
                "end": reg.ended_on or reg.planned_departure,
                "detail": f"{reg.receiving_party}, "
                + address_line(street=reg.street, city=reg.city, region=reg.region),
                "reference": reg.case.reference,
                "standing": standing,
                "annulled": standing == "annulled",
            }
        )
    bases = basis_mod.bases_for({person.pk: person.nationality_id}, start, until)
    for b in bases.get(person.pk, []):
        if b.kind == "visa_free" or b.valid_from is None:
            continue
        items.append(
            {
                "day": b.valid_from,
                "kind": b.kind,
                "label": b.label,
                "end": b.valid_to,
                # a label that already names its document ("e-visa E26000123") is not repeated
                "detail": "" if b.reference in b.label else b.reference,
            }
        )
    order = {"crossing": 0, "anomaly": 1, "stay": 2, "registration": 3, "registration_elsewhere": 3}
    items.sort(key=lambda i: (i["day"], order.get(i["kind"], 4)), reverse=True)
    return items[: limit * 2]


def findings_of_person_for_user(*, user: Any, person_id: int) -> list[OverstayFinding]:
    """A person's overstay findings that the user may open (their office's; the head
    office's officers all), in any state, the latest stay first."""
    return list(
        finding_scope_for_user(user)
        .filter(person_id=person_id)
        .select_related("office", "decided_by")
        .order_by("-entry_day", "kind")[:50]
    )


def person_has_overstayed(*, person_id: int) -> bool:
    """Whether an overstay of this person is on record (open or taken up, not dismissed)."""
    return (
        OverstayFinding.objects.filter(person_id=person_id, kind=FindingKind.OVERSTAY)
        .filter(Q(state=FindingState.OPEN) | Q(state=FindingState.TAKEN))
        .exists()
    )
