"""Reads: screening searches, hits and watchlist entries, scoped to the reader and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from umis.accounts.models import Role
from umis.audit.models import AuditEvent
from umis.audit.services import audit_record
from umis.core import clock
from umis.core.errors import NotFound
from umis.people.models import Person, Sex
from umis.people.normalize import name_similarity, normalize_name
from umis.people.selectors import person_holding_document
from umis.reference.selectors import country_names
from umis.screening.engine import (
    entries_index,
    index_current,
    name_match_threshold,
    screening_threshold,
)
from umis.screening.index import Candidate, Query, document_key
from umis.screening.models import (
    Category,
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
    WatchlistEntryEvent,
    WatchlistImport,
)
from umis.screening.services import (
    _in_force,
    hit_scope_for_user,
    person_fingerprint,
    person_query,
)
from umis.screening.validation import EntrySearch


@dataclass(frozen=True)
class SearchHit:
    entry: WatchlistEntry
    score: float
    name_score: float
    reasons: list[str]
    matched_name: str


def name_compare_result(a: str, b: str) -> dict[str, Any]:
    """Two names compared as screening compares them: the score, the decision at the
    configured threshold, the reasons, and the flags and match keys of either name."""
    score = name_similarity(a, b)
    threshold = name_match_threshold()
    na, nb = normalize_name(a), normalize_name(b)
    return {
        "score": score.score,
        "threshold": threshold,
        "match": score.score >= threshold,
        "reasons": list(score.reasons),
        "flags": {"a": sorted(na.flags), "b": sorted(nb.flags)},
        "keys": {"a": list(na.skeletons), "b": list(nb.skeletons)},
    }


def screening_search(
    *, actor: Any, query: Query, threshold: float | None = None, limit: int = 20
) -> list[SearchHit]:
    """Watchlist entries in force that match the person, best first (agencies, officers)."""
    cut = screening_threshold() if threshold is None else threshold
    cands: list[Candidate] = index_current().search(query, threshold=cut, limit=limit * 2)
    entries = WatchlistEntry.objects.select_related("watchlist").in_bulk(
        [c.entry_id for c in cands]
    )
    today = clock.today()
    hits = [
        SearchHit(entries[c.entry_id], c.score, c.name_score, c.reasons, c.matched_name)
        for c in cands
        if c.entry_id in entries and _in_force(entries[c.entry_id], today)
    ][:limit]
    audit_record(
        actor=actor,
        action="SCREENING_SEARCHED",
        entity_type="screening.search",
        data={
            "names": [n[:100] for n in query.names],
            "birth": str(query.birth_date or query.birth_year or ""),
            "hits": [h.entry.pk for h in hits],
        },
    )
    return hits


def hits_page_for_user(
    *, user: Any, status: str = "open", page: int = 1, per_page: int = 50
) -> Page[ScreeningHit]:
    """The hits the user may work, newest first, one page at a time: however many there
    are, each can be reached."""
    qs = hit_scope_for_user(user).select_related("entry", "entry__watchlist", "person", "case")
    if status:
        qs = qs.filter(status=status)
    return Paginator(qs.order_by("-created_at", "-id"), per_page).get_page(page)


def hits_of_office(office_id: int) -> QuerySet[ScreeningHit]:
    """An office's screening hits: its officers may open those persons' files."""
    return ScreeningHit.objects.filter(office_id=office_id)


def hits_for_case(*, user: Any, case_id: int) -> list[ScreeningHit]:
    return list(
        hit_scope_for_user(user)
        .filter(case_id=case_id)
        .select_related("entry", "entry__watchlist", "decided_by")
        .order_by("id")
    )


def hits_for_person(*, user: Any, person_id: int) -> list[ScreeningHit]:
    """The hits on a person that the user may work (a regional officer those of their
    office), newest first, for the person's file."""
    return list(
        hit_scope_for_user(user)
        .filter(person_id=person_id)
        .select_related("entry", "entry__watchlist")
        .order_by("-created_at", "-id")
    )


