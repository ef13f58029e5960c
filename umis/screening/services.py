"""Writes: watchlist entries (with history) and screening hits (raised on intake, decided by
officers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from umis.accounts.models import Role
from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.cases.models import Case, CaseEvent
from umis.cases.services import case_reasons_clean
from umis.core import clock
from umis.core.errors import (
    Conflict,
    DomainError,
    ErrorCollector,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from umis.core.once import form_token_valid, submitted_once
from umis.core.prepared import Prepared
from umis.core.races import atomic_retried
from umis.people.models import Person, TravelDocument
from umis.reference.models import LegalGround
from umis.reference.selectors import ReferenceSnapshot
from umis.screening.engine import index_current, screening_threshold
from umis.screening.index import Query
from umis.screening.models import (
    Category,
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
    WatchlistEntryEvent,
    WatchlistImport,
    WatchlistSequence,
)
from umis.screening.validation import MAX_REASON, EntryData, entry_parse, reason_hidden_error

MAX_API_IMPORT = 10_000
# an uploaded file: as large as a request may carry (100,000 entries are some 8 MB of CSV)
MAX_IMPORT_BYTES: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _next_seq() -> int:
    """Bump the watchlist change counter (serialises watchlist writers; call in a transaction)."""
    WatchlistSequence.objects.get_or_create(pk=1)
    row = WatchlistSequence.objects.select_for_update().get(pk=1)
    row.value += 1
    row.save(update_fields=["value"])
    return row.value


def watchlist_get_or_create(
    *, actor: Any, code: str, name: str = "", name_az: str = "", name_ru: str = ""
) -> Watchlist:
    """The list with this code; a new one is named as given (English, Azerbaijani, Russian)."""
    with transaction.atomic():
        wl = Watchlist.objects.filter(code=code).first()
        if wl is None:
            wl = Watchlist.objects.create(
                code=code,
                name=name or code,
                name_az=name_az,
                name_ru=name_ru,
                created_by=_user(actor),
            )
            audit_record(actor=actor, action="WATCHLIST_CREATED", entity=wl, data={"code": code})
        return wl


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, list[FieldError]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [
                {"index": i, "errors": [e.to_dict() for e in errs]} for i, errs in self.errors
            ],
        }


def _jsonable(fields: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(fields), default=str))


def _write_batch(
    *, actor: Any, watchlist: Watchlist, items: Sequence[EntryData], result: ImportResult
) -> None:
    seq = _next_seq()
    now = clock.now()
    by_ext = {
        e.external_id: e
        for e in WatchlistEntry.objects.filter(
            watchlist=watchlist, external_id__in=[d.external_id for d in items if d.external_id]
        )
    }
    new: list[WatchlistEntry] = []
    changed: list[tuple[WatchlistEntry, dict[str, Any]]] = []
    for d in items:
        fields = d.as_fields()
        existing = by_ext.get(d.external_id) if d.external_id else None
        if existing is None:
            entry = WatchlistEntry(
                watchlist=watchlist,
                external_id=d.external_id,
                change_seq=seq,
                created_by=_user(actor),
                **fields,
            )
            new.append(entry)
            if d.external_id:
                by_ext[d.external_id] = entry
            continue
        before = {k: getattr(existing, k) for k in fields}
        diff = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if not diff and existing.active:
            result.unchanged += 1
            continue
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.active = True
        existing.version += 1
        existing.change_seq = seq
        changed.append((existing, diff))
    WatchlistEntry.objects.bulk_create(new, batch_size=1000)
    if changed:
        WatchlistEntry.objects.bulk_update(
            [e for e, _ in changed],
            [*EntryData.__dataclass_fields__.keys() - {"external_id", "extra"}]
            + ["active", "version", "change_seq", "updated_at"],
            batch_size=1000,
        )
    WatchlistEntryEvent.objects.bulk_create(
        [
            WatchlistEntryEvent(
                entry=e, at=now, actor=_user(actor), action="CREATED", version=1, changes={}
            )
            for e in new
        ]
        + [
            WatchlistEntryEvent(
                entry=e,
                at=now,
                actor=_user(actor),
                action="UPDATED",
                version=e.version,
                changes=_jsonable(diff),
            )
            for e, diff in changed
        ],
        batch_size=1000,
    )
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "WATCHLIST_ENTRY_CREATED",
                e,
                person_id=e.person_id,
                data={"watchlist": watchlist.code, "category": e.category},
            )
            for e in new
        ]
        + [
            AuditEntry(
                "WATCHLIST_ENTRY_UPDATED",
                e,
                person_id=e.person_id,
                data={"watchlist": watchlist.code, "fields": sorted(diff)},
            )
            for e, diff in changed
        ],
    )
    result.created += len(new)
    result.updated += len(changed)


def watchlist_import(
    *,
    actor: Any,
    watchlist: Watchlist,
    raws: Sequence[Mapping[str, Any]],
    default_source: str = "",
    skip_invalid: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    one_transaction: bool = True,
) -> ImportResult:
    """Add or update entries (matched on `external_id`). Invalid rows refuse the whole import
    (nothing written) unless `skip_invalid`; each batch is written with its history and audit."""
    return _import(
        actor=actor,
        watchlist=lambda: watchlist,
        raws=raws,
        default_source=default_source,
        skip_invalid=skip_invalid,
        batch_size=batch_size,
        progress=progress,
        one_transaction=one_transaction,
    )


def watchlist_import_by_code(
    *,
    actor: Any,
    code: str,
    name: str = "",
    raws: Sequence[Mapping[str, Any]],
    default_source: str = "",
    skip_invalid: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    one_transaction: bool = True,
) -> ImportResult:
    """`watchlist_import` into the list with this code, creating the list (audited) only when
    the import goes ahead: a refused file leaves no empty list behind."""
    return _import(
        actor=actor,
        watchlist=lambda: watchlist_get_or_create(actor=actor, code=code, name=name),
        raws=raws,
        default_source=default_source,
        skip_invalid=skip_invalid,
        batch_size=batch_size,
        progress=progress,
        one_transaction=one_transaction,
    )


def _import(
    *,
    actor: Any,
    watchlist: Callable[[], Watchlist],
    raws: Sequence[Mapping[str, Any]],
    default_source: str,
    skip_invalid: bool,
    batch_size: int,
    progress: Callable[[int], None] | None,
    one_transaction: bool,
) -> ImportResult:
    """Parse every row, then, if the import goes ahead, write them to `watchlist()`."""
    parsed, result = _entries_parse(raws, default_source=default_source)
    if result.errors and not skip_invalid:
        return result
    _entries_write(
        actor=actor,
        watchlist=watchlist(),
        parsed=parsed,
        result=result,
        batch_size=batch_size,
        progress=progress,
        one_transaction=one_transaction,
    )
    return result


def _entries_parse(
    raws: Sequence[Mapping[str, Any]], *, default_source: str
) -> tuple[list[EntryData], ImportResult]:
    """The valid rows, and the others' errors by index in `result.errors`."""
    indexed, result = _entries_parse_indexed(raws, default_source=default_source)
    return [d for _i, d in indexed], result


