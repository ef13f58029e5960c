"""E-visa: states and transitions.

An application waits for its fee; once paid, the system screens it and either issues the
visa at once or refers it to an officer with the reasons; the officer approves or
refuses with a legal ground. An officer issues it only once every screening hit on the
case is decided (confirmed or dismissed), and never once an entry-ban hit is confirmed (the
applicant is the person banned) or a hit on the travel document is (it is lost, stolen or
invalid): the application is then refused, Migration Code art. 16;
refusing needs no such wait. An issued e-visa can still be annulled by an officer with a
legal ground (grounds of the kind "visa_annulment"): its document then verifies as annulled.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.core.workflow import Workflow, first_refusal, rule
from umis.screening.guards import (
    no_confirmed_document_hit,
    no_confirmed_entry_ban,
    screening_hits_decided,
)

AWAITING_PAYMENT = "awaiting_payment"
SCREENING = "screening"
REFERRED = "referred"
ISSUED = "issued"
REFUSED = "refused"
ANNULLED = "annulled"

OFFICERS = ("regional_officer", "head_officer")
SYSTEM = "system"

WORKFLOW = Workflow(
    states=(AWAITING_PAYMENT, SCREENING, REFERRED, ISSUED, REFUSED, ANNULLED),
    initial=AWAITING_PAYMENT,
    final=frozenset({ISSUED, REFUSED, ANNULLED}),
    queue=frozenset({REFERRED}),
    labels={
        AWAITING_PAYMENT: _("awaiting payment"),
        SCREENING: _("paid, being checked"),
        REFERRED: _("referred to an officer"),
        ISSUED: _("e-visa issued"),
        REFUSED: _("refused"),
        ANNULLED: _("e-visa annulled"),
    },
    transitions={
        (AWAITING_PAYMENT, SCREENING): rule(SYSTEM, event="EVISA_PAID"),
        (SCREENING, ISSUED): rule(SYSTEM, event="EVISA_ISSUED"),
        (SCREENING, REFERRED): rule(SYSTEM, event="EVISA_REFERRED"),
        (REFERRED, ISSUED): rule(
            *OFFICERS,
            guard=first_refusal(
                # what to do instead (refuse) before what to wait for (the open hits)
                no_confirmed_entry_ban(
                    _(
                        "An entry ban on the applicant is confirmed: the e-visa cannot be issued. Refuse the application, citing the legal ground."
                    )
                ),
                no_confirmed_document_hit(
                    _(
                        "The applicant's travel document is confirmed as lost, stolen or invalid: the e-visa cannot be issued on this document. Refuse the application on the ground “The passport is not valid (lost, stolen or expiring)” (Migration Code, art. 16)."
                    )
                ),
                screening_hits_decided(
                    _(
                        "A screening hit on this application is still open. Confirm or dismiss it first: the e-visa can be issued only when every hit is decided."
                    )
                ),
            ),
            event="EVISA_APPROVED",
        ),
        (REFERRED, REFUSED): rule(*OFFICERS, needs_legal_ground=True, event="EVISA_REFUSED"),
        (ISSUED, ANNULLED): rule(*OFFICERS, needs_legal_ground=True, event="EVISA_ANNULLED"),
    },
)
