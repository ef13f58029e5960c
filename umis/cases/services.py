"""Every write to a case: open, transition (with optimistic locking), assign, note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.cases import registry, sla
from umis.cases.models import Case, CaseEvent, ReferenceCounter
from umis.core import clock
from umis.core.bulk import bulk_insert
from umis.core.errors import Conflict, DomainError, PermissionDenied
from umis.core.text import invisible_character
from umis.reference.models import LegalGround


def references_allocate(*, prefix: str, year: int, count: int) -> list[str]:
    """Reserve `count` references like SR-2026-000123 (inside a transaction), increasing and
    never given twice.

    On PostgreSQL the numbers come from a sequence per service prefix and year, which takes
    no lock: concurrent submissions do not wait for each other's commit, and a submission
    that rolls back leaves a gap. Elsewhere (SQLite: one writer at a time anyway) one
    counter row per prefix and year, in the caller's transaction, without gaps."""
    if connection.vendor == "postgresql":
        numbers = _sequence_numbers(prefix, year, count)
    else:
        numbers = _counter_numbers(prefix, year, count)
    return [f"{prefix}-{year}-{n:06d}" for n in numbers]


def _counter_numbers(prefix: str, year: int, count: int) -> list[int]:
    assert ReferenceCounter._meta.db_table == "cases_referencecounter"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_referencecounter (prefix, year, value) VALUES (%s, %s, %s) "
            "ON CONFLICT (prefix, year) DO UPDATE "
            "SET value = cases_referencecounter.value + excluded.value RETURNING value",
            [prefix, year, count],
        )
        (last,) = cursor.fetchone()
    return list(range(last - count + 1, last + 1))


def _sequence_numbers(prefix: str, year: int, count: int) -> list[int]:
    name = _sequence_name(prefix, year)
    draw = (
        "SELECT nextval(s.oid) FROM (SELECT to_regclass(%s) AS oid) s, generate_series(1, %s) "
        "WHERE s.oid IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(draw, [name, count])
        numbers = [n for (n,) in cursor.fetchall()]
        if not numbers:
            # The daily job creates the sequences ahead (`reference_sequences_prepare`);
            # without it the year's first submission creates its own.
            _sequence_create(cursor, prefix, year)
            cursor.execute(draw, [name, count])
            numbers = [n for (n,) in cursor.fetchall()]
    return sorted(numbers)


def _sequence_name(prefix: str, year: int) -> str:
    if not (prefix.isascii() and prefix.isalpha() and len(prefix) <= 10):
        raise ValueError(f"bad reference prefix {prefix!r}")
    return f"cases_reference_{prefix.lower()}_{year}"


def _sequence_create(cursor: Any, prefix: str, year: int) -> None:
    """The sequence starts after what the counter row (used before sequences) gave out.
    A concurrent creator may win; either is fine."""
    cursor.execute(
        "SELECT value FROM cases_referencecounter WHERE prefix = %s AND year = %s",
        [prefix, year],
    )
    row = cursor.fetchone()
    start = (row[0] if row else 0) + 1
    try:
        with transaction.atomic():
            cursor.execute(
                f"CREATE SEQUENCE IF NOT EXISTS {_sequence_name(prefix, year)} START WITH {start:d}"
            )
    except DatabaseError:
        pass


def reference_sequences_prepare(*, today: dt.date | None = None) -> list[str]:
    """Create this year's and next year's reference sequence of every case service (a daily
    job, PostgreSQL only), so no submission creates one inside its own transaction — where
    concurrent first submissions of a year would wait for its commit."""
    if connection.vendor != "postgresql":
        return []
    year = (today or clock.today()).year
    made: list[str] = []
    with connection.cursor() as cursor:
        for service in registry.all_services():
            if service.workflow is None:
                continue
            for y in (year, year + 1):
                cursor.execute("SELECT to_regclass(%s)", [_sequence_name(service.prefix, y)])
                if cursor.fetchone()[0] is None:
                    _sequence_create(cursor, service.prefix, y)
                    made.append(f"{service.prefix}-{y}")
    return made


@dataclass(frozen=True)
class NewCase:
    applicant_id: int | None
    office_id: int
    data: dict[str, Any]
    needs_attention: bool = False


def case_open_many(
    *, actor: Any, service_code: str, items: Sequence[NewCase], state: str | None = None
) -> list[Case]:
    """Open cases of one service (inside the caller's transaction), with history and audit."""
    service = registry.get(service_code)
    assert service.workflow is not None
    now = clock.now()
    start_state = state or service.workflow.initial
    refs = references_allocate(prefix=service.prefix, year=clock.today().year, count=len(items))
    due = sla.due_at(service.sla, now)
    submitter = actor if getattr(actor, "is_authenticated", False) else None
    cases = [
        Case(
            reference=ref,
            service_code=service_code,
            applicant_id=item.applicant_id,
            submitted_by=submitter,
            office_id=item.office_id,
            state=start_state,
            is_open=service.workflow.is_open(start_state),
            needs_attention=item.needs_attention,
            due_at=due,
            created_at=now,
            updated_at=now,
        )
        for ref, item in zip(refs, items, strict=True)
    ]
    bulk_insert(cases)
    bulk_insert(
        [
            CaseEvent(
                case=c,
                at=now,
                kind=CaseEvent.Kind.SUBMITTED,
                action="CASE_SUBMITTED",
                actor=submitter,
                to_state=start_state,
                data=item.data,
            )
            for c, item in zip(cases, items, strict=True)
        ]
    )
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "CASE_SUBMITTED",
                c,
                person_id=c.applicant_id,
                data={"reference": c.reference, "service": service_code},
            )
            for c in cases
        ],
    )
    return cases


