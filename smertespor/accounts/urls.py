from django.urls import path

from smertespor.accounts import mfa_views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", mfa_views.overview, name="mfa"),
    path("two-factor/app/", mfa_views.totp_setup, name="mfa_totp"),
    path("two-factor/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path("verify/", mfa_views.verify, name="mfa_verify"),
]
