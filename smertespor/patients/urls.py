from django.urls import path

from smertespor.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("search/", views.patient_search, name="search"),
    path("new/", views.patient_create, name="create"),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/history/", views.patient_history, name="history"),
    path("<uuid:patient_id>/access-log/", views.patient_access_log, name="access_log"),
]
