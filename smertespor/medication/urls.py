from django.urls import path

from smertespor.medication import table_views, views

app_name = "medication"
urlpatterns = [
    path("calculator/", views.calculator, name="calculator"),
    path("calculator/compare/", views.calculator_compare, name="calculator_compare"),
    path("patients/<uuid:patient_id>/", views.patient_medication, name="patient"),
    path("patients/<uuid:patient_id>/lines/new/", views.add_line, name="add_line"),
    path(
        "patients/<uuid:patient_id>/lines/<id:line_id>/change/",
        views.change_line,
        name="change_line",
    ),
    path("patients/<uuid:patient_id>/lines/<id:line_id>/end/", views.end_line, name="end_line"),
    path("patients/<uuid:patient_id>/history/", views.line_history, name="line_history"),
    path("patients/<uuid:patient_id>/compare/", views.patient_compare, name="patient_compare"),
    path("tables/", table_views.table_list, name="tables"),
    path("tables/<id:pk>/", table_views.table_detail, name="table_detail"),
    path("tables/<id:pk>/copy/", table_views.table_copy, name="table_copy"),
    path("tables/<id:pk>/edit/", table_views.table_edit, name="table_edit"),
    path("tables/<id:pk>/sign-off/", table_views.table_sign_off, name="table_sign_off"),
]
