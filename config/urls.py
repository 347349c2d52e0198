from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from config.api import api
from smertespor.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("overview/", web_views.overview, name="overview"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("accounts/", include("smertespor.accounts.urls")),
    path("patients/", include("smertespor.patients.urls")),
    path("notifications/", include("smertespor.notifications.urls")),
    path("advice/", include("smertespor.advice.urls")),
    path("medication/", include("smertespor.medication.urls")),
    path("tapering/", include("smertespor.tapering.urls")),
    path("teaching/", include("smertespor.teaching.urls")),
    path("tracks/", include("smertespor.tracks.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
