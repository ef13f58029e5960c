from django import forms
from django.contrib import admin
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
    list_display = ("country_code", "valid_from", "valid_to")
    search_fields = ("country_code",)
