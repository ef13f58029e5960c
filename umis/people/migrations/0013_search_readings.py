"""The staff search finds a name by the readings screening and intake use: a name part's
readings across scripts (Ulrich as Ульрих, موحد as Movahed) and its given name's canonical
spelling (Heinrich for Генрих) are now in the stored skeletons (`match_key`), so the people
already in the registry get the key the code gives them now, by the same upgrade as Q read
as К (block keys only added)."""

import importlib

from django.db import migrations


def add_readings(apps, schema_editor):
    upgrade = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    upgrade.add_readings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0012_german_j_readings"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
