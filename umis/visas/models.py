"""E-visa applications and the eligible nationalities (the watchlists the decision screens
against belong to `umis.screening`)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from umis.core.models import BaseModel


class EligibleNationality(models.Model):
    """Nationalities eligible for the e-visa (reference data, dated)."""

    country_code = models.CharField(_("ISO alpha-2"), max_length=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("nationality eligible for the e-visa")
        verbose_name_plural = _("nationalities eligible for the e-visa")
        constraints = [
            models.UniqueConstraint(
                fields=["country_code", "valid_from"], name="evisa_nationality_unique"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(country)s from %(start)s") % {
            "country": self.country_code,
            "start": formats.date_format(self.valid_from, "d.m.Y"),
        }


class VisaApplication(BaseModel):
    class Purpose(models.TextChoices):
        TOURISM = "tourism", _("Tourism")
        BUSINESS = "business", _("Business")
        VISIT = "visit", _("Visiting family or friends")
        TREATMENT = "treatment", _("Medical treatment")
        OTHER = "other", _("Other")

    class Speed(models.TextChoices):
        STANDARD = "standard", _("Standard (3 working days)")
        URGENT = "urgent", _("Urgent (3 hours)")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="visa_application"
    )
    group_reference = models.CharField(max_length=30, db_index=True)  # paid together
    payment_order = models.ForeignKey(
        "payments.PaymentOrder", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visa_applications"
    )
    travel_document = models.ForeignKey(
        "people.TravelDocument", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    entry_date = models.DateField(_("intended entry date"))
    stay_days = models.PositiveSmallIntegerField(_("length of stay (days)"))
    speed = models.CharField(_("speed"), max_length=10, choices=Speed.choices)
    email = models.EmailField(_("e-mail"))
    region = models.ForeignKey("reference.Region", on_delete=models.PROTECT, related_name="+")
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street and building"), max_length=200)
    photo = models.BinaryField()  # re-encoded JPEG, metadata stripped
    language = models.CharField(max_length=5, default="az")
    reasons = models.JSONField(default=list, blank=True)  # why it was referred
    visa_number = models.CharField(max_length=9, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    client_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "created_at"], name="visa_application_person_idx")
        ]

    def get_absolute_url(self) -> str:
        """The group's status page in the language the application was made in (its
        address carries the language: e-mails and the payment gateway's return use it)."""
        with translation.override(self.language):
            return reverse("visas:status", kwargs={"reference": self.group_reference})