def hit_get_for_user(*, user: Any, hit_id: int) -> ScreeningHit:
    hit = (
        hit_scope_for_user(user)
        .select_related(
            "entry", "entry__watchlist", "person", "person__nationality", "case", "decided_by"
        )
        .filter(pk=hit_id)
        .first()
    )
    if hit is None:
        audit_record(
            actor=user,
            action="SCREENING_HIT_ACCESS_DENIED",
            entity_type="screening.screeninghit",
            entity_id=str(hit_id),
        )
        raise NotFound("not_found", _("Not found."))
    audit_record(
        actor=user,
        action="SCREENING_HIT_VIEWED",
        entity=hit,
        person_id=hit.person_id,
        data={"entry": hit.entry_id},
    )
    return hit


def _keeps_watchlists(user: Any) -> bool:
    return getattr(user, "role", "") == Role.HEAD_OFFICER


def watchlist_keeper_check(*, user: Any) -> None:
    """Only the head office keeps the watchlists: anyone else is refused as not found, and
    the attempt is audited."""
    if not _keeps_watchlists(user):
        audit_record(
            actor=user, action="WATCHLIST_ACCESS_DENIED", entity_type="screening.watchlist"
        )
        raise NotFound("not_found", _("Not found."))


MAX_NAME_RESULTS = 500  # a name search lists the best this many


@dataclass(frozen=True)
class EntriesFound:
    """A page of the entries found; `cut`: a name search matched more entries than
    MAX_NAME_RESULTS and only the best are listed (the officer should narrow it)."""

    page: Page[WatchlistEntry]
    cut: bool = False


def watchlist_entries_page_for_user(
    *, user: Any, search: EntrySearch | None = None, page: int = 1, per_page: int = 50
) -> EntriesFound:
    """The entries that answer `search` (all of them without one), one page at a time:
    however many there are, each can be reached. Without a name, last changed first; with
    one, best match first, the name compared as the screening engine compares it (any
    script: Гусейнов finds Hüseynov). For the head office, which keeps the watchlists;
    anyone else is refused as not found, and the attempt is audited. A search for a name or
    a document number is a read of those persons' entries, and audited."""
    watchlist_keeper_check(user=user)
    search = search or EntrySearch()
    qs = WatchlistEntry.objects.select_related("watchlist")
    if search.watchlist_code:
        qs = qs.filter(watchlist__code=search.watchlist_code)
    today = clock.today()
    if search.state == "active":
        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today), active=True)
    elif search.state == "ended":
        qs = qs.filter(active=True, valid_until__lt=today)
    elif search.state == "withdrawn":
        qs = qs.filter(active=False)
    if search.document_number:
        qs = qs.filter(document_number=search.document_number)
    cut = False
    if not search.name:
        result = Paginator(qs.order_by("-updated_at", "-id"), per_page).get_page(page)
    else:
        ranked, cut = _entries_named(search, qs)
        id_page = Paginator(ranked, per_page).get_page(page)
        found = qs.in_bulk(list(id_page.object_list))
        result = Page(
            [found[i] for i in id_page.object_list if i in found],
            id_page.number,
            cast("Paginator[WatchlistEntry]", id_page.paginator),
        )
    if search.name or search.document_number:
        audit_record(
            actor=user,
            action="WATCHLIST_SEARCHED",
            entity_type="screening.watchlist",
            data={
                "name": search.name[:100],
                "document_number": search.document_number,
                "list": search.watchlist_code,
                "state": search.state,
                "found": result.paginator.count,
                "cut": cut,
                "shown": [e.pk for e in result.object_list],
            },
        )
    return EntriesFound(page=result, cut=cut)


