from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from umis.core.models import BaseModel
from umis.people.models import Sex


class Host(BaseModel):
    """A receiving party: a hotel (or sanatorium, guest house, hospital) or a private owner."""

    class Kind(models.TextChoices):
        HOTEL = "hotel", _("Hotel or other accommodation")
        LANDLORD = "landlord", _("Private owner")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax ID (VÖEN) or personal ID (FİN)"), max_length=20, unique=True)
    region = models.ForeignKey(
        "reference.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street and building"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="hosts", blank=True, verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")

    def __str__(self) -> str:
        return self.name


class StayRegistration(BaseModel):
    """A foreigner's registration at a place of stay; its life cycle is its case's.

    Filed by the receiving party (`host`), or by the foreigner himself (art. 21), who names
    the person providing the accommodation (`provider_name`, `provider_phone`) and leaves an
    e-mail address for the notices; such a registration has no host."""

    class FiledBy(models.TextChoices):
        HOST = "host", _("the receiving party")
        FOREIGNER = "foreigner", _("the foreigner himself")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="stay_registration"
    )
    # host and person are indexed first in stay_host_active_idx and stay_person_idx
    host = models.ForeignKey(
        Host,
        on_delete=models.PROTECT,
        related_name="registrations",
        null=True,
        blank=True,
        db_index=False,
        db_constraint=False,  # a shared row: see ADR 9
    )
    filed_by = models.CharField(
        _("filed by"), max_length=10, choices=FiledBy.choices, default=FiledBy.HOST
    )
    provider_name = models.CharField(_("accommodation provided by"), max_length=200, blank=True)
    provider_phone = models.CharField(_("phone of the provider"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="stay_registrations", db_index=False
    )
    travel_document = models.ForeignKey(
        "people.TravelDocument", on_delete=models.PROTECT, related_name="+"
    )
    # the guest's names as the filer typed them from the passport, in its script: what the
    # registration and its certificate say, whatever names the linked person is on file under
    surname = models.CharField(_("surname"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    # and the rest of the guest's identity as typed from the passport: what the registration
    # and its certificate certify, also when the linked person is on file with a date of
    # birth, sex or nationality that differ (intake links a passport on file despite small
    # differences: a digit of the date, another nationality). Empty only in a row stored
    # before they were kept, until its migration gives it those of its person.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year_only = models.BooleanField(_("only the year of birth is known"), default=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    nationality = models.ForeignKey(
        "reference.Country",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("nationality"),
        db_index=False,  # nobody looks registrations up by nationality alone
        db_constraint=False,  # a shared row: see ADR 9
    )
    region = models.ForeignKey(
        "reference.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # a shared row: see ADR 9
    )
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street and building"), max_length=200)
    arrival_date = models.DateField(_("arrival date"))
    planned_departure = models.DateField(_("planned departure"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    active = models.BooleanField(
        default=True
    )  # false once ended or annulled; mirrors the case's final states
    late = models.BooleanField(default=False)
    client_reference = models.CharField(max_length=100, blank=True)
    # Recorded as a move (ADR 15): the day of the move and, after a move from another host,
    # the deadline and the number of working days it was judged by; what the host is told
    # is put in words when it is read. None of them when it was no move.
    moved_on = models.DateField(null=True, blank=True)
    move_deadline = models.DateField(null=True, blank=True)
    move_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # the registration whose move ended this one; read with its person (stay_person_idx)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_departure__gte=F("arrival_date")),
                name="stay_departure_after_arrival",
            ),
            # no deadline without a move; a deadline with its number of working days
            models.CheckConstraint(
                condition=Q(move_deadline__isnull=True, move_working_days__isnull=True)
                | Q(
                    moved_on__isnull=False,
                    move_deadline__isnull=False,
                    move_working_days__isnull=False,
                ),
                name="stay_move_terms",
            ),
            # a host's registration names the host; the foreigner's own, the provider
            models.CheckConstraint(
                condition=Q(filed_by="host", host__isnull=False)
                | Q(filed_by="foreigner", host__isnull=True) & ~Q(provider_name=""),
                name="stay_filed_by_host_or_foreigner",
            ),
        ]
        indexes = [
            models.Index(fields=["host", "active", "arrival_date"], name="stay_host_active_idx"),
            models.Index(fields=["person", "arrival_date"], name="stay_person_idx"),
        ]

    @property
    def self_filed(self) -> bool:
        return self.filed_by == self.FiledBy.FOREIGNER

    @property
    def moved_away(self) -> bool:
        """Ended because the guest was registered at another place (not by a departure)."""
        return self.superseded_by_id is not None

    @property
    def full_name(self) -> str:
        """The guest's names as registered."""
        return " ".join(p for p in (self.surname, self.given_names, self.patronymic) if p)

    @property
    def receiving_party(self) -> str:
        """Who provides the accommodation: the host, or the person the foreigner named."""
        return self.host.name if self.host is not None else self.provider_name