def _entries_parse_indexed(
    raws: Sequence[Mapping[str, Any]], *, default_source: str
) -> tuple[list[tuple[int, EntryData]], ImportResult]:
    """The valid rows with their index in `raws`, and the others' errors by index in
    `result.errors`."""
    ref = ReferenceSnapshot()
    result = ImportResult()
    parsed: list[tuple[int, EntryData]] = []
    seen: set[str] = set()
    for i, raw in enumerate(raws):
        out = entry_parse(raw, ref=ref, default_source=default_source)
        if not isinstance(out, list) and out.external_id in seen:
            out = [
                FieldError(
                    "duplicate_in_batch",
                    _("Another entry of this import has the same external id."),
                    "external_id",
                )
            ]
        if isinstance(out, list):
            result.errors.append((i, out))
        else:
            parsed.append((i, out))
            if out.external_id:
                seen.add(out.external_id)
    return parsed, result


def _entries_write(
    *,
    actor: Any,
    watchlist: Watchlist,
    parsed: Sequence[EntryData],
    result: ImportResult,
    batch_size: int,
    progress: Callable[[int], None] | None,
    one_transaction: bool,
) -> None:
    if one_transaction:
        with transaction.atomic():
            for start in range(0, len(parsed), batch_size):
                chunk = parsed[start : start + batch_size]
                _write_batch(actor=actor, watchlist=watchlist, items=chunk, result=result)
                if progress:
                    progress(len(chunk))
    else:
        for start in range(0, len(parsed), batch_size):
            if start:
                _let_other_writers_in()
            chunk = parsed[start : start + batch_size]
            with transaction.atomic():
                _write_batch(actor=actor, watchlist=watchlist, items=chunk, result=result)
            if progress:
                progress(len(chunk))


# SQLite has one writer at a time, and a writer kept waiting retries the lock only every
# 100 ms (its busy handler's longest sleep): an import that begins its next batch as soon
# as it commits the last takes the lock back before any of them retries, batch after batch,
# until they give up after the busy timeout ("database is locked"). A pause a little longer
# than that between batches lets each of them in. PostgreSQL's writers do not queue on one
# lock, and its imports do not pause.
SQLITE_WRITER_PAUSE = 0.15  # seconds


def _let_other_writers_in() -> None:
    if connection.vendor == "sqlite":
        time.sleep(SQLITE_WRITER_PAUSE)


