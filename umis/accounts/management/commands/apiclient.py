from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from umis.accounts.models import ApiClient, Scope, User
from umis.accounts.services import api_client_create, api_client_revoke


class Command(BaseCommand):
    help = (
        "umis apiclient create NAME --user USERNAME --scope SCOPE...; umis apiclient revoke PREFIX"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--user")
        parser.add_argument("--scope", action="append", choices=Scope.values, default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for c in ApiClient.objects.select_related("user").order_by("id"):
                self.stdout.write(
                    f"{c.key_prefix}  {c.name}  user={c.user.username} scopes={','.join(c.scopes)} revoked={c.revoked_at or '-'}"
                )
            return
        if not options["name"]:
            raise CommandError("Give the client's name (create) or key prefix (revoke).")
        if options["action"] == "create":
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError("--user must name an existing account")
            _client, key = api_client_create(
                actor=None,
                name=options["name"],
                user=user,
                scopes=options["scope"] or [Scope.STAY_REGISTRATIONS],
            )
            self.stdout.write(f"API key (shown once, store it safely): {key}")
        else:
            client = ApiClient.objects.filter(key_prefix=options["name"]).first()
            if client is None:
                raise CommandError("No client with that key prefix")
            api_client_revoke(actor=None, client=client)
            self.stdout.write("Revoked.")
