from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from umis.audit.services import AuditEntry, audit_record_many, audit_refusal
from umis.cases.services import case_reasons_clean
from umis.core import clock
from umis.core.bulk import bulk_insert, insert_rows, unsaved
from umis.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from umis.people.identity import (
    PersonData,
    block_keys,
    identity_batch,
    matchers,
    review_candidates_many,
    travel_documents_stored,
)
from umis.people.matchkeys import NameParts, name_key
from umis.people.models import IdentityMatch, Person, PersonBlockKey, PersonMerge, TravelDocument
from umis.people.names import search_key
from umis.people.selectors import identity_match_get_for_user, person_merge_get_for_user


def _search_name(d: PersonData) -> str:
    return search_key(" ".join(p for p in (d.surname, d.given_names, d.patronymic) if p))


def person_resolve_many(
    *,
    actor: Any,
    items: Sequence[PersonData],
    stored: dict[tuple[str, str], TravelDocument] | None = None,
    created: set[int] | None = None,
) -> list[tuple[Person, TravelDocument]]:
    """Find or create the person and travel document for each item (call inside a transaction).

    Known documents attach to their person; items sharing a new document in one batch
    become one person. `stored`: the items' documents already on file, when the caller
    has just read them in the same transaction (`travel_documents_stored`; an empty dict
    when it found none), so they are not read again. `created`: a set that receives the
    ids of the people created here; until the transaction commits nothing else refers to
    them, and the document they came with is their only one.
    """
    docs = dict(stored) if stored is not None else travel_documents_stored(items)
    with identity_batch(documents=dict(docs)):
        return _person_resolve_many(actor=actor, items=items, docs=docs, created=created)


def _person_resolve_many(
    *,
    actor: Any,
    items: Sequence[PersonData],
    docs: dict[tuple[str, str], TravelDocument],
    created: set[int] | None,
) -> list[tuple[Person, TravelDocument]]:
    resolved: dict[int, Person] = {}
    linked_by: dict[int, str] = {}
    for matcher in matchers():
        pending = [i for i in range(len(items)) if i not in resolved]
        if not pending:
            break
        hits = matcher([items[i] for i in pending])
        for local, person in hits.items():
            resolved[pending[local]] = person
            linked_by[pending[local]] = getattr(matcher, "__name__", "matcher")
    by = actor.pk if getattr(actor, "is_authenticated", False) else None
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
                unsaved(
                    Person,
                    {
                        "surname": d.surname,
                        "given_names": d.given_names,
                        "patronymic": d.patronymic,
                        "birth_date": d.birth_date,
                        "birth_year_only": d.birth_year_only,
                        "sex": d.sex,
                        "nationality_id": d.nationality,
                        "search_name": _search_name(d),
                        "match_key": name_key(
                            NameParts(d.surname, d.given_names, d.patronymic).full
                        ),
                        "created_by_id": by,
                    },
                ),
            )
        )
    bulk_insert([p for _, p in new_people])
    insert_rows(
        PersonBlockKey,
        ("person_id", "key"),
        [
            (p.pk, key)
            for _, p in new_people
            for key in block_keys(p.surname, p.given_names, p.birth_date, p.birth_year_only)
        ],
    )
    for i, p in new_people:
        resolved[i] = p
    for i, d in enumerate(items):
        if i not in resolved:
            resolved[i] = resolved[first_of_doc[d.document_key]]

    new_docs: list[TravelDocument] = []
    for i, d in enumerate(items):
        if d.document_key in docs:
            continue
        doc = unsaved(
            TravelDocument,
            {
                "person_id": resolved[i].pk,
                "document_type": d.document_type,
                "number": d.document_number,
                "issuing_state_id": d.issuing_state,
                "expiry_date": d.document_expiry,
                "mrz_surname": d.mrz_surname,
                "mrz_given_names": d.mrz_given_names,
                "created_by_id": by,
            },
        )
        TravelDocument.person.field.set_cached_value(doc, resolved[i])
        docs[d.document_key] = doc
        new_docs.append(doc)
    bulk_insert(new_docs)
    tasks = _review_tasks_create(actor=actor, items=items, new_people=new_people)
    new_ids = {p.pk for _, p in new_people}
    if created is not None:
        created |= new_ids
    audit_record_many(
        actor=actor,
        # a new person comes with the document they presented: one event for both
        entries=[
            AuditEntry(
                "PERSON_CREATED",
                p,
                person_id=p.pk,
                data={"document": docs[items[i].document_key].pk},
            )
            for i, p in new_people
        ]
        + [
            AuditEntry("TRAVEL_DOCUMENT_ADDED", d, person_id=d.person_id, data={"number": d.number})
            for d in new_docs
            if d.person_id not in new_ids
        ]
        + [
            AuditEntry(
                "PERSON_IDENTITY_LINKED",
                resolved[i],
                person_id=resolved[i].pk,
                data={"matcher": how, "document": items[i].document_number},
            )
            for i, how in sorted(linked_by.items())
            if how != "match_by_document"
        ]
        + [
            AuditEntry(
                "IDENTITY_MATCH_RAISED",
                t,
                person_id=t.person_id,
                data={"candidate": t.candidate_id, "score": t.score, "source": t.source},
            )
            for t in tasks
        ],
    )
    return [(resolved[i], docs[d.document_key]) for i, d in enumerate(items)]


