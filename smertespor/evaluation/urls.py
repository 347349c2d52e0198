from django.urls import path

from smertespor.evaluation import forecast_views, screening_views

app_name = "evaluation"
urlpatterns = [
    # The capacity forecast (docs/forecast.md).
    path("forecast/", forecast_views.forecast_start, name="forecast"),
    path("forecast/<id:job_id>/", forecast_views.forecast_result, name="forecast_result"),
    path("forecast/<id:job_id>/csv/", forecast_views.forecast_csv, name="forecast_csv"),
    # Screening of dispensing data (docs/screening.md).
    path("screening/", screening_views.screening, name="screening"),
    path("screening/practices.csv", screening_views.screening_csv, name="screening_csv"),
    path("screening/upload/", screening_views.screening_upload, name="screening_upload"),
    path(
        "screening/findings/<id:finding_id>/invite/",
        screening_views.screening_invite,
        name="screening_invite",
    ),
]