def watchlist_entry_withdraw(
    *, actor: Any, entry: WatchlistEntry, reason: str, expected_version: int
) -> WatchlistEntry:
    """Take an entry off the list (kept, with its history); it no longer raises hits.

    The reason (outer blanks trimmed) is refused when longer than MAX_REASON characters,
    as an entry's own reason is on import, never cut: it is kept whole in the entry's
    history and in the audit row (WATCHLIST_ENTRY_WITHDRAWN, `reason`). A reason holding a
    character drawn as nothing is refused naming it (`invisible_character`)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_required", _("Give the reason."), "reason")
    if len(reason) > MAX_REASON:  # refused, never cut: the grounds of taking a listing off
        raise DomainError(
            "too_long",
            _("At most %(n)d characters (this has %(length)d).")
            % {"n": MAX_REASON, "length": len(reason)},
            "reason",
        )
    hidden = reason_hidden_error(reason, allowed="\r\n\t")  # line breaks kept as typed
    if hidden is not None:
        raise DomainError(hidden.code, hidden.message, hidden.field)
    with transaction.atomic():
        locked = WatchlistEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.version != expected_version:
            raise Conflict("stale_version", _("Someone changed this entry meanwhile. Reload it."))
        if not locked.active:
            raise DomainError("not_active", _("This entry is already withdrawn."))
        locked.active = False
        locked.version += 1
        locked.change_seq = _next_seq()
        locked.save(update_fields=["active", "version", "change_seq", "updated_at"])
        WatchlistEntryEvent.objects.create(
            entry=locked,
            at=clock.now(),
            actor=_user(actor),
            action="WITHDRAWN",
            version=locked.version,
            note=reason,
        )
        audit_record(
            actor=actor,
            action="WATCHLIST_ENTRY_WITHDRAWN",
            entity=locked,
            person_id=locked.person_id,
            data={"reason": reason},
        )
    return locked


def entry_ban_from_expulsion(
    *,
    actor: Any,
    person: Person,
    case: Case,
    valid_from: dt.date,
    valid_until: dt.date | None,
    legal_ground: LegalGround | None,
    reason: str,
) -> WatchlistEntry:
    """An expulsion decision bans the person's entry: the entry names the deciding case."""
    watchlist = watchlist_get_or_create(actor=actor, code="entry-bans", name=str(_("Entry bans")))
    doc = person.documents.order_by("-created_at").first()
    raw = {
        "category": Category.ENTRY_BAN,
        "external_id": f"case:{case.reference}",
        "full_name": person.full_name,
        "aliases": [f"{doc.mrz_surname} {doc.mrz_given_names}".strip()]
        if doc and doc.mrz_surname
        else [],
        "birth_date": person.birth_date.isoformat(),
        "nationality": person.nationality_id,
        "sex": person.sex,
        "document_number": doc.number if doc else "",
        "issuing_state": doc.issuing_state_id if doc else "",
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat() if valid_until else "",
        "reason": reason or (legal_ground.citation if legal_ground else ""),
        "source": "expulsion decision",
        "source_reference": case.reference,
    }
    with transaction.atomic():
        result = watchlist_import(actor=actor, watchlist=watchlist, raws=[raw])
        if result.errors:
            raise ValidationFailed(result.errors[0][1])
        entry = WatchlistEntry.objects.get(
            watchlist=watchlist, external_id=f"case:{case.reference}"
        )
        WatchlistEntry.objects.filter(pk=entry.pk).update(person=person, legal_ground=legal_ground)
        entry.refresh_from_db()
    return entry


# --- screening on intake ------------------------------------------------------------------


class DocumentView(Protocol):
    """What screening reads of a travel document (a `TravelDocument` or a `DocumentRow`)."""

    @property
    def pk(self) -> Any: ...
    @property
    def issuing_state_id(self) -> Any: ...
    @property
    def number(self) -> str: ...
    @property
    def mrz_surname(self) -> str: ...
    @property
    def mrz_given_names(self) -> str: ...
    @property
    def created_at(self) -> dt.datetime: ...


class DocumentRow(NamedTuple):
    person_id: int
    pk: int
    issuing_state_id: str
    number: str
    mrz_surname: str
    mrz_given_names: str
    created_at: dt.datetime


_DOCUMENTS_OF = Prepared(
    lambda p: TravelDocument.objects.filter(person_id__any=p["people[]"]).values_list(
        *DocumentRow._fields
    )
)


def _documents_of(person_ids: Iterable[int]) -> dict[int, list[DocumentRow]]:
    """Every travel document of these people, as plain rows, in one query."""
    found: dict[int, list[DocumentRow]] = {}
    people = sorted(set(person_ids))
    if not people:
        return found
    for values in _DOCUMENTS_OF.all(people=people):
        row = DocumentRow(*values)
        found.setdefault(row.person_id, []).append(row)
    return found


