"""Two factors: an authenticator app (TOTP), passkeys (WebAuthn) and recovery codes.

After the password a user with a confirmed device must pass it before reaching anything
(the gate below; the API answers 401). With ``settings.MFA_REQUIRED`` (production) a user
without an authenticator app or a passkey is sent to set one up and reaches nothing else
(the API answers 403). Recovery codes (django-otp's static device, ten single-use codes shown
once) stand in for a lost phone; they are no first device of their own.

Setting up, a refused code and a used recovery code are written to the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.checks import CheckMessage, Tags, Warning, register
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.middleware import API_PREFIX
from smertespor.entry.problems import problem_response

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6

Step = Literal["", "verify", "enrol"]
_STEPS = frozenset({"", "verify", "enrol"})
SESSION_STEP_KEY = "smertespor_mfa_step"

# What a signed-in user may reach before the second factor: the step's own pages, the
# passkey ceremonies it needs, the language switch and logging out.
_ALWAYS_OPEN = frozenset({"logout", "set_language", "otp_webauthn:js-i18n-catalog"})
_OPEN = {
    "verify": _ALWAYS_OPEN
    | {
        "accounts:mfa_verify",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    },
    "enrol": _ALWAYS_OPEN
    | {
        "accounts:mfa",
        "accounts:mfa_totp",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
    },
}


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_primary_device(user: User) -> bool:
    """An authenticator app or a passkey (recovery codes alone are no second factor)."""
    return has_totp(user) or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def pending_step(request: HttpRequest) -> Step:
    """What the signed-in user must do before anything else: verify, set up, or nothing.

    Decided when they log in and kept in the session, so a page costs no query for it.
    """
    user = request.user
    if not isinstance(user, User) or is_verified(user):
        return ""
    step = request.session.get(SESSION_STEP_KEY)
    if step not in _STEPS:
        step = request.session[SESSION_STEP_KEY] = _step_for(user)
    return step


def is_verified(user: User) -> bool:
    """Whether this session passed a second factor (django-otp's middleware tells)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if check is not None else False


def _step_for(user: User) -> Step:
    if user_has_device(user):
        return "verify"
    if settings.MFA_REQUIRED:
        return "enrol"
    return ""


@receiver(user_logged_in)
def _decide_step_at_login(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STEP_KEY] = _step_for(user)


@register(Tags.security, deploy=True)
def _check_mfa_required(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.MFA_REQUIRED:
        return []
    return [
        Warning(
            "Logins are password-only (MFA_REQUIRED is off).",
            hint="Only the demo region runs without a second factor; set MFA_REQUIRED=true.",
            id="smertespor.W001",
        )
    ]


class MfaGateMiddleware:
    """Lets a signed-in user past only when their second factor is passed (or not needed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and user.is_authenticated:
            step = pending_step(request)
            if step and _view_name(request) not in _OPEN[step]:
                return _refuse(request, step)
        return self.get_response(request)


def _view_name(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def _refuse(request: HttpRequest, step: Step) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        if step == "verify":
            return problem_response(401, _("Confirm your second factor first."))
        return problem_response(403, _("Set up a second factor first."))
    if step == "verify":
        target = reverse("accounts:mfa_verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
    return redirect("accounts:mfa")


# --- setting up ------------------------------------------------------------------------


def new_totp_key() -> str:
    return str(random_hex(20))


def unsaved_totp_device(user: User, key: str) -> TOTPDevice:
    """The device a key would make (for its otpauth:// address), not yet stored."""
    return TOTPDevice(user=user, key=key, name=_("Authenticator app"), digits=TOTP_DIGITS)


def confirm_totp(*, user: User, key: str, token: str) -> TOTPDevice:
    """Store the authenticator app once it shows the right code; it replaces an earlier one.

    Raises ValidationError on ``token`` when the code is not the app's current one.
    """
    device = unsaved_totp_device(user, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    code = _normalised(token)
    if not (code.isdigit() and len(code) == TOTP_DIGITS and totp.verify(int(code), 1)):
        raise ValidationError(
            {"token": _("The code does not match. Enter the code the app shows now.")},
            code="invalid_token",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.last_t = totp.t()  # the code just used cannot be used again
        device.drift = totp.drift
        device.save()
        record_event(
            user=user,
            action=AuditAction.MFA_ENROLLED,
            object_type="mfa_device",
            object_id=str(device.pk),
            detail={"method": "totp"},
        )
    return device


def record_passkey_enrolled(*, user: User, credential_id: object) -> None:
    record_event(
        user=user,
        action=AuditAction.MFA_ENROLLED,
        object_type="mfa_device",
        object_id=str(credential_id),
        detail={"method": "passkey"},
    )


def new_recovery_codes(*, user: User) -> list[str]:
    """Ten new single-use codes (the old ones stop working); shown once, to the user only.

    Raises ValidationError when the user has no authenticator app or passkey yet.
    """
    if not has_primary_device(user):
        raise ValidationError(
            _("Set up an authenticator app or a passkey before recovery codes."),
            code="no_device",
        )
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        record_event(
            user=user,
            action=AuditAction.MFA_ENROLLED,
            object_type="mfa_device",
            object_id=str(device.pk),
            detail={"method": "recovery_codes", "count": RECOVERY_CODE_COUNT},
        )
    return codes


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- verifying -------------------------------------------------------------------------


class Throttled(Exception):
    """Too many wrong codes in a row: the devices accept none for ``seconds`` more."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def verify_second_factor(*, user: User, token: str) -> Device:
    """The device that accepts ``token``: the authenticator app's code or a recovery code.

    A refused code is audited and raises ValidationError on ``token``; while the devices
    wait after wrong codes (1, 2, 4 … seconds) it raises `Throttled` without trying.
    """
    code = _normalised(token)
    is_totp = code.isdigit() and len(code) == TOTP_DIGITS
    method = "totp" if is_totp else "recovery_code"
    model: type[Device] = TOTPDevice if is_totp else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True))
        waits = [_wait(device) for device in devices]
        if devices and all(waits):
            raise Throttled(min(waits))
        for device in devices:
            if device.verify_token(code):
                if method == "recovery_code":
                    record_event(
                        user=user,
                        action=AuditAction.MFA_RECOVERY_CODE_USED,
                        object_type="mfa_device",
                        object_id=str(device.pk),
                        detail={"remaining": remaining_recovery_codes(user)},
                    )
                return device
    record_event(
        user=user,
        action=AuditAction.MFA_FAILED,
        object_type="mfa_device",
        detail={"method": method},
    )
    raise ValidationError(
        {"token": _("The code was not accepted. Check it and try again.")},
        code="invalid_token",
    )


def record_passkey_refused(*, user: User, reason: str) -> None:
    record_event(
        user=user,
        action=AuditAction.MFA_FAILED,
        object_type="mfa_device",
        detail={"method": "passkey", "reason": reason[:64]},
    )


def _wait(device: Device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("locked_until") is None:
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))


def _normalised(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()
