from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from umis.audit.services import audit_record
from umis.core.errors import NotFound
from umis.people.models import Person
from umis.people.names import search_key


def _staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_staff_member", False)
    )


def person_search(
    *,
    user: Any,
    name: str = "",
    birth_date: dt.date | None = None,
    document_number: str = "",
    limit: int = 50,
) -> QuerySet[Person]:
    """Staff search by name (any script, case/diacritic-blind), date of birth, document number."""
    if not _staff(user):
        return Person.objects.none()
    qs = Person.objects.filter(merged_into__isnull=True)
    key = search_key(name)
    for token in key.split():
        qs = qs.filter(search_name__contains=token)
    if birth_date:
        qs = qs.filter(birth_date=birth_date)
    if document_number.strip():
        qs = qs.filter(documents__number=document_number.strip().upper())
    if not (key or birth_date or document_number.strip()):
        return Person.objects.none()
    return (
        qs.select_related("nationality").order_by("surname", "given_names", "id").distinct()[:limit]
    )


def person_get_for_user(*, user: Any, person_id: int, purpose: str) -> Person:
    """A person's file for staff; the read is audited with its purpose."""
    person = (
        Person.objects.select_related("nationality").filter(pk=person_id).first()
        if _staff(user)
        else None
    )
    if person is None:
        audit_record(
            actor=user,
            action="PERSON_ACCESS_DENIED",
            entity_type="people.person",
            entity_id=str(person_id),
        )
        raise NotFound("not_found", "Not found")
    audit_record(
        actor=user,
        action="PERSON_VIEWED",
        entity=person,
        person_id=person.pk,
        data={"purpose": purpose},
    )
    return person
