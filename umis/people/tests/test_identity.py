from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from umis.audit.models import AuditEvent
from umis.cases.models import Case
from umis.core.errors import Conflict, DomainError, NotFound
from umis.core.testing import World, guest
from umis.documents.models import IssuedDocument
from umis.people.identity import PersonData, birth_compare, identity_score
from umis.people.models import IdentityMatch, Person, PersonMerge, TravelDocument
from umis.people.selectors import identity_match_scope_for_user, person_search
from umis.people.services import (
    identity_match_decide,
    person_links_handled,
    person_merge,
    person_unmerge,
)
from umis.stays.models import StayRegistration
from umis.stays.services import stay_registrations_submit

pytestmark = pytest.mark.django_db


def _register(world: World, **overrides: str) -> None:
    result = stay_registrations_submit(
        actor=world.harry, host=world.hotel, raws=[guest(**overrides)]
    )
    assert all(r.accepted for r in result), result


def _item(**overrides: object) -> PersonData:
    data: dict[str, object] = {
        "surname": "Hüseynov",
        "given_names": "Rəşad",
        "birth_date": dt.date(1985, 3, 14),
        "sex": "M",
        "nationality": "TR",
        "document_type": "passport",
        "document_number": "X1",
        "issuing_state": "TUR",
        "document_expiry": dt.date(2030, 1, 1),
    }
    data.update(overrides)
    return PersonData(**data)  # type: ignore[arg-type]


def test_birth_dates_agree_in_the_ways_clerks_get_them_wrong() -> None:
    d = dt.date(1985, 3, 14)
    assert birth_compare(d, False, d, False) == (0.0, "birth_date_agrees")
    assert birth_compare(dt.date(1985, 4, 3), False, dt.date(1985, 3, 4), False)[1] == (
        "birth_day_month_swapped"
    )
    assert birth_compare(d, False, dt.date(1985, 3, 15), False)[1] == "birth_date_one_digit"
    assert birth_compare(dt.date(1985, 1, 1), True, d, False)[1] == "birth_year_agrees"
    assert birth_compare(d, False, dt.date(1991, 7, 2), False)[1] == "birth_differs"


def test_a_known_person_with_a_new_passport_is_linked_automatically(world: World) -> None:
    _register(world)
    _register(world, surname="Гусейнов", given_names="Рашад", document_number="C7654321")
    person = Person.objects.get()
    assert sorted(TravelDocument.objects.values_list("number", flat=True)) == [
        "C7654321",
        "U12345678",
    ]
    assert set(TravelDocument.objects.values_list("person_id", flat=True)) == {person.pk}
    assert Case.objects.filter(applicant=person).count() == 2
    assert (
        AuditEvent.objects.filter(action="PERSON_IDENTITY_LINKED", person_id=person.pk).count() == 1
    )
    assert not IdentityMatch.objects.exists()


def test_a_doubtful_resemblance_becomes_a_review_task(world: World) -> None:
    _register(world)
    _register(world, birth_date="1985-03-17", document_number="C7654321")
    old, new = Person.objects.order_by("id")
    task = IdentityMatch.objects.get()
    assert (task.person_id, task.candidate_id, task.source, task.status) == (
        new.pk,
        old.pk,
        "intake",
        "open",
    )
    assert 80 <= task.score < 95
    assert "birth_date_one_digit" in task.reasons
    assert AuditEvent.objects.filter(action="IDENTITY_MATCH_RAISED", person_id=new.pk).exists()


def test_a_mistyped_date_in_another_script_is_still_found(world: World) -> None:
    # the date is one digit off, so the person is found through the name key, not the date
    _register(world)
    _register(
        world,
        surname="РАШАД",
        given_names="ГУСЕЙНОВ",
        birth_date="1985-08-14",
        document_number="C7654321",
    )
    old, new = Person.objects.order_by("id")
    task = IdentityMatch.objects.get()
    assert (task.person_id, task.candidate_id) == (new.pk, old.pk)
    assert "birth_date_one_digit" in task.reasons


