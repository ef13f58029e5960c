from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import Role, User
from umis.audit.services import audit_record
from umis.cases import registry
from umis.cases.models import Case, CaseEvent
from umis.core.errors import NotFound
from umis.core.text import storable
from umis.core.workflow import Refusal


def case_scope_for_user(user: Any) -> QuerySet[Case]:
    """The cases a user may see: head-office officers all, regional officers their office's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.role == Role.HEAD_OFFICER:
        return Case.objects.all()
    if user.role == Role.REGIONAL_OFFICER and user.office_id:
        return Case.objects.filter(office_id=user.office_id)
    return Case.objects.none()


def case_get_for_user(
    *, user: Any, reference: str, purpose: str = "case work", for_update: bool = False
) -> Case:
    """A case the user may see, or NotFound, with the read (or the refused attempt) audited."""
    qs = case_scope_for_user(user).select_related(
        "applicant", "applicant__nationality", "office", "assignee"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    known = storable(reference)  # a NUL or a lone surrogate is in no stored reference
    case = qs.filter(reference=reference).first() if known else None
    if case is None:
        raise _case_access_denied(user=user, reference=reference)
    if not for_update:
        audit_record(
            actor=user,
            action="CASE_VIEWED",
            entity=case,
            person_id=case.applicant_id,
            data={"purpose": purpose},
        )
    return case


def _case_access_denied(*, user: Any, reference: str) -> NotFound:
    """The refusal of a case the user may not see (or that does not exist), audited."""
    exists = (
        Case.objects.filter(reference=reference).values_list("id", "applicant_id").first()
        if storable(reference)
        else None
    )
    audit_record(
        actor=user,
        action="CASE_ACCESS_DENIED",
        entity_type="cases.case",
        entity_id=str(exists[0]) if exists else reference[:60],
        person_id=exists[1] if exists else None,
        data={"reference": reference[:60], "exists": bool(exists)},
    )
    return NotFound("not_found", _("Not found."))


def case_applicant_for_user(*, user: Any, reference: str) -> tuple[str, int | None]:
    """The reference as stored and the applicant of a case `user` may see, named by its
    number in any letter case; NotFound, the attempt audited as CASE_ACCESS_DENIED, when
    there is no such case the user may see. Nothing else of the case is read."""
    wanted = reference.strip().upper()
    row = (
        case_scope_for_user(user)
        .filter(reference=wanted)
        .values_list("reference", "applicant_id")
        .first()
        if storable(wanted)
        else None
    )
    if row is None:
        raise _case_access_denied(user=user, reference=wanted)
    return row


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""
    state: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    include_closed: bool = False
    # the chosen state is one in which no case waits for action: such cases are listed
    # whether or not "include cases not waiting for action" was ticked
    closed_by_state: bool = False
    # whose cases: "me" (the officer's own), "nobody" (not assigned), "anyone" (assigned
    # to some officer), or "" (all)
    assigned: str = ""


QUEUE_ASSIGNED = ("me", "nobody", "anyone")


@dataclass(frozen=True)
class QueueStateGroup:
    """The states of one service as the queue's filter offers them, in its workflow's order."""

    service: str
    name: str
    states: list[tuple[str, str]]  # (state, label)


def queue_state_groups() -> list[QueueStateGroup]:
    """The states an officer can filter the queue by: service by service (the catalogue's
    order), each in its workflow's order, labelled in the current language. A state code
    used by two services (an e-visa and a registration are both `annulled`) is offered
    under each as `service:state`, which chooses that service's cases only."""
    services = [s for s in registry.all_services() if s.workflow is not None]
    uses = Counter(st for s in services for st in (s.workflow.states if s.workflow else ()))
    groups = []
    for service in services:
        assert service.workflow is not None
        states = [
            (f"{service.code}{STATE_OF}{st}" if uses[st] > 1 else st, service.state_label(st))
            for st in service.workflow.states
        ]
        groups.append(QueueStateGroup(service.code, str(service.name), states))
    return groups


STATE_OF = ":"  # in a queue filter's state: `service:state`, a state of that service only


def queue_state_split(state: str) -> tuple[str, str]:
    """A queue filter's state as (service, state): the service is "" for a state code only
    one service uses."""
    service, _sep, bare = state.rpartition(STATE_OF)
    return service, bare


def queue_state_waits(state: str) -> bool:
    """Whether a case in `state` (or `service:state`) waits for action in its office's
    queue (in any service that has that state, or in that service)."""
    service, bare = queue_state_split(state)
    return any(
        s.workflow is not None and s.workflow.is_open(bare) and service in ("", s.code)
        for s in registry.all_services()
    )


class _OpenThenClosed:
    """The queue with the cases not waiting for action included: the open cases first,
    due first, then the others, the latest due first. Two queries, each read in the order
    of an index (case_queue_idx, or case_queue_all_idx for the head office), rather than
    one that sorts every case of the office on each page."""

    def __init__(self, qs: QuerySet[Case]) -> None:
        self.open = qs.filter(is_open=True).order_by("due_at", "id")
        self.closed = qs.filter(is_open=False).order_by("-due_at", "-id")
        self.open_count: int | None = None

    def count(self) -> int:
        self.open_count = self.open.count()
        return self.open_count + self.closed.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Case]:
        if self.open_count is None:
            self.count()
        assert self.open_count is not None
        start, stop = window.start or 0, window.stop
        rows: list[Case] = []
        if start < self.open_count:
            rows += list(self.open[start : min(stop, self.open_count)])
        if stop > self.open_count:
            rows += list(self.closed[max(0, start - self.open_count) : stop - self.open_count])
        return rows


