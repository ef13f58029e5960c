from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from umis.accounts.models import Role
from umis.audit.services import AuditEntry, audit_record, audit_record_many
from umis.cases.models import Case
from umis.cases.selectors import case_applicant_for_user
from umis.core.errors import NotFound
from umis.people.matchkeys import token_search_readings
from umis.people.models import IdentityMatch, Person, PersonMerge, TravelDocument
from umis.people.names import arabic_letter_class, search_key
from umis.people.normalize import Token, normalize_name
from umis.people.purposes import ReadPurpose, read_purpose, stated_purpose_check

MAX_ID = 2**63 - 1  # the largest id the database can hold

# How a domain ties a person to an office beyond the office's cases (an overstay finding, a
# screening hit; not a mere crossing at one of its border points): office id -> a queryset of the
# domain's rows of that office, and the name of its person field. Registered in ready().
OfficeLink = tuple[Callable[[int], QuerySet[Any]], str]
_OFFICE_LINKS: list[OfficeLink] = []


def person_office_link_register(rows_of_office: Callable[[int], QuerySet[Any]], field: str) -> None:
    """Let a regional officer reach the persons `rows_of_office(office_id)` point to."""
    if (rows_of_office, field) not in _OFFICE_LINKS:
        _OFFICE_LINKS.append((rows_of_office, field))


def _linked_to_office(office_id: int, ref: str) -> Q:
    local = Case.objects.filter(office_id=office_id)
    condition = Q(Exists(local.filter(applicant_id=OuterRef(ref))))
    for rows_of_office, field in _OFFICE_LINKS:
        condition |= Q(Exists(rows_of_office(office_id).filter(**{field: OuterRef(ref)})))
    return condition


def person_scope_for_user(user: Any) -> QuerySet[Person]:
    """The person files a staff member may open: the head office, analysts and
    administrators all; a regional officer those tied to their office (a case of the
    office, or a domain's link such as a finding or a hit there; having crossed the border at
    one of the region's points is no tie), records
    merged into such a person, and both sides of an open duplicate review of the office.
    Nobody else any."""
    if not _staff(user) or not user.is_active:
        return Person.objects.none()
    if user.sees_all_offices:
        return Person.objects.all()
    if user.role == Role.REGIONAL_OFFICER and user.office_id:
        # either side of a possible duplicate the officer may review, while it is open
        reviews = identity_match_scope_for_user(user).filter(status=IdentityMatch.Status.OPEN)
        return Person.objects.filter(
            _linked_to_office(user.office_id, "pk")
            | _linked_to_office(user.office_id, "merged_into_id")
            | Q(Exists(reviews.filter(person_id=OuterRef("pk"))))
            | Q(Exists(reviews.filter(candidate_id=OuterRef("pk"))))
        )
    return Person.objects.none()


def _staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "is_staff_member", False)
    )


SEARCH_LIMIT = 50  # people shown for one search; the page says when there may be more
SKELETON_PREFIX_MIN = 4  # a shorter phonetic skeleton must be a whole word of the name


