"""Reference data: countries, offices and regions, legal grounds, rules with validity dates.

Every number the law sets lives here, editable by an administrator, never in code.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from umis.core.durations import stay_rule_in_full


class Translated(models.Model):
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "az")[:2]
        return str(getattr(self, f"name_{lang}", None) or self.name_en)


class Country(Translated):
    """A state or territory, keyed by its ISO alpha-2; ICAO code as used in MRZs.

    Also the statuses ICAO Doc 9303 writes in a document's nationality field for people
    without one (XXA stateless, XXB and XXC refugees, XXX unspecified), under ISO
    user-assigned alpha-2 codes: a nationality, never a state that issues documents.
    """

    class Kind(models.TextChoices):
        STATE = "state", _("State or territory")
        STATUS = "status", _("Status in place of a nationality (stateless, refugee)")

    code = models.CharField(_("ISO alpha-2"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    icao_code = models.CharField(_("ICAO code"), max_length=3, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATE)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    @property
    def is_state(self) -> bool:
        """A state (or territory) issues travel documents; a status only names a nationality."""
        return self.kind == Country.Kind.STATE


class Office(Translated):
    class Kind(models.TextChoices):
        HEAD = "head", _("Head office")
        REGIONAL = "regional", _("Regional department")
        DETENTION = "detention", _("Detention centre")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")


class Region(Translated):
    """An administrative region (city or district); its cases go to its office."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="regions", verbose_name=_("office")
    )

    class Meta:
        ordering = ["name_az"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class LegalGround(Translated):
    """A provision of law an officer cites when deciding (refusal, annulment, ...)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    citation = models.CharField(_("citation"), max_length=200)  # in English
    citation_az = models.CharField(_("citation (Azerbaijani)"), max_length=200, blank=True)
    citation_ru = models.CharField(_("citation (Russian)"), max_length=200, blank=True)
    applies_to = models.CharField(
        _("applies to (decision kinds, comma separated)"), max_length=200, blank=True
    )
    valid_from = models.DateField(_("valid from"), default=dt.date(2013, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal ground")
        verbose_name_plural = _("legal grounds")

    @property
    def cited(self) -> str:
        """The citation in the current language (English where none is stored)."""
        lang = (get_language() or "az")[:2]
        return str(getattr(self, f"citation_{lang}", "") or self.citation)

    def applies(self, kind: str) -> bool:
        return kind in {k.strip() for k in self.applies_to.split(",") if k.strip()}

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class RegistrationRule(models.Model):
    """Place-of-stay registration rule (Migration Code art. 21), valid over a period.

    `nationality` empty means the general rule; a rule for a nationality wins over it.
    """

    nationality = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("nationality")
    )
    threshold_days = models.PositiveSmallIntegerField(
        _("registration required for stays longer than (days)")
    )
    deadline_days = models.PositiveSmallIntegerField(_("register within (days of arrival)"))
    max_length_days = models.PositiveSmallIntegerField(_("longest registration (days)"), default=90)
    move_deadline_working_days = models.PositiveSmallIntegerField(
        _("re-register after a move within (working days)"), default=5
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("registration rule")
        verbose_name_plural = _("registration rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="registration_rule_period",
            )
        ]

    def __str__(self) -> str:
        n, m = self.threshold_days, self.deadline_days
        return gettext("%(who)s: %(threshold)s, %(deadline)s, from %(start)s") % {
            "who": self.nationality_id or "*",
            "threshold": ngettext("stays over %(n)s day", "stays over %(n)s days", n) % {"n": n},
            "deadline": ngettext("register within %(n)s day", "register within %(n)s days", m)
            % {"n": m},
            "start": formats.date_format(self.valid_from, "d.m.Y"),
        }


class Holiday(models.Model):
    """A non-working day added by an administrator on top of the `holidays` package."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    working = models.BooleanField(
        _("working day"), default=False, help_text=_("A transferred working day (e.g. a Saturday)")
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")


class VisaFreeRegime(models.Model):
    """How long citizens of a country may stay without a visa, over a period of validity.

    `window_days` set: `days` days in any `window_days` days (90 in 180); empty: `days`
    days per stay (30 days). A change of rule is a new row from its date.
    """

    nationality = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Country.Kind.STATE},  # citizens of a state, by agreement
        verbose_name=_("nationality"),
    )
    days = models.PositiveSmallIntegerField(_("days of stay allowed"))
    window_days = models.PositiveSmallIntegerField(
        _("in any period of (days); empty: per stay"), null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["nationality_id", "valid_from"]
        verbose_name = _("visa-free regime")
        verbose_name_plural = _("visa-free regimes")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="visa_free_regime_period",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1)
                & (Q(window_days__isnull=True) | Q(window_days__gt=models.F("days"))),
                name="visa_free_regime_days",
            ),
        ]
        indexes = [models.Index(fields=["nationality", "valid_from"], name="visa_free_nat_idx")]

    def __str__(self) -> str:
        return gettext("%(country)s: %(rule)s, from %(start)s") % {
            "country": self.nationality_id,
            "rule": stay_rule_in_full(self.days, self.window_days),
            "start": formats.date_format(self.valid_from, "d.m.Y"),
        }