def person_fingerprint(person: Person, documents: Sequence[DocumentView]) -> str:
    """What screening looked at: a change of name, birth date, nationality or documents
    changes it, so a dismissed hit is raised again."""
    docs = sorted(
        f"{d.issuing_state_id}:{d.number}:{d.mrz_surname}:{d.mrz_given_names}" for d in documents
    )
    payload = [
        person.surname,
        person.given_names,
        person.patronymic,
        person.birth_date.isoformat(),
        person.nationality_id,
        docs,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def person_query(
    person: Person,
    *,
    document: DocumentView | None = None,
    documents: Sequence[DocumentView],
    also: Sequence[str] = (),
) -> Query:
    """The person's names (as registered, as in every document's MRZ, and `also`: the names
    given on the case, as typed), date of birth, nationality and one travel document for the
    exact document check: the one given (the document presented on the case), else the
    latest recorded."""
    names = [f"{person.surname} {person.given_names} {person.patronymic}".strip()]
    for d in documents:
        if d.mrz_surname:
            names.append(f"{d.mrz_surname} {d.mrz_given_names}".strip())
    names.extend(n for n in (" ".join(a.split()) for a in also) if n)
    doc = document or max(documents, key=lambda d: (d.created_at, d.pk), default=None)
    return Query(
        names=tuple(dict.fromkeys(names)),
        birth_date=person.birth_date,
        nationality=person.nationality_id,
        document_number=doc.number if doc else "",
        issuing_state=doc.issuing_state_id if doc else "",
    )


def _in_force(entry: WatchlistEntry, today: dt.date) -> bool:
    return (
        entry.active
        and (entry.valid_from is None or entry.valid_from <= today)
        and (entry.valid_until is None or entry.valid_until >= today)
    )


def screening_screen_cases(
    *,
    actor: Any,
    items: Sequence[tuple[Case, Person]],
    documents: Mapping[int, TravelDocument] | None = None,
    names: Mapping[int, Sequence[str]] | None = None,
    known_documents: Mapping[int, Sequence[DocumentView]] | None = None,
) -> dict[int, list[ScreeningHit]]:
    """Screen each case's person (call inside the intake's transaction). A hit at or above
    the threshold is stored, alerts the case's office and flags the case; the intake itself
    goes on. A pair an officer dismissed is not raised again while entry and person stay
    the same. `documents` (case id → travel document) names the document presented on a
    case, checked against the lost, stolen and invalid documents by its number; without
    it, the person's latest document is. `names` (case id → names) are the names given on
    a case as typed, which may differ from those the person is on file under: screened with
    them in the same search, an entry matching either is one hit, at its best score.
    `known_documents` (person id → every document of the person): people whose documents
    the caller holds, such as people it has just created in the same transaction, whose
    documents are then not read again."""
    if not items:
        return {}
    index = index_current()
    threshold = screening_threshold()
    today = clock.today()
    known = known_documents or {}
    docs_of: dict[int, Sequence[DocumentView]] = {
        **_documents_of(p.pk for _, p in items if p.pk not in known),
        **{p.pk: known[p.pk] for _, p in items if p.pk in known},
    }
    found: list[tuple[Case, Person, str, Any]] = []
    for case, p in items:
        docs = docs_of.get(p.pk, [])
        doc = (documents or {}).get(case.pk)
        query = person_query(p, document=doc, documents=docs, also=(names or {}).get(case.pk, ()))
        candidates = index.search(query, threshold=threshold, limit=10)
        if candidates:
            fp = person_fingerprint(p, docs)
            found.extend((case, p, fp, cand) for cand in candidates)
    if not found:
        return {}
    entries = WatchlistEntry.objects.in_bulk({c.entry_id for _, _, _, c in found})
    dismissed = set(
        ScreeningHit.objects.filter(
            person_id__in=[p.pk for _, p, _, _ in found],
            entry_id__in=list(entries),
            status=ScreeningHit.Status.DISMISSED,
        ).values_list("person_id", "entry_id", "entry_version", "person_fingerprint")
    )
    hits: list[ScreeningHit] = []
    for case, p, fp, cand in found:
        entry = entries.get(cand.entry_id)
        if entry is None or not _in_force(entry, today):
            continue
        if (p.pk, entry.pk, entry.version, fp) in dismissed:
            continue
        hits.append(
            ScreeningHit(
                entry=entry,
                person=p,
                case=case,
                office_id=case.office_id,
                score=cand.score,
                reasons=cand.reasons,
                entry_version=entry.version,
                person_fingerprint=fp,
                created_by=_user(actor),
            )
        )
    ScreeningHit.objects.bulk_create(hits)
    case_of = {h.pk: h.case for h in hits if h.case is not None}
    out: dict[int, list[ScreeningHit]] = {}
    for h in hits:
        out.setdefault(h.case_id or 0, []).append(h)
    now = clock.now()
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case_of[h.pk],
                at=now,
                kind=CaseEvent.Kind.ALERT,
                action="SCREENING_HIT_RAISED",
                # no words in the note: it is shown in every language (the category is
                # in the data and named by the case page's hits table)
                note=f"{h.entry.full_name or h.entry.document_number} ({h.score:g})",
                data={
                    "hit": h.pk,
                    "entry": h.entry_id,
                    "score": h.score,
                    "category": h.entry.category,
                },
            )
            for h in hits
            if h.pk in case_of
        ]
    )
    Case.objects.filter(pk__in=[h.case_id for h in hits]).update(needs_attention=True)
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                "SCREENING_HIT_RAISED",
                h,
                person_id=h.person_id,
                data={"entry": h.entry_id, "score": h.score, "case": h.case_id},
            )
            for h in hits
        ],
    )
    return out


