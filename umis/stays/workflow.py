"""Place-of-stay registration: states and transitions.

A registration is valid as soon as it is submitted; it waits in the office queue for a
check (`registered`), after which the officer confirms it. One the foreigner filed himself
(no account, art. 21) follows the same states and is valid at once too: the law gives him
the same right to register, the rules judged on intake are the host's, and the officer's
check, which every registration waits for, is where the accommodation he declared is
verified (the case says that he filed it, and whom he named); an officer annuls a false
one with a legal ground. The host ends a registration when the guest leaves; the
foreigner ends his own when he leaves the address (he has no account: the service, which
finds only his own filings for the browser that looked it up, moves the case as the system
does, and the history says he reported it); the system ends it when the guest, having
moved, is registered at another place (`STAY_REGISTRATION_SUPERSEDED`, no actor), when a
host registers him at the address of his own filing (`STAY_REGISTRATION_TAKEN_OVER`), or
when it is registered after the guest's planned departure; an officer may annul it with a legal ground, also once it has
ended (a registration found false after the guest left verifies as annulled, not expired).
A registration whose guest matched a watchlist stays valid, but the officer confirms it
only once every screening hit on it is decided (confirmed or dismissed); annulling it
needs no such wait.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.core.workflow import Workflow, rule
from umis.screening.guards import screening_hits_decided

REGISTERED = "registered"
CONFIRMED = "confirmed"
ENDED = "ended"
ANNULLED = "annulled"

OFFICERS = ("regional_officer", "head_officer")

WORKFLOW = Workflow(
    states=(REGISTERED, CONFIRMED, ENDED, ANNULLED),
    initial=REGISTERED,
    final=frozenset({ENDED, ANNULLED}),
    queue=frozenset({REGISTERED}),
    labels={
        REGISTERED: _("registered, awaiting check"),
        CONFIRMED: _("registered, checked"),
        ENDED: _("ended"),
        ANNULLED: _("annulled"),
    },
    transitions={
        (REGISTERED, CONFIRMED): rule(
            *OFFICERS,
            guard=screening_hits_decided(
                _(
                    "A screening hit on this registration is still open. Confirm or dismiss it first: the registration can be confirmed only when every hit is decided."
                )
            ),
            event="STAY_REGISTRATION_CONFIRMED",
        ),
        (REGISTERED, ANNULLED): rule(
            *OFFICERS, needs_legal_ground=True, event="STAY_REGISTRATION_ANNULLED"
        ),
        (CONFIRMED, ANNULLED): rule(
            *OFFICERS, needs_legal_ground=True, event="STAY_REGISTRATION_ANNULLED"
        ),
        (ENDED, ANNULLED): rule(
            *OFFICERS, needs_legal_ground=True, event="STAY_REGISTRATION_ANNULLED"
        ),
        (REGISTERED, ENDED): rule("host", event="STAY_REGISTRATION_ENDED"),
        (CONFIRMED, ENDED): rule("host", event="STAY_REGISTRATION_ENDED"),
    },
)