def document_held_refusals_audit(
    *, actor: Any, items: Sequence[PersonData], held: dict[int, Person], service: str
) -> None:
    """Put each refusal of `documents_held_by_others` in the holder's audit trail: someone
    typed their passport number with another name. Kept even though the refused request
    rolls back."""
    audit_refusal(
        actor=actor,
        entries=[
            AuditEntry(
                "DOCUMENT_HELD_REFUSED",
                holder,
                person_id=holder.pk,
                data={
                    "service": service,
                    "document": items[i].document_number,
                    "issuing_state": items[i].issuing_state,
                },
            )
            for i, holder in sorted(held.items())
        ],
    )


def _review_tasks_create(
    *, actor: Any, items: Sequence[PersonData], new_people: list[tuple[int, Person]]
) -> list[IdentityMatch]:
    """A review task for each new person who resembles a known one (between the thresholds)."""
    new_ids = {p.pk for _, p in new_people}
    tasks: list[IdentityMatch] = []
    found = review_candidates_many([items[i] for i, _ in new_people]) if new_people else []
    for (_i, person), candidates in zip(new_people, found, strict=True):
        for c in candidates:
            if c.person.pk in new_ids:
                continue
            tasks.append(
                IdentityMatch(
                    source=IdentityMatch.Source.INTAKE,
                    person=person,
                    candidate=c.person,
                    score=c.score,
                    reasons=list(c.reasons),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
    IdentityMatch.objects.bulk_create(tasks, batch_size=1000)
    return tasks


# --- merge and unmerge -------------------------------------------------------------------

# the merge history itself, and `merged_into` (an earlier merge into the merged person
# stays as it was recorded)
_KEPT_LINKS = frozenset(
    {
        "people.identitymatch.candidate",
        "people.identitymatch.person",
        "people.person.merged_into",
        "people.personmerge.merged",
        "people.personmerge.survivor",
    }
)
# link → rebuild(person ids): a domain's rows derived from its other rows, one per person
_DERIVED_LINKS: dict[str, Callable[[Sequence[int]], None]] = {}


def _link_key(model: type[models.Model], field: str) -> str:
    return f"{model._meta.label_lower}.{field}"


def person_derived_link_register(
    model: type[models.Model], field: str, rebuild: Callable[[Sequence[int]], None]
) -> None:
    """Declare `model.field` a summary of the person's other rows (border presence, built
    from the crossings): a merge and an unmerge do not move its rows but call
    `rebuild(person_ids)` for both people once everything else has moved."""
    _DERIVED_LINKS[_link_key(model, field)] = rebuild


def _person_links() -> list[tuple[type[models.Model], str]]:
    """Every (model, field) that points at a person, in any app, and is neither merge
    history nor derived: what a merge re-points.

    Found from the model graph, hidden relations (`related_name="+"`) included, so a domain
    added later is covered without a change here.
    """
    links: list[tuple[type[models.Model], str]] = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ForeignObjectRel) or rel.many_to_many:
            continue
        model = rel.related_model
        if not isinstance(model, type):
            continue
        key = _link_key(model, rel.field.name)
        if key in _KEPT_LINKS or key in _DERIVED_LINKS:
            continue
        links.append((model, rel.field.name))
    return sorted(links, key=lambda link: _link_key(*link))


def person_links_handled() -> dict[str, str]:
    """What a merge does with each link to a person: "moved", "rebuilt" or "kept"."""
    handled = {_link_key(m, f): "moved" for m, f in _person_links()}
    handled.update(dict.fromkeys(_DERIVED_LINKS, "rebuilt"))
    handled.update(dict.fromkeys(_KEPT_LINKS, "kept"))
    return handled


def _derived_rebuild(*person_ids: int) -> None:
    for _key, rebuild in sorted(_DERIVED_LINKS.items()):
        rebuild(sorted(person_ids))


def _reason(reason: str) -> str:
    """The reason as kept: blanks and line breaks made single spaces; required, and refused
    (never cut) when longer than MAX_REASONS characters."""
    text = case_reasons_clean(reasons=" ".join(reason.split()), field="reason", required=False)
    if not text:
        raise DomainError("reason_required", _("Give the reason for this decision."), "reason")
    return text


def _lock_people(*ids: int) -> dict[int, Person]:
    people = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(people) != len(set(ids)):
        raise NotFound("not_found", _("Not found"))
    return people


def person_merge(
    *, actor: Any, survivor_id: int, merged_id: int, reason: str, match: IdentityMatch | None = None
) -> PersonMerge:
    """Merge person `merged_id` into `survivor_id`: every case, document, registration and
    other record of the merged person is re-pointed to the survivor, and each moved row is
    kept in the merge record so `person_unmerge` can put it back. Rows a domain derives
    from the others (border presence) are built again for both people."""
    text = _reason(reason)
    if survivor_id == merged_id:
        raise DomainError("same_person", _("A person cannot be merged with themselves."))
    with transaction.atomic():
        people = _lock_people(survivor_id, merged_id)
        survivor, merged = people[survivor_id], people[merged_id]
        if survivor.merged_into_id or merged.merged_into_id:
            raise Conflict(
                "already_merged",
                _("One of these records has already been merged into another. Reload the page."),
            )
        moved: dict[str, list[int]] = {}
        for model, field in _person_links():
            rows = model._base_manager.filter(**{field: merged})
            pks = sorted(rows.values_list("pk", flat=True))
            if pks:
                try:
                    with transaction.atomic():  # a savepoint: the caller's transaction stays usable
                        rows.update(**{field: survivor})
                except IntegrityError as exc:  # the whole merge rolls back
                    raise Conflict(
                        "merge_conflict",
                        _(
                            "Both records hold something only one person can have (for example an overstay finding for the same stay). Close one of them, then merge again."
                        ),
                    ) from exc
                moved[_link_key(model, field)] = pks
        _derived_rebuild(survivor.pk, merged.pk)
        others = IdentityMatch.objects.filter(
            Q(person=merged) | Q(candidate=merged), status=IdentityMatch.Status.OPEN
        )
        if match is not None:
            others = others.exclude(pk=match.pk)
        superseded = sorted(others.values_list("pk", flat=True))
        others.update(status=IdentityMatch.Status.SUPERSEDED, version=F("version") + 1)
        if superseded:
            moved["people.identitymatch.superseded"] = superseded
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into", "updated_at"])
        record = PersonMerge.objects.create(
            survivor=survivor,
            merged=merged,
            match=match,
            reason=text,
            moved=moved,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        counts = {k: len(v) for k, v in moved.items()}
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "PERSON_MERGED",
                    record,
                    person_id=pid,
                    data={
                        "survivor": survivor.pk,
                        "merged": merged.pk,
                        "reason": text,
                        "moved": counts,
                    },
                )
                for pid in (survivor.pk, merged.pk)
            ],
        )
    return record


