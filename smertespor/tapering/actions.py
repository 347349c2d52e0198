"""Taper plan operations, one function each: the permission check, then the service.

The pages, the API and any command call these, never the services directly, so every door
refuses the same users the same way (403, with the refused attempt in the audit log) and
loads the patient the same way (`patients.access`: out of scope is 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from smertespor.accounts.models import Requester, User
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.patients.models import Patient
from smertespor.tapering import services
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.pace import Pace
from smertespor.tapering.permissions import can_make_taper_plans
from smertespor.tapering.selectors import adjustment_pace, plan_of
from smertespor.versions import ExpectedVersion

OBJECT_TYPE = "taper_plan"
Schedules = Mapping[int, Mapping[str, Decimal]]


def _plan_maker(user: Requester, *, object_id: str = "") -> User:
    """``user``, if they may make and change taper plans; else refused (403, audited)."""
    require(user, can_make_taper_plans, object_type=OBJECT_TYPE, object_id=object_id)
    if not isinstance(user, User):  # can_make_taper_plans refuses anonymous users
        raise PermissionDenied
    return user


def preview_taper_plan(
    *,
    user: Requester,
    patient_id: object,
    pace: Pace,
    schedules: Schedules | None = None,
    shown_with: Patient | None = None,
) -> services.Preview:
    """The plan `pace` would make from the patient's current medication list; nothing saved.

    ``shown_with`` is the patient the page's own door has just loaded for ``user`` (and logged
    as one view): the preview is part of that page, so it writes no second audit row.
    """
    _plan_maker(user)
    if shown_with is not None and str(shown_with.pk) == str(patient_id):
        patient = shown_with
    else:
        patient = patient_for(user, patient_id, object_type="taper_plan_preview")
    return services.preview_taper_plan(patient=patient, pace=pace, schedules=schedules)


def create_taper_plan(
    *,
    user: Requester,
    patient_id: object,
    pace: Pace,
    schedules: Schedules | None = None,
    activate: bool = False,
    reason: str = "",
) -> TaperPlan:
    """Save a plan from the current medication list as a draft, or active at once."""
    maker = _plan_maker(user)
    patient = patient_for_change(maker, patient_id, object_type=OBJECT_TYPE)
    return services.create_taper_plan(
        patient=patient,
        by=maker,
        pace=pace,
        schedules=schedules,
        activate=activate,
        reason=reason,
    )


def change_taper_plan_status(
    *,
    user: Requester,
    patient_id: object,
    plan_id: int,
    action: str,
    expected_version: ExpectedVersion,
    reason: str = "",
) -> TaperPlan:
    """Activate, pause, resume, complete or abandon the patient's plan."""
    maker = _plan_maker(user, object_id=str(plan_id))
    patient = patient_for_change(maker, patient_id, object_type=OBJECT_TYPE)
    plan = plan_of(patient, plan_id)
    return services.change_taper_plan_status(
        plan=plan, by=maker, action=action, reason=reason, expected_version=expected_version
    )


def adjust_taper_plan(
    *,
    user: Requester,
    patient_id: object,
    plan_id: int,
    pace: Pace | Callable[[Pace], Pace],
    reason: str,
    expected_version: ExpectedVersion,
) -> TaperPlan:
    """A new version of the patient's plan from the dose taken now, active at once.

    ``pace`` is the new pace, or makes it from the defaults (`adjustment_pace`: the plan's
    own pace from its next change), as the API does for what a client leaves out.
    """
    maker = _plan_maker(user, object_id=str(plan_id))
    patient = patient_for_change(maker, patient_id, object_type=OBJECT_TYPE)
    plan = plan_of(patient, plan_id)
    chosen = pace if isinstance(pace, Pace) else pace(adjustment_pace(plan, timezone.localdate()))
    return services.adjust_taper_plan(
        plan=plan, by=maker, pace=chosen, reason=reason, expected_version=expected_version
    )
