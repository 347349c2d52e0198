from django.urls import path

from smertespor.teaching import organiser_views, views

app_name = "teaching"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", organiser_views.session_create, name="create"),
    path("mine/", views.my_teaching, name="mine"),
    path("hours/", organiser_views.hours, name="hours"),
    path("reach/", organiser_views.reach, name="reach"),
    path("need/", organiser_views.need, name="need"),
    path("<id:session_id>/", views.session_detail, name="detail"),
    path("<id:session_id>/edit/", organiser_views.session_edit, name="edit"),
    path("<id:session_id>/register/", views.register, name="register"),
    path("<id:session_id>/cancel/", views.cancel, name="cancel"),
    path("<id:session_id>/calendar.ics", views.calendar_file, name="calendar"),
    path("<id:session_id>/feedback/", views.feedback, name="feedback"),
    path("<id:session_id>/attendance/", organiser_views.attendance, name="attendance"),
    path("<id:session_id>/invite/", organiser_views.invite, name="invite"),
    path("<id:session_id>/materials/", organiser_views.material_add, name="material_add"),
    path("materials/<id:material_id>/", views.material_download, name="material"),
    path(
        "materials/<id:material_id>/delete/",
        organiser_views.material_delete,
        name="material_delete",
    ),
    path(
        "certificates/<id:registration_id>/",
        views.certificate,
        name="certificate",
    ),
]
