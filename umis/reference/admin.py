from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from umis.audit.admin import AuditedModelAdmin
from umis.reference.models import (
    Country,
    Holiday,
    LegalGround,
    Office,
    Region,
    RegistrationRule,
    VisaFreeRegime,
)


@admin.register(Country)
class CountryAdmin(AuditedModelAdmin[Country]):
    name_acted_on = _("country (accusative)")
    list_display = ("code", "alpha3", "icao_code", "local_name", "name_en", "kind", "active")
    search_fields = ("code", "alpha3", "icao_code", "name_en", "name_az", "name_ru")
    list_filter = ("kind", "active")

    @admin.display(description=_("name"), ordering="name_az")
    def local_name(self, obj: Country) -> str:
        return obj.name


@admin.register(Office)
class OfficeAdmin(AuditedModelAdmin[Office]):
    list_display = ("code", "local_name", "kind", "active")

    @admin.display(description=_("name"))
    def local_name(self, obj: Office) -> str:
        return obj.name


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin[Region]):
    list_display = ("code", "local_name", "office")
    list_filter = ("office",)

    @admin.display(description=_("name"), ordering="name_az")
    def local_name(self, obj: Region) -> str:
        return obj.name


@admin.register(LegalGround)
class LegalGroundAdmin(AuditedModelAdmin[LegalGround]):
    list_display = ("code", "local_citation", "local_name", "valid_from", "valid_to")

    @admin.display(description=_("citation"))
    def local_citation(self, obj: LegalGround) -> str:
        return obj.cited

    @admin.display(description=_("name"))
    def local_name(self, obj: LegalGround) -> str:
        return obj.name


@admin.register(RegistrationRule)
class RegistrationRuleAdmin(AuditedModelAdmin[RegistrationRule]):
    list_display = (
        "__str__",
        "nationality",
        "threshold_days",
        "deadline_days",
        "max_length_days",
        "valid_from",
        "valid_to",
    )


@admin.register(VisaFreeRegime)
class VisaFreeRegimeAdmin(AuditedModelAdmin[VisaFreeRegime]):
    list_display = ("nationality", "days", "window_days", "valid_from", "valid_to", "source")
    list_filter = ("window_days",)


@admin.register(Holiday)
class HolidayAdmin(AuditedModelAdmin[Holiday]):
    list_display = ("date", "name", "working")