def test_a_second_given_name_and_a_swapped_date_are_still_found(world: World) -> None:
    # neither the whole name nor the date agrees: found through one name part and the date
    # written the other way round
    _register(world, birth_date="1985-03-04")
    _register(
        world,
        given_names="Rəşad Elçin",
        birth_date="1985-04-03",
        document_number="C7654321",
    )
    old, new = Person.objects.order_by("id")
    task = IdentityMatch.objects.get()
    assert (task.person_id, task.candidate_id) == (new.pk, old.pk)
    assert "birth_day_month_swapped" in task.reasons


def test_a_different_person_is_neither_linked_nor_raised(world: World) -> None:
    _register(world)
    _register(world, surname="Həsənov", given_names="Elçin", document_number="C7654321")
    assert Person.objects.count() == 2
    assert not IdentityMatch.objects.exists()


def test_only_the_year_of_birth_still_finds_the_person(world: World) -> None:
    _register(world)
    item = _item(birth_date=dt.date(1985, 1, 1), birth_year_only=True)
    score, reasons = identity_score(item, Person.objects.get())
    assert score >= 95
    assert "birth_year_agrees" in reasons


def _two_files(world: World) -> tuple[Person, Person]:
    _register(world)
    _register(world, birth_date="1985-03-17", document_number="C7654321")
    return tuple(Person.objects.order_by("id"))  # type: ignore[return-value]


def _file(person: Person) -> dict[str, list[int]]:
    return {
        "cases": sorted(Case.objects.filter(applicant=person).values_list("id", flat=True)),
        "documents": sorted(person.documents.values_list("id", flat=True)),
        "stays": sorted(
            StayRegistration.objects.filter(person=person).values_list("id", flat=True)
        ),
        "issued": sorted(IssuedDocument.objects.filter(person=person).values_list("id", flat=True)),
    }


