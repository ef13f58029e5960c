"""Issued documents and the keys that seal them.

A seal (ICAO Doc 9303 Part 13 visible digital seal) is stored with the document; the
signer certificates stay published after rotation so old documents keep verifying.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignerKey(models.Model):
    signer_identifier = models.CharField(max_length=4)
    certificate_reference = models.CharField(max_length=16, unique=True)
    certificate_pem = models.TextField()
    # Private key of the document signer. In production this belongs in an HSM; here it is
    # kept in the database, never in the repository.
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="signer_key_one_active"
            )
        ]


class IssuedDocument(models.Model):
    class Kind(models.TextChoices):
        STAY_REGISTRATION = "stay_registration", _("Place-of-stay registration certificate")
        EVISA = "evisa", _("Electronic visa")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        ANNULLED = "annulled", _("Annulled")

    number = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=40)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="documents")
    person = models.ForeignKey(  # indexed first in issued_document_person_idx
        "people.Person", on_delete=models.PROTECT, related_name="issued_documents", db_index=False
    )
    signer_key = models.ForeignKey(
        SignerKey,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # a shared row: see ADR 9
    )
    seal = models.BinaryField()
    holder_name = models.CharField(max_length=100)  # as printed in the seal (MRZ form)
    issued_at = models.DateTimeField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALID)
    annulled_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "issued_at"], name="issued_document_person_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def kind_label(self) -> str:
        """What the document is, in the reader's language (the kind as stored if unknown)."""
        return str(dict(self.Kind.choices).get(self.kind, self.kind))
