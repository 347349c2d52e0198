from django.urls import path

from smertespor.centres import views

app_name = "centres"
COURSE = "patients/<uuid:patient_id>/courses/<id:course_id>/"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("patients/<uuid:patient_id>/new/", views.course_create, name="course_create"),
    path(COURSE, views.course_detail, name="course_detail"),
    path(f"{COURSE}step/", views.course_step, name="course_step"),
    path(f"{COURSE}team/", views.team_add, name="team_add"),
    path(f"{COURSE}team/<id:member_id>/remove/", views.team_remove, name="team_remove"),
    path(f"{COURSE}modules/", views.module_add, name="module_add"),
    path(f"{COURSE}taper-plan/", views.module_taper_plan, name="module_taper_plan"),
    path(f"{COURSE}appointments/", views.appointment_add, name="appointment_add"),
    path(
        f"{COURSE}appointments/<id:appointment_id>/record/",
        views.appointment_record,
        name="appointment_record",
    ),
    path(f"{COURSE}outcomes/", views.outcome_add, name="outcome_add"),
    path(f"{COURSE}discharge/", views.discharge, name="discharge"),
    path(f"{COURSE}summary/", views.summary, name="summary"),
    path(f"{COURSE}summary/received/", views.summary_acknowledge, name="summary_acknowledge"),
]
