from __future__ import annotations

import datetime as dt
import importlib
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from umis.accounts.models import Role
from umis.audit.context import audit_context
from umis.audit.models import AuditEvent, AuditSeal
from umis.audit.services import (
    GENESIS,
    AuditEntry,
    _chain,
    audit_key_id,
    audit_record,
    audit_record_many,
    audit_refusal,
    audit_refusals_kept,
    audit_seal_pending,
    audit_verify,
    event_digest,
    seal_signature,
)
from umis.core import clock
from umis.core.testing import make_user, production_env, run_django

append_only = importlib.import_module("umis.audit.migrations.0002_append_only")

pytestmark = pytest.mark.django_db


def _write_rows(n: int) -> list[AuditEvent]:
    past = clock.now() - dt.timedelta(minutes=5)
    with clock.frozen_at(past):
        return [
            audit_record(
                actor=None, action="THING_DONE", entity_type="x", entity_id=str(i), data={"i": i}
            )
            for i in range(n)
        ]


def _tamper(sql: str, params: list[object], table: str = "audit_auditevent") -> None:
    """Bypass the append-only triggers, as an attacker with the database owner's rights would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
            cursor.execute(sql, params)
            for statement in append_only.SQLITE:
                if f" {table} " in statement:
                    cursor.execute(statement)


def test_a_clean_log_verifies() -> None:
    _write_rows(5)
    assert audit_seal_pending() == 5
    report = audit_verify()
    assert report.ok and report.rows == 5 and report.seals == 1
    call_command("audit", "verify")


def test_the_database_refuses_updates_and_deletes() -> None:
    rows = _write_rows(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=rows[0].pk).update(action="HIDDEN")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=rows[0].pk).delete()


def test_an_edited_row_is_named() -> None:
    rows = _write_rows(4)
    audit_seal_pending()
    _tamper(
        "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["NOTHING_HAPPENED", rows[2].pk]
    )
    report = audit_verify()
    assert report.problems == [f"row {rows[2].pk}: edited (content does not match its digest)"]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_deleted_row_is_named() -> None:
    rows = _write_rows(4)
    audit_seal_pending()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    assert audit_verify().problems == [
        f"row {rows[1].pk}: deleted (listed in seal 1)".replace("seal 1", f"seal {_seal_id()}")
    ]


def test_an_edited_unsealed_row_is_named_too() -> None:
    rows = _write_rows(2)
    _tamper("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["curiosity", rows[0].pk])
    assert audit_verify().problems == [
        f"row {rows[0].pk}: edited (content does not match its digest)"
    ]


def _seal_id() -> int:
    from umis.audit.models import AuditSeal

    return AuditSeal.objects.get().pk


def test_rows_written_in_a_batch_verify_like_rows_written_one_by_one() -> None:
    """A batch builds the shared part of its rows once; each row's digest must still be the
    one `audit verify` recomputes from the stored row."""
    officer = make_user("alice", Role.ADMINISTRATOR)
    entries = [
        AuditEntry("THING_DONE", officer, person_id=7, data={"on": dt.date(2026, 3, 1), "n": 1}),
        AuditEntry("THING_DONE", entity_type="x", entity_id="2", data={"name": "Əli «Иван»"}),
        AuditEntry("OTHER_THING", entity_type="y", entity_id="3"),
        AuditEntry("BRACES", entity_type="z", entity_id="{4}", data={"q": 'a"b{c}\\'}),
    ]
    past = clock.now() - dt.timedelta(minutes=5)
    with clock.frozen_at(past), audit_context(channel="api", ip="127.0.0.1", purpose="check {0}"):
        audit_record_many(actor=officer, entries=entries)
    rows = list(AuditEvent.objects.order_by("id"))
    assert [(r.action, r.entity_type, r.entity_id, r.person_id) for r in rows] == [
        ("THING_DONE", "accounts.user", str(officer.pk), 7),
        ("THING_DONE", "x", "2", None),
        ("OTHER_THING", "y", "3", None),
        ("BRACES", "z", "{4}", None),
    ]
    assert {(r.actor_id, r.channel, r.ip, r.purpose) for r in rows} == {
        (officer.pk, "api", "127.0.0.1", "check {0}")
    }
    assert rows[0].data == {"on": "2026-03-01", "n": 1}
    assert all(event_digest(r) == r.digest for r in rows)
    assert audit_seal_pending() == 4
    assert audit_verify().ok


def test_rows_recorded_at_a_local_time_verify() -> None:
    """The clock may give Baku time (+04:00); the database gives the row back in UTC."""
    local = timezone.make_aware(dt.datetime(2025, 1, 10, 12, 0))
    assert local.utcoffset() == dt.timedelta(hours=4)
    with clock.frozen_at(local):
        audit_record(actor=None, action="THING_DONE", entity_type="x", entity_id="1")
        audit_record_many(
            actor=None,
            entries=[AuditEntry("THING_DONE", entity_type="x", entity_id=str(i)) for i in (2, 3)],
        )
    assert audit_verify().problems == []
    assert audit_seal_pending() == 3
    assert audit_verify().problems == []


def test_rows_recorded_in_utc_keep_the_digest_they_were_written_with() -> None:
    import hashlib
    import json

    past = (clock.now() - dt.timedelta(minutes=5)).astimezone(dt.UTC)
    with clock.frozen_at(past):
        row = audit_record(actor=None, action="THING_DONE", entity_type="x", entity_id="1")
    stored = AuditEvent.objects.get(pk=row.pk)
    payload = {
        "at": past.isoformat(),
        "actor": None,
        "actor_label": "",
        "role": "",
        "office": "",
        "channel": stored.channel,
        "ip": stored.ip,
        "purpose": stored.purpose,
        "action": "THING_DONE",
        "entity_type": "x",
        "entity_id": "1",
        "person_id": None,
        "data": {},
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stored.digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert event_digest(stored) == stored.digest


def test_rows_stored_out_of_time_order_are_all_sealed_and_verify() -> None:
    """A refused attempt's row is stamped during its request and stored when the request
    ends; a row another request wrote meanwhile has the lower id and the later time."""
    t0 = clock.now() - dt.timedelta(minutes=10)
    with audit_refusals_kept():
        with clock.frozen_at(t0):
            audit_refusal(
                actor=None, entries=[AuditEntry("REFUSED", entity_type="x", entity_id="r")]
            )
        with clock.frozen_at(t0 + dt.timedelta(seconds=30)):
            other = audit_record(actor=None, action="THING_DONE", entity_type="x", entity_id="a")
    refused = AuditEvent.objects.get(action="REFUSED")
    assert other.pk < refused.pk
    with clock.frozen_at(t0 + dt.timedelta(seconds=70)):  # `other` is still too recent
        assert audit_seal_pending() == 0
    assert audit_seal_pending() == 2
    assert audit_verify().problems == []
    assert [s.ranges for s in AuditSeal.objects.order_by("id")] == [[[other.pk, refused.pk]]]


def test_a_recent_row_holds_back_the_sealing_of_the_rows_after_it() -> None:
    old = _write_rows(2)
    with clock.frozen_at(clock.now()):
        recent = audit_record(actor=None, action="THING_DONE", entity_type="x", entity_id="new")
    with clock.frozen_at(clock.now() - dt.timedelta(minutes=5)):
        later = audit_record(actor=None, action="THING_DONE", entity_type="x", entity_id="late")
    assert audit_seal_pending() == 2
    assert AuditSeal.objects.get().ranges == [[old[0].pk, old[1].pk]]
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=2)):
        assert audit_seal_pending() == 2
    assert AuditSeal.objects.order_by("id").last().ranges == [[recent.pk, later.pk]]
    assert audit_verify().problems == []


def _two_seals() -> tuple[list[AuditEvent], AuditSeal, AuditSeal]:
    first = _write_rows(3)
    audit_seal_pending()
    _write_rows(2)
    audit_seal_pending()
    older, newer = AuditSeal.objects.order_by("id")
    return first, older, newer


REWRITTEN = "signature does not match (the seal was rewritten)"


def test_the_database_refuses_updates_and_deletes_of_seals() -> None:
    """After every migration (a rebuilt table loses its triggers on SQLite)."""
    _write_rows(1)
    audit_seal_pending()
    seal = AuditSeal.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).update(signature="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).delete()
    assert AuditSeal.objects.get().signature == seal.signature


def test_a_sealed_row_rewritten_with_its_digest_and_every_later_seal_is_found() -> None:
    """Someone past the triggers edits a row, recomputes its digest and every seal hash
    from there on: the chain holds together, but the seals' signatures do not."""
    rows, older, newer = _two_seals()
    edited = AuditEvent.objects.get(pk=rows[1].pk)
    edited.action = "NOTHING_HAPPENED"
    _tamper(
        "UPDATE audit_auditevent SET action = %s, digest = %s WHERE id = %s",
        [edited.action, event_digest(edited), edited.pk],
    )
    previous = GENESIS
    for seal in (older, newer):
        ids = [i for first, last in seal.ranges for i in range(first, last + 1)]
        digests = dict(AuditEvent.objects.filter(id__in=ids).values_list("id", "digest"))
        rehashed = _chain(previous, [(i, digests[i]) for i in ids])
        _tamper(
            "UPDATE audit_auditseal SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous, rehashed, seal.pk],
            table="audit_auditseal",
        )
        previous = rehashed
    assert audit_verify().problems == [
        f"seal {older.pk}: {REWRITTEN}",
        f"seal {newer.pk}: {REWRITTEN}",
    ]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_seal_is_not_verifiable_with_another_key(settings: object) -> None:
    _write_rows(2)
    audit_seal_pending()
    seal = AuditSeal.objects.get()
    assert audit_verify().problems == []
    settings.UMIS_AUDIT_KEY = "another-key-another-key-another-key"  # type: ignore[attr-defined]
    assert audit_verify().problems == [
        f"seal {seal.pk}: signed with key {seal.key_id}, which is neither UMIS_AUDIT_KEY nor "
        "one of UMIS_AUDIT_RETIRED_KEYS"
    ]
    out = StringIO()
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify", stdout=out)
    assert f"signed with key {seal.key_id}" in out.getvalue()


