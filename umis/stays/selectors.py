from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from umis.audit.services import audit_record
from umis.cases.models import CaseEvent
from umis.core.errors import NotFound
from umis.core.prepared import Prepared
from umis.core.text import document_number_clean, storable
from umis.documents.models import IssuedDocument
from umis.people.models import Person
from umis.reference.models import LegalGround
from umis.stays.models import Host, StayRegistration
from umis.stays.workflow import ANNULLED, ENDED

_HOST_OF_MEMBER = Prepared(
    lambda p: Host.objects.select_related("region").filter(members=p["user"]).order_by("id")[:1]
)


def host_for_user(*, user: Any) -> Host | None:
    """The hotel or landlord the account acts for (read on every host request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _HOST_OF_MEMBER.first(user=user.pk)


def _took_over() -> Exists:
    """Whether a host's registration took over a guest's own filing (ADR 18), read with the
    registration itself (`took_over`): the look-up of the filings' numbers is then made only
    for the few that did (see `stay_registration_taken_over`)."""
    return Exists(
        StayRegistration.objects.filter(
            person_id=OuterRef("person_id"),
            superseded_by=OuterRef("pk"),
            filed_by=StayRegistration.FiledBy.FOREIGNER,
            case__events__action="STAY_REGISTRATION_TAKEN_OVER",
        )
    )


def stay_registrations_current(*, host: Host) -> QuerySet[StayRegistration]:
    return (
        StayRegistration.objects.filter(host=host, active=True)
        .select_related("person", "nationality", "travel_document", "case", "region")
        .order_by("-arrival_date", "-id")
    )


RECENTLY_ENDED_DAYS = 30


def stay_registrations_recently_ended(
    *, host: Host, on: dt.date, days: int = RECENTLY_ENDED_DAYS, limit: int = 200
) -> list[StayRegistration]:
    """The host's registrations that ended (the guest left, or moved and was registered at
    another place: `superseded_by`) within `days` before `on`, the latest first. Only what
    the host's own registration holds is read: never the place the guest moved to."""
    return list(
        StayRegistration.objects.filter(
            host=host,
            active=False,
            ended_on__gte=on - dt.timedelta(days=days),
            case__state=ENDED,
        )
        .select_related("person", "case")
        .order_by("-ended_on", "-id")[:limit]
    )


def stay_registration_certificate(*, registration: StayRegistration) -> IssuedDocument | None:
    """The registration's certificate: the last document issued on its case."""
    return IssuedDocument.objects.filter(case_id=registration.case_id).order_by("-id").first()


def stay_registration_get_for_host(*, user: Any, host: Host, reference: str) -> StayRegistration:
    """A registration of this host's, or NotFound (the attempt is audited)."""
    reg = (
        StayRegistration.objects.select_related(
            "person",
            "nationality",
            "travel_document",
            "travel_document__issuing_state",
            "case",
            "region",
            "host",
        )
        .filter(host=host, case__reference=reference)
        .annotate(took_over=_took_over())
        .first()
        if storable(reference)
        else None
    )
    if reg is None:
        audit_record(
            actor=user,
            action="STAY_REGISTRATION_ACCESS_DENIED",
            entity_type="stays.stayregistration",
            entity_id=reference[:60],
        )
        raise NotFound("not_found", _("Not found."))
    return reg


_OWN_RELATED = (
    "person",
    "nationality",
    "travel_document",
    "travel_document__issuing_state",
    "case",
    "region",
)


def stay_registration_get_own(*, reference: str, document_number: str) -> StayRegistration:
    """A registration the foreigner filed himself, found by its number and the number of
    his travel document, or NotFound (the attempt is audited, naming the registration
    number only: a host's registration is never found here)."""
    number = document_number_clean(document_number[:40]) or ""
    reg = (
        StayRegistration.objects.select_related(*_OWN_RELATED)
        .filter(
            filed_by=StayRegistration.FiledBy.FOREIGNER,
            case__reference=reference,
            travel_document__number=number,
        )
        .first()
        if storable(reference) and number
        else None
    )
    if reg is None:
        _own_access_denied(reference)
    return reg


