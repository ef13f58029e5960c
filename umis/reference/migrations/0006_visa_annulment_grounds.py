from django.db import migrations

CODES = (
    "mc-visa-annul-entry-ban",
    "mc-visa-annul-false-information",
    "mc-visa-annul-invalid-document",
)


def add_visa_annulment_grounds(apps, schema_editor):
    """The legal grounds of the annulment of an e-visa, for installations whose grounds were
    loaded before them (one an administrator has already entered is left as it is)."""
    from umis.reference.services import LEGAL_GROUNDS

    LegalGround = apps.get_model("reference", "LegalGround")
    for code, applies, c_az, c_en, c_ru, n_az, n_en, n_ru in LEGAL_GROUNDS:
        if code in CODES and not LegalGround.objects.filter(code=code).exists():
            LegalGround.objects.create(
                code=code,
                applies_to=applies,
                citation=c_en,
                citation_az=c_az,
                citation_ru=c_ru,
                name_az=n_az,
                name_en=n_en,
                name_ru=n_ru,
            )


class Migration(migrations.Migration):

    dependencies = [
        ("reference", "0005_codes_without_a_state"),
    ]

    operations = [
        migrations.RunPython(add_visa_annulment_grounds, migrations.RunPython.noop),
    ]
