"""E-mails to the applicant at each step (console/file backend in the demo, SMTP in production).

The step's transaction writes an outbox message (`mail_owe`), one per application (or group)
and step, so a process dying after the commit loses no e-mail and a step queued again sends
nothing more; the worker sends it when it drains the outbox (`mail_message`). A failed
e-mail is logged and never undoes the decision; one the mail server could not take now (down,
or a 4xx answer) is tried again by the outbox, one it refused for good (5xx) is not.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from umis.core import outbox
from umis.core.models import OutboxMessage
from umis.visas.models import VisaApplication

log = logging.getLogger("umis.visas")

MAIL_TOPIC = "evisa.mail"
SUBMITTED = "submitted"
ISSUED = "issued"
REFERRED = "referred"
REFUSED = "refused"
ANNULLED = "annulled"
ESCALATED = "escalated"


def mail_owe(*, kind: str, application: VisaApplication, **payload: Any) -> bool:
    """Owe the e-mail of this step, in the caller's transaction; False when it is already
    owed or sent (one per application and step; the received e-mail, one per group)."""
    reference = application.group_reference if kind == SUBMITTED else application.case.reference
    return outbox.outbox_put(
        topic=MAIL_TOPIC,
        key=f"{kind}:{reference}",
        payload={"kind": kind, "application": application.pk, **payload},
    )


def mail_message(message: OutboxMessage) -> None:
    """Send the e-mail an outbox message owes (the worker, in the message's transaction)."""
    kind = message.payload["kind"]
    app = (
        VisaApplication.objects.select_related("case")
        .filter(pk=int(message.payload["application"]))
        .first()
    )
    if app is None:
        log.warning("e-mail %s: the application is gone", message.key)
        return
    message_id = _message_id(message.key)
    if kind == SUBMITTED:
        submitted([app], str(message.payload["payment_url"]), message_id=message_id)
    elif kind == ISSUED:
        issued(app, message_id=message_id)
    elif kind == REFERRED:
        referred(app, message_id=message_id)
    elif kind == REFUSED:
        refused(app, message_id=message_id)
    elif kind == ANNULLED:
        annulled(app, message_id=message_id)
    elif kind == ESCALATED:
        escalated(app)
    else:
        raise LookupError(f"no e-mail of kind {kind}")


def _message_id(key: str) -> str:
    """The same Message-ID each time one step's e-mail is sent: should a worker die after
    sending and before its commit, the e-mail sent again is recognised as the same one
    (mail servers and clients keep one of each)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<evisa.{key.replace(':', '.')}@{domain}>"


def _send(app: VisaApplication, subject: str, body: str, *, message_id: str = "") -> None:
    headers = {"Message-ID": message_id} if message_id else None
    try:
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [app.email], headers=headers
        ).send()
    except Exception as exc:
        # the error's text names the address (SMTP refusals do): the log gets its kind only
        log.error("e-mail to the applicant of %s failed: %s", app.group_reference, _kind(exc))
        if not _refused_for_good(exc):
            raise MailNotSent(_kind(exc)) from None  # the outbox tries again later


class MailNotSent(Exception):
    """The mail server could not take the e-mail now; the text names no address."""


def _refused_for_good(exc: Exception) -> bool:
    """An SMTP 5xx answer (unknown user, rejected) will not change on a retry; a server that
    is down or answers 4xx ("try again later") may take the e-mail later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _kind(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


def _status_url(app: VisaApplication) -> str:
    return f"{settings.UMIS_PUBLIC_URL}{app.get_absolute_url()}"


def submitted(apps: Sequence[VisaApplication], payment_url: str, *, message_id: str = "") -> None:
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
            message_id=message_id,
        )


def issued(app: VisaApplication, *, message_id: str = "") -> None:
    with translation.override(app.language):
        _send(
            app,
            _("Your e-visa %(number)s is issued") % {"number": app.visa_number},
            _("Your e-visa is issued. Download it here:\n%(url)s") % {"url": _status_url(app)},
            message_id=message_id,
        )


def referred(app: VisaApplication, *, message_id: str = "") -> None:
    with translation.override(app.language):
        _send(
            app,
            _("E-visa application %(ref)s is being examined") % {"ref": app.case.reference},
            _(
                "An officer examines your application; you will hear from us within the processing time.\n%(url)s"
            )
            % {"url": _status_url(app)},
            message_id=message_id,
        )


def refused(app: VisaApplication, *, message_id: str = "") -> None:
    with translation.override(app.language):
        _send(
            app,
            _("Decision on e-visa application %(ref)s") % {"ref": app.case.reference},
            _("Your application is refused. The notice with the reasons is here:\n%(url)s")
            % {"url": _status_url(app)},
            message_id=message_id,
        )


def annulled(app: VisaApplication, *, message_id: str = "") -> None:
    with translation.override(app.language):
        _send(
            app,
            _("Your e-visa %(number)s is annulled") % {"number": app.visa_number},
            _(
                "Your e-visa is annulled: it is no longer valid for entry. The decision and its legal ground are here:\n%(url)s"
            )
            % {"url": _status_url(app)},
            message_id=message_id,
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
