"""Course endpoints: the same access rules, selectors and services as the pages.

A write names the course `version` it read; a stale one answers 409 with a conflict message
and changes nothing. Refused input answers 422 (translated reasons by field), a role without
the right 403, and a patient or course out of scope 404 with no patient data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from smertespor.accounts.models import Organisation
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.tracks.decisions import take_decision
from smertespor.tracks.follow_ups import (
    LineChange,
    RegimenUpdate,
    acknowledge_alert,
    record_follow_up,
)
from smertespor.tracks.hospital_api import router as hospital_router
from smertespor.tracks.labels import CourseConflict
from smertespor.tracks.models import Alert
from smertespor.tracks.payloads import (
    alert_payload,
    conflict,
    course_payload,
    follow_up_payload,
    handover_payload,
    load,
    timeline_payload,
)
from smertespor.tracks.permissions import can_see_clinic_worklist, can_see_practice_worklist
from smertespor.tracks.rules import apply_track_rule
from smertespor.tracks.schemas import (
    AlertOut,
    CourseIn,
    CourseOut,
    DecisionIn,
    FollowUpIn,
    FollowUpOut,
    HandoverLetterIn,
    HandoverOut,
    Problem,
    TimelineEventOut,
    WorklistOut,
)
from smertespor.tracks.selectors import (
    courses_of,
    follow_ups_of,
    latest_handover,
    timeline_of_course,
    timeline_of_patient,
)
from smertespor.tracks.services import (
    enrol_in_practice_track,
    pain_clinics,
    update_handover_letter,
)
from smertespor.tracks.worklists import attach_alerts, clinic_worklist, practice_worklist

router = Router(tags=["tracks"])
_COURSE = "/patients/{patient_id}/courses/{course_id}"
TIMELINE_LIMIT = 500


@router.get("/patients/{patient_id}/courses", response=list[CourseOut], url_name="tracks_courses")
def list_courses(request: HttpRequest, patient_id: str) -> list[dict[str, Any]]:
    patient = patient_for(request.user, patient_id, object_type="courses")
    return [course_payload(c, request.user) for c in courses_of(patient)]


@router.post(
    "/patients/{patient_id}/courses",
    response={201: CourseOut},
    url_name="tracks_course_create",
)
def create_course(
    request: HttpRequest, patient_id: str, payload: CourseIn
) -> Status[dict[str, Any]]:
    """Enrol the patient in the practice track (GPs of the practice)."""
    patient = patient_for_change(request.user, patient_id, object_type="course")
    clinic = _clinic(request, payload.clinic_id)
    course = enrol_in_practice_track(
        patient=patient,
        by=request.user,
        start_date=payload.start_date or timezone.localdate(),
        clinic=clinic,
        baseline_peg=(payload.baseline_peg[0], payload.baseline_peg[1], payload.baseline_peg[2]),
        baseline_nrs=payload.baseline_nrs,
        goal_kind=payload.goal_kind,
        goal_target_mg_per_day=payload.goal_target_mg_per_day,
        follow_up_interval_days=payload.follow_up_interval_days,
        baseline_omeq_mg_per_day=payload.baseline_omeq_mg_per_day,
        plan_note=payload.plan_note,
    )
    return Status(201, course_payload(course, request.user))


def _clinic(request: HttpRequest, pk: int | None) -> Organisation:
    region = getattr(getattr(request.user, "organisation", None), "region_id", None)
    clinics = list(pain_clinics(region)[:2])
    if pk is None and len(clinics) == 1:
        return clinics[0]
    clinic = Organisation.objects.filter(pk=pk).first() if pk is not None else None
    if clinic is None:
        raise ValidationError({"clinic_id": _("Choose a pain clinic in your region.")})
    return clinic


@router.get(_COURSE, response=CourseOut, url_name="tracks_course")
def get_course(request: HttpRequest, patient_id: str, course_id: int) -> dict[str, Any]:
    """A course, with the 3-month rule evaluated (and applied) as viewing it does."""
    _patient, course = load(request, patient_id, course_id, change=False, what="course")
    result = apply_track_rule(course)
    return course_payload(result.course, request.user, result)


@router.get(_COURSE + "/follow-ups", response=list[FollowUpOut], url_name="tracks_follow_ups")
def list_follow_ups(request: HttpRequest, patient_id: str, course_id: int) -> list[dict[str, Any]]:
    _patient, course = load(request, patient_id, course_id, change=False, what="follow_up")
    return [follow_up_payload(v) for v in follow_ups_of(course).prefetch_related("alerts")]


@router.post(
    _COURSE + "/follow-ups",
    response={201: FollowUpOut, 409: Problem},
    url_name="tracks_follow_up_create",
)
def create_follow_up(
    request: HttpRequest, patient_id: str, course_id: int, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    _patient, course = load(request, patient_id, course_id, change=True, what="follow_up")
    regimen = payload.regimen
    update = RegimenUpdate(
        changes=tuple(LineChange(**c.dict()) for c in regimen.changes) if regimen else (),
        stopped=tuple(regimen.stopped) if regimen else (),
        added=tuple(a.dict() for a in regimen.added) if regimen else (),
    )
    try:
        visit = record_follow_up(
            course=course,
            by=request.user,
            expected_version=payload.version,
            visit_on=payload.visit_on or timezone.localdate(),
            omeq_mg_per_day=payload.omeq_mg_per_day,
            peg=tuple(payload.peg) if payload.peg else None,  # type: ignore[arg-type]
            nrs=payload.nrs,
            sows_total=payload.sows_total,
            sows_items=payload.sows_items,
            cows_total=payload.cows_total,
            cows_items=payload.cows_items,
            note=payload.note,
            next_visit_on=payload.next_visit_on,
            regimen=update,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(201, follow_up_payload(visit))


@router.post(
    _COURSE + "/decisions",
    response={200: CourseOut, 409: Problem},
    url_name="tracks_course_decision",
)
def decide(
    request: HttpRequest, patient_id: str, course_id: int, payload: DecisionIn
) -> Status[dict[str, Any]]:
    """Take a decision: hand_over_early, record_success, end (the practice); accept,
    return_to_practice, end (the clinic). Answers the course to show (accepting opens the
    hospital-track course)."""
    _patient, course = load(request, patient_id, course_id, change=True, what="course_decision")
    try:
        shown = take_decision(
            course=course,
            by=request.user,
            event=payload.event,
            expected_version=payload.version,
            reason=payload.reason,
            gp_comment=payload.gp_comment,
            expected_duration=payload.expected_duration,
            planned_follow_up=payload.planned_follow_up,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(200, course_payload(shown, request.user))


@router.get(
    _COURSE + "/timeline", response=list[TimelineEventOut], url_name="tracks_course_timeline"
)
def course_timeline(request: HttpRequest, patient_id: str, course_id: int) -> list[dict[str, Any]]:
    _patient, course = load(request, patient_id, course_id, change=False, what="course")
    return [timeline_payload(e) for e in timeline_of_course(course)[:TIMELINE_LIMIT]]


@router.get(
    "/patients/{patient_id}/timeline",
    response=list[TimelineEventOut],
    url_name="tracks_patient_timeline",
)
def patient_timeline(request: HttpRequest, patient_id: str) -> list[dict[str, Any]]:
    patient = patient_for(request.user, patient_id, object_type="courses")
    return [timeline_payload(e) for e in timeline_of_patient(patient)[:TIMELINE_LIMIT]]


@router.get(_COURSE + "/handover", response=HandoverOut | None, url_name="tracks_handover")
def get_handover(request: HttpRequest, patient_id: str, course_id: int) -> dict[str, Any] | None:
    """The latest handover of the course with the course so far (null if none)."""
    _patient, course = load(request, patient_id, course_id, change=False, what="handover")
    handover = latest_handover(course)
    return handover_payload(handover) if handover else None


@router.put(
    _COURSE + "/handover",
    response={200: HandoverOut, 409: Problem},
    url_name="tracks_handover_letter",
)
def put_handover_letter(
    request: HttpRequest, patient_id: str, course_id: int, payload: HandoverLetterIn
) -> Status[dict[str, Any]]:
    """The GP's comment, expected duration and planned follow-up, until the clinic triages."""
    _patient, course = load(request, patient_id, course_id, change=True, what="handover")
    handover = latest_handover(course)
    if handover is None:
        raise Http404
    handover.course = course
    try:
        update_handover_letter(
            handover=handover,
            by=request.user,
            expected_version=payload.version,
            gp_comment=payload.gp_comment,
            expected_duration=payload.expected_duration,
            planned_follow_up=payload.planned_follow_up,
        )
    except CourseConflict as error:
        return conflict(error)
    return Status(200, handover_payload(handover))


