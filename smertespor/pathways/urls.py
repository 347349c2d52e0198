from django.urls import path

from smertespor.pathways import views

app_name = "pathways"
_PATIENT = "patients/<uuid:patient_id>/"
urlpatterns = [
    path("", views.enrolments, name="enrolments"),
    path("counts/", views.pathway_counts, name="counts"),
    path("versions/", views.versions, name="versions"),
    path("versions/new/", views.publish, name="publish"),
    path("versions/<id:version_id>/", views.version, name="version"),
    path(_PATIENT, views.patient_pathway, name="patient"),
    path(_PATIENT + "enrol/", views.enrol, name="enrol"),
    path(_PATIENT + "level/", views.level, name="level"),
    path(_PATIENT + "involve/", views.involve, name="involve"),
    path(_PATIENT + "end/", views.end, name="end"),
    path(_PATIENT + "parts/new/", views.part_start, name="part_start"),
    path(_PATIENT + "parts/<id:part_id>/plan/", views.part_plan, name="part_plan"),
    path(_PATIENT + "parts/<id:part_id>/end/", views.part_end, name="part_end"),
]
