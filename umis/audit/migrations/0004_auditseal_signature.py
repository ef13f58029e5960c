from django.db import migrations, models


def append_only_again(apps, schema_editor):
    """Should SQLite rebuild the seal table to add the column, its triggers go with it: put
    the append-only guard back (PostgreSQL keeps it)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for op in ("UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS audit_auditseal_no_{op.lower()} BEFORE {op} ON "
            "audit_auditseal BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_lean_indexes_and_shared_links")]

    operations = [
        migrations.AddField(
            model_name="auditseal",
            name="signature",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(append_only_again, migrations.RunPython.noop),
    ]
