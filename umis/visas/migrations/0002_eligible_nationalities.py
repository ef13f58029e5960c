from django.db import migrations

def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    import datetime as dt

    from umis.visas.reference import ELIGIBLE

    model = apps.get_model("visas", "EligibleNationality")
    for code in ELIGIBLE:
        model.objects.get_or_create(country_code=code, valid_from=dt.date(2016, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("visas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
