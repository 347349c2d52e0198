"""The GP decides on the 3-month rule's proposal: confirm (the handover is made, the clinic's
care relation opens, the clinic is told) or dismiss with a reason (the course stays in the
practice track and is reviewed again). Pages and API alike; reading changes nothing."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smertespor.notifications.models import Notification
from smertespor.patients.models import CareRelation
from smertespor.tracks.hospital_services import accept_handover
from smertespor.tracks.models import Course, Handover, RuleReview, TimelineEvent
from smertespor.tracks.proposals import confirm_handover_proposal, dismiss_handover_proposal
from smertespor.tracks.rules import run_daily_rules
from smertespor.tracks.selectors import early_handover_url
from smertespor.tracks.services import end_course, record_success
from smertespor.tracks.tests.helpers import enrol, on, visit
from smertespor.tracks.transitions import CourseConflict

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)
AFTER = date(2026, 4, 6)  # the day after the deadline
DECIDED = date(2026, 4, 8)


@pytest.fixture
def proposed(gp, patient, clinic):
    """A course the rule proposes to hand over: behind the goal with no taper plan."""
    course = enrol(gp, patient, clinic, START)
    for day in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30)):
        visit(gp, course, day, 50)
    with on(AFTER):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status == "handover_review"
    return course


def _fresh(course):
    return Course.objects.select_related("patient", "clinic", "responsible_organisation").get(
        pk=course.pk
    )


def _state(course):
    course = _fresh(course)
    return (
        course.status,
        course.version,
        course.deadline,
        Handover.objects.filter(course=course).count(),
        CareRelation.objects.filter(patient=course.patient, organisation=course.clinic).count(),
        TimelineEvent.objects.filter(course=course).count(),
        list(RuleReview.objects.filter(course=course).values_list("outcome", flat=True)),
    )


def _post_json(client, url, body):
    """Send `body` as JSON; its `version`, if any, goes in `If-Match` (the course's ETag)."""
    body = dict(body)
    headers = {"If-Match": f'"{body.pop("version")}"'} if "version" in body else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


# --- confirm --------------------------------------------------------------------------------


def test_the_gp_confirms_and_the_clinic_gets_the_patient(
    proposed, gp, clinic, clinic_doctor, clinic_nurse
):
    with on(DECIDED):
        handover = confirm_handover_proposal(
            course=proposed,
            by=gp,
            expected_version=proposed.version,
            note="Two visits without progress",
            expected_duration="3 months",
        )
    course = _fresh(proposed)
    assert course.status == "handover_proposed"
    assert (handover.kind, handover.proposed_by, handover.clinic) == ("rule", gp, clinic)
    assert handover.snapshot["rule"]["progress"] == "no_plan"
    assert CareRelation.objects.filter(
        patient=course.patient, organisation=clinic, closed_at__isnull=True
    ).exists()
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.decided_by, review.handover) == ("confirmed", gp, handover)
    event = TimelineEvent.objects.get(course=course, kind="confirm_handover")
    assert (event.actor, event.by, event.reason) == ("practice", gp, "Two visits without progress")
    told = set(
        Notification.objects.filter(kind="tracks_handover_received").values_list(
            "recipient", flat=True
        )
    )
    assert told == {clinic_doctor.pk, clinic_nurse.pk}
    # ...and the clinic can take the patient on.
    hospital = accept_handover(course=course, by=clinic_doctor, expected_version=course.version)
    assert hospital.status == "accepted"


def test_the_clinic_is_told_of_an_early_handover_too(gp, patient, clinic, clinic_nurse):
    from smertespor.tracks.services import hand_over_early

    course = enrol(gp, patient, clinic, START)
    with on(date(2026, 2, 1)):
        hand_over_early(course=course, by=gp, expected_version=course.version, reason="Asks")
    [told] = Notification.objects.filter(kind="tracks_handover_received")
    assert told.recipient == clinic_nurse
    assert patient.name not in told.message


def test_only_a_gp_of_the_practice_decides(proposed, practice_nurse, other_gp, clinic_doctor):
    for user in (practice_nurse, clinic_doctor):
        with pytest.raises(PermissionDenied):
            confirm_handover_proposal(course=proposed, by=user, expected_version=proposed.version)
        with pytest.raises(PermissionDenied):
            dismiss_handover_proposal(
                course=proposed, by=user, expected_version=proposed.version, reason="No"
            )
    assert _fresh(proposed).status == "handover_review"


