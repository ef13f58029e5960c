"""The audit log: append-only rows, each with its own digest, chained by seals.

Every row is written inside the transaction of the change it records, with the SHA-256
of its content. A periodic job seals the rows older than a minute: a seal lists the ids
it covers and hashes their digests together with the previous seal's hash, forming a
chain, and each seal is signed with a key kept outside the database. `umis audit verify`
recomputes everything and names the edited, deleted or inserted row and the rewritten
seal. Database triggers refuse UPDATE and DELETE on both tables.
"""

from __future__ import annotations

from django.db import models

from umis.core.models import acting_user


class AuditEvent(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = acting_user()
    actor_label = models.CharField(
        max_length=200, blank=True
    )  # username or API client, kept if the user changes
    role = models.CharField(max_length=30, blank=True)
    office = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=20, blank=True)  # web, api, cli, worker
    ip = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60)
    entity_type = models.CharField(max_length=60, blank=True)
    entity_id = models.CharField(max_length=60, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx"),
            models.Index(fields=["person_id", "at"], name="audit_person_idx"),
            models.Index(fields=["action", "at"], name="audit_action_idx"),
        ]


class AuditSeal(models.Model):
    sealed_at = models.DateTimeField()
    ranges = models.JSONField()  # [[first_id, last_id], ...] of the rows it covers, in order
    count = models.PositiveIntegerField()
    last_event_id = models.BigIntegerField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC-SHA256 of the seal with settings.UMIS_AUDIT_KEY. NULL (not "") on seals made
    # before seals were signed: the column is added without a default, which SQLite does in
    # place, where a default would rebuild the table and drop its append-only triggers.
    signature = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Which key signed it (`audit_key_id`, not the key): NULL on seals signed before keys
    # were named, which verify with whichever configured key matches.
    key_id = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