def case_queue_for_user(
    *, user: Any, filters: QueueFilter, page: int = 1, per_page: int = 25
) -> Page[Case]:
    """The office queue: open cases first due first; filters are whitelisted fields only.
    With the cases not waiting for action included, those follow the open ones, the
    latest due first."""
    qs = case_scope_for_user(user)
    if filters.service:
        qs = qs.filter(service_code=filters.service)
    if filters.state:
        service, state = queue_state_split(filters.state)
        qs = qs.filter(state=state)
        if service:
            qs = qs.filter(service_code=service)
    if filters.submitted_from:
        qs = qs.filter(created_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(created_at__date__lte=filters.submitted_to)
    if filters.assigned == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif filters.assigned == "nobody":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assigned == "anyone":
        qs = qs.filter(assignee__isnull=False)
    qs = qs.select_related("applicant", "office", "assignee")
    if not (filters.include_closed or filters.closed_by_state):
        return Paginator(qs.filter(is_open=True).order_by("due_at", "id"), per_page).get_page(page)
    return Paginator(_OpenThenClosed(qs), per_page).get_page(page)  # type: ignore[arg-type]


@dataclass(frozen=True)
class QueueRow:
    case: Case
    overdue: bool
    due_soon: bool


def case_queue_rows(*, cases: Iterable[Case], at: dt.datetime) -> list[QueueRow]:
    """The queue's cases with their urgency at `at`: only an open case can be overdue or
    due soon; an ended, annulled or decided one has nothing left to do."""
    soon = at + dt.timedelta(hours=24)
    return [
        QueueRow(
            case=c,
            overdue=bool(c.is_open and c.due_at and c.due_at < at),
            due_soon=bool(c.is_open and c.due_at and at <= c.due_at < soon),
        )
        for c in cases
    ]


def case_transition_refusal(*, case: Case, target: str) -> Refusal | None:
    """Why the case cannot move to `target` now although its workflow has the move (its
    guard: a screening hit still open, …), for a page to show the action as unavailable and
    why; None when nothing holds it back. `case_transition` asks the same when it is taken."""
    workflow = registry.get(case.service_code).workflow
    rule = workflow.rule_for(case.state, target) if workflow else None
    if rule is None or rule.guard is None:
        return None
    return rule.guard(case)


def case_assignees(*, case: Case) -> list[User]:
    """The officers a case may be given to: the active officers who may act on it (see
    `case_assign`), those of its office by name, then those of the head office."""
    officers = User.objects.filter(is_active=True).filter(
        Q(role=Role.HEAD_OFFICER) | Q(role=Role.REGIONAL_OFFICER, office_id=case.office_id)
    )
    return sorted(
        officers.select_related("office"),
        key=lambda o: (o.role != Role.REGIONAL_OFFICER, o.display_name.casefold()),
    )


def case_assignee_get(*, user_id: str) -> User | None:
    """The account chosen in a case's assignment form, by its id, whoever it is
    (`case_assign` decides whether the case may go to them); None for a value that names
    no account."""
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18:
        return None
    return User.objects.filter(pk=int(user_id)).first()


def case_history(*, case: Case) -> list[CaseEvent]:
    """A case's events, oldest first, each assignment with the account it names
    (`assignee_account`: the events keep a username) read for all of them in one query."""
    events = list(
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "legal_ground")
        .order_by("at", "id")
    )
    named = {
        str(e.data["assignee"])
        for e in events
        if e.action == "CASE_ASSIGNED" and isinstance(e.data, dict) and e.data.get("assignee")
    }
    accounts = {u.username: u for u in User.objects.filter(username__in=named)} if named else {}
    for e in events:
        if e.action == "CASE_ASSIGNED" and isinstance(e.data, dict):
            e.assignee_account = accounts.get(str(e.data.get("assignee")))  # type: ignore[attr-defined]
    return events


def cases_of_person_for_user(*, user: Any, person_id: int) -> QuerySet[Case]:
    return (
        case_scope_for_user(user)
        .filter(applicant_id=person_id)
        .select_related("office")
        .order_by("created_at", "id")
    )


ANNULLED = "annulled"  # the state of every service whose decisions an officer annuls


@dataclass(frozen=True)
class CaseClosing:
    closed_at: dt.datetime  # the first closing: the decision (an e-visa issued or refused)
    annulled_at: dt.datetime | None  # when the case was annulled, if it was


def case_closing(*, case: Case) -> CaseClosing | None:
    """When a closed case was closed (its decision, kept when the decision is later
    annulled) and, when it is annulled, when that was (its event in the history); None
    while the case is open."""
    if case.closed_at is None:
        return None
    annulled_at = None
    if case.state == ANNULLED:
        annulled_at = (
            CaseEvent.objects.filter(case=case, to_state=ANNULLED)
            .order_by("-at", "-id")
            .values_list("at", flat=True)
            .first()
        )
    return CaseClosing(closed_at=case.closed_at, annulled_at=annulled_at)
