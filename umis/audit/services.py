from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from django.conf import settings
from django.db import models, transaction

from umis.audit import context
from umis.audit.models import AuditEvent, AuditSeal
from umis.core import clock
from umis.core.bulk import insert_rows

log = logging.getLogger("umis.audit")

GENESIS = "0" * 64
SEAL_DELAY = dt.timedelta(seconds=60)  # rows younger than this may still be in open transactions
SEAL_BATCH = 50_000


_SIGNED = (
    "at",
    "actor_id",
    "actor_label",
    "role",
    "office",
    "channel",
    "ip",
    "purpose",
    "action",
    "entity_type",
    "entity_id",
    "person_id",
    "data",
)


# the canonical form: what `json.dumps` gives with these options, the encoder built once
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _payload(values: Mapping[str, Any]) -> dict[str, Any]:
    """The signed fields. The time is signed in UTC, as the database gives it back whatever
    zone it was written in (the demo and tests freeze the clock at Baku times)."""
    payload = {("actor" if k == "actor_id" else k): values[k] for k in _SIGNED}
    payload["at"] = values["at"].astimezone(dt.UTC).isoformat()
    return payload


def _canonical(values: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(_payload(values)).encode()


def event_digest(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical({k: getattr(event, k) for k in _SIGNED})).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    action: str
    entity: models.Model | None = None
    person_id: int | None = None
    data: dict[str, Any] | None = None
    entity_type: str = ""
    entity_id: str = ""


_PLAIN = (str, int, float, bool, type(None))


_SURROGATES = re.compile("[\ud800-\udfff]")


def _storable(text: str) -> str:
    """Text as the database keeps it: a refused request records what was tried, and that
    may hold a NUL or a lone surrogate, which PostgreSQL refuses in text and JSON."""
    if "\x00" not in text and (text.isascii() or not _SURROGATES.search(text)):
        return text
    return text.encode("utf-8", "replace").decode().replace("\x00", "\ufffd")


def _storable_json(value: Any) -> Any:
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_json(v) for v in value]
    return value


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data as it reads back from the database (dates and the like as strings), so the
    digest computed now matches the one `audit verify` computes later."""
    if not data:
        return {}
    if all(
        isinstance(v, _PLAIN) and (not isinstance(v, str) or _storable(v) is v)
        for v in data.values()
    ):
        return dict(data)
    loaded: dict[str, Any] = _storable_json(json.loads(json.dumps(data, default=str)))
    return loaded


def _entity(entry: AuditEntry) -> tuple[str, str]:
    """(entity type, entity id) the entry names, given or read from its model instance."""
    if entry.entity is None:
        return entry.entity_type, entry.entity_id
    return (
        entry.entity_type or entry.entity._meta.label_lower,
        entry.entity_id or str(entry.entity.pk),
    )


def _values(actor: Any, entry: AuditEntry, at: dt.datetime) -> dict[str, Any]:
    """The row of one audit event, digest included, by column attribute name."""
    ctx = context.current()
    entity_type, entity_id = _entity(entry)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    label = getattr(actor, "username", "") if authenticated else ""
    if ctx.client_label:
        label = f"{label} via {ctx.client_label}" if label else ctx.client_label
    office = getattr(actor, "office", None) if authenticated else None
    values = {
        "at": at,
        "actor_id": actor.pk if authenticated else None,
        "actor_label": label[:200],
        "role": getattr(actor, "role", "") if authenticated else "",
        "office": getattr(office, "code", "") if office else "",
        "channel": ctx.channel,
        "ip": ctx.ip,
        "purpose": _storable(ctx.purpose[:200]),
        "action": entry.action,
        "entity_type": entity_type,
        "entity_id": _storable(entity_id[:60]),
        "person_id": entry.person_id,
        "data": _jsonable(entry.data),
    }
    values["digest"] = hashlib.sha256(_canonical(values)).hexdigest()
    return values


_COLUMNS = (*_SIGNED, "digest")


def audit_record(
    *,
    actor: Any,
    action: str,
    entity: models.Model | None = None,
    person_id: int | None = None,
    data: dict[str, Any] | None = None,
    entity_type: str = "",
    entity_id: str = "",
) -> AuditEvent:
    """Append one audit row (call inside the transaction of the change it records)."""
    values = _values(
        actor, AuditEntry(action, entity, person_id, data, entity_type, entity_id), clock.now()
    )
    event = AuditEvent(**values)
    event.save(force_insert=True)
    return event


_pending: contextvars.ContextVar[list[tuple[Any, ...]] | None] = contextvars.ContextVar(
    "umis_audit_pending", default=None
)


@contextmanager
def audit_collect() -> Iterator[None]:
    """Within this block `audit_record_many` rows are written together, in one insert at the
    end of the block (use it inside the transaction of the change the rows record)."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        insert_rows(AuditEvent, _COLUMNS, _pending.get() or [])
    finally:
        _pending.reset(token)


