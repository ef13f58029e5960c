"""Ids of people, their documents and block keys come from sequences that hand each
database session a thousand at a time (PostgreSQL `CACHE`): an intake batch takes
thousands of ids, and taking them one by one from the shared sequence was a tenth of the
database's work for a first-time traveller. Ids stay unique; they are no longer in the
order the rows were written across sessions, which nothing reads them for (ADR 9)."""

from django.db import migrations

TABLES = ("people_person", "people_traveldocument", "people_personblockkey")


def cache_ids(apps, schema_editor, size=1000):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"ALTER SEQUENCE {sequence} CACHE {int(size)}")


def uncache_ids(apps, schema_editor):
    cache_ids(apps, schema_editor, size=1)


class Migration(migrations.Migration):
    dependencies = [("people", "0007_creator_not_indexed_merged_partial")]

    operations = [migrations.RunPython(cache_ids, uncache_ids)]
