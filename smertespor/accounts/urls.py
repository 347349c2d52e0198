from django.urls import path

from smertespor.accounts import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", mfa_views.overview, name="mfa"),
    path("two-factor/app/", mfa_views.totp_setup, name="mfa_totp"),
    path("two-factor/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path("verify/", mfa_views.verify, name="mfa_verify"),
    path("role-requests/", views.role_requests, name="role_requests"),
    path("role-requests/new/", views.role_request_create, name="role_request_create"),
    path(
        "role-requests/<id:role_request_id>/approve/",
        views.role_request_approve,
        name="role_request_approve",
    ),
    path(
        "role-requests/<id:role_request_id>/reject/",
        views.role_request_reject,
        name="role_request_reject",
    ),
]