OLD_KEY = "the-key-before-the-key-before-now-0001"
NEW_KEY = "the-key-in-use-since-the-rotation-0002"


def _rotate(settings: object) -> None:
    settings.UMIS_AUDIT_RETIRED_KEYS = [OLD_KEY]  # type: ignore[attr-defined]
    settings.UMIS_AUDIT_KEY = NEW_KEY  # type: ignore[attr-defined]


def test_after_the_key_is_changed_old_seals_verify_with_the_retired_key(settings: object) -> None:
    settings.UMIS_AUDIT_KEY = OLD_KEY  # type: ignore[attr-defined]
    _write_rows(2)
    audit_seal_pending()
    _rotate(settings)
    _write_rows(2)
    audit_seal_pending()
    older, newer = AuditSeal.objects.order_by("id")
    assert (older.key_id, newer.key_id) == (audit_key_id(OLD_KEY), audit_key_id(NEW_KEY))
    assert older.key_id != newer.key_id and OLD_KEY[:8] not in older.key_id
    assert audit_verify().problems == []
    # the retired key left out of the settings: its seals are named, the new one is fine
    settings.UMIS_AUDIT_RETIRED_KEYS = []  # type: ignore[attr-defined]
    assert audit_verify().problems == [
        f"seal {older.pk}: signed with key {older.key_id}, which is neither UMIS_AUDIT_KEY "
        "nor one of UMIS_AUDIT_RETIRED_KEYS"
    ]


