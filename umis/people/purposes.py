"""Why a staff member opens a person's file: stated before the file is shown and kept in
the audit row of the read (purpose limitation). Links from a case, a screening hit, a
finding or a duplicate review state it themselves; a file opened from the people search
asks for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from umis.core.errors import DomainError
from umis.core.text import invisible_character

PURPOSES = {
    "case": _("Work on a case"),
    "screening": _("Review of a screening hit"),
    "identity": _("Identity review (possible duplicates)"),
    "overstay": _("Overstay or late registration"),
    "inquiry": _("Inquiry from another authority"),
    "supervision": _("Supervision or audit"),
}
# an inquiry must name the request it answers (its number or letter)
NEEDS_REFERENCE = {"inquiry"}
# work on a case must name the case: one the officer may see, about this person (checked by
# people.selectors.person_read_purpose)
NEEDS_CASE = {"case"}
MAX_REFERENCE = 100
MAX_STATED_PURPOSE = 200  # characters of a purpose stated in free text, kept whole


@dataclass(frozen=True)
class ReadPurpose:
    code: str
    reference: str = ""

    @property
    def text(self) -> str:
        """As the audit row keeps it."""
        return f"{self.code}: {self.reference}" if self.reference else self.code

    @property
    def label(self) -> str:
        return f"{PURPOSES[self.code]} {self.reference}".strip()

    @property
    def query(self) -> str:
        """The query string that states this purpose on a link to a person's file."""
        values = {"purpose": self.code}
        if self.reference:
            values["ref"] = self.reference
        return urlencode(values)


def read_purpose(params: Mapping[str, str]) -> tuple[ReadPurpose | None, dict[str, str]]:
    """The purpose stated in a request's parameters, or None and what is wrong by field
    ("purpose", "ref"; none when nothing was stated yet): a reference too long or holding an
    invisible character is refused. Whether a case named is one the reader may use is not
    checked here: see `people.selectors.person_read_purpose`."""
    code = params.get("purpose", "")
    reference = " ".join(params.get("ref", "").split())
    if not code:
        return None, {}
    if code not in PURPOSES:
        return None, {"purpose": str(_("Choose the purpose from the list."))}
    problem = reference_problem(reference)
    if problem is not None:
        return None, {"ref": problem}
    if code in NEEDS_REFERENCE and not reference:
        return None, {"ref": str(_("Give the number of the request you are answering."))}
    if code in NEEDS_CASE and not reference:
        return None, {"ref": str(_("Give the number of the case."))}
    return ReadPurpose(code, reference), {}


def reference_problem(reference: str) -> str | None:
    """What is wrong with a reference as typed (blanks run together), kept whole in the audit
    row of the read: longer than MAX_REFERENCE characters (refused, never cut), or holding a
    character drawn as nothing, which would make it read otherwise (reversed) there."""
    if len(reference) > MAX_REFERENCE:
        return str(
            _("At most %(n)d characters (this has %(length)d).")
            % {"n": MAX_REFERENCE, "length": len(reference)}
        )
    hidden = invisible_character(reference)
    if hidden is not None:
        return str(
            _(
                "The reference contains an invisible character (%(char)s), which can change "
                "how the text reads where it is shown: remove it."
            )
            % {"char": f"U+{ord(hidden):04X}"}
        )
    return None


def purpose_query(code: str, reference: object = "") -> str:
    """`?purpose=…&ref=…` for a link that opens a person's file for `code`."""
    return "?" + ReadPurpose(code, str(reference)).query


def stated_purpose_check(text: str, *, field: str = "purpose") -> None:
    """Refuse (DomainError `invisible_character`, naming the character) a purpose stated in
    free text, as an agency states it, holding a character drawn as nothing: kept in the audit
    row of the read, it would read otherwise (reversed) there; and one longer than
    MAX_STATED_PURPOSE characters (`too_long`): refused, never cut."""
    if len(text) > MAX_STATED_PURPOSE:
        raise DomainError(
            "too_long",
            _("At most %(n)d characters (this has %(length)d).")
            % {"n": MAX_STATED_PURPOSE, "length": len(text)},
            field,
        )
    hidden = invisible_character(text)
    if hidden is not None:
        raise DomainError(
            "invisible_character",
            _(
                "The purpose contains an invisible character (%(char)s), which can change how "
                "the text reads where it is shown: remove it."
            )
            % {"char": f"U+{ord(hidden):04X}"},
            field,
        )
