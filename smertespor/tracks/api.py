"""Course endpoints: the same actions (`tracks.actions`), selectors and wording as the pages.

A write names the course version it read in `If-Match` (the `ETag` of the course's GET) and
answers the course's new `ETag`; a stale one answers 409 and changes nothing, one without
`If-Match` 428, one whose `If-Match` names no version 412 (`smertespor.versions`).
Refusals are problem details (`entry.problems`), as everywhere in the API: refused input 422
with the reasons by field, a role or side without the right 403, a patient or course out of
scope 404 with no patient data.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from smertespor.entry.doors import performs
from smertespor.entry.rules import logged_in, requires
from smertespor.entry.schemas import Id, one_of
from smertespor.patients.access import patient_for
from smertespor.tracks import actions
from smertespor.tracks.access import course_for
from smertespor.tracks.follow_ups import LineChange, RegimenUpdate
from smertespor.tracks.hospital_api import router as hospital_router
from smertespor.tracks.payloads import (
    alert_payload,
    course_payload,
    follow_up_payload,
    handover_payload,
    review_payload,
    timeline_payload,
)
from smertespor.tracks.permissions import can_see_clinic_worklist, can_see_practice_worklist
from smertespor.tracks.rules import rule_standing
from smertespor.tracks.schemas import (
    AlertOut,
    ConfirmProposalIn,
    CourseIn,
    CourseOut,
    DecisionIn,
    DismissProposalIn,
    FollowUpIn,
    FollowUpOut,
    HandoverLetterIn,
    HandoverOut,
    RuleReviewOut,
    TimelineEventOut,
    WorklistOut,
)
from smertespor.tracks.selectors import (
    courses_of,
    follow_ups_of,
    latest_handover,
    rule_reviews_of,
    timeline_of_course,
    timeline_of_patient,
)
from smertespor.tracks.worklists import (
    CLINIC_SECTIONS,
    PRACTICE_SECTIONS,
    Worklist,
    attach_alerts,
    clinic_worklist,
    practice_worklist,
    sort_keys,
)
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

router = Router(tags=["tracks"])
_COURSE = "/patients/{patient_id}/courses/{course_id}"
TIMELINE_LIMIT = 500


@router.get("/patients/{patient_id}/courses", response=list[CourseOut], url_name="tracks_courses")
def list_courses(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    patient = patient_for(request.user, patient_id, object_type="courses")
    return [course_payload(c, request.user) for c in courses_of(patient)]


@router.post(
    "/patients/{patient_id}/courses",
    response={201: CourseOut},
    url_name="tracks_course_create",
)
@performs(actions.enrol_in_practice_track)
def create_course(
    request: HttpRequest, patient_id: uuid.UUID, payload: CourseIn
) -> Status[dict[str, Any]]:
    """Enrol the patient in the practice track (GPs of the practice)."""
    user = logged_in(request.user)
    course = actions.enrol_in_practice_track(
        user=user,
        patient_id=patient_id,
        clinic_id=payload.clinic_id,
        start_date=payload.start_date or timezone.localdate(),
        baseline_peg=(payload.baseline_peg[0], payload.baseline_peg[1], payload.baseline_peg[2]),
        baseline_nrs=payload.baseline_nrs,
        goal_kind=payload.goal_kind,
        goal_target_mg_per_day=payload.goal_target_mg_per_day,
        follow_up_interval_days=payload.follow_up_interval_days,
        baseline_omeq_mg_per_day=payload.baseline_omeq_mg_per_day,
        plan_note=payload.plan_note,
    )
    return Status(201, course_payload(course, user))


@router.get(_COURSE, response=CourseOut, url_name="tracks_course", openapi_extra=VERSIONED_READ)
def get_course(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, course_id: Id
) -> dict[str, Any]:
    """A course, with what the 3-month rule says today and its latest review. Reading a
    course changes nothing: the daily job and the services act on the rule. Its `ETag`
    is its `version`, which every write to the course names in `If-Match`."""
    course = course_for(request.user, patient_id, course_id)
    send_etag(response, course)
    return course_payload(course, request.user, rule_standing(course))


@router.get(_COURSE + "/reviews", response=list[RuleReviewOut], url_name="tracks_course_reviews")
def list_reviews(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id
) -> list[dict[str, Any]]:
    """What the 3-month rule found at each deadline, and what the GP decided, newest first."""
    course = course_for(request.user, patient_id, course_id, object_type="handover_proposal")
    return [review_payload(r) for r in rule_reviews_of(course)]


@router.post(
    _COURSE + "/proposal/confirm",
    response=HandoverOut,
    url_name="tracks_proposal_confirm",
    openapi_extra=versioned_write(),
)
@performs(actions.confirm_handover_proposal)
def confirm_proposal(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: ConfirmProposalIn,
) -> dict[str, Any]:
    """The GP hands the patient over as the 3-month rule proposed (422 without a proposal)."""
    handover = actions.confirm_handover_proposal(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        note=payload.note,
        gp_comment=payload.gp_comment,
        expected_duration=payload.expected_duration,
        planned_follow_up=payload.planned_follow_up,
    )
    send_etag(response, handover.course)
    return handover_payload(handover)


@router.post(
    _COURSE + "/proposal/dismiss",
    response=CourseOut,
    url_name="tracks_proposal_dismiss",
    openapi_extra=versioned_write(),
)
@performs(actions.dismiss_handover_proposal)
def dismiss_proposal(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: DismissProposalIn,
) -> dict[str, Any]:
    """The GP keeps the course in the practice track, with a reason; it is reviewed again."""
    user = logged_in(request.user)
    course = actions.dismiss_handover_proposal(
        user=user,
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        reason=payload.reason,
    )
    send_etag(response, course)
    return course_payload(course, user, rule_standing(course))


@router.get(_COURSE + "/follow-ups", response=list[FollowUpOut], url_name="tracks_follow_ups")
def list_follow_ups(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id
) -> list[dict[str, Any]]:
    course = course_for(request.user, patient_id, course_id, object_type="follow_up")
    return [follow_up_payload(v) for v in follow_ups_of(course).prefetch_related("alerts")]


@router.post(
    _COURSE + "/follow-ups",
    response={201: FollowUpOut},
    url_name="tracks_follow_up_create",
    openapi_extra=versioned_write(201),
)
@performs(actions.record_follow_up)
def create_follow_up(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: FollowUpIn,
) -> Status[dict[str, Any]]:
    """Record a visit; the answer's `ETag` is the course's new version."""
    regimen = payload.regimen
    update = RegimenUpdate(
        changes=tuple(LineChange(**c.dict()) for c in regimen.changes) if regimen else (),
        stopped=tuple(regimen.stopped) if regimen else (),
        added=tuple(a.dict() for a in regimen.added) if regimen else (),
    )
    peg = payload.peg
    visit = actions.record_follow_up(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        visit_on=payload.visit_on or timezone.localdate(),
        omeq_mg_per_day=payload.omeq_mg_per_day,
        peg=(peg[0], peg[1], peg[2]) if peg else None,
        nrs=payload.nrs,
        sows_total=payload.sows_total,
        sows_items=payload.sows_items,
        cows_total=payload.cows_total,
        cows_items=payload.cows_items,
        note=payload.note,
        next_visit_on=payload.next_visit_on,
        regimen=update,
    )
    send_etag(response, visit.course)
    return Status(201, follow_up_payload(visit))


@router.post(
    _COURSE + "/decisions",
    response=CourseOut,
    url_name="tracks_course_decision",
    openapi_extra=versioned_write(),
)
@performs(actions.take_decision)
def take_decision(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: DecisionIn,
) -> dict[str, Any]:
    """Take a decision: hand_over_early, record_success, end (the practice); accept,
    return_to_practice, end (the clinic). Answers the course to show (accepting opens the
    hospital-track course), with that course's `ETag`."""
    user = logged_in(request.user)
    shown = actions.take_decision(
        user=user,
        patient_id=patient_id,
        course_id=course_id,
        event=payload.event,
        version=if_match(request),
        reason=payload.reason,
        gp_comment=payload.gp_comment,
        expected_duration=payload.expected_duration,
        planned_follow_up=payload.planned_follow_up,
    )
    send_etag(response, shown)
    return course_payload(shown, user)


