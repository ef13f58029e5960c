from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from umis.audit.models import AuditEvent
from umis.core.testing import World
from umis.people.dedup import (
    DEFAULT_THRESHOLD,
    DedupRecord,
    cluster_signed,
    decision_weight,
    dedup_features,
)
from umis.people.models import IdentityMatch, Person
from umis.people.services import identity_match_decide
from umis.reference.services import reference_load_defaults

pytestmark = pytest.mark.django_db

PEOPLE = [
    # (surname, given names, birth date, sex, nationality)
    ("Hüseynov", "Rəşad", "1985-03-14", "M", "AZ"),
    ("Гусейнов", "Рашад", "1985-03-14", "M", "AZ"),  # the same man in Cyrillic
    ("Məmmədova", "Aysel", "1990-07-02", "F", "AZ"),
    ("AYSEL", "MAMMADOVA", "1990-02-07", "F", "AZ"),  # order swapped, day/month swapped
    ("Иванов", "Пётр", "1971-11-30", "M", "RU"),
    ("Hasanov", "Elçin", "1985-03-14", "M", "AZ"),  # same birth date, another man
    ("Aliyev", "Orxan", "2001-05-05", "M", "AZ"),
    ("Alizadə", "Nigar", "1966-12-12", "F", "AZ"),
    ("Smith", "John", "1980-01-01", "M", "US"),
]


def _registry() -> list[Person]:
    reference_load_defaults()
    return [
        Person.objects.create(
            surname=s,
            given_names=g,
            birth_date=dt.date.fromisoformat(b),
            sex=sex,
            nationality_id=nat,
            search_name=f"{s} {g}".lower(),
        )
        for s, g, b, sex, nat in PEOPLE
    ]


def _dedup(*args: str) -> dict[str, object]:
    out = io.StringIO()
    call_command("people", "dedup", "--workers", "1", *args, stdout=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


def test_features_put_every_script_of_a_name_under_one_key() -> None:
    table = dedup_features(
        [
            DedupRecord(1, "Hüseynov", "Rəşad"),
            DedupRecord(2, "Гусейнов", "Рашад"),
            DedupRecord(3, "RASHAD", "HUSEYNOV"),
        ]
    )
    keys = table.column("name_key").to_pylist()
    assert keys[0] == keys[1] == keys[2]


def test_dedup_proposes_the_duplicates_and_only_them() -> None:
    people = _registry()
    result = _dedup()
    pairs = {(m.candidate_id, m.person_id) for m in IdentityMatch.objects.all()}
    assert pairs == {(people[0].pk, people[1].pk), (people[2].pk, people[3].pk)}
    assert result["stored"] == 2
    match = IdentityMatch.objects.get(person=people[3])
    assert match.source == "dedup"
    assert "birth_date:day_month_swapped" in match.reasons
    assert AuditEvent.objects.filter(action="IDENTITY_MATCH_RAISED").count() == 2

    assert _dedup()["stored"] == 0  # a second run raises nothing new
    assert IdentityMatch.objects.count() == 2


def test_a_pair_kept_separate_is_not_raised_again(world: World) -> None:
    people = _registry()
    _dedup()
    match = IdentityMatch.objects.get(person=people[1])
    identity_match_decide(
        actor=world.hannah,
        match_id=match.pk,
        decision="separate",
        reason="Different fathers' names on the birth certificates",
        expected_version=1,
    )
    _dedup()
    match.refresh_from_db()
    assert match.status == "separate"
    assert IdentityMatch.objects.filter(person=people[1]).count() == 1


def test_dry_run_stores_nothing() -> None:
    _registry()
    result = _dedup("--dry-run")
    assert (result["proposals"], result["stored"]) == (2, 0)
    assert not IdentityMatch.objects.exists()


def test_web_code_does_not_import_splink() -> None:
    code = (
        "import django, sys; django.setup();"
        "import config.urls, umis.people.services, umis.people.selectors;"
        "sys.exit(1 if {'splink', 'duckdb'} & set(sys.modules) else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)  # noqa: S603
    assert done.returncode == 0, done.stderr


def test_a_chain_is_split_where_its_ends_clearly_differ() -> None:
    # 1~2 and 2~3 look alike, but 1 and 3 clearly differ: 3 stays apart.
    assert cluster_signed([(1, 2, 10.0), (2, 3, 8.0), (1, 3, -20.0)]) == {1: 1, 2: 1}
    # A group whose pairs add up positive stays one person even with one weak pair.
    assert cluster_signed([(1, 2, 5.0), (2, 3, 5.0), (1, 3, -1.0)]) == {1: 1, 2: 1, 3: 1}
    assert cluster_signed([(1, 2, -0.5)]) == {}


def test_the_default_threshold_is_the_models_decision_point() -> None:
    # A pair is proposed when it is more likely one person than two.
    assert DEFAULT_THRESHOLD == 0.5
    assert decision_weight(DEFAULT_THRESHOLD) == 0
    assert decision_weight(0.8) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        decision_weight(1.0)
    _registry()
    assert _dedup("--dry-run")["threshold"] == 0.5


def test_a_record_that_fits_two_different_people_joins_only_one() -> None:
    reference_load_defaults()

    def person(surname: str, given: str, birth: str, **extra: object) -> Person:
        return Person.objects.create(
            surname=surname,
            given_names=given,
            birth_date=dt.date.fromisoformat(birth),
            sex="M",
            nationality_id="AZ",
            search_name=f"{surname} {given}".lower(),
            **extra,
        )

    a = person("Hüseynov", "Rəşad", "1985-03-14")
    b = person("Гусейнов", "Рашад", "1985-01-01", birth_year_only=True)  # only the year
    c = person("HUSEYNOV", "RASHAD", "1985-09-30")  # same name and year, another day
    _dedup()
    pairs = {frozenset((m.person_id, m.candidate_id)) for m in IdentityMatch.objects.all()}
    # b fits a and c alike, but a and c are two men: b is proposed with one of them only.
    assert len(pairs) == 1
    assert b.pk in next(iter(pairs))
    assert frozenset((a.pk, c.pk)) not in pairs
