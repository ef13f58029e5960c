import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    """The block keys of the people already in the registry, rebuilt: the name key with
    the year and with the day and month, and each name part with the whole date (intake
    no longer reads everyone born on a date, nor eight masked dates a person)."""
    from umis.people.identity import block_keys

    Person = apps.get_model("people", "Person")
    PersonBlockKey = apps.get_model("people", "PersonBlockKey")
    last = 0
    while True:
        chunk = list(
            Person.objects.filter(pk__gt=last, birth_year_only=False)
            .order_by("pk")
            .values_list("pk", "surname", "given_names", "birth_date")[:5000]
        )
        if not chunk:
            return
        PersonBlockKey.objects.filter(person_id__in=[row[0] for row in chunk]).delete()
        PersonBlockKey.objects.bulk_create(
            PersonBlockKey(person_id=pk, key=key)
            for pk, surname, given_names, birth_date in chunk
            for key in block_keys(surname, given_names, birth_date, False)
        )
        last = chunk[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_intake_block_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personblockkey",
            name="person",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="block_keys",
                to="people.person",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
