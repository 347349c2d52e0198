"""The navigation each role sees, written once for the layout and the front page."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import Requester
from smertespor.accounts.permissions import (
    can_administer_users,
    can_see_aggregates,
    can_see_patient_data,
)
from smertespor.advice.permissions import (
    can_read_articles,
    can_see_advice_counts,
    can_use_advice,
)
from smertespor.centres.permissions import is_centre_staff
from smertespor.evaluation.forecast_permissions import can_forecast
from smertespor.evaluation.measures_permissions import (
    can_see_measure_dashboards,
    can_see_own_practice_measures,
)
from smertespor.evaluation.screening_permissions import can_see_screening
from smertespor.home.permissions import has_a_home
from smertespor.interop.permissions import can_import_records
from smertespor.medication.permissions import (
    can_review_conversion_tables,
    can_use_omeq_calculator,
)
from smertespor.pathways.permissions import can_publish as can_publish_pathway
from smertespor.pathways.permissions import can_see_counts as can_see_pathway_counts
from smertespor.referrals.permissions import can_see_referral_counts, can_use_referrals
from smertespor.teaching.permissions import can_see_teaching, can_see_teaching_reach
from smertespor.tracks.permissions import can_see_a_worklist


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def nav_items_for(user: Requester | None) -> list[NavItem]:
    if user is None or not user.is_authenticated:
        return []
    items: list[NavItem] = []
    if has_a_home(user):
        items.append(NavItem(_("Today"), "home"))
    if can_see_patient_data(user):
        items.append(NavItem(_("Patients"), "patients:list"))
    if can_see_a_worklist(user):
        items.append(NavItem(_("Worklist"), "tracks:worklist"))
    if can_see_patient_data(user):
        items.append(NavItem(_("Back pain pathway"), "pathways:enrolments"))
    elif can_publish_pathway(user) or can_see_pathway_counts(user):
        items.append(NavItem(_("Back pain pathway"), "pathways:versions"))
    if is_centre_staff(user):
        items.append(NavItem(_("Pain centre courses"), "centres:worklist"))
    if can_use_advice(user):
        items.append(NavItem(_("Advice"), "advice:list"))
    elif can_see_advice_counts(user):
        items.append(NavItem(_("Advice figures"), "advice:counts"))
    if can_use_referrals(user):
        items.append(NavItem(_("Referrals"), "referrals:list"))
    elif can_see_referral_counts(user):
        items.append(NavItem(_("Referral figures"), "referrals:counts"))
    if can_read_articles(user):
        items.append(NavItem(_("Knowledge base"), "advice:articles"))
    if can_import_records(user):
        items.append(NavItem(_("Import medication"), "interop:medication_csv"))
    if can_use_omeq_calculator(user):
        items.append(NavItem(_("OMEQ calculator"), "medication:calculator"))
    if can_review_conversion_tables(user):
        items.append(NavItem(_("Conversion tables"), "medication:tables"))
    if can_see_teaching(user):
        items.append(NavItem(_("Teaching"), "teaching:list"))
    elif can_see_teaching_reach(user):
        items.append(NavItem(_("Teaching reach"), "teaching:reach"))
    if can_forecast(user):
        items.append(NavItem(_("Capacity forecast"), "evaluation:forecast"))
    if can_see_aggregates(user):
        items.append(NavItem(_("Overview"), "overview"))
    if can_see_screening(user):
        items.append(NavItem(_("Screening"), "evaluation:screening"))
    if can_see_measure_dashboards(user):
        items.append(NavItem(_("Measures"), "evaluation:measures_region"))
    elif can_see_own_practice_measures(user):
        items.append(NavItem(_("Measures"), "evaluation:measures_own"))
    if can_administer_users(user):
        items.append(NavItem(_("Role changes"), "accounts:role_requests"))
    if user.is_staff:
        items.append(NavItem(_("Administration"), "admin:index"))
    return items
