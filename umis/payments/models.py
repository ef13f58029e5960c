"""Payments: the fee schedule, payment orders, what the gateway told us, and refunds.

A payment order belongs to a purpose (a domain such as the e-visa) and its subject (a
reference there); the domain learns that an order was paid through its registered hook,
in the same transaction that marks the order paid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Fee(models.Model):
    """One line of the fee schedule (reference data, dated)."""

    code = models.CharField(_("code"), max_length=40)
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    refundable = models.BooleanField(_("refundable when refused"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fee schedule")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="fee_unique_code_from")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount} {self.currency}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        lang = (get_language() or "az")[:2]
        return str(getattr(self, f"name_{lang}", None) or self.name_en)


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    class SettledBy(models.TextChoices):
        CALLBACK = "callback", _("Gateway notification")
        RECONCILIATION = "reconciliation", _("Daily reconciliation")

    number = models.CharField(_("payment number"), max_length=30, unique=True)
    purpose = models.CharField(max_length=40)  # the domain that asked for it, e.g. "evisa"
    subject = models.CharField(max_length=60)  # the reference there
    lines = models.JSONField(default=list)  # [{"fee": code, "quantity": n, "amount": "20.00"}]
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    refundable = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(max_length=40)
    transaction_id = models.CharField(max_length=80, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=20, choices=SettledBy.choices, blank=True)
    # the payer came back from the gateway's page having paid there, and the gateway's
    # signed notification has not come yet: no new payment is started meanwhile
    returned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["purpose", "subject"], name="payment_order_subject_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "transaction_id"],
                condition=~models.Q(transaction_id=""),
                name="payment_order_unique_transaction",
            )
        ]

    def __str__(self) -> str:
        return self.number


class PaymentEvent(models.Model):
    """Every notification or statement line the gateway sent, once per event id."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ALREADY_PAID = "already_paid", _("Order already paid")
        MISMATCH = "mismatch", _("Amount or currency does not match")
        UNKNOWN_ORDER = "unknown_order", _("Unknown order")
        IGNORED = "ignored", _("Ignored")
        DUPLICATE_TRANSACTION = "duplicate_transaction", _("Transaction already on another order")
        DUPLICATE_PAYMENT = "duplicate_payment", _("Paid again, to be refunded")

    event_id = models.CharField(max_length=100, unique=True)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    source = models.CharField(max_length=20, choices=PaymentOrder.SettledBy.choices)
    kind = models.CharField(max_length=40)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    data = models.JSONField(default=dict)
    received_at = models.DateTimeField()


class Refund(models.Model):
    class Status(models.TextChoices):
        REFUNDED = "refunded", _("Refunded")
        NOT_REFUNDABLE = "not_refundable", _("Not refundable")

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    subject = models.CharField(max_length=60, unique=True)  # e.g. the refused application
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.CharField(max_length=200)
    gateway_reference = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
