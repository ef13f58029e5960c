from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from umis.audit.admin import AuditedModelAdmin, audit_admin_change
from umis.border.models import CrossingPoint
from umis.border.services import crossing_point_names_complete
from umis.reference.models import Country


@admin.register(CrossingPoint)
class CrossingPointAdmin(AuditedModelAdmin[CrossingPoint]):
    list_display = ("code", "local_name", "kind", "region", "country", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_az", "name_en", "name_ru")
    fields = ("code", "kind", "region", "country", "name_az", "name_en", "name_ru", "active")

    @admin.display(description=_("name"), ordering="name_az")
    def local_name(self, obj: CrossingPoint) -> str:
        return obj.name

    def save_model(self, request: HttpRequest, obj: CrossingPoint, form: Any, change: bool) -> None:
        """A land crossing's names get its neighbouring country in brackets
        (`crossing_point_names_complete`), recorded among the fields changed."""
        before = form.initial.get("country") if change else None
        country_before = Country.objects.filter(pk=before).first() if before else None
        filled = crossing_point_names_complete(
            point=obj, changed=form.changed_data, country_before=country_before
        )
        with transaction.atomic():
            obj.save()
            audit_admin_change(
                request=request,
                obj=obj,
                fields=[*form.changed_data, *filled],
                created=not change,
            )
