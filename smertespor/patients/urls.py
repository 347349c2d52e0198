from django.urls import path

from smertespor.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("search/", views.patient_search, name="search"),
    path("new/", views.patient_create, name="create"),
    path("registration-requests/", views.registration_requests, name="registration_requests"),
    path(
        "registration-requests/<id:request_id>/",
        views.registration_request,
        name="registration_request",
    ),
    path(
        "registration-requests/<id:request_id>/transfer/",
        views.registration_request_transfer,
        name="registration_request_transfer",
    ),
    path(
        "registration-requests/<id:request_id>/decline/",
        views.registration_request_decline,
        name="registration_request_decline",
    ),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/history/", views.patient_history, name="history"),
    path("<uuid:patient_id>/access-log/", views.patient_access_log, name="access_log"),
]
