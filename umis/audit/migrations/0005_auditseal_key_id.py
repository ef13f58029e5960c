from importlib import import_module

from django.db import migrations, models

# Should SQLite rebuild the seal table to add the column, the append-only guard goes back.
append_only_again = import_module("umis.audit.migrations.0004_auditseal_signature").append_only_again


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_auditseal_signature")]

    operations = [
        migrations.AddField(
            model_name="auditseal",
            name="key_id",
            field=models.CharField(blank=True, max_length=16, null=True),
        ),
        migrations.RunPython(append_only_again, migrations.RunPython.noop),
    ]