_VARYING = ("action", "entity_type", "entity_id", "person_id", "data")
_HEAD = _SIGNED[: _SIGNED.index("action")]  # the columns every row of a call shares


def _encoded(value: Any) -> str:
    """`_ENCODER.encode(value)`, quicker for the plain values most fields hold."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    return _ENCODER.encode(value)


def _rows(actor: Any, entries: Sequence[AuditEntry], at: dt.datetime) -> list[tuple[Any, ...]]:
    """Plain rows (not model instances: intake writes thousands a request). Who, where and
    when are the same for every row of a call, so their part of the canonical form is
    encoded once, into a template the varying fields fill; each digest is byte for byte
    what `event_digest` recomputes."""
    if len(entries) < 2:
        return [tuple(v[c] for c in _COLUMNS) for v in (_values(actor, e, at) for e in entries)]
    shared = _values(actor, AuditEntry(""), at)
    head = tuple(shared[c] for c in _HEAD)
    parts = []
    for k, v in sorted(_payload(shared).items()):
        if k in _VARYING:
            parts.append(f"{encode_basestring(k)}:{{{k}}}")
        else:
            parts.append(
                f"{encode_basestring(k)}:{_encoded(v)}".replace("{", "{{").replace("}", "}}")
            )
    template = "{{" + ",".join(parts) + "}}"
    rows = []
    for entry in entries:
        entity_type, entity_id = _entity(entry)
        data = _jsonable(entry.data)
        canonical = template.format(
            action=_encoded(entry.action),
            entity_type=_encoded(entity_type),
            entity_id=_encoded(entity_id),
            person_id=_encoded(entry.person_id),
            data=_ENCODER.encode(data),
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        rows.append((*head, entry.action, entity_type, entity_id, entry.person_id, data, digest))
    return rows


def audit_record_many(*, actor: Any, entries: Sequence[AuditEntry]) -> None:
    rows = _rows(actor, entries, clock.now())
    pending = _pending.get()
    if pending is not None:
        pending.extend(rows)
    else:
        insert_rows(AuditEvent, _COLUMNS, rows)


_kept: contextvars.ContextVar[list[tuple[Any, ...]] | None] = contextvars.ContextVar(
    "umis_audit_kept", default=None
)


def audit_refusal(*, actor: Any, entries: Sequence[AuditEntry]) -> None:
    """Audit rows of a refused attempt that must stay on record even though the request's
    transaction rolls back with the refusal (someone typing another person's passport
    number). Within `audit_refusals_kept` (every request) they are written when the
    request has ended, in a transaction of their own; elsewhere at once, like
    `audit_record_many`."""
    kept = _kept.get()
    if kept is None:
        audit_record_many(actor=actor, entries=entries)
    else:
        kept.extend(_rows(actor, entries, clock.now()))


def audit_refusals_mark() -> int:
    """How many refusal rows are kept so far (for `audit_refusals_rewind`)."""
    kept = _kept.get()
    return len(kept) if kept is not None else 0


def audit_refusals_rewind(mark: int) -> None:
    """Forget the refusal rows kept since `mark`: the attempt that made them is run again."""
    kept = _kept.get()
    if kept is not None:
        del kept[mark:]


@contextmanager
def audit_refusals_kept() -> Iterator[None]:
    """Write the `audit_refusal` rows of this block at its end, whatever became of the
    block's own transactions (the request middleware wraps every request in it)."""
    token = _kept.set([])
    try:
        yield
    finally:
        rows = _kept.get() or []
        _kept.reset(token)
        if rows:
            with transaction.atomic():
                insert_rows(AuditEvent, _COLUMNS, rows)


