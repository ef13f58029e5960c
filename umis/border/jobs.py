"""Periodic jobs: the daily overstay detection and the partitions kept ahead."""

from __future__ import annotations

from django.db import connection

from umis.core import clock, periodic


def overstays_daily() -> str | None:
    from umis.border.models import DetectionRun
    from umis.border.overstays import overstays_detect

    today = clock.today()
    if DetectionRun.objects.filter(on=today, finished_at__isnull=False).exists():
        return None
    summary = overstays_detect(on=today)
    return (
        f"{summary['overstays']} overstays, {summary['missed_registrations']} missed "
        f"registrations, {summary['opened']} new findings"
    )


def partitions_ahead() -> str | None:
    from umis.border.partitions import partitions_ensure

    created = partitions_ensure(connection, clock.today())
    return f"created {created} crossing partitions" if created else None


def register() -> None:
    periodic.register("border-overstays-daily", 3600, overstays_daily)
    periodic.register("border-partitions", 86400, partitions_ahead)
