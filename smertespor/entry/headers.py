"""The Permissions-Policy header: browser features Smertespor never uses are switched off.

No page needs the camera, the microphone, the location, payments or USB; an injected script
or a framed page cannot ask for them either. Passkeys (WebAuthn) are allowed for our own
origin only. The features come from ``settings.PERMISSIONS_POLICY`` (feature -> allowlist,
as the header writes it: ``()`` for nobody, ``(self)`` for our origin).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def permissions_policy(features: Mapping[str, str]) -> str:
    return ", ".join(f"{feature}={allowlist}" for feature, allowlist in features.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.value and HEADER not in response:
            response[HEADER] = self.value
        return response
