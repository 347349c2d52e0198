"""The pages of the second factor: setting it up, the recovery codes, and passing it.

Passkeys (WebAuthn) use django-otp-webauthn's ceremonies and its own script (static files,
no inline script); the subclasses below only add the audit rows and answer a signed-out
caller with 401.
"""

from __future__ import annotations

import json
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

from smertespor.accounts import mfa
from smertespor.accounts.requests import SignedInRequest
from smertespor.entry.forms import apply_errors, form_status

_PENDING_KEY = "smertespor_mfa_pending_totp_key"


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


@login_required
@require_http_methods(["GET"])
def overview(request: SignedInRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/mfa_overview.html",
        {
            "has_totp": mfa.has_totp(user),
            "passkeys": WebAuthnCredential.objects.filter(user=user, confirmed=True),
            "has_primary_device": mfa.has_primary_device(user),
            "recovery_codes_left": mfa.remaining_recovery_codes(user),
            "step": mfa.pending_step(request),
            "passkey_config": _passkey_config(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: SignedInRequest) -> HttpResponse:
    user = request.user
    key = request.session.get(_PENDING_KEY)
    if not isinstance(key, str):
        key = mfa.new_totp_key()
        request.session[_PENDING_KEY] = key
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = mfa.confirm_totp(user=user, key=key, token=form.cleaned_data["token"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            del request.session[_PENDING_KEY]
            if not mfa.is_verified(user):
                otp_login(request, device)
            if mfa.remaining_recovery_codes(user) == 0:
                return _show_recovery_codes(request, mfa.new_recovery_codes(user=user))
            messages.success(request, _("The authenticator app is set up."))
            return redirect("accounts:mfa")
    device = mfa.unsaved_totp_device(user, key)
    return render(
        request,
        "accounts/mfa_totp.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(_chunks(b32encode(device.bin_key).decode(), 4)),
        },
        status=form_status(form),
    )


@login_required
@require_POST
def recovery_codes(request: SignedInRequest) -> HttpResponse:
    try:
        codes = mfa.new_recovery_codes(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:mfa")
    return _show_recovery_codes(request, codes)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: SignedInRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request)
    if mfa.pending_step(request) != "verify":
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if form.is_valid():
        try:
            device = mfa.verify_second_factor(user=user, token=form.cleaned_data["token"])
        except mfa.Throttled as wait:
            status = 429
            form.add_error(
                "token",
                ngettext(
                    "Too many wrong codes. Try again in %(seconds)d second.",
                    "Too many wrong codes. Try again in %(seconds)d seconds.",
                    wait.seconds,
                )
                % {"seconds": wait.seconds},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = mfa.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left.",
                        "You used a recovery code; %(count)d are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    response = render(
        request,
        "accounts/mfa_verify.html",
        {
            "form": form,
            "next": next_url,
            "has_passkey": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
            "passkey_config": _passkey_config(request),
        },
        status=status if status != 200 else form_status(form),
    )
    return response


def _passkey_config(request: SignedInRequest) -> str:
    """The passkey script's settings (URLs, CSRF token) as JSON, shown escaped in a hidden
    element the script reads, so the page needs no inline script."""
    return json.dumps(get_configuration(request))


def _show_recovery_codes(request: SignedInRequest, codes: list[str]) -> HttpResponse:
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


def _safe_next(request: SignedInRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(resolve_url(settings.LOGIN_REDIRECT_URL))


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # Our own drawing of our own data: no user text reaches the markup.
    return mark_safe(svg)  # noqa: S308


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


# --- passkeys: django-otp-webauthn's ceremonies, audited ---------------------------------


class _SignedInOnly:
    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"detail": str(_("Log in first.")), "code": "not_authenticated"}, status=401
            )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class BeginPasskeyRegistration(_SignedInOnly, webauthn_views.BeginCredentialRegistrationView):
    pass


class CompletePasskeyRegistration(_SignedInOnly, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            credential_id = json.loads(response.content)["id"]
            mfa.record_passkey_enrolled(user=self.request.user, credential_id=credential_id)
        return response


class BeginPasskeyAuthentication(_SignedInOnly, webauthn_views.BeginCredentialAuthenticationView):
    pass


class CompletePasskeyAuthentication(
    _SignedInOnly, webauthn_views.CompleteCredentialAuthenticationView
):
    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, OTPWebAuthnApiError) and self.request.user.is_authenticated:
            mfa.record_passkey_refused(user=self.request.user, reason=exc.code)
        return super().handle_exception(exc)