def test_a_course_without_a_proposal_cannot_be_confirmed(gp, patient, clinic):
    course = enrol(gp, patient, clinic, START)
    with pytest.raises(ValidationError) as raised:
        confirm_handover_proposal(course=course, by=gp, expected_version=course.version)
    assert raised.value.error_list[0].code == "no_pending_proposal"
    assert not Handover.objects.exists()


def test_a_stale_decision_changes_nothing(proposed, gp):
    before = _state(proposed)
    with pytest.raises(CourseConflict):
        confirm_handover_proposal(course=proposed, by=gp, expected_version=proposed.version - 1)
    assert _state(proposed) == before


# --- dismiss --------------------------------------------------------------------------------


def test_the_gp_keeps_the_course_with_a_reason_and_it_is_reviewed_a_month_later(proposed, gp):
    with on(DECIDED):
        dismiss_handover_proposal(
            course=proposed,
            by=gp,
            expected_version=proposed.version,
            reason="New depot started last week; review in a month",
        )
    course = _fresh(proposed)
    assert (course.status, course.review_from, course.deadline) == (
        "active",
        DECIDED,
        date(2026, 5, 8),
    )
    review = RuleReview.objects.get(course=course)
    assert (review.outcome, review.decided_by) == ("dismissed", gp)
    assert review.reason == "New depot started last week; review in a month"
    event = TimelineEvent.objects.get(course=course, kind="keep_in_practice")
    assert (event.by, event.to_status, event.detail["next_review"]) == (gp, "active", "2026-05-08")
    assert not Handover.objects.filter(course=course).exists()
    assert not CareRelation.objects.filter(organisation=course.clinic).exists()
    # The next review: still no plan and no success, so the rule proposes again.
    visit(gp, course, date(2026, 5, 4), 45)
    with on(date(2026, 5, 9)):
        run_daily_rules()
    assert _fresh(course).status == "handover_review"
    assert RuleReview.objects.filter(course=course, outcome="pending").count() == 1


def test_keeping_a_course_needs_a_reason(proposed, gp):
    with pytest.raises(ValidationError):
        dismiss_handover_proposal(
            course=proposed, by=gp, expected_version=proposed.version, reason="  "
        )
    assert _fresh(proposed).status == "handover_review"


def test_ending_or_recording_success_closes_the_proposal(proposed, gp, patient, clinic):
    end_course(course=proposed, by=gp, expected_version=proposed.version, reason="Moved away")
    assert RuleReview.objects.get(course=proposed).outcome == "closed"
    other = enrol(gp, patient, clinic, date(2026, 4, 20), today=date(2026, 4, 20))
    with on(date(2026, 7, 21)):
        run_daily_rules()
    other.refresh_from_db()
    record_success(course=other, by=gp, expected_version=other.version, reason="Stopped")
    assert RuleReview.objects.get(course=other).outcome == "closed"


def test_the_advice_link_leads_the_gp_to_the_proposal(proposed, gp, practice_nurse):
    assert early_handover_url(gp, proposed) == reverse(
        "tracks:proposal", args=[proposed.patient_id, proposed.pk]
    )
    assert early_handover_url(practice_nurse, proposed) is None


# --- pages ----------------------------------------------------------------------------------


def test_the_proposal_page_shows_the_working_and_the_gp_s_choices(proposed, gp, client_for):
    url = reverse("tracks:proposal", args=[proposed.patient_id, proposed.pk])
    before = _state(proposed)
    with on(DECIDED):
        response = client_for(gp).get(url)
    assert response.status_code == 200
    assert b'data-progress="no_plan"' in response.content
    assert b'data-testid="confirm-form"' in response.content
    assert b'data-testid="dismiss-form"' in response.content
    assert _state(proposed) == before


def test_the_practice_nurse_reads_the_proposal_but_has_no_choices(
    proposed, practice_nurse, client_for
):
    url = reverse("tracks:proposal", args=[proposed.patient_id, proposed.pk])
    response = client_for(practice_nurse).get(url)
    assert response.status_code == 200
    assert b'data-testid="proposal"' in response.content
    assert b'data-testid="confirm-form"' not in response.content


def test_the_gp_confirms_on_the_page(proposed, gp, client_for):
    url = reverse("tracks:proposal_confirm", args=[proposed.patient_id, proposed.pk])
    with on(DECIDED):
        response = client_for(gp).post(
            url, {"confirm-version": proposed.version, "confirm-planned_follow_up": "Monthly"}
        )
    assert response.status_code == 302
    assert _fresh(proposed).status == "handover_proposed"
    assert Handover.objects.get(course=proposed).planned_follow_up == "Monthly"


