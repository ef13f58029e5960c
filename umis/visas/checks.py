"""The checks an e-visa application passes before it may be issued automatically.

`visa_application_check` is the one function the decision calls. The applicant is
screened against the watchlists by the screening engine (`umis.screening`): fuzzy,
multi-script name matching with the date of birth for entry bans, wanted persons and
alerts, and the exact travel-document number for lost, stolen and invalid documents. Every
hit is stored on the case for the officers (and on the screening hits page), alerts the
office and refers the application with a reason naming the list's category; a hit an
officer dismissed is not raised again while the entry and the person's data stay the same.
The other checks are exact: an overstay found on an earlier visit (the border domain's
findings, open or taken up), an earlier e-visa refusal within a year, a passport that no
longer meets the rules, a nationality no longer eligible. Open fines have no register in
UMIS yet, so they are not checked here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from umis.border.selectors import person_has_overstayed
from umis.core import clock
from umis.screening.models import Category
from umis.screening.services import screening_screen_cases
from umis.visas import workflow
from umis.visas.models import VisaApplication
from umis.visas.validation import PASSPORT_MARGIN_DAYS, eligible_nationalities


@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # untranslated (gettext_noop): shown in the officer's language

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


# A screening hit's watchlist category → the referral reason (stable codes).
WATCHLIST_REASONS: dict[str, Reason] = {
    Category.ENTRY_BAN: Reason("entry_ban", gettext_noop("Matches an entry ban")),
    Category.WANTED: Reason("wanted_person", gettext_noop("Wanted person")),
    Category.ALERT: Reason("watchlist_alert", gettext_noop("Matches a watchlist alert")),
    Category.LOST: Reason("lost_document", gettext_noop("Passport reported lost or stolen")),
    Category.STOLEN: Reason("lost_document", gettext_noop("Passport reported lost or stolen")),
    Category.INVALID: Reason("invalid_document", gettext_noop("Passport reported invalid")),
}
WATCHLIST_HIT = Reason("watchlist_hit", gettext_noop("Matches a watchlist entry"))


def watchlist_reasons(application: VisaApplication) -> list[Reason]:
    """Screen the applicant and the passport presented (hits stored on the case); one
    reason per kind of hit."""
    case = application.case
    hits = screening_screen_cases(
        actor=None,
        items=[(case, application.person)],
        documents={case.pk: application.travel_document},
    )
    reasons: list[Reason] = []
    for hit in hits.get(case.pk, []):
        reason = WATCHLIST_REASONS.get(hit.entry.category, WATCHLIST_HIT)
        if reason not in reasons:
            reasons.append(reason)
    return reasons


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
    reasons.extend(watchlist_reasons(application))
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
    if person_has_overstayed(person_id=person.pk):
        reasons.append(Reason("previous_overstay", gettext_noop("Overstayed on an earlier visit")))
    return reasons