def _own_access_denied(reference: str) -> NoReturn:
    """A foreigner's registration not shown to this browser: NotFound, the attempt audited
    naming the registration number only."""
    audit_record(
        actor=None,
        action="STAY_REGISTRATION_ACCESS_DENIED",
        entity_type="stays.stayregistration",
        entity_id=reference[:60],
        data={"filed_by": "foreigner"},
    )
    raise NotFound("not_found", _("Not found."))


def stay_registration_own_by_reference(*, reference: str) -> StayRegistration | None:
    """A registration the foreigner filed himself, by its number: for a browser already
    shown it (after filing it, or after a look-up with his document number)."""
    if not storable(reference):
        return None
    return (
        StayRegistration.objects.select_related(*_OWN_RELATED)
        .filter(filed_by=StayRegistration.FiledBy.FOREIGNER, case__reference=reference)
        .first()
    )


def stay_registration_own_held(*, reference: str, held: list[str]) -> StayRegistration:
    """A registration the foreigner filed himself, for a browser that holds it (`held`: the
    numbers it filed or looked up with the document number), or NotFound (the attempt is
    audited, naming the registration number only)."""
    reg = stay_registration_own_by_reference(reference=reference) if reference in held else None
    if reg is None:
        _own_access_denied(reference)
    return reg


@dataclass(frozen=True)
class Move:
    """A registration of a guest who, on the day of arrival, held a current registration
    at another place: that one ended on the day of the move."""

    moved_on: dt.date
    same_host: bool  # to another place of the same host (owner): nothing was due
    deadline: dt.date | None  # the last day to register after the move; None: same host
    working_days: int | None  # the rule's working days to the deadline; None: same host
    named: tuple[str, ...] = ()  # the host's own registrations it ended (same host only)

    def notice(self) -> str:
        """What the host is told (in the reader's language); another host's registration is
        never named."""
        moved_on = formats.date_format(self.moved_on, "d.m.Y")
        if self.same_host:
            return gettext(
                "Recorded as a move to another address of the same host: the previous "
                "registration %(references)s was ended on %(date)s. No new registration was "
                "due, so it is not late."
            ) % {"references": ", ".join(self.named), "date": moved_on}
        assert self.deadline is not None and self.working_days is not None
        return ngettext(
            "Recorded as a move: the guest's registration at the previous place of stay was "
            "ended on %(date)s. After a move the guest must be registered again within "
            "%(n)d working day, here by %(deadline)s.",
            "Recorded as a move: the guest's registration at the previous place of stay was "
            "ended on %(date)s. After a move the guest must be registered again within "
            "%(n)d working days, here by %(deadline)s.",
            self.working_days,
        ) % {
            "date": moved_on,
            "n": self.working_days,
            "deadline": formats.date_format(self.deadline, "d.m.Y"),
        }


def stay_registration_move(*, registration: StayRegistration) -> Move | None:
    """The move a registration was recorded as, told as when it was registered; None when
    it was no move. Only a move within one host's places reads anything more: the host's
    own registrations it ended, which it names."""
    if registration.moved_on is None:
        return None
    # a move judged by the move rule; the foreigner's own filing is always judged by it
    if registration.move_deadline is not None or registration.host_id is None:
        return Move(
            moved_on=registration.moved_on,
            same_host=False,
            deadline=registration.move_deadline,
            working_days=registration.move_working_days,
        )
    named = (
        StayRegistration.objects.filter(
            person_id=registration.person_id,
            host_id=registration.host_id,
            superseded_by=registration,
        )
        .order_by("pk")
        .values_list("case__reference", flat=True)
    )
    return Move(
        moved_on=registration.moved_on,
        same_host=True,
        deadline=None,
        working_days=None,
        named=tuple(named),
    )


