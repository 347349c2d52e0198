from django.urls import path

from smertespor.tapering import views

app_name = "tapering"
PLAN = "patients/<uuid:patient_id>/plans/<id:plan_id>/"
urlpatterns = [
    path("patients/<uuid:patient_id>/", views.patient_plans, name="patient_plans"),
    path("patients/<uuid:patient_id>/new/", views.plan_create, name="plan_create"),
    path("patients/<uuid:patient_id>/preview/", views.plan_preview, name="plan_preview"),
    path(PLAN, views.plan_detail, name="plan_detail"),
    path(f"{PLAN}status/", views.plan_status, name="plan_status"),
    path(f"{PLAN}adjust/", views.plan_adjust, name="plan_adjust"),
    path(f"{PLAN}handout/", views.plan_handout, name="plan_handout"),
    path(f"{PLAN}handout.pdf", views.plan_handout_pdf, name="plan_handout_pdf"),
    path(f"{PLAN}summary/", views.plan_summary, name="plan_summary"),
    path(f"{PLAN}calendar.ics", views.plan_calendar, name="plan_calendar"),
]
