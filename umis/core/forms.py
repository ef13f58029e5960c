"""What the forms of the pages share."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _


def fields_left_blank(values: Mapping[str, str]) -> dict[str, str]:
    """An error beside each field left blank, or holding only spaces (which a browser's
    `required` lets through)."""
    return {
        name: _("This field is required.") for name, value in values.items() if not value.strip()
    }
