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

        def sweep() -> str | None:
            handled = outbox_drain()
            return f"handled {handled} outbox messages" if handled else None

        periodic.register("outbox-sweep", 5, sweep)