def _entries_named(search: EntrySearch, qs: QuerySet[WatchlistEntry]) -> tuple[list[int], bool]:
    """The ids of the entries of `qs` whose name or another name matches `search.name`,
    best first, at most MAX_NAME_RESULTS; and whether more of them matched, so that some
    were left out (exactly).

    Entries on the lists are found through the screening index, which compares in full
    the names closest at a glance: first one more than MAX_NAME_RESULTS of them. When
    that leaves close names unscored and does not already give more matches in `qs` than
    are listed, all of them are compared: the matches behind names close only at a
    glance, or on another list or in another state than `qs`'s, are not missed. Withdrawn
    entries, which the index no longer holds (few: each is withdrawn by an officer), are
    read into an index of their own and searched as it is: a withdrawn entry scores as an
    active one with the same names."""
    threshold = screening_threshold()
    scores: dict[int, float] = {}
    query = Query(names=(search.name,))
    if search.state in ("", "withdrawn"):
        found, _unscored = entries_index(qs.filter(active=False)).search_counted(
            query, threshold=threshold, explain=False, full_scoring=None
        )
        scores.update((c.entry_id, c.name_score) for c in found)
    if search.state != "withdrawn":
        found, unscored = index_current().search_counted(
            query, threshold=threshold, explain=False, full_scoring=MAX_NAME_RESULTS + 1
        )
        listed = _entry_ids_in(qs, [c.entry_id for c in found])
        if unscored and len(scores) + len(listed) <= MAX_NAME_RESULTS:
            found, _unscored = index_current().search_counted(
                query, threshold=threshold, explain=False, full_scoring=None
            )
            listed = _entry_ids_in(qs, [c.entry_id for c in found])
        scores.update((c.entry_id, c.name_score) for c in found if c.entry_id in listed)
    kept = _entry_ids_in(qs, list(scores))
    ranked = sorted((pk for pk in scores if pk in kept), key=lambda pk: (-scores[pk], pk))
    return ranked[:MAX_NAME_RESULTS], len(ranked) > MAX_NAME_RESULTS


def _entry_ids_in(qs: QuerySet[WatchlistEntry], ids: list[int]) -> set[int]:
    """Those of `ids` that are entries of `qs` (asked in chunks: SQLite takes a bounded
    number of parameters in a query)."""
    kept: set[int] = set()
    for start in range(0, len(ids), 900):
        kept.update(qs.filter(pk__in=ids[start : start + 900]).values_list("pk", flat=True))
    return kept


def watchlists_for_user(*, user: Any) -> list[Watchlist]:
    """The lists, named in the reader's language, for the head office's filter."""
    if not _keeps_watchlists(user):
        return []
    return sorted(Watchlist.objects.all(), key=lambda w: w.title.casefold())


def watchlist_entry_get_for_user(*, user: Any, entry_id: int) -> WatchlistEntry:
    entry = None
    if _keeps_watchlists(user):
        entry = WatchlistEntry.objects.select_related("watchlist").filter(pk=entry_id).first()
    if entry is None:
        audit_record(
            actor=user,
            action="WATCHLIST_ENTRY_ACCESS_DENIED",
            entity_type="screening.watchlistentry",
            entity_id=str(entry_id),
        )
        raise NotFound("not_found", _("Not found."))
    audit_record(
        actor=user, action="WATCHLIST_ENTRY_VIEWED", entity=entry, person_id=entry.person_id
    )
    return entry


@dataclass(frozen=True)
class EntryCountries:
    """A watchlist entry's nationality and issuing state named in the reader's language (the
    code when the country is unknown, "" when the entry has none)."""

    nationality: str
    issuing_state: str


def watchlist_entry_countries(*, entry: WatchlistEntry) -> EntryCountries:
    names = country_names(codes={entry.nationality, entry.issuing_state} - {""})
    return EntryCountries(
        nationality=names.get(entry.nationality, entry.nationality),
        issuing_state=names.get(entry.issuing_state, entry.issuing_state),
    )


