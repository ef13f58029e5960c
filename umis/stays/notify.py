"""The e-mail to a foreigner who registered his own stay (the host's registrations are
answered on the host's pages and API, with no e-mail).

Owed in the registration's transaction (`mail_owe`, one per registration and step), sent
when the worker drains the outbox (`mail_message`): a process dying after the commit loses
no e-mail, and a failed e-mail never undoes the registration. One the mail server could not
take now is tried again by the outbox; one it refused for good (5xx) is not.
"""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from umis.core import outbox
from umis.core.models import OutboxMessage
from umis.reference.selectors import address_line

if TYPE_CHECKING:
    from umis.stays.models import StayRegistration

log = logging.getLogger("umis.stays")

MAIL_TOPIC = "stays.mail"
FILED = "filed"


class MailNotSent(Exception):
    """The mail server could not take the e-mail now; the text names no address."""


def mail_owe(*, kind: str, registration: StayRegistration, language: str) -> bool:
    """Owe this step's e-mail in the caller's transaction; False when already owed or sent."""
    return outbox.outbox_put(
        topic=MAIL_TOPIC,
        key=f"{kind}:{registration.case.reference}",
        payload={"kind": kind, "registration": registration.pk, "language": language},
    )


def mail_message(message: OutboxMessage) -> None:
    """Send the e-mail an outbox message owes (the worker, in the message's transaction)."""
    from umis.stays.models import StayRegistration

    if message.payload["kind"] != FILED:
        raise LookupError(f"no e-mail of kind {message.payload['kind']}")
    reg = (
        StayRegistration.objects.select_related("case", "region")
        .filter(pk=int(message.payload["registration"]))
        .first()
    )
    if reg is None or not reg.email:
        log.warning("e-mail %s: the registration is gone", message.key)
        return
    language = str(message.payload.get("language") or settings.LANGUAGE_CODE)
    with translation.override(language):
        status = settings.UMIS_PUBLIC_URL + reverse("stays_own:lookup")
        subject = _("Registration at the place of stay %(ref)s") % {"ref": reg.case.reference}
        body = _(
            "You are registered at the place of stay.\n"
            "Registration number: %(ref)s\n"
            "Address: %(address)s\n"
            "Valid until: %(until)s\n\n"
            "Download the certificate and follow the registration here, with the registration "
            "number and the number of your travel document:\n%(url)s"
        ) % {
            "ref": reg.case.reference,
            "address": address_line(street=reg.street, city=reg.city, region=reg.region),
            "until": formats.date_format(reg.planned_departure, "d.m.Y"),
            "url": status,
        }
    headers = {"Message-ID": f"<{message.key.replace(':', '.')}@stays.umis>"}
    try:
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [reg.email], headers=headers
        ).send()
    except Exception as exc:
        # the error's text names the address (SMTP refusals do): the log gets its kind only
        code = getattr(exc, "smtp_code", None)
        kind = f"{type(exc).__name__} {code}" if code else type(exc).__name__
        log.error("e-mail to the foreigner of %s failed: %s", reg.case.reference, kind)
        if not _refused_for_good(exc):
            raise MailNotSent(kind) from None


def _refused_for_good(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500