def person_unmerge(*, actor: Any, merge_id: int, expected_version: int, reason: str) -> PersonMerge:
    """Undo a merge: the rows it moved go back to the merged person (those still on the
    survivor), the merged person stands alone again, and the pair is kept separate. A merge
    outside the officer's scope is NotFound (audited)."""
    person_merge_get_for_user(user=actor, merge_id=merge_id)
    text = _reason(reason)
    with transaction.atomic():
        record = PersonMerge.objects.select_for_update().filter(pk=merge_id).first()
        if record is None:
            raise NotFound("not_found", _("Not found"))
        if record.unmerged_at is not None or record.version != expected_version:
            raise Conflict(
                "version_conflict",
                _("Someone else changed this record while you were working on it. Reload it."),
            )
        people = _lock_people(record.survivor_id, record.merged_id)
        survivor, merged = people[record.survivor_id], people[record.merged_id]
        if survivor.merged_into_id:
            raise Conflict(
                "survivor_merged",
                _("The surviving record was merged again later; undo that merge first."),
            )
        links = {_link_key(m, f): (m, f) for m, f in _person_links()}
        restored: dict[str, int] = {}
        for key, pks in record.moved.items():
            if key == "people.identitymatch.superseded":
                IdentityMatch.objects.filter(
                    pk__in=pks, status=IdentityMatch.Status.SUPERSEDED
                ).update(status=IdentityMatch.Status.OPEN, version=F("version") + 1)
                continue
            if key not in links:
                continue
            model, field = links[key]
            restored[key] = model._base_manager.filter(pk__in=pks, **{field: survivor}).update(
                **{field: merged}
            )
        _derived_rebuild(survivor.pk, merged.pk)
        merged.merged_into = None
        merged.save(update_fields=["merged_into", "updated_at"])
        now = clock.now()
        record.unmerged_at = now
        record.unmerged_by = actor if getattr(actor, "is_authenticated", False) else None
        record.unmerge_reason = text
        record.version += 1
        record.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason", "version"])
        if record.match_id:
            IdentityMatch.objects.filter(pk=record.match_id).update(
                status=IdentityMatch.Status.SEPARATE,
                decision_reason=text,
                decided_at=now,
                decided_by=record.unmerged_by,
                version=F("version") + 1,
            )
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "PERSON_UNMERGED",
                    record,
                    person_id=pid,
                    data={
                        "survivor": survivor.pk,
                        "merged": merged.pk,
                        "reason": text,
                        "restored": restored,
                    },
                )
                for pid in (survivor.pk, merged.pk)
            ],
        )
    return record


