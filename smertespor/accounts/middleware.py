"""The session's two limits: 12 hours after login whatever the activity, and 30 idle minutes.

The idle limit is the session's expiry, renewed by saving the session. Saving it on every
request (Django's SESSION_SAVE_EVERY_REQUEST) would rewrite the session row on every page
view; instead the session is marked changed, and so saved with a fresh expiry, at most once
every SESSION_RENEW_AFTER_SECONDS. A user idle for the whole limit minus that interval is
signed out at the latest when the limit has passed since their last renewal.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_LOGIN_TIME_KEY = "smertespor_login_time"
SESSION_RENEWED_KEY = "smertespor_renewed"


class AbsoluteSessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_LOGIN_TIME_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_LOGIN_TIME_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
            renewed = request.session.get(SESSION_RENEWED_KEY)
            if renewed is None or now - float(renewed) >= settings.SESSION_RENEW_AFTER_SECONDS:
                request.session[SESSION_RENEWED_KEY] = now
        return self.get_response(request)
