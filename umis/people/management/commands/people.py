from __future__ import annotations

import json
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Person registry tools. `umis people dedup [--threshold 0.5] [--dry-run]` finds likely "
        "duplicates across the whole registry (Splink on DuckDB) and stores them as merge "
        "proposals for officers to review: pairs whose match probability reaches the "
        "threshold and that the clustering keeps in one person."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        dedup = sub.add_parser("dedup", help="propose merges of likely duplicate persons")
        dedup.add_argument("--threshold", type=float, default=None)
        dedup.add_argument("--dry-run", action="store_true", help="print, store nothing")
        dedup.add_argument("--workers", type=int, default=os.cpu_count() or 1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dedup":
            self._dedup(options)

    def _dedup(self, options: Any) -> None:
        from umis.people import dedup
        from umis.people.services import identity_matches_propose

        threshold = options["threshold"]
        if threshold is None:
            threshold = dedup.DEFAULT_THRESHOLD
        if not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1")
        started = time.perf_counter()
        proposals = dedup.registry_proposals(threshold=threshold, workers=options["workers"])
        stored = 0
        if not options["dry_run"]:
            stored = len(
                identity_matches_propose(
                    actor=None,
                    proposals=[(p.id_l, p.id_r, p.probability, p.reasons) for p in proposals],
                )
            )
        self.stdout.write(
            json.dumps(
                {
                    "proposals": len(proposals),
                    "stored": stored,
                    "threshold": threshold,
                    "seconds": round(time.perf_counter() - started, 1),
                    "pairs": [
                        {
                            "persons": [p.id_l, p.id_r],
                            "probability": round(p.probability, 4),
                            "reasons": list(p.reasons),
                        }
                        for p in proposals[:20]
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