ENTRY_EVENT_LABELS: dict[str, Promise] = {
    "CREATED": _("Entry created"),
    "UPDATED": _("Entry changed"),
    "WITHDRAWN": _("Entry withdrawn"),
}

_FIELD = "watchlist entry field"
ENTRY_FIELD_LABELS: dict[str, Promise] = {
    "category": pgettext_lazy(_FIELD, "Category"),
    "kind": pgettext_lazy(_FIELD, "Kind"),
    "full_name": pgettext_lazy(_FIELD, "Name"),
    "aliases": pgettext_lazy(_FIELD, "Other names"),
    "birth_date": pgettext_lazy(_FIELD, "Date of birth"),
    "birth_year": pgettext_lazy(_FIELD, "Year of birth"),
    "nationality": pgettext_lazy(_FIELD, "Nationality"),
    "sex": pgettext_lazy(_FIELD, "Sex"),
    "document_number": pgettext_lazy(_FIELD, "Document number"),
    "issuing_state": pgettext_lazy(_FIELD, "Issuing state"),
    "valid_from": pgettext_lazy(_FIELD, "Valid from"),
    "valid_until": pgettext_lazy(_FIELD, "Valid until"),
    "reason": pgettext_lazy(_FIELD, "Reason / grounds"),
    "source": pgettext_lazy(_FIELD, "Source"),
    "source_reference": pgettext_lazy(_FIELD, "Source reference"),
}
_COUNTRY_FIELDS = {"nationality", "issuing_state"}
_DATE_FIELDS = {"birth_date", "valid_from", "valid_until"}


@dataclass(frozen=True)
class EntryChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryHistoryRow:
    event: WatchlistEntryEvent
    label: str  # what happened, in the reader's language
    changes: list[EntryChange]


def watchlist_entry_history(*, entry: WatchlistEntry) -> list[EntryHistoryRow]:
    """The entry's history in the reader's language: what happened, and each changed field
    named with its old and new value as the page shows them (countries by name, dates as
    dd.mm.yyyy), in one query for the events and one for the countries."""
    events = list(entry.events.select_related("actor").all())
    codes = {
        str(value)
        for e in events
        for field, values in e.changes.items()
        if field in _COUNTRY_FIELDS
        for value in values
        if value
    }
    countries = country_names(codes=codes)

    def shown(field: str, value: Any) -> str:
        if value in (None, "", []):
            return "—"
        if field in _COUNTRY_FIELDS:
            return countries.get(str(value), str(value))
        if field in _DATE_FIELDS:
            try:
                return dt.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
            except ValueError:
                return str(value)
        if field == "aliases" and isinstance(value, list):
            return "; ".join(str(v) for v in value)
        choices = {"category": Category, "kind": WatchlistEntry.Kind, "sex": Sex}.get(field)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        return str(value)

    return [
        EntryHistoryRow(
            event=e,
            label=str(ENTRY_EVENT_LABELS.get(e.action, e.action)),
            changes=[
                EntryChange(
                    label=str(ENTRY_FIELD_LABELS.get(field, field)),
                    before=shown(field, values[0]),
                    after=shown(field, values[1]),
                )
                for field, values in e.changes.items()
            ],
        )
        for e in events
    ]


@dataclass(frozen=True)
class EntryBanAnswer:
    banned: bool
    valid_until: dt.date | None = None
    # A ban may concern the person, but it names them (or the passport's holder on file)
    # only by name and date of birth: the online check can say neither yes nor no.
    undetermined: bool = False


