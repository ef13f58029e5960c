from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from umis.audit.admin import AuditedModelAdmin
from umis.reference.models import Country
from umis.visas.models import EligibleNationality


class EligibleNationalityForm(forms.ModelForm[EligibleNationality]):
    class Meta:
        model = EligibleNationality
        fields = ("country_code", "valid_from", "valid_to")

    def clean_country_code(self) -> str:
        code = str(self.cleaned_data["country_code"]).strip().upper()
        if not Country.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Unknown country code."))
        return code

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end is before the start."))
        return data


@admin.register(EligibleNationality)
class EligibleNationalityAdmin(AuditedModelAdmin[EligibleNationality]):
    form = EligibleNationalityForm
    list_display = ("country_code", "country_name", "valid_from", "valid_to")
    search_fields = ("country_code",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EligibleNationality]:
        # the country's name in the reader's language beside its code, in the list's query
        lang = (get_language() or "az")[:2]
        column = f"name_{lang}" if lang in ("az", "en", "ru") else "name_en"
        names = Country.objects.filter(code=OuterRef("country_code")).values(column)[:1]
        return super().get_queryset(request).annotate(country_name=Subquery(names))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[EligibleNationality], search_term: str
    ) -> tuple[QuerySet[EligibleNationality], bool]:
        # by its code, or by the country's name in any of the three languages
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            named = Country.objects.filter(
                Q(name_az__icontains=term) | Q(name_en__icontains=term) | Q(name_ru__icontains=term)
            ).values("code")
            found = found | queryset.filter(country_code__in=named)
        return found, may_have_duplicates

    @admin.display(description=_("country"), ordering="country_name")
    def country_name(self, obj: EligibleNationality) -> str:
        return getattr(obj, "country_name", None) or "—"
