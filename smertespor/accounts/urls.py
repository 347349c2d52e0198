from django.urls import path

from smertespor.accounts import views

app_name = "accounts"
urlpatterns = [
    path("role-requests/", views.role_requests, name="role_requests"),
    path("role-requests/new/", views.role_request_create, name="role_request_create"),
    path(
        "role-requests/<int:role_request_id>/approve/",
        views.role_request_approve,
        name="role_request_approve",
    ),
    path(
        "role-requests/<int:role_request_id>/reject/",
        views.role_request_reject,
        name="role_request_reject",
    ),
]
