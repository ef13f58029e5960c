from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from umis.audit.admin import AuditedModelAdmin
from umis.stays.models import Host


@admin.register(Host)
class HostAdmin(AuditedModelAdmin[Host]):
    name_acted_on = _("host (accusative)")
    list_display = ("name", "kind", "tax_id", "region", "city")
    list_filter = ("kind", "region")
    search_fields = ("name", "tax_id")
    filter_horizontal = ("members",)
