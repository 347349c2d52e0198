from django.urls import path

from smertespor.interop import views

app_name = "interop"
urlpatterns = [
    path("medication-csv/", views.medication_csv, name="medication_csv"),
]
