"""The state machine through the services: handover, triage, assessment, plan, completion."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from smertespor.entry.appointment_times import next_bookable
from smertespor.patients.models import CareRelation
from smertespor.tracks.decisions import decisions_for, take_decision
from smertespor.tracks.hospital_services import (
    accept_handover,
    activate_plan,
    add_team_member,
    assess_needs,
    book_appointment,
    complete_course,
    return_to_practice,
)
from smertespor.tracks.models import Course, DischargeSummary, Handover, TimelineEvent
from smertespor.tracks.services import end_course, hand_over_early, record_success
from smertespor.tracks.tests.helpers import enrol, on, visit

pytestmark = pytest.mark.django_db


def _fresh(course):
    return Course.objects.get(pk=course.pk)


@pytest.fixture
def started(gp, patient, clinic):
    return enrol(gp, patient, clinic, timezone.localdate() - timedelta(days=20))


@pytest.fixture
def handed_over(gp, started):
    visit(gp, started, timezone.localdate() - timedelta(days=5), 50, peg=(7, 7, 7), nrs=7)
    course = _fresh(started)
    hand_over_early(
        course=course,
        by=gp,
        expected_version=course.version,
        reason="Withdrawal symptoms at every step",
        gp_comment="Please take over",
        expected_duration="3 months",
        planned_follow_up="Every 2 weeks at the clinic",
    )
    return _fresh(started)


@pytest.fixture
def hospital(clinic_doctor, handed_over):
    return accept_handover(
        course=handed_over, by=clinic_doctor, expected_version=handed_over.version
    )


@pytest.fixture
def assessed(clinic_doctor, hospital):
    assess_needs(
        course=hospital,
        by=clinic_doctor,
        expected_version=hospital.version,
        disciplines=["doctor", "psychologist"],
        interventions=["supervised_taper", "cbt_group"],
    )
    return _fresh(hospital)


@pytest.fixture
def planned(clinic_doctor, psychologist, assessed):
    add_team_member(
        course=assessed, by=clinic_doctor, user_id=clinic_doctor.pk, discipline="doctor"
    )
    add_team_member(
        course=assessed, by=clinic_doctor, user_id=psychologist.pk, discipline="psychologist"
    )
    course = _fresh(assessed)
    activate_plan(
        course=course,
        by=clinic_doctor,
        expected_version=course.version,
        plan_note="Taper 10 %/month",
    )
    return _fresh(assessed)


def test_an_early_handover_snapshots_the_course_and_opens_the_clinic_s_access(handed_over, clinic):
    handover = Handover.objects.get(course=handed_over)
    assert handed_over.status == "handover_proposed"
    assert handover.kind == "early"
    assert handover.expected_duration == "3 months"
    snapshot = handover.snapshot
    assert snapshot["goal"] == {"kind": "target", "target_mg_per_day": "30"}
    assert snapshot["baseline"]["omeq_mg_per_day"] == "60"
    assert [v["omeq_mg_per_day"] for v in snapshot["visits"]] == ["50"]
    assert snapshot["visits"][0]["peg"] == [7, 7, 7]
    assert CareRelation.objects.filter(patient=handed_over.patient, organisation=clinic).exists()
    event = TimelineEvent.objects.get(course=handed_over, kind="hand_over_early")
    assert (event.from_status, event.to_status) == ("active", "handover_proposed")
    assert event.reason == "Withdrawal symptoms at every step"


def test_the_snapshot_keeps_what_the_gp_saw_when_the_course_goes_on(gp, handed_over):
    visit(gp, handed_over, timezone.localdate(), 40)
    assert len(Handover.objects.get(course=handed_over).snapshot["visits"]) == 1


def test_an_early_handover_needs_a_reason(gp, started, english):
    with pytest.raises(ValidationError) as refused:
        hand_over_early(course=started, by=gp, expected_version=started.version, reason="  ")
    assert "reason" in str(refused.value)
    assert _fresh(started).status == "active"
    assert not Handover.objects.exists()


def test_accepting_closes_the_practice_course_and_opens_the_hospital_course(
    handed_over, hospital, clinic, clinic_doctor
):
    practice_course = _fresh(handed_over)
    assert practice_course.status == "moved_to_hospital_track"
    assert practice_course.closed_on == timezone.localdate()
    assert (hospital.track, hospital.status) == ("hospital", "accepted")
    assert hospital.previous_course == practice_course
    assert hospital.responsible_organisation == clinic
    assert hospital.baseline_omeq_mg_per_day == 50  # the last visit's
    assert hospital.baseline_peg_items == (7, 7, 7)
    handover = Handover.objects.get(course=handed_over)
    assert (handover.decision, handover.decided_by, handover.hospital_course) == (
        "accepted",
        clinic_doctor,
        hospital,
    )
    open_courses = Course.objects.filter(patient=hospital.patient).exclude(
        status__in=["moved_to_hospital_track", "succeeded", "ended", "completed"]
    )
    assert list(open_courses) == [hospital]


def test_returning_to_the_practice_track_carries_the_clinic_s_advice(handed_over, clinic_nurse):
    handover = return_to_practice(
        course=handed_over,
        by=clinic_nurse,
        expected_version=handed_over.version,
        advice="Slow the taper to 5 % a month; call us in 4 weeks",
    )
    assert _fresh(handed_over).status == "returned_to_practice_track"
    assert handover.decision == "returned"
    assert handover.advice.startswith("Slow the taper")


def test_a_returned_course_can_succeed_or_be_handed_over_again_by_the_gp(
    gp, handed_over, clinic_nurse
):
    return_to_practice(
        course=handed_over,
        by=clinic_nurse,
        expected_version=handed_over.version,
        advice="Try slower",
    )
    course = _fresh(handed_over)
    assert [s.event for s in decisions_for(gp, course)] == [
        "record_success",
        "hand_over_early",
        "end",
    ]
    hand_over_early(course=course, by=gp, expected_version=course.version, reason="Still failing")
    assert Handover.objects.filter(course=course).count() == 2
    assert Handover.objects.filter(course=course, decision="pending").count() == 1


def test_returning_needs_advice(handed_over, clinic_nurse):
    with pytest.raises(ValidationError):
        return_to_practice(
            course=handed_over, by=clinic_nurse, expected_version=handed_over.version, advice=""
        )
    assert _fresh(handed_over).status == "handover_proposed"


def test_the_clinic_cannot_accept_a_course_that_was_not_handed_over(started, clinic_nurse, english):
    from smertespor.tracks.tests.conftest import open_clinic_relation

    open_clinic_relation(started)
    with pytest.raises(ValidationError) as refused:
        accept_handover(course=started, by=clinic_nurse, expected_version=started.version)
    assert not Course.objects.filter(track="hospital").exists()
    assert "awaiting triage" in str(refused.value) or "not possible" in str(refused.value)


def test_the_gp_cannot_accept_their_own_handover(gp, handed_over):
    with pytest.raises(PermissionDenied):
        accept_handover(course=handed_over, by=gp, expected_version=handed_over.version)


def test_only_the_system_proposes_the_rule_s_handover(gp, started, english):
    with pytest.raises(ValidationError) as refused:
        take_decision(
            course=started, by=gp, event="propose_handover", expected_version=started.version
        )
    assert "cannot take this step" in str(refused.value)
    assert _fresh(started).status == "active"


def test_a_gp_may_record_success_and_the_course_closes(gp, started):
    record_success(
        course=started, by=gp, expected_version=started.version, reason="Stopped at home"
    )
    course = _fresh(started)
    assert course.status == "succeeded"
    assert course.closed_on == timezone.localdate()


def test_ending_a_handed_over_course_withdraws_the_handover(gp, handed_over):
    end_course(course=handed_over, by=gp, expected_version=handed_over.version, reason="Moved away")
    assert _fresh(handed_over).status == "ended"
    assert Handover.objects.get(course=handed_over).decision == "withdrawn"


def test_ending_needs_a_reason(gp, started):
    with pytest.raises(ValidationError):
        end_course(course=started, by=gp, expected_version=started.version, reason="")


def test_the_needs_assessment_chooses_disciplines_and_interventions(assessed):
    assert assessed.status == "needs_assessed"
    assert assessed.needs_assessment.disciplines == ["doctor", "psychologist"]
    assert assessed.needs_assessment.get_intervention_labels() == [
        "Supervised taper",
        "Cognitive-behavioural group",
    ]


@pytest.mark.parametrize(
    ("disciplines", "interventions", "field"),
    [
        pytest.param([], ["cbt_group"], "disciplines", id="no-discipline"),
        pytest.param(["doctor"], [], "interventions", id="no-intervention"),
        pytest.param(["surgeon"], ["cbt_group"], "disciplines", id="unknown-discipline"),
    ],
)
def test_a_needs_assessment_without_valid_choices_is_refused(
    hospital, clinic_doctor, disciplines, interventions, field
):
    with pytest.raises(ValidationError) as refused:
        assess_needs(
            course=hospital,
            by=clinic_doctor,
            expected_version=hospital.version,
            disciplines=disciplines,
            interventions=interventions,
        )
    assert field in refused.value.message_dict
    assert _fresh(hospital).status == "accepted"


def test_the_plan_needs_a_named_team_member(assessed, clinic_doctor):
    with pytest.raises(ValidationError) as refused:
        activate_plan(
            course=assessed, by=clinic_doctor, expected_version=assessed.version, plan_note="Plan"
        )
    assert "team" in refused.value.message_dict


def test_team_members_are_users_of_the_clinic(assessed, clinic_doctor, gp):
    with pytest.raises(ValidationError):
        add_team_member(course=assessed, by=clinic_doctor, user_id=gp.pk, discipline="doctor")


def test_appointments_are_booked_with_team_members_and_not_in_the_past(
    planned, clinic_doctor, psychologist, clinic_nurse
):
    future = next_bookable(timezone.now(), days=2)
    appointment = book_appointment(
        course=planned,
        by=clinic_doctor,
        starts_at=future,
        duration_minutes=45,
        discipline="psychologist",
        clinician_id=psychologist.pk,
    )
    assert appointment.organisation_id == planned.responsible_organisation_id
    with pytest.raises(ValidationError) as refused:
        book_appointment(
            course=planned,
            by=clinic_doctor,
            starts_at=timezone.now() - timedelta(hours=1),
            duration_minutes=45,
            discipline="doctor",
            clinician_id=clinic_nurse.pk,
        )
    assert set(refused.value.message_dict) == {"starts_at", "clinician_id"}


def test_completing_needs_the_discharge_summary_and_a_doctor(planned, clinic_doctor, clinic_nurse):
    with pytest.raises(PermissionDenied):
        complete_course(
            course=planned,
            by=clinic_nurse,
            expected_version=planned.version,
            summary="S",
            recommendations="R",
        )
    with pytest.raises(ValidationError) as refused:
        complete_course(
            course=planned,
            by=clinic_doctor,
            expected_version=planned.version,
            summary="",
            recommendations="",
        )
    assert set(refused.value.message_dict) == {"summary", "recommendations"}
    assert _fresh(planned).status == "plan_active"


def test_completing_sends_the_discharge_summary_to_the_gp_s_practice(
    planned, clinic_doctor, gp, client_for
):
    complete_course(
        course=planned,
        by=clinic_doctor,
        expected_version=planned.version,
        summary="Tapered from 50 to 20 mg/day with CBT group",
        recommendations="Continue 5 mg reductions every 4 weeks",
        omeq_mg_per_day=Decimal(20),  # no medication list: entered, as at a visit
    )
    course = _fresh(planned)
    assert course.status == "completed"
    discharge = DischargeSummary.objects.get(course=course)
    assert discharge.sent_to == gp.organisation
    page = client_for(gp).get(reverse("patients:detail", args=[course.patient_id])).content.decode()
    assert "Continue 5 mg reductions every 4 weeks" in page


def test_every_transition_is_on_the_timeline_with_who_when_and_why(planned, clinic_doctor):
    complete_course(
        course=planned,
        by=clinic_doctor,
        expected_version=planned.version,
        summary="S",
        recommendations="R",
        omeq_mg_per_day=Decimal(20),
    )
    kinds = list(
        TimelineEvent.objects.filter(patient=planned.patient, to_status__gt="")
        .order_by("occurred_at", "pk")
        .values_list("kind", "to_status")
    )
    assert kinds == [
        ("created", "active"),
        ("hand_over_early", "handover_proposed"),
        ("accept", "moved_to_hospital_track"),
        ("created", "accepted"),
        ("assess_needs", "needs_assessed"),
        ("activate_plan", "plan_active"),
        ("complete", "completed"),
    ]
    for event in TimelineEvent.objects.filter(patient=planned.patient):
        assert event.occurred_at is not None
        assert event.actor in {"practice", "clinic", "system"}
        assert event.by is not None


def test_decisions_offered_match_the_user_s_side_and_role(
    gp, practice_nurse, clinic_nurse, clinic_doctor, handed_over, started
):
    assert [s.event for s in decisions_for(gp, handed_over)] == ["end"]
    assert decisions_for(practice_nurse, handed_over) == []
    assert [s.event for s in decisions_for(clinic_nurse, handed_over)] == [
        "accept",
        "return_to_practice",
        "end",
    ]


def test_the_decision_page_takes_a_decision_and_shows_the_new_course(
    handed_over, clinic_doctor, client_for
):
    url = reverse("tracks:course_step", args=[handed_over.patient_id, handed_over.pk])
    client = client_for(clinic_doctor)
    assert client.get(url, {"event": "accept"}).status_code == 200
    response = client.post(url, {"event": "accept", "version": handed_over.version, "reason": ""})
    hospital_course = Course.objects.get(track="hospital")
    assert response["Location"] == reverse(
        "tracks:course_detail", args=[hospital_course.patient_id, hospital_course.pk]
    )


def test_the_hospital_pages_walk_a_course_from_assessment_to_discharge(
    hospital, clinic_doctor, psychologist, client_for
):
    client = client_for(clinic_doctor)
    args = [hospital.patient_id, hospital.pk]
    response = client.post(
        reverse("tracks:needs_assessment", args=args),
        {
            "version": hospital.version,
            "disciplines": ["doctor", "psychologist"],
            "interventions": ["cbt_group"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("tracks:team_member_add", args=args),
        {"team-user": psychologist.pk, "team-discipline": "psychologist"},
    )
    assert response.status_code == 302
    member = hospital.team.get()
    starts = timezone.localtime(next_bookable(timezone.now())).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("tracks:appointment_add", args=args),
        {
            "appointment-starts_at": starts,
            "appointment-duration_minutes": "45",
            "appointment-discipline": "psychologist",
            "appointment-clinician": member.pk,
        },
    )
    assert response.status_code == 302
    course = _fresh(hospital)
    response = client.post(
        reverse("tracks:course_plan", args=args),
        {"version": course.version, "plan_note": "CBT group and taper"},
    )
    assert response.status_code == 302
    course = _fresh(hospital)
    assert course.status == "plan_active"
    response = client.post(
        reverse("tracks:course_complete", args=args),
        {
            "version": course.version,
            "summary": "Done",
            "recommendations": "Keep going",
            "omeq_mg_per_day": "20",
        },
    )
    assert response.status_code == 302
    assert _fresh(hospital).status == "completed"
    page = client.get(reverse("tracks:course_detail", args=args)).content.decode()
    assert "Keep going" in page


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the English source messages; the UI itself is Danish by default.
    with translation.override("en"):
        yield


def test_nothing_is_saved_when_a_decision_is_refused_halfway(
    handed_over, clinic_doctor, monkeypatch
):
    """Accepting is one transaction: if opening the hospital course fails, the practice course
    stays handed over."""
    from smertespor.tracks import hospital_services

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(hospital_services, "open_care_relation", fail)
    with pytest.raises(RuntimeError):
        accept_handover(course=handed_over, by=clinic_doctor, expected_version=handed_over.version)
    assert _fresh(handed_over).status == "handover_proposed"
    assert not Course.objects.filter(track="hospital").exists()
    assert Handover.objects.get(course=handed_over).decision == "pending"


def test_the_letter_of_a_handover_the_gp_confirmed_can_be_completed_by_the_gp(
    gp, patient, clinic, client_for
):
    from smertespor.tracks.proposals import confirm_handover_proposal
    from smertespor.tracks.rules import run_daily_rules

    course = enrol(gp, patient, clinic, date(2026, 1, 1))
    with on(date(2026, 4, 2)):
        run_daily_rules()
        course = _fresh(course)
        confirm_handover_proposal(course=course, by=gp, expected_version=course.version)
        course = _fresh(course)
        response = client_for(gp).post(
            reverse("tracks:handover", args=[patient.pk, course.pk]),
            {
                "version": course.version,
                "gp_comment": "Tried twice",
                "expected_duration": "3 months",
                "planned_follow_up": "Monthly",
            },
        )
    assert response.status_code == 302
    handover = Handover.objects.get(course=course)
    assert (handover.gp_comment, handover.expected_duration, handover.planned_follow_up) == (
        "Tried twice",
        "3 months",
        "Monthly",
    )


def test_the_gp_is_told_when_the_clinic_returns_a_handover(
    gp, handed_over, clinic_nurse, mailoutbox, django_capture_on_commit_callbacks
):
    from smertespor.notifications.models import Notification

    gp.email = "gp@example.org"
    gp.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        return_to_practice(
            course=handed_over,
            by=clinic_nurse,
            expected_version=handed_over.version,
            advice="Slow the taper",
        )
    assert Notification.objects.filter(recipient=gp, kind="tracks_handover_returned").exists()
    [mail] = mailoutbox
    patient = handed_over.patient
    assert patient.name not in mail.body and patient.cpr not in mail.body
