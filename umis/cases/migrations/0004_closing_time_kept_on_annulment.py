"""An issued e-visa or an ended registration annulled before this release had its closing
time moved to the annulment; it is put back to the decision (the moment the case entered
the state it was annulled from), as a transition now keeps it."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FINAL_BEFORE_ANNULMENT = ("issued", "ended")  # e-visa issued, registration ended


def closing_put_back(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    annulments = CaseEvent.objects.filter(
        to_state="annulled", from_state__in=FINAL_BEFORE_ANNULMENT
    )
    for event in annulments.only("case_id", "from_state", "at", "id"):
        decided = (
            CaseEvent.objects.filter(
                case_id=event.case_id, to_state=event.from_state, at__lte=event.at
            )
            .exclude(pk=event.pk)
            .order_by("at", "id")
            .values_list("at", flat=True)
            .first()
        )
        if decided is not None:
            Case.objects.filter(pk=event.case_id, state="annulled").update(closed_at=decided)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_assignee_queue_index")]

    operations = [migrations.RunPython(closing_put_back, migrations.RunPython.noop)]
