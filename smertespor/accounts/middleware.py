"""The absolute session limit: 12 hours after login, whatever the activity."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_LOGIN_TIME_KEY = "smertespor_login_time"


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
        return self.get_response(request)
