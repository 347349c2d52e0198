from django.urls import path

from smertespor.interop import views

app_name = "interop"
urlpatterns = [
    path("medication-csv/", views.medication_csv, name="medication_csv"),
    path("catalogue-csv/", views.catalogue_csv, name="catalogue_csv"),
    path("fhir-import/", views.fhir_import, name="fhir_import"),
    path("patients/<uuid:patient_id>/", views.patient_exchange, name="patient_exchange"),
]
