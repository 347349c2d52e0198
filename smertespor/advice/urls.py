from django.urls import path

from smertespor.advice import article_views, views

app_name = "advice"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("telephone/", views.telephone_advice, name="telephone"),
    path("figures/", views.counts, name="counts"),
    path("patients/<uuid:patient_id>/", views.patient_requests, name="patient_requests"),
    path(
        "patients/<uuid:patient_id>/new/",
        views.request_create_for_patient,
        name="create_for_patient",
    ),
    path("<id:request_id>/", views.request_detail, name="detail"),
    path("<id:request_id>/reply/", views.request_reply, name="reply"),
    path("<id:request_id>/assign/", views.request_assign, name="assign"),
    path("<id:request_id>/close/", views.request_close, name="close"),
    path("<id:request_id>/article/", article_views.article_create, name="article_create"),
    path("attachments/<id:attachment_id>/", views.attachment_download, name="attachment"),
    path("articles/", article_views.article_list, name="articles"),
    path("articles/check/", article_views.article_check, name="article_check"),
    path("articles/<id:article_id>/", article_views.article_detail, name="article_detail"),
    path("articles/<id:article_id>/edit/", article_views.article_edit, name="article_edit"),
    path("articles/<id:article_id>/submit/", article_views.article_submit, name="article_submit"),
    path(
        "articles/<id:article_id>/approve/", article_views.article_approve, name="article_approve"
    ),
]