def entry_ban_check(
    *, document_number: str, issuing_state: str, surname: str, birth_date: dt.date
) -> EntryBanAnswer:
    """The public e-service: is an entry ban in force for *this* passport? It says "banned"
    only when the passport number, issuing state, surname and date of birth all belong to
    the banned entry, so nobody can read another person's ban by name. It never says "no"
    while a ban may apply: when the person as entered (surname, date of birth, the issuing
    state as nationality), or the holder of the passport on file with that surname and date
    of birth, matches an entry ban by screening, or that holder has an entry-ban hit an
    officer confirmed or has not decided yet, the answer is that the check cannot tell."""
    number = document_key(document_number)
    today = clock.today()
    banned = _ban_on_document(
        number=number,
        issuing_state=issuing_state,
        surname=surname,
        birth_date=birth_date,
        today=today,
    )
    holder = None
    suspected: list[int] = []
    # without a passport's number no question is asked by name either (the form refuses it)
    if banned is None and number:
        holder = _passport_holder(
            number=number, issuing_state=issuing_state, surname=surname, birth_date=birth_date
        )
        suspected = _bans_that_may_apply(
            surname=surname,
            birth_date=birth_date,
            issuing_state=issuing_state,
            holder=holder,
            today=today,
        )
    person_id = banned.person_id if banned else (holder.pk if holder else None)
    audit_record(
        actor=None,
        action="ENTRY_BAN_CHECKED",
        entity_type="screening.entry_ban_check",
        person_id=person_id,
        data={
            "issuing_state": issuing_state,
            "document": number[-4:],
            "found": bool(banned),
            "undetermined": bool(suspected),
            "entries": [banned.pk] if banned else suspected,
        },
    )
    if banned is not None:
        return EntryBanAnswer(True, banned.valid_until)
    return EntryBanAnswer(False, undetermined=bool(suspected))


def _ban_on_document(
    *, number: str, issuing_state: str, surname: str, birth_date: dt.date, today: dt.date
) -> WatchlistEntry | None:
    """An entry ban in force that names this passport and this person."""
    # no number, no answer: a ban recorded without a passport number would otherwise
    # answer for anyone's name and date of birth
    entries = WatchlistEntry.objects.filter(
        category=Category.ENTRY_BAN, document_number=number, active=True
    ).exclude(document_number="")
    for entry in entries:
        if entry.issuing_state and entry.issuing_state != issuing_state:
            continue
        if entry.birth_date and entry.birth_date != birth_date:
            continue
        if entry.birth_year and entry.birth_year != birth_date.year:
            continue
        if not any(_surname_matches(surname, n) for n in entry.names):
            continue
        if _in_force(entry, today):
            return entry
    return None


def _passport_holder(
    *, number: str, issuing_state: str, surname: str, birth_date: dt.date
) -> Person | None:
    """The person on file with this passport, when the surname and date of birth entered
    are theirs (someone else's passport number tells nothing about its holder)."""
    person = person_holding_document(number=number, issuing_state=issuing_state)
    if person is None:
        return None
    if person.birth_year_only:
        if person.birth_date.year != birth_date.year:
            return None
    elif person.birth_date != birth_date:
        return None
    surnames = [person.surname, *(d.mrz_surname for d in person.documents.all() if d.mrz_surname)]
    return person if any(_surname_matches(surname, s) for s in surnames) else None


def _bans_that_may_apply(
    *,
    surname: str,
    birth_date: dt.date,
    issuing_state: str,
    holder: Person | None,
    today: dt.date,
) -> list[int]:
    """The entry bans in force that screening matches to the person (by the holder's names
    on file too), less those an officer dismissed for the holder as they are now, with the
    holder's entry-ban hits confirmed or still open."""
    names = [surname]
    nationality = issuing_state
    flagged: set[int] = set()
    dismissed: set[int] = set()
    if holder is not None:
        documents = list(holder.documents.all())
        names = [*person_query(holder, documents=documents).names, surname]
        nationality = holder.nationality_id
        fingerprint = person_fingerprint(holder, documents)
        hits = ScreeningHit.objects.filter(
            person_id=holder.pk, entry__category=Category.ENTRY_BAN
        ).select_related("entry")
        for hit in hits:
            if hit.status == ScreeningHit.Status.DISMISSED:
                if (hit.entry_version, hit.person_fingerprint) == (hit.entry.version, fingerprint):
                    dismissed.add(hit.entry_id)
            elif _in_force(hit.entry, today):
                flagged.add(hit.entry_id)
    query = Query(names=tuple(dict.fromkeys(names)), birth_date=birth_date, nationality=nationality)
    found = [c.entry_id for c in index_current().search(query, threshold=screening_threshold())]
    for entry in WatchlistEntry.objects.filter(pk__in=found, category=Category.ENTRY_BAN):
        if _in_force(entry, today) and entry.pk not in dismissed:
            flagged.add(entry.pk)
    return sorted(flagged)


