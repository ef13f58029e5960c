from __future__ import annotations

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
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    nationality = models.ForeignKey("reference.Country", on_delete=models.PROTECT, related_name="+")
    search_name = models.CharField(max_length=400, db_index=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["birth_date"], name="person_birth_idx")]

    def __str__(self) -> str:
        return f"{self.surname} {self.given_names}".strip()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)


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
    issuing_state = models.ForeignKey(
        "reference.Country", on_delete=models.PROTECT, related_name="+"
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