def person_search(
    *,
    user: Any,
    name: str = "",
    birth_date: dt.date | None = None,
    document_number: str = "",
    limit: int | None = None,
) -> list[Person]:
    """Staff search by name (any script, case/diacritic-blind), date of birth, document
    number, among the persons the user may open (`person_scope_for_user`). A search is a
    read of every file it shows: each is in the audit log, with what was searched by (not
    the words: a document number is itself personal data)."""
    if not _staff(user):
        return []
    number = document_number.strip().upper()
    key = search_key(name)
    if not (key or birth_date or number):
        return []
    qs = person_scope_for_user(user).filter(merged_into__isnull=True)
    if key:
        # the letters as written (folded), each word the beginning of a word of the name, or
        # the same name in another script or spelling: Гусейнов, Guseynov and HUSEYNOV all
        # find Hüseynov by its phonetic skeletons, Курбанов finds Qurbanov by its К reading,
        # Генрих finds Heinrich and Ульрих Ulrich as screening and intake read them
        spelt = Q(*(_word_starting("search_name", token) for token in key.split()))
        tokens = [(t, token_search_readings(t)) for t in normalize_name(name).main]
        if any(t.abjad for t, _readings in tokens):
            # Arabic and Persian write no short vowels: حسین is Hüseyn, علی is Əli. Its
            # letters as typed begin other names too (ly: Lyudmila), so only its sound counts
            qs = qs.filter(
                *[
                    _abjad_token(t, readings) if t.abjad else _any_skeleton_word(readings)
                    for t, readings in tokens
                ]
            )
        else:
            # a name on file in Arabic script is stored without its short vowels: Mahsa and
            # Rezaei find مهسا رضایی by their letters less those vowels
            sounds = [
                _any_skeleton_word(readings) | (_unvowelled_word(readings) & _arabic_script())
                for _t, readings in tokens
            ]
            qs = qs.filter(spelt | Q(*sounds) if sounds else spelt)
    if birth_date:
        qs = qs.filter(birth_date=birth_date)
    if number:
        qs = qs.filter(documents__number=number)
    found = list(
        qs.select_related("nationality")
        .order_by("surname", "given_names", "id")
        .distinct()[: limit or SEARCH_LIMIT]
    )
    by = [
        k for k, given in (("name", key), ("birth_date", birth_date), ("document", number)) if given
    ]
    audit_record_many(
        actor=user,
        entries=[
            AuditEntry("PERSON_SEARCHED", entity=p, person_id=p.pk, data={"by": by}) for p in found
        ]
        or [AuditEntry("PERSON_SEARCHED", entity_type="people.search", data={"by": by})],
    )
    return found


def _word_starting(field: str, start: str) -> Q:
    """`field` (words separated by single spaces) has a word that begins with `start`."""
    return Q(**{f"{field}__startswith": start}) | Q(**{f"{field}__contains": f" {start}"})


def _any_skeleton_word(readings: tuple[str, ...]) -> Q:
    """The stored skeletons hold one of the readings of a word (`_skeleton_word`)."""
    found = Q()
    for skeleton in readings:
        found |= _skeleton_word(skeleton)
    return found


def _skeleton_word(skeleton: str) -> Q:
    """The stored skeletons (`match_key`) hold this one, or, for one long enough to say
    something, one that begins with it (Əliyev finds Əliyeva). A skeleton is never looked
    for inside another: `alav` (Əliyev) is inside `kovalava` (Ковалева), and a short one
    such as `h` inside most names."""
    if len(skeleton) >= SKELETON_PREFIX_MIN:
        return _word_starting("match_key", skeleton)
    return (
        Q(match_key=skeleton)
        | Q(match_key__startswith=f"{skeleton} ")
        | Q(match_key__endswith=f" {skeleton}")
        | Q(match_key__contains=f" {skeleton} ")
    )


_SHORT_VOWELS = "[aeiouy]*"
_VOWELS = "aeiouy"
# Letters of the Arabic script that a Latin or Cyrillic spelling writes as a vowel, never as a
# consonant: alef, with or without its hamza, a hamza alone, and ain (the Ə of Əli, علی; the
# A and the second a of Abbas, عباس). Read as alef madda (آ), they give the a it gives.
_VOWEL_LETTERS = re.compile("[\u0621\u0623\u0625\u0627\u0671\u0639]")
_ALEF_MADDA = "\u0622"


def _abjad_token(token: Token, readings: tuple[str, ...]) -> Q:
    """A name part on file that reads as this one written in Arabic script: with a vowel
    where it writes alef or ain (Ali, Əli, Али for علی; not Li), or, on file in Arabic script
    too (`_arabic_script`), whose letters were read without them as this one's (`readings`)."""
    plain = {_abjad_pattern(r) for r in readings if r}
    parts = normalize_name(_VOWEL_LETTERS.sub(_ALEF_MADDA, token.original)).main
    if len(parts) != 1:
        return _abjad_word(readings)
    vowelled = {_abjad_pattern(r, vowelled=True) for r in token_search_readings(parts[0]) if r}
    if vowelled == plain:
        return _abjad_word(readings)
    found = Q()
    for word in vowelled:
        found |= Q(match_key__regex=f"(^| ){word}( |$)")
    return found | (_abjad_word(readings) & _arabic_script())


