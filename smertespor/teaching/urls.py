from django.urls import path

from smertespor.teaching import views, views_clinic

app_name = "teaching"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views_clinic.session_create, name="create"),
    path("mine/", views.my_teaching, name="mine"),
    path("hours/", views_clinic.hours, name="hours"),
    path("reach/", views_clinic.reach, name="reach"),
    path("need/", views_clinic.need, name="need"),
    path("<int:session_id>/", views.session_detail, name="detail"),
    path("<int:session_id>/edit/", views_clinic.session_edit, name="edit"),
    path("<int:session_id>/register/", views.register, name="register"),
    path("<int:session_id>/cancel/", views.cancel, name="cancel"),
    path("<int:session_id>/calendar.ics", views.calendar_file, name="calendar"),
    path("<int:session_id>/feedback/", views.feedback, name="feedback"),
    path("<int:session_id>/attendance/", views_clinic.attendance, name="attendance"),
    path("<int:session_id>/invite/", views_clinic.invite, name="invite"),
    path("<int:session_id>/materials/", views_clinic.material_add, name="material_add"),
    path("materials/<int:material_id>/", views.material_download, name="material"),
    path(
        "materials/<int:material_id>/delete/",
        views_clinic.material_delete,
        name="material_delete",
    ),
    path(
        "certificates/<int:registration_id>/",
        views.certificate,
        name="certificate",
    ),
]
