from __future__ import annotations

from typing import Any

from django import template

from umis.reference.selectors import address_line

register = template.Library()


@register.simple_tag
def address(obj: Any) -> str:
    """The street, city and region of a registration or an application, in the page's
    language."""
    return address_line(street=obj.street, city=obj.city, region=obj.region)