class MatchDecision:
    LINK = "link"
    SEPARATE = "separate"
    CHOICES = (LINK, SEPARATE)


def identity_match_decision_clean(*, decision: str, reason: str) -> str:
    """The reason of a decision on a possible duplicate as kept, or ValidationFailed naming
    each field that is wrong (the decision, the reason)."""
    errors: list[FieldError] = []
    if decision not in MatchDecision.CHOICES:
        errors.append(
            FieldError("invalid_decision", _("Choose link or keep separate."), "decision")
        )
    try:
        text = _reason(reason)
    except DomainError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return text


def identity_match_decide(
    *, actor: Any, match_id: int, decision: str, reason: str, expected_version: int
) -> IdentityMatch:
    """An officer's decision on a possible duplicate: link (merge the newer record into the
    older one) or keep separate. 404 outside the officer's scope, 409 on a stale version."""
    # 404 (audited) outside the officer's scope, whatever was posted
    identity_match_get_for_user(user=actor, match_id=match_id, audit_read=False)
    text = identity_match_decision_clean(decision=decision, reason=reason)
    with transaction.atomic():
        match = identity_match_get_for_user(
            user=actor, match_id=match_id, for_update=True, audit_read=False
        )
        if match.status != IdentityMatch.Status.OPEN or match.version != expected_version:
            raise Conflict(
                "version_conflict",
                _("Someone else changed this record while you were working on it. Reload it."),
            )
        now = clock.now()
        if decision == MatchDecision.LINK:
            survivor, merged = sorted((match.person_id, match.candidate_id))
            person_merge(
                actor=actor, survivor_id=survivor, merged_id=merged, reason=text, match=match
            )
            match.status = IdentityMatch.Status.LINKED
        else:
            match.status = IdentityMatch.Status.SEPARATE
        match.decided_by = actor
        match.decided_at = now
        match.decision_reason = text
        match.version += 1
        match.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "version"]
        )
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "IDENTITY_MATCH_LINKED"
                    if decision == MatchDecision.LINK
                    else "IDENTITY_MATCH_KEPT_SEPARATE",
                    match,
                    person_id=pid,
                    data={
                        "person": match.person_id,
                        "candidate": match.candidate_id,
                        "reason": text,
                    },
                )
                for pid in (match.person_id, match.candidate_id)
            ],
        )
    return match


def identity_matches_propose(
    *, actor: Any, proposals: Sequence[tuple[int, int, float, Sequence[str]]]
) -> list[IdentityMatch]:
    """Store batch-dedup proposals (person id, person id, probability 0..1, reasons) as
    review tasks. A pair already proposed — open, linked or kept separate — is not raised
    again; people merged in the meantime are skipped."""
    standing = set(
        Person.objects.filter(
            pk__in={i for p in proposals for i in p[:2]}, merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    wanted = {
        (max(a, b), min(a, b)): (prob, reasons)
        for a, b, prob, reasons in proposals
        if a != b and a in standing and b in standing
    }
    known: set[tuple[int, int]] = set()
    ids = list({i for pair in wanted for i in pair})
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for a, b in IdentityMatch.objects.filter(person_id__in=chunk).values_list(
            "person_id", "candidate_id"
        ):
            known.add((max(a, b), min(a, b)))
    created_by = actor if getattr(actor, "is_authenticated", False) else None
    new = [
        IdentityMatch(
            source=IdentityMatch.Source.DEDUP,
            person_id=a,
            candidate_id=b,
            score=round(prob * 100, 1),
            reasons=list(reasons),
            created_by=created_by,
        )
        for (a, b), (prob, reasons) in sorted(wanted.items())
        if (a, b) not in known
    ]
    with transaction.atomic():
        IdentityMatch.objects.bulk_create(new, batch_size=1000)
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    "IDENTITY_MATCH_RAISED",
                    m,
                    person_id=m.person_id,
                    data={"candidate": m.candidate_id, "score": m.score, "source": m.source},
                )
                for m in new
            ],
        )
    return new
