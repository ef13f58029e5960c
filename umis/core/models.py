from __future__ import annotations

from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    """Every row says when it was created and changed, and by whom."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
