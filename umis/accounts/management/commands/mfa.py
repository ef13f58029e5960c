from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from umis.accounts.models import User
from umis.audit.services import audit_record


class Command(BaseCommand):
    help = "umis mfa enrol USERNAME: create a TOTP second factor and print its otpauth:// URI for an authenticator app."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["enrol"])
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such user")
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        audit_record(actor=None, action="MFA_ENROLLED", entity=user)
        self.stdout.write(device.config_url)
