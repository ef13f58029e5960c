"""Admin headings that name the model as the language declines it.

Django composes the headings of a model's pages from its name in the nominative ("Select %s
to change", "Add %s", "Change %s"), which Russian cannot take where the model is what the
verb acts on: "Выберите страна для изменения". A model admin gives `name_acted_on`, its name
in that case (страну, пользователя; the same as its name in az and en), and the headings,
the change list's add button and the delete question use it.

The other sentences that name a model (the messages after adding, changing or deleting, the
bulk deletion, a row that cannot be deleted) are phrased in our catalogue so that no case
or gender is needed: "Добавлено: страна «…»", "Удалено записей: 2 (правовые основания)".
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

_M = TypeVar("_M", bound=models.Model)


class NamedModelAdmin(admin.ModelAdmin[_M]):
    name_acted_on: str | Promise | None = None  # None: the model's name serves

    def _acted_on(self) -> str:
        return str(self.name_acted_on or self.opts.verbose_name)

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        if changelist.is_popup:
            title = _("Select %s")
        elif self.has_change_permission(request):
            title = _("Select %s to change")
        else:
            title = _("Select %s to view")
        changelist.title = title % self._acted_on()
        return changelist

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"add_title": _("Add %s") % self._acted_on(), **(extra_context or {})}
        return super().changelist_view(request, context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: _M | None = None,
    ) -> HttpResponse:
        if add:
            title = _("Add %s")
        elif self.has_change_permission(request, obj):
            title = _("Change %s")
        else:
            title = _("View %s")
        context["title"] = title % self._acted_on()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        if not (context.get("perms_lacking") or context.get("protected")):
            # "удалить страну «…»?"; the page of a row that cannot be deleted names the
            # model after a colon ("Удаление невозможно: страна"), in the nominative
            context["object_name"] = self._acted_on()
        return super().render_delete_form(request, context)
