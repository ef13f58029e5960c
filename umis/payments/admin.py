from django.contrib import admin

from umis.audit.admin import AuditedModelAdmin
from umis.payments.models import Fee


@admin.register(Fee)
class FeeAdmin(AuditedModelAdmin[Fee]):
    """The fee schedule: a new amount is a new dated line, so orders keep the fee of their day."""

    list_display = ("code", "name_en", "amount", "currency", "refundable", "valid_from", "valid_to")
    list_filter = ("currency", "refundable")
    search_fields = ("code", "name_az", "name_en", "name_ru")
