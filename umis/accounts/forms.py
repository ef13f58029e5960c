from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user

from umis.accounts.services import user_requires_second_factor, user_second_factor_verify


class SignInForm(AuthenticationForm):
    """Password, then the TOTP code for staff when the second factor is required."""

    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Staff: the 6-digit code from your authenticator app."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.required:  # said to a screen reader too, as on every other form
                field.widget.attrs["aria-required"] = "true"

    def clean_username(self) -> str:
        # AuthenticationForm only sets the field's max_length after the validators are
        # built: an overlong name would reach authentication and the failed-attempt log
        username: str = self.cleaned_data.get("username") or ""
        limit = self.username_field.max_length or 150
        if len(username) > limit:
            raise forms.ValidationError(
                _("At most %(n)d characters.") % {"n": limit}, code="too_long"
            )
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is not None and user_requires_second_factor(user=user):
            if not any(devices_for_user(user, confirmed=True)):
                raise forms.ValidationError(
                    _("Your account has no second factor yet. Ask an administrator to enrol one."),
                    code="mfa_missing",
                )
            device = user_second_factor_verify(user=user, token=cleaned.get("otp_token") or "")
            if device is None:
                raise forms.ValidationError(
                    _("The one-time code is wrong or was already used."), code="mfa_invalid"
                )
            self.otp_device = device
        return cleaned
