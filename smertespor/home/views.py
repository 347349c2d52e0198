"""The front page: "I dag", each role's work of today (`home.selectors.home_for`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smertespor.accounts.requests import SignedInRequest
from smertespor.home.permissions import has_a_home
from smertespor.home.selectors import home_for


@login_required
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    if not has_a_home(request.user):
        return render(request, "web/no_role.html")
    return render(request, "home/home.html", {"home": home_for(request.user)})
