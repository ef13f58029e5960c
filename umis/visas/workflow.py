"""E-visa: states and transitions.

An application waits for its fee; once paid, the system screens it and either issues the
visa at once or refers it to an officer with the reasons; the officer approves or
refuses with a legal ground.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from umis.core.workflow import Workflow, rule

AWAITING_PAYMENT = "awaiting_payment"
SCREENING = "screening"
REFERRED = "referred"
ISSUED = "issued"
REFUSED = "refused"

OFFICERS = ("regional_officer", "head_officer")
SYSTEM = "system"

WORKFLOW = Workflow(
    states=(AWAITING_PAYMENT, SCREENING, REFERRED, ISSUED, REFUSED),
    initial=AWAITING_PAYMENT,
    final=frozenset({ISSUED, REFUSED}),
    queue=frozenset({REFERRED}),
    labels={
        AWAITING_PAYMENT: _("awaiting payment"),
        SCREENING: _("paid, being checked"),
        REFERRED: _("referred to an officer"),
        ISSUED: _("e-visa issued"),
        REFUSED: _("refused"),
    },
    transitions={
        (AWAITING_PAYMENT, SCREENING): rule(SYSTEM, event="EVISA_PAID"),
        (SCREENING, ISSUED): rule(SYSTEM, event="EVISA_ISSUED"),
        (SCREENING, REFERRED): rule(SYSTEM, event="EVISA_REFERRED"),
        (REFERRED, ISSUED): rule(*OFFICERS, event="EVISA_APPROVED"),
        (REFERRED, REFUSED): rule(*OFFICERS, needs_legal_ground=True, event="EVISA_REFUSED"),
    },
)
