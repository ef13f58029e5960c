from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    HEAD_OFFICER = "head_officer", _("Head-office officer")
    REGIONAL_OFFICER = "regional_officer", _("Regional officer")
    ANALYST = "analyst", _("Analyst")
    HOST = "host", _("Host (hotel or landlord)")
    APPLICANT = "applicant", _("Applicant")
    AGENCY = "agency", _("Agency system")


STAFF_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.HEAD_OFFICER, Role.REGIONAL_OFFICER, Role.ANALYST}
)
OFFICER_ROLES = frozenset({Role.HEAD_OFFICER, Role.REGIONAL_OFFICER})


class UmisUserManager(UserManager["User"]):
    """Accounts made in code (`createsuperuser`, also with --noinput and
    DJANGO_SUPERUSER_PASSWORD, scripts) pass the same password rules as the forms; there is
    no way around them. A superuser is an administrator by role."""

    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> User:
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: Any
    ) -> User:
        user: User = super()._create_user_object(username, email, password, **extra_fields)  # type: ignore[misc]
        if password is not None:
            validate_password(password, user)
        return user


class User(AbstractUser):
    objects = UmisUserManager()  # type: ignore[misc]

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.APPLICANT)
    office = models.ForeignKey(
        "reference.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("office"),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="az")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="regional_officer") | models.Q(office__isnull=False),
                name="regional_officer_has_office",
            )
        ]

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES

    @property
    def display_name(self) -> str:
        """How staff pages name the account: the full name and the username, or the
        username alone when no name is given."""
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def sees_all_offices(self) -> bool:
        return self.role in {Role.ADMINISTRATOR, Role.HEAD_OFFICER, Role.ANALYST}


def officer_name(user: User | None) -> str:
    """How a page names an officer to another officer (who acted, who decided, who has a
    case): the account's `display_name`, the full name with the username, or the username
    alone when the account has no name; empty for nobody."""
    return user.display_name if user is not None else ""


class Scope(models.TextChoices):
    STAY_REGISTRATIONS = "stay_registrations", _("Register places of stay")
    DOCUMENTS_VERIFY = "documents_verify", _("Verify documents")
    PEOPLE_READ = "people_read", _("Read person files")
    EVISA = "evisa", _("Apply for e-visas")
    SCREENING = "screening", _("Screen persons against watchlists")
    WATCHLISTS_MANAGE = "watchlists_manage", _("Import watchlist entries")
    BORDER_CROSSINGS = "border_crossings", _("Send border crossings")
    IDENTITY_REVIEW = "identity_review", _("Review possible duplicate persons")


class ApiClient(models.Model):
    """A system that calls the API (a hotel's software, an agency) with its own key.

    The key is shown once at creation; only its SHA-256 is stored. Calls act as `user`.
    """

    name = models.CharField(_("name"), max_length=200)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("acts as")
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
