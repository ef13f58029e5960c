from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django_otp import login as otp_login

from umis.accounts.forms import SignInForm
from umis.accounts.services import user_sign_in_refused
from umis.audit.services import audit_record
from umis.core.ratelimit import rate_limited


@method_decorator(rate_limited("sign_in"), name="dispatch")
class SignInView(auth_views.LoginView):
    """Sign-in; attempts count per address (`sign_in`), so a flood of tries, even on an
    account already locked out, ends in 429 pages rather than rows in the audit log."""

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)  # rotates the session id
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        audit_record(actor=form.get_user(), action="USER_SIGNED_IN", entity=form.get_user())
        return response

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        if getattr(self.request, "axes_locked_out", False):
            reason = "locked_out"  # django-axes answers 429 with the lockout page
        else:
            codes = {e.code for e in form.non_field_errors().as_data()}
            reason = next((c for c in ("mfa_missing", "mfa_invalid") if c in codes), "")
            reason = reason or ("password" if "invalid_login" in codes else "")
        if reason:
            user_sign_in_refused(username=form.data.get("username", "") or "", reason=reason)
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        url = self.get_redirect_url()
        if url:
            return url
        # in the language the form was read in (its address's prefix)
        if getattr(self.request.user, "role", "") == "host":
            return reverse("stays:guests")
        return reverse("backoffice:home")


class SignOutView(auth_views.LogoutView):
    pass
