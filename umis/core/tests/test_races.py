"""`atomic_retried`: a unit of work that lost a race on a unique constraint runs once
more; any other broken rule is not retried; rows kept outside the transaction on purpose
are not left twice."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from umis.audit.models import AuditEvent
from umis.audit.services import AuditEntry, audit_refusal, audit_refusals_kept
from umis.core.models import IdempotencyRecord
from umis.core.races import atomic_retried

pytestmark = pytest.mark.django_db


def _record(key: str, status: int = 200) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        client_key="c", key=key, request_hash="h", status_code=status, response={}
    )


def test_work_that_lost_a_unique_race_runs_again_and_its_result_is_kept() -> None:
    _record("taken")  # what "the other transaction" stored first
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        _record("mine")
        if len(calls) == 1:
            _record("taken")  # refused: the other one has it
        return "done"

    assert atomic_retried(work) == "done"
    assert len(calls) == 2
    # the first attempt was rolled back whole: "mine" is stored once
    assert IdempotencyRecord.objects.filter(key="mine").count() == 1


def test_it_gives_up_after_the_second_attempt() -> None:
    _record("taken")
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        _record("taken")

    with pytest.raises(IntegrityError):
        atomic_retried(work)
    assert len(calls) == 2


def test_another_broken_rule_is_not_retried() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        _record("negative", status=-1)  # a CHECK constraint, not a race

    with pytest.raises(IntegrityError):
        atomic_retried(work)
    assert calls == [1]


def test_refusal_rows_of_an_attempt_run_again_are_kept_once() -> None:
    _record("taken")
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        audit_refusal(
            actor=None, entries=[AuditEntry("DOCUMENT_HELD_REFUSED", None, None, {"try": 1})]
        )
        if len(calls) == 1:
            _record("taken")

    with audit_refusals_kept():
        atomic_retried(work)
    assert len(calls) == 2
    assert AuditEvent.objects.filter(action="DOCUMENT_HELD_REFUSED").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_victim_of_a_deadlock_runs_again() -> None:
    """Two transactions each lock a row the other then wants: PostgreSQL aborts one of
    them; it runs again once the other has committed, and both get done. Run again at
    once, it could take back its row before the other got it, and deadlock once more."""
    import threading

    from django.db import connection, transaction

    from umis.core.testing import in_threads

    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: run on PostgreSQL (as CI does)")
    first, second = _record("a"), _record("b")
    both_hold_one = threading.Barrier(2)
    runs: list[str] = []
    order: list[tuple[str, str]] = []  # ("run" | "committed", name), in the order they came

    def lock_then(mine: IdempotencyRecord, other: IdempotencyRecord, name: str) -> str:
        def work() -> str:
            runs.append(name)
            order.append(("run", name))
            IdempotencyRecord.objects.select_for_update().get(pk=mine.pk)
            if runs.count(name) == 1:  # the first attempt waits for the other to hold its row
                both_hold_one.wait(timeout=10)
            IdempotencyRecord.objects.select_for_update().get(pk=other.pk)
            IdempotencyRecord.objects.filter(pk=mine.pk).update(status_code=201)
            return name

        assert not transaction.get_connection().in_atomic_block
        done = atomic_retried(work)
        order.append(("committed", name))
        return done

    done = in_threads(
        lambda: lock_then(first, second, "one"), lambda: lock_then(second, first, "two")
    )
    assert done == ["one", "two"]
    assert sorted(runs) in (["one", "one", "two"], ["one", "two", "two"])  # one ran twice
    victim = max(("one", "two"), key=runs.count)
    survivor = "two" if victim == "one" else "one"
    rerun = [i for i, step in enumerate(order) if step == ("run", victim)][1]
    assert order.index(("committed", survivor)) < rerun, order
    assert set(IdempotencyRecord.objects.values_list("status_code", flat=True)) == {201}