def _abjad_pattern(reading: str, *, vowelled: bool = False) -> str:
    """A word of the letters of `reading`, short vowels put in anywhere; `vowelled`: its a (an
    alef or ain, `_VOWEL_LETTERS`) wants a vowel there, unless a long vowel (ی, و) written
    beside it already gives one (سعید is Səid, مسعود Məsud, ایرج Iraj)."""
    out = [_SHORT_VOWELS]
    for i, c in enumerate(reading):
        if vowelled and c == "a":
            beside = reading[i - 1 : i] + reading[i + 1 : i + 2]
            if not any(v in _VOWELS for v in beside):
                out[-1] = "[aeiouy]+"
            continue
        out += [re.escape(c), _SHORT_VOWELS]
    return "".join(out)


def _abjad_word(readings: tuple[str, ...]) -> Q:
    """The stored skeletons hold a word made of one of the readings of a word written without
    its short vowels (Arabic, Persian) with vowels put in anywhere: hsin (حسین) is husain
    (Hüseyn), never hasan; li is li (علی on file), never ludmila."""
    found = Q()
    for reading in readings:
        if reading:
            found |= Q(match_key__regex=f"(^| ){_abjad_pattern(reading)}( |$)")
    return found


def _arabic_script() -> Q:
    """A name part on file is written in Arabic script (`name_is_arabic`)."""
    letter = arabic_letter_class()
    return Q(surname__regex=letter) | Q(given_names__regex=letter) | Q(patronymic__regex=letter)


def _unvowelled_word(readings: tuple[str, ...]) -> Q:
    """The stored skeletons hold one of the readings of a word with any of its vowels left
    out, as Arabic and Persian write a name: mahsa is mhs (مهسا), razai (Rezaei) rzi
    (رضایی), but not raza (Reza), whose last vowel is not the ی of rzi. Only for a name on
    file in Arabic script (`_arabic_script`): in Latin, Ali less its a is Li, another
    name."""
    found = Q()
    for reading in readings:
        if re.search(r"[^aeiouy]", reading):
            word = "".join(f"{c}?" if c in "aeiouy" else re.escape(c) for c in reading)
            found |= Q(match_key__regex=f"(^| ){word}( |$)")
    return found


def person_in_scope(*, user: Any, person_id: int) -> bool:
    """Whether `user` may open this person's file (nothing is read, nothing audited)."""
    return 1 <= person_id <= MAX_ID and person_scope_for_user(user).filter(pk=person_id).exists()


@dataclass(frozen=True)
class PurposeSubject:
    """What a purpose's reference names (a case, a finding) and how to check it: `resolve`
    gives the reference as the record has it and the record's person, or raises NotFound
    (the attempt audited) for a record the user may not see; the messages say what is wrong
    beside the reference field."""

    resolve: Callable[[Any, str], tuple[str, int | None]]
    not_found: Any  # a translated message
    other_person: Any
    code: str  # kept in the PERSON_PURPOSE_REFUSED audit row


def _case_subject(user: Any, reference: str) -> tuple[str, int | None]:
    return case_applicant_for_user(user=user, reference=reference)


# purpose code -> what its reference names; domains add theirs in ready()
_PURPOSE_SUBJECTS: dict[str, PurposeSubject] = {
    "case": PurposeSubject(
        _case_subject,
        _("There is no case with this number that you may see."),
        _("This case does not concern this person."),
        "other_case",
    )
}


def person_purpose_subject_register(code: str, subject: PurposeSubject) -> None:
    """Check the reference stated with purpose `code` as `subject` says, when one is given."""
    _PURPOSE_SUBJECTS[code] = subject