def test_keeping_without_a_reason_on_the_page_is_refused_with_422(proposed, gp, client_for):
    url = reverse("tracks:proposal_dismiss", args=[proposed.patient_id, proposed.pk])
    before = _state(proposed)
    response = client_for(gp).post(url, {"dismiss-version": proposed.version})
    assert response.status_code == 422
    assert b'data-testid="dismiss-form"' in response.content
    assert _state(proposed) == before


def test_a_stale_confirmation_on_the_page_is_409(proposed, gp, client_for):
    url = reverse("tracks:proposal_confirm", args=[proposed.patient_id, proposed.pk])
    response = client_for(gp).post(url, {"confirm-version": proposed.version - 1})
    assert response.status_code == 409
    assert _fresh(proposed).status == "handover_review"


def test_the_course_page_and_the_panel_point_to_the_proposal(proposed, gp, client_for):
    client = client_for(gp)
    before = _state(proposed)
    course_page = client.get(
        reverse("tracks:course_detail", args=[proposed.patient_id, proposed.pk])
    )
    patient_page = client.get(reverse("patients:detail", args=[proposed.patient_id]))
    assert b'data-testid="open-proposal"' in course_page.content
    assert b'data-testid="decision-confirm_handover"' in course_page.content
    assert b'data-testid="panel-proposal"' in patient_page.content
    assert _state(proposed) == before


def test_the_gp_s_worklist_lists_the_proposal(proposed, gp, client_for):
    with on(DECIDED):
        response = client_for(gp).get(reverse("tracks:practice_worklist"), {"section": "proposals"})
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row["course_id"], row["progress"]) == (proposed.pk, "no_plan")
    assert response.context["worklist"].counts["proposals"] == 1


# --- API ------------------------------------------------------------------------------------


def test_the_api_confirms_and_dismisses_as_the_pages_do(proposed, gp, client_for):
    client = client_for(gp)
    base = f"/api/tracks/patients/{proposed.patient_id}/courses/{proposed.pk}"
    course = client.get(base).json()
    assert course["status"] == "handover_review"
    assert course["review"]["outcome"] == "pending"
    assert course["allowed_decisions"] == [
        "confirm_handover",
        "keep_in_practice",
        "record_success",
        "end",
    ]
    refused = _post_json(client, f"{base}/proposal/dismiss", {"version": course["version"]})
    assert refused.status_code == 422
    with on(DECIDED):
        kept = _post_json(
            client,
            f"{base}/proposal/dismiss",
            {"version": course["version"], "reason": "Stable, wants to go on"},
        )
        reviews = client.get(f"{base}/reviews").json()
    assert kept.status_code == 200, kept.content
    assert (kept.json()["status"], kept.json()["review_from"]) == ("active", "2026-04-08")
    assert [r["outcome"] for r in reviews] == ["dismissed"]
    assert reviews[0]["reason"] == "Stable, wants to go on"


def test_the_api_confirmation_answers_the_handover(proposed, gp, client_for):
    base = f"/api/tracks/patients/{proposed.patient_id}/courses/{proposed.pk}"
    with on(DECIDED):
        response = _post_json(
            client_for(gp), f"{base}/proposal/confirm", {"version": proposed.version}
        )
    assert response.status_code == 200, response.content
    assert (response.json()["kind"], response.json()["decision"]) == ("rule", "pending")
    again = _post_json(client_for(gp), f"{base}/proposal/confirm", {"version": proposed.version})
    assert again.status_code == 422  # decided already: no proposal is waiting
    assert again["Content-Type"] == "application/problem+json"


def test_the_api_refuses_the_practice_nurse_without_patient_data(
    proposed, practice_nurse, client_for, patient
):
    base = f"/api/tracks/patients/{proposed.patient_id}/courses/{proposed.pk}"
    response = _post_json(
        client_for(practice_nurse), f"{base}/proposal/confirm", {"version": proposed.version}
    )
    assert response.status_code == 403
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content
    assert _fresh(proposed).status == "handover_review"


def test_another_practice_s_gp_gets_404_and_no_patient_data(
    proposed, other_gp, client_for, patient
):
    base = f"/api/tracks/patients/{proposed.patient_id}/courses/{proposed.pk}"
    response = _post_json(
        client_for(other_gp), f"{base}/proposal/confirm", {"version": proposed.version}
    )
    assert response.status_code == 404
    assert patient.name.encode() not in response.content
    page = client_for(other_gp).get(
        reverse("tracks:proposal", args=[proposed.patient_id, proposed.pk])
    )
    assert page.status_code == 404
    assert patient.name.encode() not in page.content
