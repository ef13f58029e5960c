from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "umis.api"
    label = "api"

    def ready(self) -> None:
        from umis.api.idempotency import idempotency_records_prune
        from umis.core import periodic

        def prune() -> str | None:
            deleted = idempotency_records_prune()
            return f"pruned {deleted} stored answers" if deleted else None

        periodic.register("idempotency-prune", 3600, prune)