def person_read_purpose(
    *, user: Any, person_id: int, params: Mapping[str, str]
) -> tuple[ReadPurpose | None, dict[str, str]]:
    """Why `user` opens this person's file, as stated in `params` (`purpose`, `ref`), or None
    and what is wrong by field (none when nothing was stated yet). A reference naming a
    record (work on a case, which must name one; an overstay finding, `F<id>`, when given)
    must name one the user may see whose person is this one or the record this one was
    merged into; it is kept as the record has it, a refusal audited. NotFound (audited) for
    a person outside the user's scope, before anything is asked."""
    purpose, problems = read_purpose(params)
    subject = _PURPOSE_SUBJECTS.get(purpose.code) if purpose is not None else None
    if purpose is not None and (subject is None or not purpose.reference):
        return purpose, {}
    if not person_in_scope(user=user, person_id=person_id):
        person_get_for_user(user=user, person_id=person_id, purpose="")  # NotFound, audited
    if purpose is None or subject is None:
        return None, problems
    try:
        reference, subject_person_id = subject.resolve(user, purpose.reference)
    except NotFound:
        return None, {"ref": str(subject.not_found)}
    person = Person.objects.get(pk=person_id)
    if subject_person_id is None or subject_person_id not in {
        person.pk,
        person_current(person=person).pk,
    }:
        audit_record(
            actor=user,
            action="PERSON_PURPOSE_REFUSED",
            entity=person,
            person_id=person.pk,
            data={"purpose": ReadPurpose(purpose.code, reference).text, "code": subject.code},
        )
        return None, {"ref": str(subject.other_person)}
    return ReadPurpose(purpose.code, reference), {}


def person_get_for_user(
    *,
    user: Any,
    person_id: int,
    purpose: str,
    action: str = "PERSON_VIEWED",
    data: dict[str, Any] | None = None,
    agencies: bool = False,
    current_only: bool = False,
    purpose_typed: bool = False,
) -> Person:
    """A person's file for staff within their scope (`person_scope_for_user`: a regional
    officer only persons tied to their office) and, with `agencies`, for agency API
    clients; the read is audited as `action` with its purpose, a refusal as
    PERSON_ACCESS_DENIED. `current_only` refuses a record that was merged into another.
    `purpose_typed`: the purpose is free text as the reader typed it, refused once access is
    settled and before the read is audited when it holds a character drawn as nothing."""
    agency = (
        agencies
        and getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") == "agency"
    )
    allowed = _staff(user) or agency
    people = (Person.objects.all() if agency else person_scope_for_user(user)).select_related(
        "nationality"
    )
    people = people.filter(pk=person_id)
    if current_only:
        people = people.filter(merged_into__isnull=True)
    # an id past the database's integers names no one (and would fail the query)
    person = people.first() if allowed and 1 <= person_id <= MAX_ID else None
    if person is None:
        audit_record(
            actor=user,
            action="PERSON_ACCESS_DENIED",
            entity_type="people.person",
            entity_id=str(person_id)[:60],
        )
        raise NotFound("not_found", _("Not found."))
    if purpose_typed:
        stated_purpose_check(purpose)
    audit_record(
        actor=user,
        action=action,
        entity=person,
        person_id=person.pk,
        data={"purpose": purpose, **(data or {})},
    )
    return person


