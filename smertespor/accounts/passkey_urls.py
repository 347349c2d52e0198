"""django-otp-webauthn's ceremonies under its own namespace (its template tags reverse these
names), through our audited subclasses; each answers only the method its script uses."""

from django.urls import path
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import JavaScriptCatalog

from smertespor.accounts import mfa_views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        require_POST(mfa_views.BeginPasskeyRegistration.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        require_POST(mfa_views.CompletePasskeyRegistration.as_view()),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        require_POST(mfa_views.BeginPasskeyAuthentication.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        require_POST(mfa_views.CompletePasskeyAuthentication.as_view()),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        require_GET(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
