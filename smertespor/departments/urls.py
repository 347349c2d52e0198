from django.urls import path

from smertespor.departments import views

app_name = "departments"
urlpatterns = [
    path("contacts/", views.contact_list, name="contacts"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<id:contact_id>/end/", views.contact_end, name="contact_end"),
]
