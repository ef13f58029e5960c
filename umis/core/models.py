from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def acting_user(*, indexed: bool = True) -> models.ForeignKey[Any, Any]:
    """Who created or did something: a user many rows share, so PROTECT in the ORM and no
    database constraint (ADR 9). `indexed=False` where nothing looks rows up by that user:
    each index entry is work on every insert."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=indexed,
    )


class BaseModel(models.Model):
    """Every row says when it was created and changed, and by whom."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = acting_user(indexed=False)  # audit events say who did what

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The stored answer to a submission, so a retry with the same key returns it again."""

    client_key = models.CharField(max_length=64)  # whose key space: an API client or a user
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_key", "key"], name="idempotency_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]


class OutboxMessage(models.Model):
    """Work that must follow a commit: written in the same transaction as the change that
    needs it, claimed by the worker with FOR UPDATE SKIP LOCKED, done exactly once."""

    topic = models.CharField(max_length=60)
    key = models.CharField(max_length=100)  # one message per (topic, key)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    available_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="outbox_unique_topic_key")
        ]
        indexes = [models.Index(fields=["done_at", "available_at"], name="outbox_pending_idx")]


class RateCounter(models.Model):
    """Requests of one caller in one minute, for the rate limits (`core.ratelimit`). The
    caller is a digest (an API client, a key or an address), never the address itself."""

    bucket = models.CharField(max_length=80)  # "<limit>:<digest of the caller>"
    minute = models.BigIntegerField()  # minutes since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "minute"], name="rate_counter_unique")
        ]


class WorkerHeartbeat(models.Model):
    """When a background worker (`umis worker`, by its machine's name) was last seen
    running: updated every few seconds while it runs (`core.heartbeat`)."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
