"""The watchlists' names in each language, for the administrator. Entries are not kept
here: they come from imports and the API, each with its source, validity and history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from umis.audit.admin import AuditedModelAdmin
from umis.screening.models import DEFAULT_TITLES, Watchlist


@admin.register(Watchlist)
class WatchlistAdmin(AuditedModelAdmin[Watchlist]):
    list_display = ("code", "local_title", "name", "name_az", "name_ru")
    search_fields = ("code", "name", "name_az", "name_ru")
    fields = ("code", "name", "name_az", "name_ru", "description")

    @admin.display(description=_("name"))
    def local_title(self, obj: Watchlist) -> str:
        return obj.title

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        if obj.code in DEFAULT_TITLES:  # named by the product in every language
            return ("code", "name", "name_az", "name_ru")
        return ("code",)  # imports and the API name the list by its code

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # entries and hits refer to their list
