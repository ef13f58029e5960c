"""Names in MRZ characters were stored with the filler between words when typed in a form
(`MEHMET<ALI`) and with a space when read from a zone (`MEHMET ALI`): all get the space.
Documents already issued keep the holder's name they were sealed with (verification shows
it with spaces)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def forwards(apps, schema_editor):
    TravelDocument = apps.get_model("people", "TravelDocument")
    for field in ("mrz_surname", "mrz_given_names"):
        TravelDocument.objects.filter(**{f"{field}__contains": "<"}).update(
            **{field: Replace(field, Value("<"), Value(" "))}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_sequence_cache"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
