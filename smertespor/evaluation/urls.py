"""Evaluation: measures per practice and region, screening of dispensing data, forecast."""

from django.urls import path

from smertespor.evaluation import forecast_views, measures_views, screening_views

app_name = "evaluation"
urlpatterns = [
    # Measures (docs/evaluation.md).
    path("measures/", measures_views.region_dashboard, name="measures_region"),
    path("measures/compute/", measures_views.compute, name="measures_compute"),
    path("measures/jobs/<id:job_id>/", measures_views.compute_result, name="measures_result"),
    path("measures/practice/", measures_views.own_dashboard, name="measures_own"),
    path("measures/practice/<slug:code>/", measures_views.own_measure, name="measures_own_measure"),
    path(
        "measures/practice/<slug:code>/patients/",
        measures_views.own_patients,
        name="measures_own_patients",
    ),
    path(
        "measures/practices/<id:practice_id>/",
        measures_views.practice_dashboard,
        name="measures_practice",
    ),
    path("measures/<slug:code>/", measures_views.measure_detail, name="measures_detail"),
    # The capacity forecast (docs/forecast.md).
    path("forecast/", forecast_views.forecast_start, name="forecast"),
    path("forecast/<id:job_id>/", forecast_views.forecast_result, name="forecast_result"),
    path("forecast/<id:job_id>/csv/", forecast_views.forecast_csv, name="forecast_csv"),
    # Screening of dispensing data (docs/screening.md).
    path("screening/", screening_views.screening, name="screening"),
    path("screening/practices.csv", screening_views.screening_csv, name="screening_csv"),
    path("screening/upload/", screening_views.screening_upload, name="screening_upload"),
    path("screening/jobs/<id:job_id>/", screening_views.screening_result, name="screening_result"),
    path(
        "screening/findings/<id:finding_id>/invite/",
        screening_views.screening_invite,
        name="screening_invite",
    ),
]
