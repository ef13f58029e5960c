from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "umis.core"
    label = "core"

    def ready(self) -> None:
        from umis.core import (
            lookups,  # noqa: F401 (registers field__any)
            periodic,
        )
        from umis.core.outbox import outbox_drain
        from umis.core.ratelimit import rate_counters_prune

        def sweep() -> str | None:
            handled = outbox_drain()
            return f"handled {handled} outbox messages" if handled else None

        periodic.register("outbox-sweep", 5, sweep)

        def prune() -> str | None:
            deleted = rate_counters_prune()
            return f"pruned {deleted} rate counters" if deleted else None

        periodic.register("rate-counters-prune", 300, prune)