def _may_act_on(user: Any, case: Case) -> bool:
    """Officers act within their office (head office: all). Other roles reach a case only
    through their domain's scoped selector (a host's own registrations), checked there."""
    if user.role == "head_officer":
        return True
    if user.role == "regional_officer":
        return bool(user.office_id == case.office_id)
    return user.role not in {"administrator", "analyst"}


def _officer_may_act_on(user: Any, case: Case) -> bool:
    return bool(user.is_officer) and _may_act_on(user, case)


def _version_conflict() -> Conflict:
    return Conflict(
        "version_conflict",
        _(
            "Someone else changed this case while you were working on it. Reload it to see the change, then decide again."
        ),
    )


def case_transition(
    *,
    actor: Any,
    case: Case,
    target: str,
    expected_version: int,
    action: str,
    legal_ground: LegalGround | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    system: bool = False,
) -> Case:
    """Move a case to `target` if the workflow allows it for the actor; 409 on a stale version.

    Runs inside the caller's transaction; the version check is a conditional UPDATE, so of
    two officers deciding at once exactly one wins. What is checked, in this order:

    1. the actor may act on this case at all (their office), else 403;
    2. the version the actor saw is the case's version, else 409 `version_conflict`: an
       officer who decided on a page since changed (another tab, a colleague) is told so,
       rather than that the case cannot move from a state they never saw;
    3. the workflow has this transition, and the actor's role may take it;
    4. its guard (a screening hit still open, …) does not refuse it, else 409 with the
       guard's code;
    5. the legal ground it needs is given and in force.
    """
    service = registry.get(case.service_code)
    workflow = service.workflow
    assert workflow is not None
    if not system and not _may_act_on(actor, case):
        raise PermissionDenied("forbidden", _("You may not take this action on this case."))
    if expected_version != case.version:
        raise _version_conflict()
    rule = workflow.rule_for(case.state, target)
    if rule is None:
        raise Conflict(
            "invalid_transition",
            _("This case cannot move from “%(source)s” to “%(target)s”.")
            % {"source": service.state_label(case.state), "target": service.state_label(target)},
        )
    if not system and getattr(actor, "role", None) not in rule.by:
        raise PermissionDenied("forbidden", _("You may not take this action on this case."))
    if rule.guard is not None:
        refusal = rule.guard(case)
        if refusal is not None:
            raise Conflict(refusal.code, refusal.message)
    if rule.needs_legal_ground and legal_ground is None:
        raise DomainError(
            "legal_ground_required", _("Choose the legal ground for this decision."), "legal_ground"
        )
    if legal_ground is not None and not legal_ground.in_force(clock.today()):
        raise DomainError(
            "legal_ground_not_in_force", _("This legal ground is not in force."), "legal_ground"
        )
    now = clock.now()
    is_open = workflow.is_open(target)
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        state=target,
        is_open=is_open,
        version=F("version") + 1,
        updated_at=now,
        closed_at=_closed_at(workflow.is_final(target), now),
    )
    if updated != 1:  # changed since the caller read it
        raise _version_conflict()
    source = case.state
    case.refresh_from_db(fields=["state", "is_open", "version", "updated_at", "closed_at"])
    kind = CaseEvent.Kind.DECISION if legal_ground is not None else CaseEvent.Kind.STATE_CHANGED
    CaseEvent.objects.create(
        case=case,
        at=now,
        kind=kind,
        action=action,
        actor=actor if not system else None,
        from_state=source,
        to_state=target,
        legal_ground=legal_ground,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=action,
        entity=case,
        person_id=case.applicant_id,
        data={
            "reference": case.reference,
            "from": source,
            "to": target,
            "legal_ground": legal_ground.code if legal_ground else None,
            **(data or {}),
        },
    )
    return case


