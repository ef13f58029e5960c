"""The case engine's data: a case of any service, its append-only history, reference numbers.

A case knows nothing about its service's details; each domain keeps its own record
(e.g. a stay registration) linked one-to-one to the case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from umis.core.models import acting_user


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    service_code = models.CharField(_("service"), max_length=40)
    # applicant and office are indexed first in case_applicant_idx and case_queue_idx
    applicant = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    submitted_by = acting_user()
    office = models.ForeignKey(
        "reference.Office",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        db_constraint=False,  # a shared row: see ADR 9
    )
    state = models.CharField(_("state"), max_length=30)
    is_open = models.BooleanField(default=True)
    needs_attention = models.BooleanField(default=False)
    # indexed first in case_assignee_queue_idx
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("submitted"))
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["office", "is_open", "due_at", "id"], name="case_queue_idx"),
            models.Index(fields=["is_open", "due_at", "id"], name="case_queue_all_idx"),
            # the queue's "assigned to me / nobody": an officer's own, or nobody's, due first
            models.Index(
                fields=["assignee", "is_open", "due_at", "id"], name="case_assignee_queue_idx"
            ),
            models.Index(
                fields=["office", "service_code", "state", "due_at"], name="case_queue_filter_idx"
            ),
            models.Index(fields=["applicant", "created_at"], name="case_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """One line of a case's history. Rows are only ever added."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        STATE_CHANGED = "state_changed", _("State changed")
        NOTE = "note", _("Note")
        DOCUMENT = "document", _("Document")
        DECISION = "decision", _("Decision")
        ALERT = "alert", _("Alert")

    case = models.ForeignKey(  # indexed first in case_event_case_idx
        Case, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=60)  # e.g. STAY_REGISTRATION_ANNULLED
    actor = acting_user()
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    legal_ground = models.ForeignKey(
        "reference.LegalGround", null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_idx")]


class ReferenceCounter(models.Model):
    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")
        ]
