"""The exact checks an e-visa application passes before it may be issued automatically.

`visa_application_check` is the one function the decision calls; the screening engine
(fuzzy name matching against the watchlists) replaces it when it lands. Until then the
checks are exact: entry bans by passport number or by folded name and date of birth,
lost or stolen passports by issuing state and number, an earlier e-visa refusal within a
year, a passport that no longer meets the rules. Previous overstays and open fines have
no register in UMIS yet, so they are not checked here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_noop

from umis.core import clock
from umis.people.names import search_key
from umis.visas import workflow
from umis.visas.models import EntryBan, LostDocument, VisaApplication
from umis.visas.validation import PASSPORT_MARGIN_DAYS, eligible_nationalities


@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # untranslated (gettext_noop): shown in the officer's language

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def visa_application_check(application: VisaApplication) -> list[Reason]:
    """Why the application cannot be issued automatically (empty: it can)."""
    today = clock.today()
    person = application.person
    doc = application.travel_document
    reasons: list[Reason] = []
    if person.nationality_id not in eligible_nationalities(today):
        reasons.append(
            Reason("nationality_not_eligible", gettext_noop("Nationality no longer eligible"))
        )
    last_day = application.entry_date + dt.timedelta(days=application.stay_days - 1)
    if doc.expiry_date < last_day + dt.timedelta(days=PASSPORT_MARGIN_DAYS):
        reasons.append(Reason("passport_validity", gettext_noop("Passport not valid long enough")))
    name = search_key(f"{person.surname} {person.given_names}")
    bans = EntryBan.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).filter(
        Q(document_number=doc.number) | Q(search_name=name, birth_date=person.birth_date)
    )
    if bans.exists():
        reasons.append(Reason("entry_ban", gettext_noop("Matches an entry ban")))
    if LostDocument.objects.filter(
        issuing_state_code=doc.issuing_state_id, number=doc.number
    ).exists():
        reasons.append(Reason("lost_document", gettext_noop("Passport reported lost or stolen")))
    refused = (
        VisaApplication.objects.filter(
            person=person,
            case__state=workflow.REFUSED,
            case__closed_at__gte=clock.now() - dt.timedelta(days=365),
        )
        .exclude(pk=application.pk)
        .exists()
    )
    if refused:
        reasons.append(
            Reason("previous_refusal", gettext_noop("E-visa refused within the last year"))
        )
    return reasons
