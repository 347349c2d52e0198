from django.urls import path

from smertespor.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<id:job_id>/", views.job_detail, name="detail"),
    path("<id:job_id>/progress/", views.job_progress, name="progress"),
]
