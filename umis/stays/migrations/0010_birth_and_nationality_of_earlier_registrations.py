from django.db import migrations

BATCH = 10_000

# One statement a batch of ids (UPDATE ... FROM: PostgreSQL, and SQLite since 3.33). A row
# that has its date of birth is left alone, so an interrupted run goes on where it stopped.
FILL = (
    "UPDATE stays_stayregistration SET birth_date = p.birth_date,"
    " birth_year_only = p.birth_year_only, sex = p.sex, nationality_id = p.nationality_id"
    " FROM people_person p"
    " WHERE p.id = stays_stayregistration.person_id"
    " AND stays_stayregistration.id >= %s AND stays_stayregistration.id < %s"
    " AND stays_stayregistration.birth_date IS NULL"
)


def birth_and_nationality_of_the_linked_person(apps, schema_editor):
    """The registrations stored before they kept the date of birth, sex and nationality
    typed get those of the person they were linked to: what their pages and certificates
    showed until then. Batches of ids, each committed on its own: no long lock on a large
    table."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id) FROM stays_stayregistration")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH):
            cursor.execute(FILL, [start, start + BATCH])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('stays', '0009_a_registration_keeps_the_birth_and_nationality_as_typed'),
    ]

    operations = [
        migrations.RunPython(
            birth_and_nationality_of_the_linked_person, migrations.RunPython.noop, elidable=True
        ),
    ]
