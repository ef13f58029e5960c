"""A German name beginning with J before a vowel other than a reads its CH as Х before a
vowel too (Joachim as Иоахим, Jochen as Йохен), and that reading's block keys are new: the
people already in the registry get the keys the code gives them now, by the same upgrade
as Q read as К (keys only added, a merged person's on the survivor and in the merge
record)."""

import importlib

from django.db import migrations


def add_readings(apps, schema_editor):
    upgrade = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    upgrade.add_readings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0011_german_readings"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
