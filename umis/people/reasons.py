"""What the match reasons of identity resolution and screening say, in words: the
reasons stay stable codes (the API returns them), the pages show these labels."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    # identity resolution (umis.people.identity)
    "birth_date_agrees": _("same date of birth"),
    "birth_year_agrees": _("same year of birth"),
    "birth_day_month_swapped": _("date of birth with day and month swapped"),
    "birth_date_one_digit": _("date of birth differs in one digit"),
    "birth_differs": _("different date of birth"),
    "nationality_agrees": _("same nationality"),
    "nationality_differs": _("different nationality"),
    "sex_differs": _("different sex"),
    "single_token": _("a one-word name"),
    "order_swapped": _("names in another order"),
    # screening (umis.screening.index)
    "birth_date:unknown": _("date of birth not known"),
    "birth_date:same": _("same date of birth"),
    "birth_date:day_month_swapped": _("date of birth with day and month swapped"),
    "birth_date:same_year": _("same year of birth"),
    "birth_date:year_off_by_one": _("year of birth one year apart"),
    "birth_date:differs": _("different date of birth"),
    "nationality:unknown": _("nationality not known"),
    "nationality:same": _("same nationality"),
    "nationality:differs": _("different nationality"),
    "document_number:same": _("same travel document number"),
}
HOW: dict[str, Promise] = {
    "exact": _("the same"),
    "transliteration": _("the same in another script"),
    "variant": _("a variant spelling"),
    "fuzzy": _("similar"),
    "consonants": _("similar consonants"),
    "initial": _("an initial"),
    "none": _("different"),
}
TOKEN = re.compile(r"^(?P<a>[^~:]+)~(?P<b>[^:]+):(?P<how>[a-z]+):(?P<score>[0-9.]+)$")
PREFIXED: dict[str, Promise] = {
    "unmatched_tokens": _("names without a counterpart"),
    "patronymic_agrees": _("same patronymic"),
    "patronymic_differs": _("different patronymic"),
}


def reason_label(code: str) -> str:
    """A match reason in the current language (names and scores kept as they are)."""
    label = LABELS.get(code)
    if label is not None:
        return str(label)
    token = TOKEN.match(code)
    if token and token["how"] in HOW:
        return gettext("%(a)s ~ %(b)s: %(how)s (%(score)s)") % {
            "a": token["a"],
            "b": token["b"],
            "how": HOW[token["how"]],
            "score": token["score"],
        }
    head, _sep, rest = code.partition(":")
    if head in PREFIXED and rest:
        return f"{PREFIXED[head]}: {rest}"
    return code