@dataclass(frozen=True)
class TakeOver:
    """A host's registration that replaced the guest's own filing at the same address (ADR
    18): that filing ended on the day the host's registration begins. Its number and end
    day are the host's to know, the stay being at the host's own address."""

    ended_on: dt.date
    registrations: tuple[str, ...]  # the guest's own filings it ended

    def notice(self) -> str:
        """What the host is told, in the reader's language."""
        return gettext(
            "The guest had registered this stay himself; from %(date)s your "
            "registration replaces his."
        ) % {"date": formats.date_format(self.ended_on, "d.m.Y")}


def stay_registration_taken_over(*, registration: StayRegistration) -> TakeOver | None:
    """The guest's own filings this host's registration took over, told as when it was
    registered; None when it took none over (a move ends them for another reason)."""
    if registration.host_id is None or getattr(registration, "took_over", None) is False:
        return None  # a foreigner's own, or read with its host's and known to take none over
    ended = tuple(
        StayRegistration.objects.filter(
            person_id=registration.person_id,
            superseded_by=registration,
            filed_by=StayRegistration.FiledBy.FOREIGNER,
            case__events__action="STAY_REGISTRATION_TAKEN_OVER",
        )
        .order_by("pk")
        .values_list("case__reference", flat=True)
        .distinct()
    )
    if not ended:
        return None
    return TakeOver(ended_on=registration.arrival_date, registrations=ended)


@dataclass(frozen=True)
class Annulment:
    on: dt.date
    legal_ground: LegalGround | None