def test_a_seal_rewritten_with_a_retired_key_after_a_newer_one_is_named(settings: object) -> None:
    """Someone who learns a retired key cannot sign seals made after the rotation."""
    settings.UMIS_AUDIT_KEY = OLD_KEY  # type: ignore[attr-defined]
    _write_rows(2)
    audit_seal_pending()
    _rotate(settings)
    _write_rows(2)
    audit_seal_pending()
    _write_rows(2)
    audit_seal_pending()
    _first, second, third = AuditSeal.objects.order_by("id")
    _tamper(
        "UPDATE audit_auditseal SET key_id = %s, signature = %s WHERE id = %s",
        [audit_key_id(OLD_KEY), seal_signature(third, OLD_KEY), third.pk],
        table="audit_auditseal",
    )
    assert audit_verify().problems == [
        f"seal {third.pk}: signed with a retired key after a seal signed with a newer one "
        "(the seal was rewritten with an old key)"
    ]
    assert second.key_id == audit_key_id(NEW_KEY)


def test_seals_signed_before_keys_were_named_verify_with_any_configured_key(
    settings: object,
) -> None:
    settings.UMIS_AUDIT_KEY = OLD_KEY  # type: ignore[attr-defined]
    _rows, older, newer = _two_seals()
    for seal in (older, newer):  # as the seals made before migration audit 0005
        _tamper(
            "UPDATE audit_auditseal SET key_id = NULL WHERE id = %s",
            [seal.pk],
            table="audit_auditseal",
        )
    _rotate(settings)
    _write_rows(1)
    audit_seal_pending()
    assert audit_verify().problems == []
    settings.UMIS_AUDIT_RETIRED_KEYS = []  # type: ignore[attr-defined]
    problems = audit_verify().problems
    assert problems == [
        f"seal {older.pk}: signature does not match (the seal was rewritten, or the key is not "
        "the one it was made with)",
        f"seal {newer.pk}: signature does not match (the seal was rewritten, or the key is not "
        "the one it was made with)",
    ]


