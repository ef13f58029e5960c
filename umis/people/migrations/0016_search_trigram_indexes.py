"""Trigram indexes (pg_trgm, GIN) on a person's folded name (`search_name`) and stored
skeletons (`match_key`), which staff search matches by the beginning of a word: a b-tree
cannot serve `LIKE '% word%'` nor a regular expression, a trigram index can, so a search
reads the few people whose names hold the word's trigrams instead of every person
(docs/adr/0021-staff-search-uses-trigram-indexes.md).

PostgreSQL only: SQLite (the embedded demo database) has no such index and keeps scanning.
pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.

The migration is not atomic so that each index is built CONCURRENTLY: a plain CREATE INDEX
would lock the people table against intake writes for the whole build (about a minute for a
million people), a concurrent build lets registrations go on. An index a failed concurrent
build left behind invalid is dropped and built again."""

from django.db import migrations

INDEXES = (
    ("person_search_name_trgm", "search_name"),
    ("person_match_key_trgm", "match_key"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in INDEXES:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relname = %s",
                [name],
            )
            row = cursor.fetchone()
            if row and row[0]:
                continue
            if row:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY {name} ON people_person"
                f" USING gin ({column} gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _column in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('people', '0015_derived_keys_without_length'),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
