"""E-mails to the applicant at each step (console/file backend in the demo, SMTP in production).

Sent after the commit; a failed e-mail is logged and never undoes the decision.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from umis.visas.models import VisaApplication

log = logging.getLogger("umis.visas")


def _send(app: VisaApplication, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [app.email], fail_silently=False)
    except Exception as exc:
        # the error's text names the address (SMTP refusals do): the log gets its kind only
        log.error("e-mail to the applicant of %s failed: %s", app.group_reference, _kind(exc))


def _kind(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def _status_url(app: VisaApplication) -> str:
    return f"{settings.UMIS_PUBLIC_URL}{app.get_absolute_url()}"


def submitted(apps: Sequence[VisaApplication], payment_url: str) -> None:
    if not apps:
        return
    app = apps[0]
    with translation.override(app.language):
        _send(
            app,
            _("E-visa application %(ref)s received") % {"ref": app.group_reference},
            _(
                "Your application is received. Pay the fee to have it decided:\n%(url)s\n\nStatus: %(status)s"
            )
            % {"url": payment_url, "status": _status_url(app)},
        )


def issued(app: VisaApplication) -> None:
    with translation.override(app.language):
        _send(
            app,
            _("Your e-visa %(number)s is issued") % {"number": app.visa_number},
            _("Your e-visa is issued. Download it here:\n%(url)s") % {"url": _status_url(app)},
        )


def referred(app: VisaApplication) -> None:
    with translation.override(app.language):
        _send(
            app,
            _("E-visa application %(ref)s is being examined") % {"ref": app.case.reference},
            _(
                "An officer examines your application; you will hear from us within the processing time.\n%(url)s"
            )
            % {"url": _status_url(app)},
        )


def refused(app: VisaApplication) -> None:
    with translation.override(app.language):
        _send(
            app,
            _("Decision on e-visa application %(ref)s") % {"ref": app.case.reference},
            _("Your application is refused. The notice with the reasons is here:\n%(url)s")
            % {"url": _status_url(app)},
        )


def escalated(app: VisaApplication) -> None:
    from umis.accounts.models import User

    heads = list(
        User.objects.filter(role="head_officer", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not heads:
        return
    try:
        send_mail(
            f"E-visa {app.case.reference} near its deadline",
            f"The case {app.case.reference} is due at {app.case.due_at:%Y-%m-%d %H:%M} and is not decided.",
            settings.DEFAULT_FROM_EMAIL,
            heads,
        )
    except Exception as exc:
        log.error("escalation e-mail for %s failed: %s", app.case.reference, _kind(exc))
