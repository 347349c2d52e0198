"""The login page: a password, throttled per account and per client address.

The second factor (when the user has one, or when ``MFA_REQUIRED``) follows on its own page
(`smertespor.accounts.mfa_views`); the gate (`smertespor.accounts.mfa.MfaGateMiddleware`)
lets a signed-in user reach nothing else until it is passed.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from smertespor.accounts.throttle import login_delay
from smertespor.entry.client_ip import client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    """The password form that first waits out the account's back-off."""

    retry_after = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and not AxesProxyHandler.is_locked(
            self.request, {"username": username}
        ):
            # A locked address gets axes' lockout page; any other waits out the back-off.
            delay = login_delay(username, client_ip(self.request), timezone.now())
            if delay:
                self.retry_after = delay
                raise forms.ValidationError(
                    ngettext(
                        "Too many failed log-in attempts for this user. "
                        "Try again in %(seconds)d second.",
                        "Too many failed log-in attempts for this user. "
                        "Try again in %(seconds)d seconds.",
                        delay,
                    )
                    % {"seconds": delay},
                    code="throttled",
                )
        return super().clean()


class AdminLoginForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's login page, throttled the same way."""


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_only"] = not settings.MFA_REQUIRED
        return context

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        retry_after = getattr(form, "retry_after", 0)
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response
