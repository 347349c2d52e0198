from django.urls import path

from smertespor.tracks import hospital_views, proposal_views, views, worklist_views

app_name = "tracks"
_COURSE = "patients/<uuid:patient_id>/courses/<id:course_id>/"
urlpatterns = [
    path("worklist/", worklist_views.worklist, name="worklist"),
    path("worklist/practice/", worklist_views.practice_worklist_view, name="practice_worklist"),
    path("worklist/clinic/", worklist_views.clinic_worklist_view, name="clinic_worklist"),
    path("patients/<uuid:patient_id>/", views.patient_courses, name="patient_courses"),
    path("patients/<uuid:patient_id>/courses/new/", views.course_create, name="course_create"),
    path(_COURSE, views.course_detail, name="course_detail"),
    path(_COURSE + "follow-ups/new/", views.follow_up_create, name="follow_up_create"),
    # A decision on the course (hand over, accept, end...); the name is older than the word,
    # and other apps link to it.
    path(_COURSE + "step/", views.course_decision, name="course_step"),
    path(_COURSE + "handover/", views.handover_letter, name="handover"),
    # The 3-month rule's proposal and the GP's decision on it.
    path(_COURSE + "proposal/", proposal_views.proposal, name="proposal"),
    path(_COURSE + "proposal/confirm/", proposal_views.proposal_confirm, name="proposal_confirm"),
    path(_COURSE + "proposal/dismiss/", proposal_views.proposal_dismiss, name="proposal_dismiss"),
    path(
        _COURSE + "alerts/<id:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path(_COURSE + "assessment/", hospital_views.needs_assessment, name="needs_assessment"),
    path(_COURSE + "plan/", hospital_views.course_plan, name="course_plan"),
    path(_COURSE + "plan/team/", hospital_views.team_member_add, name="team_member_add"),
    path(_COURSE + "plan/appointments/", hospital_views.appointment_add, name="appointment_add"),
    path(
        _COURSE + "plan/team/<id:member_id>/remove/",
        hospital_views.team_member_remove,
        name="team_member_remove",
    ),
    path(
        _COURSE + "plan/appointments/<id:appointment_id>/cancel/",
        hospital_views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(_COURSE + "complete/", hospital_views.course_complete, name="course_complete"),
]
