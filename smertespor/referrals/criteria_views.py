"""Pages of the referral criteria's versions: the list and one version's criteria
(planners and administrators), and publishing a new version (administrators). Thin: the
shared publish page (`smertespor.definition_files`) calls the action."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from smertespor.accounts.requests import SignedInRequest
from smertespor.definition_files import DefinitionFileForm, publish_page, versions_page
from smertespor.entry.doors import performs
from smertespor.entry.rules import requires
from smertespor.referrals import actions
from smertespor.referrals.labels import criteria_definitions
from smertespor.referrals.models import CriteriaVersion
from smertespor.referrals.permissions import can_publish_criteria, can_see_criteria_versions
from smertespor.referrals.selectors import criteria_versions, current_criteria_version


class CriteriaFileForm(DefinitionFileForm):
    file_label = gettext_lazy("Criteria file (TOML)")


@login_required
@requires(can_see_criteria_versions)
@require_GET
def versions(request: SignedInRequest) -> HttpResponse:
    return versions_page(
        request,
        versions=criteria_versions(),
        template="referrals/criteria_versions.html",
        can_publish=can_publish_criteria(request.user),
    )


@login_required
@requires(can_see_criteria_versions)
@require_GET
def version(request: SignedInRequest, version_id: int) -> HttpResponse:
    stored = get_object_or_404(CriteriaVersion, pk=version_id)
    current = current_criteria_version()
    return render(
        request,
        "referrals/criteria_version.html",
        {
            "stored": stored,
            "criteria": criteria_definitions(stored.definition),
            "is_current": current is not None and current.pk == stored.pk,
        },
    )


@login_required
@requires(can_publish_criteria)
@require_http_methods(["GET", "POST"])
@performs(actions.publish_criteria_version)
def publish(request: SignedInRequest) -> HttpResponse:
    current = current_criteria_version()
    return publish_page(
        request,
        form_class=CriteriaFileForm,
        publish=actions.publish_criteria_version,
        current_text=current.text if current is not None else "",
        template="referrals/criteria_publish.html",
        context={},
        published=lambda stored: (
            _(
                "Version %(version)s of the referral criteria is published: referrals sent from "
                "now on are judged on it."
            )
            % {"version": stored.version}
        ),
        done=lambda stored: redirect("referrals:criteria_version", version_id=stored.pk),
    )
