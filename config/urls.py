from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from config.api import api
from smertespor.accounts.login_views import AdminLoginForm, LoginView
from smertespor.home import views as home_views
from smertespor.web import views as web_views
from smertespor.web.health import healthz

# The admin's own login page waits out the same per-account back-off.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("overview/", web_views.overview, name="overview"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("smertespor.accounts.urls")),
    path("account/passkeys/", include("smertespor.accounts.passkey_urls")),
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("patients/", include("smertespor.patients.urls")),
    path("notifications/", include("smertespor.notifications.urls")),
    path("advice/", include("smertespor.advice.urls")),
    path("medication/", include("smertespor.medication.urls")),
    path("tapering/", include("smertespor.tapering.urls")),
    path("teaching/", include("smertespor.teaching.urls")),
    path("tracks/", include("smertespor.tracks.urls")),
    path("departments/", include("smertespor.departments.urls")),
    path("referrals/", include("smertespor.referrals.urls")),
    path("pathways/", include("smertespor.pathways.urls")),
    path("centres/", include("smertespor.centres.urls")),
    path("evaluation/", include("smertespor.evaluation.urls")),
    path("jobs/", include("smertespor.jobs.urls")),
    path("interop/", include("smertespor.interop.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