@router.get(
    _COURSE + "/timeline", response=list[TimelineEventOut], url_name="tracks_course_timeline"
)
def course_timeline(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id
) -> list[dict[str, Any]]:
    course = course_for(request.user, patient_id, course_id)
    return [timeline_payload(e) for e in timeline_of_course(course)[:TIMELINE_LIMIT]]


@router.get(
    "/patients/{patient_id}/timeline",
    response=list[TimelineEventOut],
    url_name="tracks_patient_timeline",
)
def patient_timeline(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    patient = patient_for(request.user, patient_id, object_type="courses")
    return [timeline_payload(e) for e in timeline_of_patient(patient)[:TIMELINE_LIMIT]]


@router.get(_COURSE + "/handover", response=HandoverOut | None, url_name="tracks_handover")
def get_handover(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id
) -> dict[str, Any] | None:
    """The latest handover of the course with the course so far (null if none)."""
    course = course_for(request.user, patient_id, course_id, object_type="handover")
    handover = latest_handover(course)
    return handover_payload(handover) if handover else None


@router.put(
    _COURSE + "/handover",
    response=HandoverOut,
    url_name="tracks_handover_letter",
    openapi_extra=versioned_write(),
)
@performs(actions.update_handover_letter)
def put_handover_letter(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    course_id: Id,
    payload: HandoverLetterIn,
) -> dict[str, Any]:
    """The GP's comment, expected duration and planned follow-up, until the clinic triages."""
    handover = actions.update_handover_letter(
        user=logged_in(request.user),
        patient_id=patient_id,
        course_id=course_id,
        version=if_match(request),
        gp_comment=payload.gp_comment,
        expected_duration=payload.expected_duration,
        planned_follow_up=payload.planned_follow_up,
    )
    send_etag(response, handover.course)
    return handover_payload(handover)


@router.post(
    _COURSE + "/alerts/{alert_id}/acknowledge",
    response=AlertOut,
    url_name="tracks_alert_acknowledge",
)
@performs(actions.acknowledge_alert)
def acknowledge_alert(
    request: HttpRequest, patient_id: uuid.UUID, course_id: Id, alert_id: Id
) -> dict[str, Any]:
    alert = actions.acknowledge_alert(
        user=logged_in(request.user), patient_id=patient_id, course_id=course_id, alert_id=alert_id
    )
    return alert_payload(alert)


def _worklist_payload(worklist: Worklist, page: int) -> dict[str, Any]:
    current = worklist.page(max(page, 1))
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


_FALLBACK = "Unknown values fall back to the first section and its default order."
PracticeSection = Annotated[str, one_of([s.key for s in PRACTICE_SECTIONS], _FALLBACK)]
PracticeSort = Annotated[str, one_of(sort_keys(PRACTICE_SECTIONS), _FALLBACK)]
ClinicSection = Annotated[str, one_of([s.key for s in CLINIC_SECTIONS], _FALLBACK)]
ClinicSort = Annotated[str, one_of(sort_keys(CLINIC_SECTIONS), _FALLBACK)]


@router.get("/worklists/practice", response=WorklistOut, url_name="tracks_practice_worklist")
@requires(can_see_practice_worklist)
def get_practice_worklist(
    request: HttpRequest, section: PracticeSection = "", sort: PracticeSort = "", page: int = 1
) -> dict[str, Any]:
    """The GP's worklist: sections due, proposals (the 3-month rule proposes a handover:
    the GP decides), approaching, alerts, returned, discharged."""
    worklist = practice_worklist(user=logged_in(request.user), section=section, sort=sort)
    return _worklist_payload(worklist, page)


@router.get("/worklists/clinic", response=WorklistOut, url_name="tracks_clinic_worklist")
@requires(can_see_clinic_worklist)
def get_clinic_worklist(
    request: HttpRequest, section: ClinicSection = "", sort: ClinicSort = "", page: int = 1
) -> dict[str, Any]:
    """The clinic's worklist: sections handovers, assessment, active, appointments."""
    worklist = clinic_worklist(user=logged_in(request.user), section=section, sort=sort)
    return _worklist_payload(worklist, page)


router.add_router("", hospital_router)