def hit_scope_for_user(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ScreeningHit.objects.none()
    if user.role == Role.HEAD_OFFICER:
        return ScreeningHit.objects.all()
    if user.role == Role.REGIONAL_OFFICER and user.office_id:
        return ScreeningHit.objects.filter(office_id=user.office_id)
    return ScreeningHit.objects.none()


def screening_hit_decision_clean(*, decision: str, reason: str) -> str:
    """The reasons of a decision on a hit as they are kept, or ValidationFailed naming each
    field that is wrong: the decision, the reasons (required; refused, never cut, when too
    long)."""
    errors: list[FieldError] = []
    if decision not in {"confirm", "dismiss"}:
        errors.append(FieldError("invalid_decision", _("Choose confirm or dismiss."), "decision"))
    try:
        reason = case_reasons_clean(reasons=reason, field="reason", required=False)
    except DomainError as exc:
        errors.extend(exc.errors)
    else:
        if not reason:
            errors.append(
                FieldError("reason_required", _("Give the reason for the decision."), "reason")
            )
    if errors:
        raise ValidationFailed(errors)
    return reason


def screening_hit_decide(
    *, actor: Any, hit_id: int, decision: str, reason: str, expected_version: int
) -> ScreeningHit:
    """An officer confirms the hit (it is the listed person) or dismisses it (not the same
    person), with the reason (refused, never cut, when longer than MAX_REASONS characters):
    kept whole on the hit, in the case's history and in the audit row."""
    # The access check first: outside the officer's scope the answer is 404 (and audited)
    # whatever was posted.
    if not hit_scope_for_user(actor).filter(pk=hit_id).exists():
        audit_record(
            actor=actor,
            action="SCREENING_HIT_ACCESS_DENIED",
            entity_type="screening.screeninghit",
            entity_id=str(hit_id),
        )
        raise NotFound("not_found", _("Not found."))
    reason = screening_hit_decision_clean(decision=decision, reason=reason)
    with transaction.atomic():
        hit = hit_scope_for_user(actor).select_for_update().get(pk=hit_id)
        if hit.version != expected_version:
            if hit.status != ScreeningHit.Status.OPEN and hit.decided_by_id == actor.pk:
                # the same form sent again (a second click, the browser's back button)
                raise Conflict("already_decided", _("You have already decided on this hit."))
            raise Conflict("stale_version", _("Someone decided on this hit meanwhile. Reload it."))
        if hit.status != ScreeningHit.Status.OPEN:
            raise DomainError("already_decided", _("This hit has already been decided."))
        hit.status = (
            ScreeningHit.Status.CONFIRMED
            if decision == "confirm"
            else ScreeningHit.Status.DISMISSED
        )
        hit.decided_by = actor
        hit.decided_at = clock.now()
        hit.decision_reason = reason
        hit.version += 1
        hit.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "version",
                "updated_at",
            ]
        )
        action = "SCREENING_HIT_CONFIRMED" if decision == "confirm" else "SCREENING_HIT_DISMISSED"
        if hit.case_id:
            CaseEvent.objects.create(
                case_id=hit.case_id,
                at=clock.now(),
                kind=CaseEvent.Kind.DECISION,
                action=action,
                actor=actor,
                note=reason,
                data={"hit": hit.pk, "entry": hit.entry_id},
            )
        audit_record(
            actor=actor,
            action=action,
            entity=hit,
            person_id=hit.person_id,
            data={"entry": hit.entry_id, "reason": reason},
        )
    return hit


MAX_SHOWN_ERRORS = 200  # of an import's refused rows, those kept to be shown
FILE_NAME_LENGTH: int = WatchlistImport._meta.get_field("file_name").max_length or 200


def watchlist_import_keeper_check(*, actor: Any) -> None:
    """Only the head office, which keeps the watchlists, imports into them from the web."""
    if getattr(actor, "role", "") != Role.HEAD_OFFICER:
        raise PermissionDenied("forbidden", _("Only the head office imports watchlist entries."))


IMPORT_FORM = "screening:watchlist-import"  # the key space of the upload form's tokens
IMPORT_IN_PROGRESS = (WatchlistImport.Status.QUEUED, WatchlistImport.Status.RUNNING)


