import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def append_only_again(apps, schema_editor):
    """SQLite alters a column by rebuilding the table, which drops its triggers: put the
    append-only guard back (PostgreSQL keeps it)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for op in ("UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_{op.lower()} BEFORE {op} ON "
            "audit_auditevent BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(append_only_again, migrations.RunPython.noop),
    ]
