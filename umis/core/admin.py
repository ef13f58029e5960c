"""Admin headings that name the model as the language declines it, and yes/no icons read
in the reader's language.

Django composes the headings of a model's pages from its name in the nominative ("Select %s
to change", "Add %s", "Change %s"), which Russian cannot take where the model is what the
verb acts on: "Выберите страна для изменения". A model admin gives `name_acted_on`, its name
in that case (страну, пользователя; the same as its name in az and en), and the headings,
the change list's add button and the delete question use it.

The other sentences that name a model (the messages after adding, changing or deleting, the
bulk deletion, a row that cannot be deleted) are phrased in our catalogue so that no case
or gender is needed: "Добавлено: страна «…»", "Удалено записей: 2 (правовые основания)".

Django draws a yes/no value (a boolean field, a display function marked `boolean`) as an
icon whose text for a screen reader is Python's "True", "False" or "None" in every
language. Every such column of a list and value of a read-only page is shown here through a
display function of the same name, heading and ordering whose icon says yes, no or unknown
in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

_M = TypeVar("_M", bound=models.Model)


def yes_no_icon(value: object) -> SafeString:
    """Django's yes/no icon with its text in the reader's language."""
    if value is None:
        icon, text = "unknown", _("Unknown (a yes/no value)")
    elif value:
        icon, text = "yes", _("Yes (a yes/no value)")
    else:
        icon, text = "no", _("No (a yes/no value)")
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


class NamedModelAdmin(admin.ModelAdmin[_M]):
    name_acted_on: str | Promise | None = None  # None: the model's name serves

    def _yes_no_display(self, name: Any) -> Any:
        """The display function that shows `name` (a field, an attribute or a display function)
        with `yes_no_icon` if Django would show it as a yes/no icon, else `name` itself."""
        if not isinstance(name, str):
            attr = name
        else:
            if name in self.list_editable:
                return name  # a check box, not an icon
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                attr = getattr(self, name, None) or getattr(self.model, name, None)
            else:
                if not isinstance(field, models.BooleanField):
                    return name
                attr = None
        if attr is not None:
            marked = getattr(attr.fget, "boolean", False) if isinstance(attr, property) else None
            if not (marked or getattr(attr, "boolean", False)):
                return name
        shown: dict[Any, Any] = self.__dict__.setdefault("_yes_no_shown", {})
        if name not in shown:
            shown[name] = self._yes_no_function(name, attr)
        return shown[name]

    def _yes_no_function(self, name: Any, attr: Any) -> Callable[[_M], SafeString]:
        def show(obj: _M) -> SafeString:
            return yes_no_icon(lookup_field(name, obj, self)[2])

        show.__name__ = name if isinstance(name, str) else name.__name__
        show.short_description = label_for_field(name, self.model, self)  # type: ignore[attr-defined]
        order = name if attr is None else getattr(attr, "admin_order_field", None)
        if order is not None:
            show.admin_order_field = order  # type: ignore[attr-defined]
        return show

    def get_list_display(self, request: HttpRequest) -> Any:
        return [self._yes_no_display(name) for name in super().get_list_display(request)]

    def get_readonly_fields(self, request: HttpRequest, obj: _M | None = None) -> Any:
        return [self._yes_no_display(n) for n in super().get_readonly_fields(request, obj)]

    def get_fieldsets(self, request: HttpRequest, obj: _M | None = None) -> Any:
        """The fieldsets, with the fields shown read-only (all of them to whom may only view)
        as their yes/no display functions, so that the page and the form name the same."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            shown = None  # every field is read-only
        else:
            shown = set(super().get_readonly_fields(request, obj))

        def one(name: Any) -> Any:
            if isinstance(name, (list, tuple)):
                return type(name)(one(n) for n in name)
            if shown is not None and name not in shown:
                return name
            return self._yes_no_display(name)

        return [
            (title, {**options, "fields": one(options["fields"])}) for title, options in fieldsets
        ]

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
