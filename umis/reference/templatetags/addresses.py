from __future__ import annotations

from typing import Any

from django import template

from umis.reference.selectors import address_line, reference_snapshot

register = template.Library()


@register.simple_tag(takes_context=True)
def address(context: template.Context, obj: Any) -> str:
    """The street, city and region of a registration or an application, in the page's
    language. The reference data is read once for the page, however many addresses it
    shows (and not at all while the shared snapshot holds it)."""
    ref = context.render_context.get("reference")
    if ref is None:
        ref = context.render_context["reference"] = reference_snapshot()
    return address_line(street=obj.street, city=obj.city, region=obj.region, ref=ref)
