from django.contrib import admin

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
class CountryAdmin(admin.ModelAdmin[Country]):
    list_display = ("code", "alpha3", "icao_code", "name_en", "name_az", "active")
    search_fields = ("code", "alpha3", "icao_code", "name_en", "name_az", "name_ru")
    list_filter = ("active",)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    list_display = ("code", "name_en", "kind", "active")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name_az", "office")
    list_filter = ("office",)


@admin.register(LegalGround)
class LegalGroundAdmin(admin.ModelAdmin[LegalGround]):
    list_display = ("code", "citation", "applies_to", "valid_from", "valid_to")


@admin.register(RegistrationRule)
class RegistrationRuleAdmin(admin.ModelAdmin[RegistrationRule]):
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
class VisaFreeRegimeAdmin(admin.ModelAdmin[VisaFreeRegime]):
    list_display = ("nationality", "days", "window_days", "valid_from", "valid_to", "source")
    list_filter = ("window_days",)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ("date", "name", "working")