def watchlist_rows_digest(rows: Sequence[Mapping[str, Any]]) -> str:
    """The digest of a file's (or a request's) entries, whatever their file's name: the
    same entries give the same digest."""
    text = json.dumps(list(rows), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def watchlist_import_in_progress(
    *, watchlist_code: str, rows: Sequence[Mapping[str, Any]]
) -> WatchlistImport | None:
    """The import of these same entries into this list still waiting or running, if any:
    the entries are not to be imported again until it has finished (once it has, they may
    be, on purpose: they are then unchanged)."""
    return WatchlistImport.objects.filter(
        watchlist_code=watchlist_code,
        content_hash=watchlist_rows_digest(rows),
        status__in=IMPORT_IN_PROGRESS,
    ).first()


@dataclass(frozen=True)
class ImportQueued:
    """The import an upload leads to: queued by it (`queued`), or else the one queued before
    by the same form (`sent_again`) or for the same entries into the same list."""

    job: WatchlistImport
    queued: bool
    sent_again: bool = False


def watchlist_import_queue(
    *,
    actor: Any,
    watchlist_code: str,
    file_name: str,
    data: bytes,
    skip_invalid: bool,
    language: str,
    token: str = "",
) -> ImportQueued:
    """Check an uploaded file as `umis watchlist import` checks it (size, CSV or JSON,
    UTF-8, columns: `FileRefused` naming what is wrong, nothing kept), then queue it for
    the worker, which imports it as the command does; audited.

    Nothing is queued twice: the upload form sent again with its one-time `token` leads to
    the import it queued, and the same entries for the same list, while an import of them
    is still waiting or running, lead to that import (not a change: nothing audited)."""
    from umis.screening.files import FileRefused, shortened, watchlist_file_rows
    from umis.screening.tasks import watchlist_import_task

    watchlist_import_keeper_check(actor=actor)
    errors = ErrorCollector()
    if not Watchlist.objects.filter(code=watchlist_code).exists():
        errors.add("unknown_list", _("Choose a list."), "list")
    if len(data) > MAX_IMPORT_BYTES:
        errors.add(
            "too_large",
            _("The file is larger than %(n)d MB.") % {"n": MAX_IMPORT_BYTES // (1024 * 1024)},
            "file",
        )
    errors.raise_if_any()
    rows = watchlist_file_rows(name=file_name, data=data)
    if not rows:
        raise FileRefused("empty", _("The file has no entries."), "file")
    digest = watchlist_rows_digest(rows)

    def queue() -> ImportQueued:
        with transaction.atomic():
            earlier = watchlist_import_in_progress(watchlist_code=watchlist_code, rows=rows)
            if earlier is not None:
                return ImportQueued(job=earlier, queued=False)
            # two sendings at once: the constraint refuses the second, which runs again
            # (`atomic_retried`) and finds the first
            job = WatchlistImport.objects.create(
                watchlist_code=watchlist_code,
                # a name too long is shortened visibly, keeping its suffix (the file's kind)
                file_name=shortened(file_name, limit=FILE_NAME_LENGTH),
                content=data.decode("utf-8-sig"),
                content_hash=digest,
                skip_invalid=skip_invalid,
                language=language,
                rows_total=len(rows),
                created_by=_user(actor),
            )
            audit_record(
                actor=actor,
                action="WATCHLIST_IMPORT_QUEUED",
                entity=job,
                data={"list": watchlist_code, "file": job.file_name, "rows": len(rows)},
            )
            # the task's row is written in this transaction: queued if and only if recorded
            watchlist_import_task.enqueue(job.pk)
        return ImportQueued(job=job, queued=True)

    if not form_token_valid(token):  # a form without its token (a script)
        return atomic_retried(queue)
    outcome: list[ImportQueued] = []

    def once() -> dict[str, Any]:
        outcome[:] = [queue()]
        return {"import_id": outcome[0].job.pk}

    answer, replayed = submitted_once(space=IMPORT_FORM, token=f"{actor.pk}:{token}", work=once)
    if replayed and answer is not None:
        job = WatchlistImport.objects.get(pk=answer["import_id"])
        return ImportQueued(job=job, queued=False, sent_again=True)
    return outcome[0]


# A file is written in batches of this many entries, each committed with the import's
# progress. The worker holds an import it runs for IMPORT_LEASE, renewed with each batch
# (a batch takes a few seconds; reading a file of 100,000 entries, some 30 s); an import
# still running past its lease has lost its worker (killed, or stopped by an error) and is
# taken up again by `watchlist_imports_resume_stalled`, at most MAX_IMPORT_ATTEMPTS times.
IMPORT_BATCH = 2000
IMPORT_LEASE = dt.timedelta(minutes=5)
MAX_IMPORT_ATTEMPTS = 5


class _Superseded(Exception):
    """The import was taken up by another worker (this one's lease had run out)."""


def watchlist_import_run(*, import_id: int) -> WatchlistImport | None:
    """Import a queued file (the worker's task): claimed once, imported batch by batch as
    `umis watchlist import` does (a file with an invalid row refused as a whole unless the
    invalid rows are to be skipped), its progress counted after each batch, its summary and
    row errors kept in the language of the officer who uploaded it; audited.

    Each batch is committed with the file's next row and the counts so far, and only by the
    worker that took the import up last: an import resumed after its worker died goes on
    from the row after its last committed batch, and no row is written twice."""
    from django.utils import translation

    from umis.screening.files import FileRefused, import_source, watchlist_file_rows

    with transaction.atomic():
        job = (
            WatchlistImport.objects.select_for_update()
            .filter(pk=import_id, status=WatchlistImport.Status.QUEUED)
            .first()
        )
        if job is None:
            return None  # done already, or taken by another worker
        job.status = WatchlistImport.Status.RUNNING
        job.attempts += 1
        job.lease_until = clock.now() + IMPORT_LEASE
        job.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
    actor = job.created_by
    attempt = job.attempts

    with translation.override(job.language):
        try:
            rows = watchlist_file_rows(name=job.file_name, data=job.content.encode())
            indexed, result = _entries_parse_indexed(
                rows, default_source=import_source(name=job.file_name)
            )
            if not result.errors or job.skip_invalid:
                _import_batches(
                    job=job,
                    attempt=attempt,
                    actor=actor,
                    watchlist=Watchlist.objects.get(code=job.watchlist_code),
                    indexed=indexed,
                    result=result,
                )
        except _Superseded:
            return None
        except (FileRefused, Watchlist.DoesNotExist) as exc:
            job.status = WatchlistImport.Status.FAILED
            job.errors = [{"row": "", "field": "", "message": str(getattr(exc, "message", exc))}]
        else:
            _import_summary(job, result)
    job.content = ""
    job.finished_at = clock.now()
    job.lease_until = None
    with transaction.atomic():
        if not _import_hold(job_id=job.pk, attempt=attempt):
            return None
        job.save(
            update_fields=[
                "status",
                "created",
                "updated",
                "unchanged",
                "error_count",
                "errors",
                "content",
                "finished_at",
                "lease_until",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action={
                WatchlistImport.Status.DONE: "WATCHLIST_IMPORT_FINISHED",
                WatchlistImport.Status.REFUSED: "WATCHLIST_IMPORT_REFUSED",
            }.get(job.status, "WATCHLIST_IMPORT_FAILED"),
            entity=job,
            data={
                "list": job.watchlist_code,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "refused_rows": job.error_count,
            },
        )
    return job


def _import_hold(*, job_id: int, attempt: int) -> bool:
    """Lock the import (call in a transaction) and renew its lease, if it is still this
    worker's (`attempt`); False when another worker has taken it up since."""
    return bool(
        WatchlistImport.objects.filter(
            pk=job_id, status=WatchlistImport.Status.RUNNING, attempts=attempt
        ).update(lease_until=clock.now() + IMPORT_LEASE)
    )


def _import_batches(
    *,
    job: WatchlistImport,
    attempt: int,
    actor: Any,
    watchlist: Watchlist,
    indexed: Sequence[tuple[int, EntryData]],
    result: ImportResult,
) -> None:
    """Write the parsed rows from the import's next row on, a batch per transaction, each
    committed with the next row and the counts so far (the counts of the batches written
    before a resumption included)."""
    result.created, result.updated, result.unchanged = job.created, job.updated, job.unchanged
    if job.next_row == 0 and job.rows_done:
        # taken up before imports kept their next row: its worker wrote the parsed rows in
        # order and counted those it had committed, so the import goes on after them (its
        # counts are those of the rows written from here on)
        todo = list(indexed[job.rows_done :])
    else:
        todo = [(i, d) for i, d in indexed if i >= job.next_row]
    for start in range(0, len(todo), IMPORT_BATCH):
        if start:
            _let_other_writers_in()
        chunk = todo[start : start + IMPORT_BATCH]
        with transaction.atomic():
            if not _import_hold(job_id=job.pk, attempt=attempt):
                raise _Superseded
            _write_batch(
                actor=actor, watchlist=watchlist, items=[d for _i, d in chunk], result=result
            )
            WatchlistImport.objects.filter(pk=job.pk).update(
                rows_done=F("rows_done") + len(chunk),
                next_row=chunk[-1][0] + 1,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
            )


def watchlist_imports_resume_stalled() -> int:
    """Take up again each import still running past its lease (its worker was killed, or
    stopped by an error), or, left running without a lease, unchanged for as long as a lease
    lasts: queued for the worker, which goes on from the row after its last
    committed batch; given up, saying how far it got, after MAX_IMPORT_ATTEMPTS workers.
    An import waiting whose task is gone is given a task again (`_imports_requeue_lost`).
    Audited; returns how many imports were taken up, given up or given a task again."""
    from django.utils import translation

    from umis.screening.tasks import watchlist_import_task

    now = clock.now()
    # An import left running without a lease was taken up before imports had one: its
    # worker, if any, renews nothing, so it is stalled once it has not changed (its last
    # save: taken up, or its last batch) for as long as a lease lasts.
    stalled = WatchlistImport.objects.filter(
        Q(lease_until__lt=now) | Q(lease_until=None, updated_at__lt=now - IMPORT_LEASE),
        status=WatchlistImport.Status.RUNNING,
    )
    handled = 0
    for pk in list(stalled.values_list("pk", flat=True)):
        with transaction.atomic():
            job = stalled.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None:
                continue  # its worker is writing a batch after all
            handled += 1
            job.lease_until = None
            job.attempts = max(job.attempts, 1)  # a worker from before leases counted none
            if job.attempts < MAX_IMPORT_ATTEMPTS:
                job.status = WatchlistImport.Status.QUEUED
                job.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
                audit_record(
                    actor=None,
                    action="WATCHLIST_IMPORT_RESUMED",
                    entity=job,
                    data={"attempts": job.attempts, "rows_done": job.rows_done},
                )
                watchlist_import_task.enqueue(job.pk)
                continue
            with translation.override(job.language):
                job.errors = [{"row": "", "field": "", "message": _given_up_message(job)}]
            job.status = WatchlistImport.Status.FAILED
            job.content = ""
            job.finished_at = now
            job.save(
                update_fields=[
                    "status",
                    "errors",
                    "content",
                    "finished_at",
                    "lease_until",
                    "updated_at",
                ]
            )
            audit_record(
                actor=None,
                action="WATCHLIST_IMPORT_FAILED",
                entity=job,
                data={"attempts": job.attempts, "rows_done": job.rows_done},
            )
    return handled + _imports_requeue_lost(now=now)


IMPORT_TASK_PATH = "umis.screening.tasks.watchlist_import_task"


def _imports_requeue_lost(*, now: dt.datetime) -> int:
    """Queue a task again for each import still waiting, as long as a lease lasts, with no
    task waiting to run it: its task stopped before taking it up (the database locked past
    its busy timeout, a lost connection), and it would wait for ever. The import is taken
    up by one task only (`watchlist_import_run` claims it), so a task thought lost that
    runs after all does nothing more. Audited; returns how many were queued again."""
    from umis.screening.tasks import watchlist_import_task

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return 0  # a backend that runs the task at once loses none
    from django_tasks_db.models import DBTaskResult

    waiting = WatchlistImport.objects.filter(
        status=WatchlistImport.Status.QUEUED, updated_at__lt=now - IMPORT_LEASE
    )
    if not waiting.exists():
        return 0
    with_task = {
        (args_kwargs.get("args") or [None])[0]
        for args_kwargs in DBTaskResult.objects.filter(
            task_path=IMPORT_TASK_PATH, status="READY"
        ).values_list("args_kwargs", flat=True)
    }
    requeued = 0
    for pk in list(waiting.values_list("pk", flat=True)):
        if pk in with_task:
            continue
        with transaction.atomic():
            job = waiting.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is None:
                continue  # taken up meanwhile
            job.save(update_fields=["updated_at"])  # waits as long again before another
            audit_record(
                actor=None,
                action="WATCHLIST_IMPORT_REQUEUED",
                entity=job,
                data={"attempts": job.attempts, "rows_done": job.rows_done},
            )
            watchlist_import_task.enqueue(job.pk)
        requeued += 1
    return requeued


def _given_up_message(job: WatchlistImport) -> str:
    """What an import given up wrote of its file, in the language active now: the entries
    before its next row; none; or, taken up before imports kept their next row and given up
    before writing another batch, the file's first valid entries (the only order known)."""
    from umis.screening.files import row_label

    if not job.rows_done:
        message = ngettext(
            "The import stopped %(n)d time and was given up before writing any entry of the "
            "file; import the file again.",
            "The import stopped %(n)d times and was given up before writing any entry of the "
            "file; import the file again.",
            job.attempts,
        )
    elif not job.next_row:
        message = ngettext(
            "The import stopped %(n)d time and was given up. The file's first valid entries "
            "are written, each once (%(done)d); import the rest of the file.",
            "The import stopped %(n)d times and was given up. The file's first valid entries "
            "are written, each once (%(done)d); import the rest of the file.",
            job.attempts,
        )
    else:
        message = ngettext(
            "The import stopped %(n)d time and was given up. The entries of the file before "
            "%(row)s are written, each once (%(done)d); import the rest of the file.",
            "The import stopped %(n)d times and was given up. The entries of the file before "
            "%(row)s are written, each once (%(done)d); import the rest of the file.",
            job.attempts,
        )
    return str(message) % {
        "n": job.attempts,
        "row": row_label(name=job.file_name, index=job.next_row),
        "done": job.rows_done,
    }


def _import_summary(job: WatchlistImport, result: ImportResult) -> None:
    """What an import did, kept on it: the counts and the refused rows' errors (where in
    the file, which field, why), in the language active now."""
    from umis.screening.files import row_label

    refused = bool(result.errors) and not job.skip_invalid
    job.status = WatchlistImport.Status.REFUSED if refused else WatchlistImport.Status.DONE
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.error_count = len(result.errors)
    job.errors = [
        {
            "row": str(row_label(name=job.file_name, index=i)),
            "field": e.field or "",
            "message": str(e.message),
        }
        for i, errs in result.errors
        for e in errs
    ][:MAX_SHOWN_ERRORS]