def _to_ranges(ids: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for i in ids:
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return ranges


def _chain(previous: str, pairs: Iterable[tuple[int, str]]) -> str:
    h = hashlib.sha256(previous.encode())
    for pk, digest in pairs:
        h.update(f"{pk}:{digest};".encode())
    return h.hexdigest()


def audit_key_id(key: str) -> str:
    """A name for a signing key that does not give it away: stored on each seal, so that
    after the key is changed the old seals are checked with the key they were made with."""
    return hmac.new(key.encode(), b"umis audit seal key", hashlib.sha256).hexdigest()[:16]


def audit_keys() -> list[tuple[str, str]]:
    """(key id, key) of every configured key, oldest first: the retired ones, then the
    current one, which signs new seals."""
    keys = [*settings.UMIS_AUDIT_RETIRED_KEYS, settings.UMIS_AUDIT_KEY]
    return [(audit_key_id(key), key) for key in keys]


def seal_signature(seal: AuditSeal, key: str | None = None) -> str:
    """HMAC-SHA256 of what the seal says, with the key kept outside the database (the
    current one unless given): without it a seal rewritten in the database (a row edited
    and every hash recomputed) cannot be signed again."""
    content = {
        "id": seal.id,
        "previous_hash": seal.previous_hash,
        "ranges": seal.ranges,
        "last_event_id": seal.last_event_id,
        "hash": seal.hash,
    }
    secret = (settings.UMIS_AUDIT_KEY if key is None else key).encode()
    return hmac.new(secret, _ENCODER.encode(content).encode(), hashlib.sha256).hexdigest()


def _signing_key_rank(seal: AuditSeal, keys: list[tuple[str, str]]) -> int | str:
    """The position of the key that signed the seal among the configured keys (oldest
    first), or what is wrong with its signature."""
    assert seal.signature is not None
    if seal.key_id is None:  # signed before keys were named: any configured key
        for rank, (_key_id, key) in enumerate(keys):
            if hmac.compare_digest(seal.signature, seal_signature(seal, key)):
                return rank
        return (
            "signature does not match (the seal was rewritten, or the key is not the one it "
            "was made with)"
        )
    for rank, (key_id, key) in enumerate(keys):
        if key_id == seal.key_id:
            if hmac.compare_digest(seal.signature, seal_signature(seal, key)):
                return rank
            return "signature does not match (the seal was rewritten)"
    return (
        f"signed with key {seal.key_id}, which is neither UMIS_AUDIT_KEY nor one of "
        "UMIS_AUDIT_RETIRED_KEYS"
    )


def audit_seal_pending() -> int:
    """Seal the rows after the last seal, in id order, up to the first one younger than
    SEAL_DELAY; returns how many rows were sealed. A run that seals logs the newest seal
    (`umis.audit`, INFO), the anchor `umis audit verify --expect-seal` checks against.

    Ids and times need not agree: a refused attempt's rows are stamped during the request
    and stored when it ends, after rows other requests wrote meanwhile. A seal therefore
    never passes over a stored row: the run stops at the first row still too recent, and
    the rows after it wait for the next round."""
    sealed = 0
    newest: AuditSeal | None = None
    try:
        while True:
            made = _seal_batch()
            if made is None:
                return sealed
            newest, count, more = made
            sealed += count
            if not more:
                return sealed
    finally:
        if newest is not None:  # committed: each batch is its own transaction
            anchor = f"{newest.id}:{newest.hash}"
            log.info("newest audit seal %s (umis audit verify --expect-seal %s)", anchor, anchor)


def _seal_batch() -> tuple[AuditSeal, int, bool] | None:
    """One seal of up to SEAL_BATCH rows, in a transaction of its own: (the seal, how many
    rows it covers, whether rows may be left to seal), or None when there is nothing."""
    with transaction.atomic():
        last = AuditSeal.objects.select_for_update().order_by("-id").first()
        after = last.last_event_id if last else 0
        previous = last.hash if last else GENESIS
        cutoff = clock.now() - SEAL_DELAY
        batch = AuditEvent.objects.filter(id__gt=after).order_by("id")
        fetched = list(batch.values_list("id", "digest", "at")[:SEAL_BATCH])
        rows = []
        for pk, digest, at in fetched:
            if at >= cutoff:
                break
            rows.append((pk, digest))
        if not rows:
            return None
        # the id is signed, so it is chosen before the insert (the last seal is locked)
        seal = AuditSeal(
            id=last.id + 1 if last else 1,
            sealed_at=clock.now(),
            ranges=_to_ranges(pk for pk, _ in rows),
            count=len(rows),
            last_event_id=rows[-1][0],
            previous_hash=previous,
            hash=_chain(previous, rows),
        )
        seal.signature = seal_signature(seal)
        seal.key_id = audit_key_id(settings.UMIS_AUDIT_KEY)
        seal.save(force_insert=True)
        return seal, len(rows), len(rows) == len(fetched)


@dataclass
class VerifyReport:
    rows: int = 0
    seals: int = 0
    unsealed: int = 0
    unsigned: int = 0  # seals made before seals were signed
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, expect_seal: tuple[int, str] | None = None) -> VerifyReport:
    """Recompute every digest, the seal chain and each seal's signature; name each edited,
    deleted or inserted row and each rewritten seal. `expect_seal`, (id, hash) of a seal
    logged when it was made, must be there unchanged: the log cut off at its end with
    its newest seals is otherwise a shorter log that holds together."""
    report = VerifyReport(problems=[])
    problems = report.problems
    assert problems is not None
    previous = GENESIS
    covered_until = 0
    signed = False  # a seal before this one is signed
    keys = audit_keys()
    newest_key = 0  # the newest key a seal before this one was signed with
    expected_hash: str | None = None
    for seal in AuditSeal.objects.order_by("id").iterator(chunk_size=100):
        report.seals += 1
        if seal.previous_hash != previous:
            problems.append(
                f"seal {seal.id}: previous hash does not match seal before it (seal edited or deleted)"
            )
        if seal.signature is None and not signed:
            report.unsigned += 1
        elif seal.signature is None:
            problems.append(
                f"seal {seal.id}: not signed, though a seal before it is (the seal was rewritten)"
            )
        else:
            rank = _signing_key_rank(seal, keys)
            if isinstance(rank, str):
                problems.append(f"seal {seal.id}: {rank}")
            elif rank < newest_key:  # an old key cannot sign after a newer one has
                problems.append(
                    f"seal {seal.id}: signed with a retired key after a seal signed with a "
                    "newer one (the seal was rewritten with an old key)"
                )
            else:
                newest_key = rank
        signed = signed or seal.signature is not None
        if expect_seal is not None and seal.id == expect_seal[0]:
            expected_hash = seal.hash
        expected_ids = [i for first, last in seal.ranges for i in range(first, last + 1)]
        found = {
            e.id: e
            for e in AuditEvent.objects.filter(
                id__gt=covered_until, id__lte=seal.last_event_id
            ).order_by("id")
        }
        pairs: list[tuple[int, str]] = []
        row_problem = False
        for pk in expected_ids:
            event = found.pop(pk, None)
            if event is None:
                problems.append(f"row {pk}: deleted (listed in seal {seal.id})")
                row_problem = True
                continue
            pairs.append((pk, event.digest))
            if event_digest(event) != event.digest:
                problems.append(f"row {pk}: edited (content does not match its digest)")
                row_problem = True
        for pk in sorted(found):
            problems.append(f"row {pk}: inserted after seal {seal.id} was made")
        if not row_problem and _chain(seal.previous_hash, pairs) != seal.hash:
            problems.append(
                f"seal {seal.id}: hash does not match the rows it covers (a digest or the seal was edited)"
            )
        previous = seal.hash
        covered_until = seal.last_event_id
        report.rows += len(expected_ids)
    for event in (
        AuditEvent.objects.filter(id__gt=covered_until).order_by("id").iterator(chunk_size=2000)
    ):
        report.rows += 1
        report.unsealed += 1
        if event_digest(event) != event.digest:
            problems.append(f"row {event.id}: edited (content does not match its digest)")
    if expect_seal is not None and expected_hash is None:
        problems.append(
            f"seal {expect_seal[0]}: missing, though the log names it (the end of the audit "
            "log was cut off)"
        )
    elif expect_seal is not None and expected_hash != expect_seal[1]:
        problems.append(
            f"seal {expect_seal[0]}: hash {expected_hash} is not the one the log names "
            f"({expect_seal[1]})"
        )
    return report