def identity_match_scope_for_user(user: Any) -> QuerySet[IdentityMatch]:
    """Possible duplicates an officer may work: head office all; a regional officer those
    where either person has a case in their office."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return IdentityMatch.objects.none()
    if user.role == Role.HEAD_OFFICER:
        return IdentityMatch.objects.all()
    if user.role == Role.REGIONAL_OFFICER and user.office_id:
        local = Case.objects.filter(office_id=user.office_id)
        return IdentityMatch.objects.filter(
            Exists(local.filter(applicant_id=OuterRef("person_id")))
            | Exists(local.filter(applicant_id=OuterRef("candidate_id")))
        )
    return IdentityMatch.objects.none()


class MatchOrder:
    BEST = "best"  # highest score first
    NEWEST = "newest"  # most recently raised first
    CHOICES = (BEST, NEWEST)


def identity_match_queue_for_user(
    *,
    user: Any,
    status: str = IdentityMatch.Status.OPEN,
    page: int = 1,
    per_page: int = 50,
    source: str = "",
    min_score: float | None = None,
    order: str = MatchOrder.BEST,
) -> Page[IdentityMatch]:
    """The possible duplicates the user may work, filtered by source (intake or dedup) and
    lowest score, best or newest first."""
    qs = (
        identity_match_scope_for_user(user)
        .filter(status=status)
        .select_related("person__nationality", "candidate__nationality")
    )
    if source:
        qs = qs.filter(source=source)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if order == MatchOrder.NEWEST:
        qs = qs.order_by("-created_at", "-id")
    else:
        qs = qs.order_by("-score", "id")
    return Paginator(qs, per_page).get_page(page)


def identity_match_get_for_user(
    *, user: Any, match_id: int, for_update: bool = False, audit_read: bool = True
) -> IdentityMatch:
    """A possible duplicate the user may work, or NotFound (the refusal audited); the read of
    both persons' files is audited unless the caller is about to record a decision."""
    qs = identity_match_scope_for_user(user).select_related(
        "person__nationality", "candidate__nationality"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    match = qs.filter(pk=match_id).first()
    if match is None:
        audit_record(
            actor=user,
            action="IDENTITY_MATCH_ACCESS_DENIED",
            entity_type="people.identitymatch",
            entity_id=str(match_id),
        )
        raise NotFound("not_found", _("Not found."))
    if audit_read:
        for person_id in (match.person_id, match.candidate_id):
            audit_record(
                actor=user,
                action="PERSON_VIEWED",
                entity=match,
                person_id=person_id,
                data={"purpose": "identity review"},
            )
    return match


def person_merges_of(*, person_id: int) -> QuerySet[PersonMerge]:
    """Merges in which the person took part (either side), newest first."""
    return (
        PersonMerge.objects.filter(Q(survivor_id=person_id) | Q(merged_id=person_id))
        .select_related("survivor", "merged", "created_by", "unmerged_by")
        .order_by("-created_at", "-id")
    )


def person_current(*, person: Person) -> Person:
    """Follow `merged_into` to the record that now stands for the person."""
    seen = {person.pk}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def person_holding_document(*, number: str, issuing_state: str) -> Person | None:
    """The person on file with this travel document (the record that now stands for them,
    after a merge), or None. For a service that already knows the document: unscoped and
    not audited here, so the caller audits the read with its own purpose."""
    doc = (
        TravelDocument.objects.select_related("person")
        .filter(issuing_state_id=issuing_state, number=number)
        .first()
    )
    return person_current(person=doc.person) if doc else None


def person_merge_get_for_user(*, user: Any, merge_id: int) -> PersonMerge:
    """A merge an officer may undo: head office any; a regional officer one whose surviving
    person has a case in their office. NotFound (audited) otherwise."""
    qs = PersonMerge.objects.none()
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.role == Role.HEAD_OFFICER:
            qs = PersonMerge.objects.all()
        elif user.role == Role.REGIONAL_OFFICER and user.office_id:
            local = Case.objects.filter(office_id=user.office_id)
            qs = PersonMerge.objects.filter(
                Exists(local.filter(applicant_id=OuterRef("survivor_id")))
                | Exists(local.filter(applicant_id=OuterRef("merged_id")))
            )
    merge = qs.filter(pk=merge_id).first()
    if merge is None:
        audit_record(
            actor=user,
            action="PERSON_MERGE_ACCESS_DENIED",
            entity_type="people.personmerge",
            entity_id=str(merge_id),
        )
        raise NotFound("not_found", _("Not found."))
    return merge
