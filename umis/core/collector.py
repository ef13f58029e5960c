"""Python's cyclic garbage collector tuned for the server processes.

With Python's default thresholds (700, 10, 10) the collector runs every 700 net object
allocations and walks every young object each time; a bulk request builds hundreds of
thousands of short-lived objects (parsed JSON, rows, audit entries), so a fifth to a
quarter of its CPU went to collections that found almost nothing (measured on a batch of
10,000 first-time border crossings: 2.3 s of Python CPU with the defaults, 1.7–1.85 s
with these settings, the same as with the collector off). Reference counting still frees
almost everything at once; the collector is only for cycles, and it still runs, less
often. Objects alive once the application has loaded (modules, settings, URL patterns,
translations) are frozen: no collection walks them again.
"""

from __future__ import annotations

import gc

from django.conf import settings


def collector_tune() -> tuple[int, ...]:
    """Apply `UMIS_GC_THRESHOLDS` and freeze what is alive now. Called once a server
    process has loaded the application; returns the thresholds."""
    gc.set_threshold(*settings.UMIS_GC_THRESHOLDS)
    gc.collect()
    gc.freeze()
    return gc.get_threshold()
