"""Border crossings, each person's presence, overstay findings, crossing points.

`Crossing` is the largest table of the system: on PostgreSQL it is partitioned by month
of `occurred_at` (see migrations/0002 and docs/adr/0006); on SQLite it is a plain table.
Because a partitioned table's unique keys must contain the partition key, the
idempotency key is (event_id, occurred_at), and a reused event id with another time is
refused by the ingest service before the insert.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from umis.core.models import BaseModel, acting_user
from umis.reference.models import Translated


class Direction(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")
    REFUSED = "refused", _("Refusal of entry")


class CrossingPoint(Translated):
    class Kind(models.TextChoices):
        AIR = "air", _("Airport")
        LAND = "land", _("Land border")
        SEA = "sea", _("Sea port")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    # a land crossing's neighbour, whose name its names give in brackets
    # (`services.crossing_point_names_complete`)
    country = models.ForeignKey(
        "reference.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "state"},
        verbose_name=_("neighbouring country"),
        help_text=_(
            "Land crossings only. Each name typed here gets the country in brackets, as "
            "“Samur (Russia)”, unless it already ends in brackets."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("crossing point")
        verbose_name_plural = _("crossing points")

    def clean(self) -> None:
        if self.kind == self.Kind.LAND and self.country_id is None:
            raise ValidationError(
                {"country": _("A land crossing point names its neighbouring country.")}
            )
        if self.kind != self.Kind.LAND and self.country_id is not None:
            raise ValidationError(
                {"country": _("An airport or a sea port has no neighbouring country.")}
            )


class Crossing(models.Model):
    """One event sent by the border service: an entry, an exit or a refusal of entry.

    Rows are only added. What the border saw (names, document) is kept as sent; `person`
    is who identity resolution linked it to (no database foreign key: the table is
    partitioned and persons are never deleted, only merged).
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    day = models.DateField()  # the calendar day in the country's time zone
    direction = models.CharField(max_length=8, choices=Direction.choices)
    crossing_point = models.CharField(max_length=20)
    person = models.ForeignKey(
        "people.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    document_type = models.CharField(max_length=20)
    document_number = models.CharField(max_length=20)
    issuing_state = models.CharField(max_length=2)
    nationality = models.CharField(max_length=2)
    surname = models.CharField(max_length=100)
    given_names = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField()
    refusal_reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            # also the index of event-id lookups (idempotency), which it leads
            models.UniqueConstraint(
                fields=["event_id", "occurred_at"], name="crossing_event_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="crossing_person_idx"),
            models.Index(fields=["occurred_at"], name="crossing_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.occurred_at:%Y-%m-%d %H:%M} {self.crossing_point}"


class Presence(models.Model):
    """Each person's last known crossing, kept up to date on every batch (out-of-order
    events older than the stored one change nothing). The overstay job starts here, so it
    never scans the whole crossing history."""

    person = models.OneToOneField(
        "people.Person",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    nationality = models.CharField(max_length=2)
    last_event_at = models.DateTimeField()
    last_direction = models.CharField(max_length=8, choices=Direction.choices)
    last_day = models.DateField()
    entry_day = models.DateField(null=True)  # first day of the latest stay (its first entry)
    entry_point = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["last_direction", "entry_day"], name="presence_inside_idx"),
        ]


class FindingKind(models.TextChoices):
    OVERSTAY = "overstay", _("Overstay")
    MISSED_REGISTRATION = "missed_registration", _("Not registered at the place of stay in time")


class Proposal(models.TextChoices):
    FINE = "fine", _("Fine")
    ENFORCEMENT = "enforcement", _("Enforcement case")


class FindingState(models.TextChoices):
    OPEN = "open", _("Open")
    TAKEN = "taken", _("Taken up")
    DISMISSED = "dismissed", _("Dismissed")


class OverstayFinding(BaseModel):
    """A person found in the country after their last legal day, or not registered in
    time: a proposal to the office for a fine or an enforcement case. One per person,
    kind and stay (entry day); the daily job refreshes the figures, which no index holds,
    so the refresh is a heap-only update.

    An officer takes it up (with a note) or dismisses it (with the reasons): who, when and
    why are kept on the row, and `version` goes up with every change of state, so an action
    from a page older than the finding is refused. A dismissed finding is opened again by
    the job only when its facts change (another last legal day or registration deadline)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=FindingKind.choices)
    entry_day = models.DateField()
    office = models.ForeignKey("reference.Office", on_delete=models.PROTECT, related_name="+")
    proposal = models.CharField(max_length=20, choices=Proposal.choices)
    state = models.CharField(max_length=20, choices=FindingState.choices, default="open")
    nationality = models.CharField(max_length=2)
    legal_basis = models.CharField(max_length=100, blank=True)
    last_legal_day = models.DateField(null=True, blank=True)
    registration_due = models.DateField(null=True, blank=True)
    days_over = models.PositiveIntegerField(default=0)
    first_detected_on = models.DateField()
    last_detected_on = models.DateField()
    case_reference = models.CharField(max_length=30, blank=True)  # the fine or enforcement case
    decided_by = acting_user(indexed=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)  # the note of a take-up, a dismissal's reasons
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "entry_day"], name="overstay_finding_unique"
            ),
            # an open finding has no decision; one taken up or dismissed says when
            models.CheckConstraint(
                condition=models.Q(state="open", decided_at__isnull=True)
                | (~models.Q(state="open") & models.Q(decided_at__isnull=False)),
                name="overstay_finding_decided_when",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="dismissed") | ~models.Q(decision_note=""),
                name="overstay_finding_dismissed_why",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office", "state", "kind", "first_detected_on"],
                name="finding_office_idx",
            ),
            models.Index(fields=["state", "kind", "first_detected_on"], name="finding_all_idx"),
        ]


class DetectionRun(models.Model):
    """One run of the overstay job for a date (the periodic job runs once a day)."""

    on = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict)


class ImportRun(models.Model):
    """A CSV backfill: how far it got, so an interrupted import resumes there."""

    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the file
    name = models.CharField(max_length=300)
    rows_done = models.PositiveBigIntegerField(default=0)
    stored = models.PositiveBigIntegerField(default=0)
    refused = models.PositiveBigIntegerField(default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
