from django.db import migrations

# Nationalities that may apply for an e-visa (ASAN Visa list, simplified; citizens of
# visa-free countries do not need one). Reference data: editable, dated.
ELIGIBLE = (
    "AD AE AL AR AT AU BA BE BG BH BN BR CA CH CL CN CO CR CY CZ DE DK DZ EC EE EG ES FI FR "
    "GB GR HK HR HU ID IE IL IN IS IT JO JP KR KW LI LK LT LU LV MA MC ME MK MN MT MX MY NL "
    "NO NZ OM PA PE PH PK PL PT QA RO RS SA SE SG SI SK SM TH TW US UY VA VN ZA"
).split()


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    import datetime as dt

    model = apps.get_model("visas", "EligibleNationality")
    for code in ELIGIBLE:
        model.objects.get_or_create(country_code=code, valid_from=dt.date(2016, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("visas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
