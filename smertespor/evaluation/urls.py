from django.urls import URLPattern

app_name = "evaluation"
urlpatterns: list[URLPattern] = []

# Screening of dispensing data (docs/screening.md).
from django.urls import path  # noqa: E402

from smertespor.evaluation import screening_views  # noqa: E402

urlpatterns += [
    path("screening/", screening_views.screening, name="screening"),
    path("screening/practices.csv", screening_views.screening_csv, name="screening_csv"),
    path("screening/upload/", screening_views.screening_upload, name="screening_upload"),
    path(
        "screening/findings/<id:finding_id>/invite/",
        screening_views.screening_invite,
        name="screening_invite",
    ),
]