def stay_registration_annulment(*, registration: StayRegistration) -> Annulment | None:
    """The annulment of a registration as its receiving party is told it: the day and the
    legal ground of the decision. The officer's reasons stay in the case file."""
    if registration.case.state != ANNULLED:
        return None
    event = (
        CaseEvent.objects.filter(case_id=registration.case_id, action="STAY_REGISTRATION_ANNULLED")
        .select_related("legal_ground")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    return Annulment(on=timezone.localdate(event.at), legal_ground=event.legal_ground)


@dataclass(frozen=True)
class Ending:
    """How a registration that is no longer current came to an end."""

    on: dt.date  # the day the guest left or moved, or the day of the annulment
    # "left" (the host or the foreigner said so), "moved" (ended by a move), "taken_over"
    # (the foreigner's own, by a host's registration at the same address) or "annulled"
    how: str


_ENDED_BY = {
    "STAY_REGISTRATION_ENDED": "left",
    "STAY_REGISTRATION_SUPERSEDED": "moved",
    "STAY_REGISTRATION_TAKEN_OVER": "taken_over",
    "STAY_REGISTRATION_ANNULLED": "annulled",
}


def stay_registration_ending(*, registration: StayRegistration) -> Ending | None:
    """When and how a registration ended, from the case event that ended it; None while it
    is current."""
    if registration.case.state not in (ENDED, ANNULLED):
        return None
    event = (
        CaseEvent.objects.filter(case_id=registration.case_id, action__in=list(_ENDED_BY))
        .only("action", "at")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:  # every ending writes one
        return None
    how = _ENDED_BY[event.action]
    # the guest left or moved on the day the registration names; an annulment is dated
    if how == "annulled" or registration.ended_on is None:
        return Ending(on=timezone.localdate(event.at), how=how)
    return Ending(on=registration.ended_on, how=how)


def stay_registration_for_case(*, case_id: int) -> StayRegistration | None:
    return (
        StayRegistration.objects.select_related(
            "case",
            "host",
            "region",
            "nationality",
            "travel_document",
            "travel_document__issuing_state",
        )
        .filter(case_id=case_id)
        .first()
    )


def stay_registration_differences(
    *, registration: StayRegistration, person: Person | None
) -> set[str]:
    """Which of the guest's date of birth, sex and nationality as registered (typed from the
    passport) differ from those of the person on file the registration is linked to: the
    officer is shown both. A value a row stored before they were kept lacks is no difference."""
    if person is None:
        return set()
    differ: set[str] = set()
    if registration.birth_date is not None and (
        registration.birth_date,
        registration.birth_year_only,
    ) != (person.birth_date, person.birth_year_only):
        differ.add("birth_date")
    if registration.sex and registration.sex != person.sex:
        differ.add("sex")
    if registration.nationality_id and registration.nationality_id != person.nationality_id:
        differ.add("nationality")
    return differ


def stay_cases_filed_by_foreigner(*, case_ids: list[int]) -> set[int]:
    """Of these cases, those of registrations the foreigner filed himself."""
    if not case_ids:
        return set()
    return set(
        StayRegistration.objects.filter(
            case_id__in=case_ids, filed_by=StayRegistration.FiledBy.FOREIGNER
        ).values_list("case_id", flat=True)
    )


def stay_registration_standing(*, registration: StayRegistration, on: dt.date) -> str:
    """Whether the registration is in force on the day, by its own life rather than its case's
    state alone: `annulled`; `ended` (the guest left, or moved and was registered elsewhere);
    `expired` (its planned departure has passed); else `current`."""
    if registration.case.state == ANNULLED:
        return "annulled"
    if registration.case.state == ENDED or registration.ended_on is not None:
        return "ended"
    if registration.planned_departure < on:
        return "expired"
    return "current"


def stay_registration_current_of_person(*, person_id: int, on: dt.date) -> StayRegistration | None:
    """The person's registration in force on the day (arrived by then, planned departure not
    passed, neither ended nor annulled), the latest if several."""
    return (
        StayRegistration.objects.filter(
            person_id=person_id,
            active=True,
            ended_on__isnull=True,
            arrival_date__lte=on,
            planned_departure__gte=on,
        )
        .exclude(case__state__in=(ENDED, ANNULLED))
        .select_related("region")
        .order_by("-arrival_date", "-id")
        .first()
    )


def persons_registered_since(*, arrivals: dict[int, dt.date]) -> set[int]:
    """Of these persons (id → day of arrival), those with a registration made for that stay
    (arrival on or after the day before, not annulled)."""
    out: set[int] = set()
    for person_id, arrival, _office in _registrations_of(list(arrivals)):
        if arrival >= arrivals[person_id] - dt.timedelta(days=1):
            out.add(person_id)
    return out


def _registrations_of(person_ids: list[int]) -> list[tuple[int, dt.date, int]]:
    """(person, arrival date, office) of the registrations of these persons, oldest first;
    one array parameter on PostgreSQL, chunks elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.person_id, r.arrival_date, g.office_id FROM stays_stayregistration r"
                " JOIN cases_case c ON c.id = r.case_id"
                " JOIN reference_region g ON g.id = r.region_id"
                " WHERE r.person_id = ANY(%s) AND c.state <> 'annulled'"
                " ORDER BY r.person_id, r.arrival_date, r.id",
                [person_ids],
            )
            return list(cursor.fetchall())
    out: list[tuple[int, dt.date, int]] = []
    for start in range(0, len(person_ids), 5000):
        out.extend(
            StayRegistration.objects.filter(person_id__in=person_ids[start : start + 5000])
            .exclude(case__state="annulled")
            .order_by("person_id", "arrival_date", "id")
            .values_list("person_id", "arrival_date", "region__office_id")
        )
    return out


def stay_registrations_of_person(*, person_id: int, limit: int = 200) -> list[StayRegistration]:
    return list(
        StayRegistration.objects.filter(person_id=person_id)
        .select_related("case", "host", "region")
        .order_by("-arrival_date", "-id")[:limit]
    )


def person_office_of_latest_registration(*, person_ids: list[int]) -> dict[int, int]:
    """The office of each person's latest registration (where they live)."""
    return {
        person_id: office_id for person_id, _arrival, office_id in _registrations_of(person_ids)
    }
