"""Joakim, the Scandinavian spelling of Joachim, and Иоаким, the Church's Russian one, are
now spellings of Joachim (Иоахим): their name parts are filed under Joachim's keys, so
intake finds a Joakim from Иоахим and the staff search finds Иоахим from Joakim. The
people already in the registry get the keys the code gives them now, by the same upgrade
as Q read as К (block keys only added, a merged person's on the survivor and in the
merge record)."""

import importlib

from django.db import migrations


def add_readings(apps, schema_editor):
    upgrade = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    upgrade.add_readings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0013_search_readings"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
