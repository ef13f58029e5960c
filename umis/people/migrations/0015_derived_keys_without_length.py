"""A person's folded name (`search_name`) and stored skeletons (`match_key`) have no length
of their own: the longest names intake accepts (100 characters each) give keys longer than
the 400 characters they had (Щ folds to shch; a name part has a skeleton per reading), and
such a person could not be stored on PostgreSQL. On PostgreSQL varchar to text is a change
of the catalogue only, no row is written again."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0014_joakim_as_joachim'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='match_key',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='person',
            name='search_name',
            field=models.TextField(),
        ),
    ]