def _surname_matches(surname: str, full_name: str) -> bool:
    """The surname given is one of the name's parts (any script or spelling)."""
    from umis.people.normalize import normalize_name, token_similarity

    s = normalize_name(surname)
    n = normalize_name(full_name)
    if s.is_empty or n.is_empty:
        return False
    if len(s.main) == 1:
        return any(token_similarity(s.main[0], t).score >= 90 for t in n.main)
    return name_similarity(s, n).score >= 85


# an officer's reading of an import after this long is a new sitting (the staff's idle
# timeout), recorded even if the page shows nothing new
IMPORT_VIEW_AUDIT_GAP = dt.timedelta(minutes=15)


def watchlist_import_worker_missing(job: WatchlistImport) -> str:
    """Why the import waits for a worker that is not running (none was seen for
    WORKER_GONE_AFTER, `core.heartbeat`): "start" (queued, it starts when one runs), "resume"
    (its worker stopped: its lease ran out, it goes on from its last batch when one runs),
    or "" (a worker runs, or the import needs none)."""
    from umis.core.heartbeat import worker_running

    if job.status == WatchlistImport.Status.QUEUED:
        waiting = "resume" if job.resumed else "start"
    elif job.status == WatchlistImport.Status.RUNNING and (
        job.lease_until is None or job.lease_until < clock.now()
    ):
        waiting = "resume"
    else:
        return ""
    return "" if worker_running() else waiting


def watchlist_import_get_for_user(*, user: Any, import_id: int) -> WatchlistImport:
    """An import of a file, for the head office (which imports); anyone else is refused as
    not found, and the attempt is audited.

    A read is audited (WATCHLIST_IMPORT_VIEWED, with the import's state and its number of
    refused rows) once per officer, import, state and number of refused rows, and again
    once IMPORT_VIEW_AUDIT_GAP has passed since that officer's last recorded read of it.
    The progress page reloads itself every few seconds while the import runs: what those
    reloads show beyond the first is counts, no person's data; the refused rows, which can
    hold personal data, are shown once the import has ended, and do not change after. So
    each distinct content an officer was shown is on record, with the first time he saw it
    and, for a long reading, a row at least every IMPORT_VIEW_AUDIT_GAP, without a row for
    every reload."""
    job = None
    if _keeps_watchlists(user):
        job = WatchlistImport.objects.filter(pk=import_id).first()
    if job is None:
        audit_record(
            actor=user,
            action="WATCHLIST_IMPORT_ACCESS_DENIED",
            entity_type="screening.watchlistimport",
            entity_id=str(import_id),
        )
        raise NotFound("not_found", _("Not found."))
    shown = {"status": job.status, "refused_rows": job.error_count}
    last = (
        AuditEvent.objects.filter(
            entity_type=WatchlistImport._meta.label_lower,
            entity_id=str(job.pk),
            action="WATCHLIST_IMPORT_VIEWED",
            actor_id=user.pk,
        )
        .order_by("-id")
        .values_list("at", "data")
        .first()
    )
    if last is None or last[1] != shown or last[0] <= clock.now() - IMPORT_VIEW_AUDIT_GAP:
        audit_record(actor=user, action="WATCHLIST_IMPORT_VIEWED", entity=job, data=shown)
    return job
