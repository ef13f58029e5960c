from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from umis.audit.services import AuditEntry, audit_record_many
from umis.core.bulk import bulk_insert
from umis.people.identity import PersonData, matchers
from umis.people.models import Person, TravelDocument
from umis.people.names import search_key


def _search_name(d: PersonData) -> str:
    return search_key(" ".join(p for p in (d.surname, d.given_names, d.patronymic) if p))


def person_resolve_many(
    *, actor: Any, items: Sequence[PersonData]
) -> list[tuple[Person, TravelDocument]]:
    """Find or create the person and travel document for each item (call inside a transaction).

    Known documents attach to their person; items sharing a new document in one batch
    become one person.
    """
    resolved: dict[int, Person] = {}
    for matcher in matchers():
        pending = [i for i in range(len(items)) if i not in resolved]
        if not pending:
            break
        hits = matcher([items[i] for i in pending])
        for local, person in hits.items():
            resolved[pending[local]] = person
    first_of_doc: dict[tuple[str, str], int] = {}
    new_people: list[tuple[int, Person]] = []
    for i, d in enumerate(items):
        if i in resolved:
            continue
        if d.document_key in first_of_doc:
            continue
        first_of_doc[d.document_key] = i
        new_people.append(
            (
                i,
                Person(
                    surname=d.surname,
                    given_names=d.given_names,
                    patronymic=d.patronymic,
                    birth_date=d.birth_date,
                    sex=d.sex,
                    nationality_id=d.nationality,
                    search_name=_search_name(d),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                ),
            )
        )
    bulk_insert([p for _, p in new_people])
    for i, p in new_people:
        resolved[i] = p
    for i, d in enumerate(items):
        if i not in resolved:
            resolved[i] = resolved[first_of_doc[d.document_key]]

    keys = {d.document_key for d in items}
    docs: dict[tuple[str, str], TravelDocument] = {
        (doc.issuing_state_id, doc.number): doc
        for doc in TravelDocument.objects.filter(number__in={k[1] for k in keys})
        if (doc.issuing_state_id, doc.number) in keys
    }
    new_docs: list[TravelDocument] = []
    for i, d in enumerate(items):
        if d.document_key in docs:
            continue
        doc = TravelDocument(
            person=resolved[i],
            document_type=d.document_type,
            number=d.document_number,
            issuing_state_id=d.issuing_state,
            expiry_date=d.document_expiry,
            mrz_surname=d.mrz_surname,
            mrz_given_names=d.mrz_given_names,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        docs[d.document_key] = doc
        new_docs.append(doc)
    bulk_insert(new_docs)
    audit_record_many(
        actor=actor,
        entries=[AuditEntry("PERSON_CREATED", p, person_id=p.pk) for _, p in new_people]
        + [
            AuditEntry("TRAVEL_DOCUMENT_ADDED", d, person_id=d.person_id, data={"number": d.number})
            for d in new_docs
        ],
    )
    return [(resolved[i], docs[d.document_key]) for i, d in enumerate(items)]
