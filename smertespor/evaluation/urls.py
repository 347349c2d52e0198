from django.urls import URLPattern

app_name = "evaluation"
urlpatterns: list[URLPattern] = []

# The capacity forecast (docs/forecast.md).
from django.urls import path  # noqa: E402

from smertespor.evaluation import forecast_views  # noqa: E402

urlpatterns += [
    path("forecast/", forecast_views.forecast_start, name="forecast"),
    path("forecast/<id:job_id>/", forecast_views.forecast_result, name="forecast_result"),
    path("forecast/<id:job_id>/csv/", forecast_views.forecast_csv, name="forecast_csv"),
]
