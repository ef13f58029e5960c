from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from umis.core.models import BaseModel


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNSPECIFIED = "X", _("Unspecified")


class Person(BaseModel):
    """One real person. Names are kept as given, in their script; `search_name` is the folded form."""

    surname = models.CharField(_("surname"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    # Only the year is known (the day and month in birth_date are then 1 January).
    birth_year_only = models.BooleanField(_("only the year of birth is known"), default=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # No index of its own: nobody looks people up by nationality alone, and staff search
    # matches `search_name` by substring, which a b-tree cannot serve; both only slowed
    # every new person down.
    nationality = models.ForeignKey(
        "reference.Country",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a shared row: see ADR 9
    )
    # Both derived keys are longer than the names they come from, and by how much depends
    # on the script (Щ is shch) and the readings of each name part: no length of their own.
    search_name = models.TextField()
    # Sorted phonetic skeletons of the full name (`people.matchkeys.name_key`): intake
    # matching's first look at a candidate, read instead of normalising the name again.
    match_key = models.TextField(blank=True)
    merged_into = models.ForeignKey(  # indexed where set: person_merged_idx
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["birth_date"], name="person_birth_idx"),
            # the few people known by the year of birth only, which intake matching reads
            # for every guest born in their year
            models.Index(
                fields=["birth_date"],
                name="person_year_only_idx",
                condition=models.Q(birth_year_only=True),
            ),
            # the few merged records (an unmerge finds them); the others cost no entry
            models.Index(
                fields=["merged_into"],
                name="person_merged_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)


class PersonBlockKey(models.Model):
    """Where intake matching looks for a person: the person's order- and script-free name
    key with the year of birth and with the day and month (two rows), and each main name
    part with the whole date (`people.identity.block_keys`). Derived data, written with the
    person; a merge moves the rows to the survivor, so either name finds the surviving
    record. Four or five rows a person, so the link is not a database constraint: checking it
    would be most of the work of committing a batch of new people (Django still deletes
    the rows with the person)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="block_keys", db_constraint=False
    )
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key"], name="person_block_key_idx")]

    def __str__(self) -> str:
        return self.key


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    ID_CARD = "id_card", _("Identity card")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document (refugee, stateless)")
    OTHER = "other", _("Other")


class TravelDocument(BaseModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices
    )
    number = models.CharField(_("document number"), max_length=20)
    issuing_state = models.ForeignKey(  # indexed first in travel_document_unique_number
        "reference.Country",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # a shared row: see ADR 9
    )
    expiry_date = models.DateField(_("expiry date"))
    mrz_surname = models.CharField(max_length=60, blank=True)
    mrz_given_names = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_state", "number"], name="travel_document_unique_number"
            )
        ]
        indexes = [models.Index(fields=["number"], name="travel_document_number_idx")]

    def __str__(self) -> str:
        return f"{self.issuing_state_id} {self.number}"


class IdentityMatch(BaseModel):
    """A possible duplicate: two person records that may be one real person.

    Raised on intake (score between the review and the auto-link thresholds) or by the
    batch dedup. An officer links them (a merge) or keeps them separate; a pair is
    proposed once, so a kept-separate pair is not raised again.
    """

    class Source(models.TextChoices):
        INTAKE = "intake", _("Intake")
        DEDUP = "dedup", _("Registry dedup")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        LINKED = "linked", _("Linked (one person)")
        SEPARATE = "separate", _("Kept separate")
        SUPERSEDED = "superseded", _("Superseded by another merge")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="identity_match_pair"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("candidate")), name="identity_match_two"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score", "id"], name="identity_match_queue")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.candidate_id} ({self.score:.0f})"


class PersonMerge(BaseModel):
    """One merge of `merged` into `survivor`, with every row it re-pointed, so it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    match = models.ForeignKey(
        IdentityMatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    # {"app_label.model.field": [primary keys moved from merged to survivor]}
    moved = models.JSONField(default=dict)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(unmerged_at__isnull=True),
                name="person_merge_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
