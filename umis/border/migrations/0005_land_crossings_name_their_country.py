from django.db import migrations


def land_crossings_name_their_country(apps, schema_editor):
    """The land crossing points loaded before their Azerbaijani names said the neighbouring
    country (Samur, Qırmızı Körpü, Astara) get today's names; a name an administrator
    changed is left as it is."""
    from umis.border.services import crossing_point_names_mend

    crossing_point_names_mend(apps.get_model("border", "CrossingPoint"))


class Migration(migrations.Migration):

    dependencies = [
        ("border", "0004_finding_decisions"),
    ]

    operations = [
        migrations.RunPython(land_crossings_name_their_country, migrations.RunPython.noop),
    ]