def test_each_sealing_run_logs_the_newest_seal(caplog: pytest.LogCaptureFixture) -> None:
    _write_rows(2)
    with caplog.at_level(logging.INFO, logger="umis.audit"):
        audit_seal_pending()
        audit_seal_pending()  # nothing to seal: nothing logged
    seal = AuditSeal.objects.get()
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            "umis.audit",
            logging.INFO,
            f"newest audit seal {seal.pk}:{seal.hash} (umis audit verify --expect-seal {seal.pk}:{seal.hash})",
        )
    ]


def test_the_end_of_the_log_cut_off_is_found_against_the_logged_seal() -> None:
    _rows, older, newer = _two_seals()
    expected = f"{newer.pk}:{newer.hash}"
    assert audit_verify(expect_seal=(newer.pk, newer.hash)).problems == []
    call_command("audit", "verify", "--expect-seal", expected)
    _tamper("DELETE FROM audit_auditseal WHERE id = %s", [newer.pk], table="audit_auditseal")
    _tamper("DELETE FROM audit_auditevent WHERE id > %s", [older.last_event_id])
    assert audit_verify().problems == []  # the rest of the log holds together
    assert audit_verify(expect_seal=(newer.pk, newer.hash)).problems == [
        f"seal {newer.pk}: missing, though the log names it (the end of the audit log was cut off)"
    ]
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--expect-seal", expected)


def test_a_seal_other_than_the_logged_one_is_named() -> None:
    _rows, older, _newer = _two_seals()
    assert audit_verify(expect_seal=(older.pk, "f" * 64)).problems == [
        f"seal {older.pk}: hash {older.hash} is not the one the log names ({'f' * 64})"
    ]


def test_an_expected_seal_must_read_id_colon_hash() -> None:
    with pytest.raises(CommandError, match="--expect-seal"):
        call_command("audit", "verify", "--expect-seal", "12")


@pytest.mark.parametrize("seal_id", ["²", "١٢", "１２"])  # superscript, Arabic-Indic, fullwidth
def test_an_expected_seal_numbered_with_other_digits_is_refused_plainly(seal_id: str) -> None:
    with pytest.raises(CommandError, match="--expect-seal"):
        call_command("audit", "verify", "--expect-seal", f"{seal_id}:{'a' * 64}")


def _unsign(seal: AuditSeal) -> None:
    """As a seal made before seals were signed."""
    _tamper(
        "UPDATE audit_auditseal SET signature = NULL WHERE id = %s",
        [seal.pk],
        table="audit_auditseal",
    )


def test_seals_made_before_signatures_are_counted_not_failed() -> None:
    _rows, older, newer = _two_seals()
    _unsign(older)
    _unsign(newer)
    report = audit_verify()
    assert (report.problems, report.unsigned) == ([], 2)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "2 seals made before seals were signed" in out.getvalue()


def test_an_unsigned_seal_after_a_signed_one_is_named() -> None:
    _rows, _older, newer = _two_seals()
    _unsign(newer)
    assert audit_verify().problems == [
        f"seal {newer.pk}: not signed, though a seal before it is (the seal was rewritten)"
    ]


def test_production_refuses_to_start_without_the_audit_key(tmp_path: Path) -> None:
    started = run_django("", production_env(tmp_path))
    assert started.returncode == 0, started.stderr
    refused = run_django("", production_env(tmp_path, UMIS_AUDIT_KEY=""))
    assert refused.returncode != 0
    assert "UMIS_AUDIT_KEY must be at least 32 characters in production" in refused.stderr
    short = run_django("", production_env(tmp_path, UMIS_AUDIT_KEY="short"))
    assert short.returncode != 0
    retired_short = run_django(
        "", production_env(tmp_path, UMIS_AUDIT_RETIRED_KEYS=f"{OLD_KEY},short")
    )
    assert retired_short.returncode != 0
    assert "UMIS_AUDIT_RETIRED_KEYS: each key is at least 32 characters" in retired_short.stderr
    keys_file = tmp_path / "retired"
    keys_file.write_text(f"{OLD_KEY}\n{NEW_KEY}\n")
    from_file = run_django(
        "from django.conf import settings; print(len(settings.UMIS_AUDIT_RETIRED_KEYS))",
        production_env(tmp_path, UMIS_AUDIT_RETIRED_KEYS_FILE=str(keys_file)),
    )
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.strip().endswith("2")
