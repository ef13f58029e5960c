from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "umis.cases"
    label = "cases"

    def ready(self) -> None:
        from umis.cases import statistics
        from umis.cases.services import reference_sequences_prepare
        from umis.core import periodic

        statistics.register_statistics()

        def prepare() -> str | None:
            made = reference_sequences_prepare()
            return f"reference sequences created: {', '.join(made)}" if made else None

        periodic.register("case-reference-sequences", 86400, prepare)