def _closed_at(final: bool, now: dt.datetime) -> Any:
    """A case's closing time as a transition leaves it: the time it first closed (its
    decision), kept when a closed case moves on to another final state (an issued e-visa or
    an ended registration annulled: the annulment is dated by its event in the history);
    none while the case is open."""
    return Coalesce(F("closed_at"), Value(now)) if final else None


def cases_transition_by_system(
    *, cases: Sequence[Case], target: str, action: str, data: Sequence[dict[str, Any]]
) -> None:
    """Move cases of one service to `target` because a rule of the service says so, not a
    person's decision (the history names no actor): `case_transition(system=True)` for many
    cases at once, in one UPDATE, one history statement and one audit statement whatever
    their number. The caller holds the cases' rows locked in its transaction, so the states
    read are current; a transition the workflow does not have refuses the whole lot. Only
    for transitions without a guard or a legal ground to check, which a system move has not."""
    if not cases:
        return
    [service_code] = {c.service_code for c in cases}
    service = registry.get(service_code)
    workflow = service.workflow
    assert workflow is not None
    for case in cases:
        rule = workflow.rule_for(case.state, target)
        assert rule is None or (rule.guard is None and not rule.needs_legal_ground), rule
        if rule is None:
            raise Conflict(
                "invalid_transition",
                _("This case cannot move from “%(source)s” to “%(target)s”.")
                % {
                    "source": service.state_label(case.state),
                    "target": service.state_label(target),
                },
            )
    now = clock.now()
    is_open = workflow.is_open(target)
    final = workflow.is_final(target)
    updated = Case.objects.filter(pk__any=[c.pk for c in cases]).update(
        state=target,
        is_open=is_open,
        version=F("version") + 1,
        updated_at=now,
        closed_at=_closed_at(final, now),
    )
    if updated != len(cases):
        raise Conflict(
            "version_conflict",
            _(
                "Someone else changed this case while you were working on it. Reload it and try again."
            ),
        )
    sources = [c.state for c in cases]
    for case in cases:
        case.state, case.is_open, case.version = target, is_open, case.version + 1
        case.updated_at = now
        case.closed_at = (case.closed_at or now) if final else None
    bulk_insert(
        [
            CaseEvent(
                case=case,
                at=now,
                kind=CaseEvent.Kind.STATE_CHANGED,
                action=action,
                actor=None,
                from_state=source,
                to_state=target,
                data=extra,
            )
            for case, source, extra in zip(cases, sources, data, strict=True)
        ]
    )
    audit_record_many(
        actor=None,
        entries=[
            AuditEntry(
                action,
                case,
                person_id=case.applicant_id,
                data={
                    "reference": case.reference,
                    "from": source,
                    "to": target,
                    "legal_ground": None,
                    **extra,
                },
            )
            for case, source, extra in zip(cases, sources, data, strict=True)
        ],
    )


def case_add_event(
    *,
    actor: Any,
    case: Case,
    kind: str,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        at=clock.now(),
        kind=kind,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=action,
        entity=case,
        person_id=case.applicant_id,
        data={"reference": case.reference, **(data or {})},
    )
    return event


def case_assign(*, actor: Any, case: Case, assignee: Any, expected_version: int) -> Case:
    """Give the case to an officer who may act on it, or to nobody (release it); only such
    an officer assigns (a host or an applicant acts on a case only through its workflow).

    Checked in this order: the actor may assign (else 403 `forbidden`); the version the
    actor saw is the case's (else 409 `version_conflict`, nothing changed); the assignee is
    an active officer who may act on the case, of its office or of the head office (else
    `assignee_not_eligible`); the assignee is not the one the case already has (else
    `assignee_unchanged`: nothing is written, no event). The history keeps who had the
    case before."""
    if not _officer_may_act_on(actor, case):
        raise PermissionDenied("forbidden", _("You may not assign this case."))
    if expected_version != case.version:
        raise _assignment_conflict()
    if assignee is not None and not (assignee.is_active and _officer_may_act_on(assignee, case)):
        raise assignee_not_eligible()
    if case.assignee_id == getattr(assignee, "pk", None):
        raise _assignee_unchanged(actor=actor, assignee=assignee)
    # the case as the actor saw it, which the conditional UPDATE below proves current
    previous = case.assignee.username if case.assignee is not None else None
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
            assignee=assignee, version=F("version") + 1, updated_at=clock.now()
        )
        if updated != 1:
            raise _assignment_conflict()
        case.refresh_from_db(fields=["assignee", "version", "updated_at"])
        case_add_event(
            actor=actor,
            case=case,
            kind=CaseEvent.Kind.ASSIGNED,
            action="CASE_ASSIGNED",
            data={"assignee": getattr(assignee, "username", None), "previous": previous},
        )
    return case


