from django.db import migrations

DEFAULTS = [
    ("entry-bans", "Entry bans"),
    ("wanted", "Wanted persons"),
    ("alerts", "Other alerts"),
    ("documents", "Lost, stolen and invalid travel documents"),
]


def create(apps, schema_editor):
    Watchlist = apps.get_model("screening", "Watchlist")
    for code, name in DEFAULTS:
        Watchlist.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
