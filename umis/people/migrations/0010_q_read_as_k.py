"""Azerbaijani Q is written Г in some Russian documents and К in others (Гурбанов and
Курбанов, Gurbanov and Kurbanov), and Qasım also Касум: a name part with a Q now reads
both ways and Касумов is Qasımov, so the people already in the registry get the keys the
code gives them now. Their `match_key` gains the other readings (a search for Курбанов
finds Qurbanov), and their block keys gain the name key and the name-part keys of each
reading (intake finds them by either spelling).

Block keys are only added, never removed: a key no longer given (Касумов's own, now that
it shares Qasımov's) finds nobody it should not. A merged person's block keys are on the
survivor, so the new ones go there too and are written into the merge record, as the
merge would have moved them: an unmerge takes them back."""

from django.db import migrations

LINK = "people.personblockkey.person"  # a merge record's list of the block keys it moved


def add_readings(apps, schema_editor):
    from umis.people.identity import block_keys
    from umis.people.matchkeys import NameParts, name_key

    Person = apps.get_model("people", "Person")
    PersonBlockKey = apps.get_model("people", "PersonBlockKey")
    PersonMerge = apps.get_model("people", "PersonMerge")
    merge_of = {m.merged_id: m for m in PersonMerge.objects.filter(unmerged_at__isnull=True)}
    moved_in: dict[int, set[int]] = {}  # survivor → block keys other people's merges moved in
    for m in merge_of.values():
        moved_in.setdefault(m.survivor_id, set()).update(m.moved.get(LINK, []))
    grown = {}  # merge records given new rows
    last = 0
    while True:
        chunk = list(
            Person.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "surname",
                "given_names",
                "patronymic",
                "birth_date",
                "birth_year_only",
                "match_key",
            )[:2000]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        keys = {pk: name_key(NameParts(s, g, p).full) for pk, s, g, p, *_ in chunk}
        Person.objects.bulk_update(
            [Person(pk=pk, match_key=keys[pk]) for pk, *_, old in chunk if keys[pk] != old],
            ["match_key"],
        )
        # the keys each person's own name gave: those it holds, less those merges moved in;
        # for a merged person, those its merge moved out
        own: dict[int, set[str]] = {pk: set() for pk, *_ in chunk}
        for row, person_id, key in PersonBlockKey.objects.filter(person_id__in=own).values_list(
            "pk", "person_id", "key"
        ):
            if person_id not in merge_of and row not in moved_in.get(person_id, ()):
                own[person_id].add(key)
        for pk in own.keys() & merge_of.keys():
            rows = set(merge_of[pk].moved.get(LINK, [])) - moved_in.get(pk, set())
            own[pk] = set(PersonBlockKey.objects.filter(pk__in=rows).values_list("key", flat=True))
        new = []
        for pk, surname, given_names, _p, birth_date, year_only, _key in chunk:
            wanted = block_keys(surname, given_names, birth_date, year_only)
            missing = [k for k in dict.fromkeys(wanted) if k not in own[pk]]
            if not missing:
                continue
            if pk not in merge_of:
                new += [PersonBlockKey(person_id=pk, key=k) for k in missing]
                continue
            holder, chain = pk, []
            while holder in merge_of:
                chain.append(merge_of[holder])
                holder = merge_of[holder].survivor_id
            rows = PersonBlockKey.objects.bulk_create(
                PersonBlockKey(person_id=holder, key=k) for k in missing
            )
            for m in chain:
                m.moved[LINK] = [*m.moved.get(LINK, []), *(r.pk for r in rows)]
                moved_in.setdefault(m.survivor_id, set()).update(r.pk for r in rows)
                grown[m.pk] = m
        PersonBlockKey.objects.bulk_create(new, batch_size=5000)
    for m in grown.values():
        PersonMerge.objects.filter(pk=m.pk).update(moved=m.moved)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_mrz_names_with_spaces"),
    ]

    operations = [migrations.RunPython(add_readings, migrations.RunPython.noop)]
