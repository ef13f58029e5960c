from django.db import migrations

BATCH = 10_000

# One statement a batch of ids (UPDATE ... FROM: PostgreSQL, and SQLite since 3.33). A row
# that has its names is left alone, so an interrupted run goes on where it stopped.
FILL = (
    "UPDATE stays_stayregistration SET surname = p.surname, given_names = p.given_names,"
    " patronymic = p.patronymic FROM people_person p"
    " WHERE p.id = stays_stayregistration.person_id"
    " AND stays_stayregistration.id >= %s AND stays_stayregistration.id < %s"
    " AND stays_stayregistration.surname = ''"
)


def names_of_the_linked_person(apps, schema_editor):
    """The registrations stored before they kept the names typed get the names of the
    person they were linked to: what their pages and certificates showed until then.
    Batches of ids, each committed on its own: no long lock on a large table."""
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
        ('people', '0010_q_read_as_k'),
        ('stays', '0007_a_registration_keeps_the_names_as_typed'),
    ]

    operations = [
        migrations.RunPython(names_of_the_linked_person, migrations.RunPython.noop, elidable=True),
    ]
