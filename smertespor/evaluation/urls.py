"""Evaluation: measures per practice and region, screening of dispensing data, forecast."""

from django.urls import URLPattern, path

from smertespor.evaluation import measures_views

app_name = "evaluation"
urlpatterns: list[URLPattern] = []

urlpatterns += [
    path("measures/", measures_views.region_dashboard, name="measures_region"),
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
]