def test_merge_unmerge_keeps_every_case(world: World) -> None:
    old, new = _two_files(world)
    before_old, before_new = _file(old), _file(new)
    assert all(before_old.values()) and all(before_new.values())
    task = IdentityMatch.objects.get()

    identity_match_decide(
        actor=world.alice,
        match_id=task.pk,
        decision="link",
        reason="Same person: passport renewed, birth date mistyped",
        expected_version=task.version,
    )
    new.refresh_from_db()
    assert new.merged_into_id == old.pk
    merged_file = _file(old)
    assert merged_file == {k: sorted(before_old[k] + before_new[k]) for k in before_old}
    assert _file(new) == {k: [] for k in before_new}
    assert [p.pk for p in person_search(user=world.alice, name="huseynov")] == [old.pk]
    task.refresh_from_db()
    assert (task.status, task.version, task.decided_by_id) == ("linked", 2, world.alice.pk)
    assert AuditEvent.objects.filter(action="PERSON_MERGED").count() == 2

    merge = PersonMerge.objects.get()
    person_unmerge(
        actor=world.hannah,
        merge_id=merge.pk,
        expected_version=merge.version,
        reason="Different people after all",
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.merged_into_id is None
    assert (_file(old), _file(new)) == (before_old, before_new)
    task.refresh_from_db()
    assert task.status == "separate"
    assert AuditEvent.objects.filter(action="PERSON_UNMERGED", person_id=new.pk).count() == 1

    with pytest.raises(Conflict):  # the same undo twice
        person_unmerge(
            actor=world.hannah, merge_id=merge.pk, expected_version=merge.version, reason="again"
        )


def test_keep_separate_needs_a_reason_and_a_fresh_version(world: World) -> None:
    _two_files(world)
    task = IdentityMatch.objects.get()
    with pytest.raises(DomainError) as missing:
        identity_match_decide(
            actor=world.alice, match_id=task.pk, decision="separate", reason=" ", expected_version=1
        )
    assert (missing.value.code, missing.value.field) == ("reason_required", "reason")
    with pytest.raises(Conflict):
        identity_match_decide(
            actor=world.alice,
            match_id=task.pk,
            decision="separate",
            reason="different fathers",
            expected_version=7,
        )
    task.refresh_from_db()
    assert (task.status, task.version) == ("open", 1)
    identity_match_decide(
        actor=world.alice,
        match_id=task.pk,
        decision="separate",
        reason="different fathers",
        expected_version=1,
    )
    task.refresh_from_db()
    assert (task.status, task.decision_reason) == ("separate", "different fathers")
    assert Person.objects.filter(merged_into__isnull=True).count() == 2


def test_an_officer_of_another_region_cannot_see_or_decide(world: World) -> None:
    _two_files(world)
    task = IdentityMatch.objects.get()
    assert list(identity_match_scope_for_user(world.bob)) == []
    assert list(identity_match_scope_for_user(world.hannah)) == [task]
    with pytest.raises(NotFound):
        identity_match_decide(
            actor=world.bob, match_id=task.pk, decision="link", reason="x", expected_version=1
        )
    task.refresh_from_db()
    assert task.status == "open"
    assert not PersonMerge.objects.exists()
    assert AuditEvent.objects.filter(
        action="IDENTITY_MATCH_ACCESS_DENIED", actor=world.bob, entity_id=str(task.pk)
    ).exists()


def test_a_merge_under_a_later_merge_is_undone_last_first(world: World) -> None:
    old, new = _two_files(world)
    _register(world, surname="Smith", given_names="John", document_number="Z9999999")
    third = Person.objects.get(surname="Smith")
    first = person_merge(actor=world.hannah, survivor_id=old.pk, merged_id=new.pk, reason="same")
    person_merge(actor=world.hannah, survivor_id=third.pk, merged_id=old.pk, reason="test")
    with pytest.raises(Conflict) as refused:
        person_unmerge(actor=world.hannah, merge_id=first.pk, expected_version=1, reason="undo")
    assert refused.value.code == "survivor_merged"
    new.refresh_from_db()
    assert new.merged_into_id == old.pk
    assert Case.objects.filter(applicant=third).count() == 3


def test_a_merge_handles_every_link_to_a_person_in_every_app() -> None:
    links = {
        f"{model._meta.label_lower}.{f.name}": f
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.get_fields(include_hidden=True)
        if f.concrete and f.is_relation and f.related_model is Person
    }
    handled = person_links_handled()
    assert sorted(links) == sorted(handled)
    assert {k for k, how in handled.items() if how == "kept"} == {
        "people.identitymatch.candidate",
        "people.identitymatch.person",
        "people.person.merged_into",
        "people.personmerge.merged",
        "people.personmerge.survivor",
    }
    # one row per person cannot be moved onto a person who has one: it is built again
    unique = {k for k, f in links.items() if f.unique}
    assert unique and {handled[k] for k in unique} == {"rebuilt"}


def test_a_known_person_whose_q_is_written_as_a_russian_k_is_linked_automatically(
    world: World,
) -> None:
    # both name parts differ in their first letter: no block key of the old name is shared
    # unless Q and К read alike
    _register(world, surname="Qurbanov", given_names="Rafiq")
    _register(world, surname="Курбанов", given_names="Рафик", document_number="C7654321")
    person = Person.objects.get()
    assert set(TravelDocument.objects.values_list("person_id", flat=True)) == {person.pk}
    assert AuditEvent.objects.filter(action="PERSON_IDENTITY_LINKED", person_id=person.pk).exists()
    assert not IdentityMatch.objects.exists()


def test_a_known_german_name_written_in_russian_is_linked_automatically(world: World) -> None:
    # Bach and Бах, Ulrich and Ульрих: CH is Х in Russian, and no block key is shared unless
    # the German name part also reads so
    _register(world, surname="Bach", given_names="Ulrich")
    _register(world, surname="Бах", given_names="Ульрих", document_number="C7654321")
    person = Person.objects.get()
    assert set(TravelDocument.objects.values_list("person_id", flat=True)) == {person.pk}
    assert not IdentityMatch.objects.exists()


def test_people_registered_before_the_german_readings_are_found_by_them(world: World) -> None:
    import importlib

    from umis.people.identity import block_keys
    from umis.people.models import PersonBlockKey

    _register(world, surname="Bach", given_names="Ulrich")
    person = Person.objects.get()
    PersonBlockKey.objects.filter(key__regex=r"(^|[ #|])(bh|lrh)([ #|]|$)").delete()
    assert len(_keys(person)) < len(block_keys("Bach", "Ulrich", dt.date(1985, 3, 14), False))
    migration = importlib.import_module("umis.people.migrations.0011_german_readings")
    migration.add_readings(apps, None)
    assert _keys(person) == sorted(block_keys("Bach", "Ulrich", dt.date(1985, 3, 14), False))
    _register(world, surname="Бах", given_names="Ульрих", document_number="C7654321")
    assert Person.objects.get() == person  # linked, not a second file


def test_a_known_joachim_written_in_russian_is_linked_automatically(world: World) -> None:
    # Joachim is Иоахим in Russian: J before o as И, and CH as Х though a vowel follows
    _register(world, surname="Schmidt", given_names="Joachim")
    _register(world, surname="Шмидт", given_names="Иоахим", document_number="C7654321")
    person = Person.objects.get()
    assert set(TravelDocument.objects.values_list("person_id", flat=True)) == {person.pk}
    assert not IdentityMatch.objects.exists()


def test_a_known_joakim_written_in_russian_is_linked_automatically(world: World) -> None:
    # Joakim is Joachim's Scandinavian spelling: Иоахим in Russian as well
    _register(world, surname="Berg", given_names="Joakim")
    _register(world, surname="Берг", given_names="Иоахим", document_number="C7654321")
    person = Person.objects.get()
    assert set(TravelDocument.objects.values_list("person_id", flat=True)) == {person.pk}
    assert not IdentityMatch.objects.exists()


def test_people_registered_before_joakim_was_read_as_joachim_are_found_by_it(
    world: World,
) -> None:
    import importlib

    from umis.people.identity import block_keys
    from umis.people.models import PersonBlockKey

    _register(world, surname="Берг", given_names="Иоахим")
    person = Person.objects.get()
    PersonBlockKey.objects.filter(key__regex=r"(^|[ #|])jm([ #|]|$)").delete()  # as before
    expected = sorted(block_keys("Берг", "Иоахим", dt.date(1985, 3, 14), False))
    assert len(_keys(person)) < len(expected)
    migration = importlib.import_module("umis.people.migrations.0014_joakim_as_joachim")
    migration.add_readings(apps, None)
    assert _keys(person) == expected
    _register(world, surname="Berg", given_names="Joakim", document_number="C7654321")
    assert Person.objects.get() == person  # linked, not a second file


def test_people_registered_before_the_joachim_reading_are_found_by_it(world: World) -> None:
    import importlib

    from umis.people.identity import block_keys
    from umis.people.models import PersonBlockKey

    _register(world, surname="Schmidt", given_names="Joachim")
    person = Person.objects.get()
    PersonBlockKey.objects.filter(key__regex=r"(^|[ #|])hm([ #|]|$)").delete()
    expected = sorted(block_keys("Schmidt", "Joachim", dt.date(1985, 3, 14), False))
    assert len(_keys(person)) < len(expected)
    migration = importlib.import_module("umis.people.migrations.0012_german_j_readings")
    migration.add_readings(apps, None)
    assert _keys(person) == expected
    _register(world, surname="Шмидт", given_names="Иоахим", document_number="C7654321")
    assert Person.objects.get() == person  # linked, not a second file


def test_a_q_written_as_k_with_a_mistyped_date_becomes_a_review_task(world: World) -> None:
    _register(world, surname="Курбанов", given_names="Рафик")
    _register(
        world,
        surname="QURBANOV",
        given_names="RAFIQ",
        birth_date="1985-03-17",
        document_number="C7654321",
    )
    old, new = Person.objects.order_by("id")
    task = IdentityMatch.objects.get()
    assert (task.person_id, task.candidate_id) == (new.pk, old.pk)
    assert "birth_date_one_digit" in task.reasons


def _as_before_q_read_as_k() -> None:
    """Keys as written before Q also read as К: no К reading of Qurbanov (krbnv) or of
    Rafiq (rfk), no `kurbanov` or `rafik` in the name key."""
    from umis.people.models import PersonBlockKey

    PersonBlockKey.objects.filter(key__regex=r"(krbnv|rfk)").delete()
    Person.objects.filter(surname="Qurbanov").update(match_key="hurbanov rafih")


def _upgrade() -> None:
    import importlib

    migration = importlib.import_module("umis.people.migrations.0010_q_read_as_k")
    migration.add_readings(apps, None)


def _keys(person: Person) -> list[str]:
    return sorted(person.block_keys.values_list("key", flat=True))


def test_people_registered_before_q_read_as_k_are_found_by_it(world: World) -> None:
    from umis.people.identity import block_keys

    _register(world, surname="Qurbanov", given_names="Rafiq")
    person = Person.objects.get()
    _as_before_q_read_as_k()
    assert person_search(user=world.alice, name="Курбанов Рафик") == []
    _upgrade()
    _upgrade()  # run again: nothing twice
    assert person_search(user=world.alice, name="Курбанов Рафик") == [person]
    assert _keys(person) == sorted(block_keys("Qurbanov", "Rafiq", dt.date(1985, 3, 14), False))
    _register(world, surname="Курбанов", given_names="Рафик", document_number="C7654321")
    assert Person.objects.get() == person  # linked, not a second file


def test_a_kasumov_registered_before_is_found_as_gasymov(world: World) -> None:
    from django.db.models import Value
    from django.db.models.functions import Replace

    from umis.people.models import PersonBlockKey

    _register(world, surname="Касумов", given_names="Анар")
    person = Person.objects.get()
    # as written before Касумов read as Qasımov: its own key, ksmv
    PersonBlockKey.objects.update(key=Replace("key", Value("hsmv"), Value("ksmv")))
    _upgrade()
    # a date one digit off: found through the name key alone
    _register(
        world,
        surname="Гасымов",
        given_names="Анар",
        birth_date="1985-03-17",
        document_number="C7654321",
    )
    task = IdentityMatch.objects.get()
    assert task.candidate_id == person.pk


def test_a_merged_person_registered_before_gets_its_new_keys_back_on_unmerge(
    world: World,
) -> None:
    from umis.people.identity import block_keys

    _register(world, surname="Qurbanov", given_names="Rafiq")
    _register(
        world,
        surname="Qurbanov",
        given_names="Rafiq",
        birth_date="1990-06-01",
        document_number="C7654321",
    )
    survivor, merged = Person.objects.order_by("id")
    merge = person_merge(
        actor=world.hannah, survivor_id=survivor.pk, merged_id=merged.pk, reason="same man"
    )
    _as_before_q_read_as_k()
    _upgrade()
    # the merged record's keys, the new ones too, are with the surviving file
    assert _keys(merged) == []
    assert _keys(survivor) == sorted(
        block_keys("Qurbanov", "Rafiq", dt.date(1985, 3, 14), False)
        + block_keys("Qurbanov", "Rafiq", dt.date(1990, 6, 1), False)
    )
    merge.refresh_from_db()
    person_unmerge(
        actor=world.hannah, merge_id=merge.pk, expected_version=merge.version, reason="two men"
    )
    assert _keys(merged) == sorted(block_keys("Qurbanov", "Rafiq", dt.date(1990, 6, 1), False))
    _register(
        world,
        surname="Курбанов",
        given_names="Рафик",
        birth_date="1990-06-01",
        document_number="D7654321",
    )
    assert Person.objects.count() == 2  # linked to the unmerged man, not a third file
    assert TravelDocument.objects.get(number="D7654321").person_id == merged.pk
