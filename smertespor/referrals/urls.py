from django.urls import path

from smertespor.referrals import criteria_views, views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("figures/", views.counts, name="counts"),
    path("criteria/", criteria_views.versions, name="criteria_versions"),
    path("criteria/new/", criteria_views.publish, name="criteria_publish"),
    path("criteria/<id:version_id>/", criteria_views.version, name="criteria_version"),
    path("patients/<uuid:patient_id>/new/", views.referral_create, name="create"),
    path("<id:referral_id>/", views.referral_detail, name="detail"),
    path("<id:referral_id>/edit/", views.referral_edit, name="edit"),
    path("<id:referral_id>/send/", views.referral_send, name="send"),
    path("<id:referral_id>/message/", views.referral_message, name="message"),
    path("<id:referral_id>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("<id:referral_id>/triage/", views.referral_triage, name="triage"),
    path(
        "<id:referral_id>/information/",
        views.referral_request_information,
        name="request_information",
    ),
    path("<id:referral_id>/accept/", views.referral_accept, name="accept"),
    path("<id:referral_id>/reject/", views.referral_reject, name="reject"),
    path("<id:referral_id>/forward/", views.referral_forward, name="forward"),
    path("<id:referral_id>/appointment/", views.referral_appointment, name="appointment"),
    path("attachments/<id:attachment_id>/", views.attachment_download, name="attachment"),
]
