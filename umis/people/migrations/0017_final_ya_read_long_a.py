"""An Arabic-script name part shaped as an Arabic passive participle of form VIII (مرتضی,
مصطفی, مجتبی) also reads its final ی as ā (Morteza, Murtuza, Муртуза, Mustafa), and ت before
ز or س is no longer read as the ts of ц (مرتضی is not m-r-z, Mirza): the people already in
the registry get the keys the code gives them now, so the staff search finds a مرتضی on file
from Murtuza, by the same upgrade as Q read as К (block keys only added)."""

import importlib

from django.db import migrations


def add_readings(apps, schema_editor):
    upgrade = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    upgrade.add_readings(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0016_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
