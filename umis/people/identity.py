"""Identity resolution on intake: which known person is this?

Today: an exact travel-document match (issuing state + number). Fuzzy matching on
names, date of birth and nationality plugs in here through `UMIS_IDENTITY_MATCHERS`
(dotted paths to functions with the signature of `match_by_document`), tried in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.module_loading import import_string

from umis.people.models import Person, TravelDocument


@dataclass(frozen=True)
class PersonData:
    surname: str
    given_names: str
    birth_date: date
    sex: str
    nationality: str  # ISO alpha-2
    document_type: str
    document_number: str
    issuing_state: str  # ISO alpha-2
    document_expiry: date
    patronymic: str = ""
    mrz_surname: str = ""
    mrz_given_names: str = ""

    @property
    def document_key(self) -> tuple[str, str]:
        return (self.issuing_state, self.document_number)


Matcher = Callable[[Sequence[PersonData]], dict[int, Person]]


def match_by_document(items: Sequence[PersonData]) -> dict[int, Person]:
    """Index of item → person for items whose travel document is already registered."""
    numbers = {d.document_number for d in items}
    found: dict[tuple[str, str], Person] = {}
    for doc in TravelDocument.objects.filter(number__in=numbers).select_related("person"):
        person = doc.person
        found[(doc.issuing_state_id, doc.number)] = person
    return {i: found[d.document_key] for i, d in enumerate(items) if d.document_key in found}


def matchers() -> list[Matcher]:
    paths = getattr(settings, "UMIS_IDENTITY_MATCHERS", ["umis.people.identity.match_by_document"])
    return [import_string(p) for p in paths]
