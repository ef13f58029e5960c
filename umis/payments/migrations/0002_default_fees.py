from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    import datetime as dt

    from umis.payments.services import DEFAULT_FEES

    Fee = apps.get_model("payments", "Fee")
    for row in DEFAULT_FEES:
        Fee.objects.get_or_create(
            code=row["code"],
            valid_from=dt.date(2016, 1, 1),
            defaults={k: v for k, v in row.items() if k != "code"},
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
