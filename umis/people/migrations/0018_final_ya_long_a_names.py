"""Names whose final ی stands for the Arabic alef maqsura whatever their shape (موسی Musa,
عیسی Isa, یحیی Yahya, کبری Kobra, صغری Soghra, لیلی Leyli, هدی Hoda, بشری Boshra, طوبی Tuba)
also read it ā, and an Arabic-script name part beginning with ی before a consonant also
reads without it (یحیی as Yahya, Яхья): the people already in the registry get the keys the
code gives them now, so the staff search finds a موسی on file from Musa, by the same upgrade
as Q read as К (block keys only added)."""

import importlib

from django.db import migrations


def add_readings(apps, schema_editor):
    upgrade = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    upgrade.add_readings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0017_final_ya_read_long_a"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