@router.post(
    _COURSE + "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    url_name="tracks_alert_acknowledge",
)
def acknowledge(
    request: HttpRequest, patient_id: str, course_id: int, alert_id: int
) -> dict[str, Any]:
    _patient, course = load(request, patient_id, course_id, change=True, what="alert")
    alert = Alert.objects.filter(course=course, pk=alert_id).first()
    if alert is None:
        raise Http404
    alert.course = course
    return alert_payload(acknowledge_alert(alert=alert, by=request.user))


def _worklist_payload(request: HttpRequest, worklist: Any, page: int) -> dict[str, Any]:
    current = worklist.page(page)
    rows = worklist.rows(current)
    if worklist.section.key in {"due", "alerts"}:
        attach_alerts(rows)
    return {
        "kind": worklist.kind,
        "section": worklist.section.key,
        "sort": worklist.sort,
        "sections": [s.key for s in worklist.sections],
        "counts": worklist.counts,
        "count": current.paginator.count,
        "page": current.number,
        "pages": current.paginator.num_pages,
        "items": rows,
    }


def _refuse(request: HttpRequest, what: str) -> None:
    record_event(user=request.user, action=AuditAction.REFUSED, object_type=what)
    raise PermissionDenied


@router.get("/worklists/practice", response=WorklistOut, url_name="tracks_practice_worklist")
def get_practice_worklist(
    request: HttpRequest, section: str = "", sort: str = "", page: int = 1
) -> dict[str, Any]:
    """The GP's worklist: sections due, approaching, alerts, returned, discharged."""
    if not can_see_practice_worklist(request.user):
        _refuse(request, "api_worklist")
    worklist = practice_worklist(user=request.user, section=section, sort=sort)
    return _worklist_payload(request, worklist, max(page, 1))


@router.get("/worklists/clinic", response=WorklistOut, url_name="tracks_clinic_worklist")
def get_clinic_worklist(
    request: HttpRequest, section: str = "", sort: str = "", page: int = 1
) -> dict[str, Any]:
    """The clinic's worklist: sections handovers, assessment, active, appointments."""
    if not can_see_clinic_worklist(request.user):
        _refuse(request, "api_worklist")
    worklist = clinic_worklist(user=request.user, section=section, sort=sort)
    return _worklist_payload(request, worklist, max(page, 1))


router.add_router("", hospital_router)