def assignee_not_eligible() -> DomainError:
    """The refusal of an assignee the case may not be given to (or of one not found): it
    does not say who the account is."""
    return DomainError(
        "assignee_not_eligible",
        _(
            "This case cannot be given to this person: only an officer of its office or of the head office can work on it."
        ),
        "assignee",
    )


def assignment_action_unknown() -> DomainError:
    """The refusal of an assignment form whose action is none of take, release, assign (an
    edited or forged form)."""
    return DomainError(
        "unknown_action",
        _("This action is unknown: take the case, release it or give it to an officer."),
        "action",
    )


def _assignee_unchanged(*, actor: Any, assignee: Any) -> DomainError:
    """The refusal of an assignment that changes nothing (a form sent again, a page read
    before the case was given to the same officer)."""
    message: Any
    if assignee is None:
        message = _("Nobody is assigned to this case: nothing was changed.")
    elif assignee.pk == getattr(actor, "pk", None):
        message = _("This case is already assigned to you: nothing was changed.")
    else:
        message = _("This case is already assigned to %(officer)s: nothing was changed.") % {
            "officer": assignee.display_name
        }
    return DomainError("assignee_unchanged", message, "assignee")


def _assignment_conflict() -> Conflict:
    return Conflict(
        "version_conflict",
        _("Someone else changed this case while you were working on it. Reload it and try again."),
    )


MAX_REASONS = 2000
# what free text may hold besides visible characters: a text-direction control or another
# character drawn as nothing would make the reasons read otherwise (reversed) on the case's
# page and in the audit log, so it is refused, naming it
LINE_BREAKS = "\n\t"


def case_reasons_clean(*, reasons: str, field: str = "note", required: bool = True) -> str:
    """The reasons given for a decision, as they are kept: line breaks as a browser sends
    them (CR LF) made plain, outer blanks trimmed. Refused when longer than MAX_REASONS
    characters (never cut: the officer shortens them), when empty if `required`, and when
    holding a character drawn as nothing (`invisible_character`)."""
    text = reasons.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text and required:
        raise DomainError("reasons_required", _("Give the reasons for this decision."), field)
    if len(text) > MAX_REASONS:
        raise DomainError(
            "reasons_too_long",
            _("The reasons are too long: at most %(max)d characters, these have %(n)d.")
            % {"max": MAX_REASONS, "n": len(text)},
            field,
        )
    hidden = invisible_character(text, allowed=LINE_BREAKS)
    if hidden is not None:
        raise DomainError(
            "invisible_character",
            _(
                "The reasons contain an invisible character (%(char)s), which can change how "
                "the text reads where it is shown: remove it."
            )
            % {"char": f"U+{ord(hidden):04X}"},
            field,
        )
    return text


def case_note_clean(*, note: str) -> str:
    """An officer's note on a case as it is kept (line breaks made plain, outer blanks
    trimmed); refused when empty, when longer than MAX_REASONS characters (never cut) and
    when holding a character drawn as nothing."""
    text = note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise DomainError(
            "note_required", _("The note is empty: write it before adding it."), "note"
        )
    if len(text) > MAX_REASONS:
        raise DomainError(
            "note_too_long",
            _("The note is too long: at most %(max)d characters, this one has %(n)d.")
            % {"max": MAX_REASONS, "n": len(text)},
            "note",
        )
    hidden = invisible_character(text, allowed=LINE_BREAKS)
    if hidden is not None:
        raise DomainError(
            "invisible_character",
            _(
                "The note contains an invisible character (%(char)s), which can change how "
                "the text reads where it is shown: remove it."
            )
            % {"char": f"U+{ord(hidden):04X}"},
            "note",
        )
    return text


def case_is_overdue(case: Case, at: dt.datetime | None = None) -> bool:
    return bool(case.is_open and case.due_at and case.due_at < (at or clock.now()))
