from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from umis.cases import registry
from umis.cases.registry import Sla
from umis.cases.sla import add_working_days, due_at, is_working_day
from umis.core.workflow import Workflow, rule
from umis.stays.workflow import WORKFLOW


def test_weekends_are_not_working_days() -> None:
    # Friday 6 March 2026 + 1 working day = Monday 9 March... but 8 March is Women's Day (Sunday), moved to Monday 9
    assert add_working_days(dt.date(2026, 3, 13), 1, use_overrides=False) == dt.date(2026, 3, 16)


def test_novruz_holidays_are_skipped() -> None:
    # Novruz: 20–24 March 2026 are public holidays in Azerbaijan
    assert not is_working_day(dt.date(2026, 3, 20))
    assert not is_working_day(dt.date(2026, 3, 23))
    assert add_working_days(dt.date(2026, 3, 19), 1, use_overrides=False) > dt.date(2026, 3, 24)


def test_new_year_holidays_are_skipped() -> None:
    assert not is_working_day(dt.date(2026, 1, 1))
    assert not is_working_day(dt.date(2026, 1, 2))


@pytest.mark.django_db
def test_due_time_for_three_working_days_ends_at_close_of_business() -> None:
    submitted = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))  # Monday
    assert timezone.localtime(due_at(Sla(working_days=3), submitted)) == timezone.make_aware(
        dt.datetime(2026, 6, 4, 18, 0)
    )


def test_hour_slas_run_around_the_clock() -> None:
    submitted = timezone.make_aware(dt.datetime(2026, 3, 21, 23, 0))  # a holiday, at night
    assert due_at(Sla(hours=3), submitted) == submitted + dt.timedelta(hours=3)


def test_the_stay_workflow_declares_who_may_do_what() -> None:
    assert WORKFLOW.allowed("registered", "annulled", ["regional_officer"])
    assert not WORKFLOW.allowed("registered", "annulled", ["host"])
    assert WORKFLOW.allowed("registered", "ended", ["host"])
    assert not WORKFLOW.allowed("ended", "registered", ["head_officer"])
    assert WORKFLOW.rule_for("registered", "annulled").needs_legal_ground  # type: ignore[union-attr]
    assert WORKFLOW.is_open("registered") and not WORKFLOW.is_open("confirmed")


def test_a_workflow_with_an_undeclared_state_is_rejected() -> None:
    with pytest.raises(ValueError):
        Workflow(
            states=("a",),
            initial="a",
            final=frozenset(),
            queue=frozenset(),
            transitions={("a", "b"): rule("x")},
        )


def test_the_catalogue_lists_every_one_stop_shop_service() -> None:
    codes = {s.code for s in registry.all_services()}
    assert codes >= {
        "evisa",
        "stay_registration",
        "stay_extension",
        "temporary_residence",
        "permanent_residence",
        "work_permit",
        "fine_payment",
        "entry_ban_check",
        "application_tracking",
        "statelessness",
        "asylum",
        "voluntary_return",
        "document_verification",
    }
    assert registry.get("stay_registration").available
    assert registry.get("evisa").available  # built: replaces its planned entry
