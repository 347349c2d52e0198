"""`manage.py make_region`: a region's worth of fictitious data, the same for the same seed."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q

from domain.cpr import parse_cpr
from smertespor.accounts.models import Organisation, Role, User
from smertespor.audit.models import AuditEvent
from smertespor.audit.sealing import seal_pending
from smertespor.audit.verify import verify_audit_log
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.patients.models import CareRelation, Patient
from smertespor.tracks.models import Course, Handover, TimelineEvent
from smertespor.web.region_generator import RegionError, check_arguments, make_region

TODAY = date(2026, 3, 11)
PATIENTS, PRACTICES = 300, 6


def _fingerprint() -> tuple:
    """What the region is, without keys or the moment it was made."""
    patients = tuple(
        Patient.objects.order_by("cpr").values_list(
            "cpr", "name", "birth_date", "sex", "listed_practice__sor_code", "address"
        )
    )
    courses = tuple(
        Course.objects.order_by("patient__cpr", "start_date", "track").values_list(
            "patient__cpr", "track", "status", "start_date", "baseline_omeq_mg_per_day", "version"
        )
    )
    lines = tuple(
        MedicationLine.objects.order_by("patient__cpr", "start_date", "product_id").values_list(
            "patient__cpr", "product_id", "strength", "start_date", "ended_on"
        )
    )
    events = Counter(TimelineEvent.objects.values_list("kind", flat=True))
    return patients, courses, lines, tuple(sorted(events.items()))


def _made(seed: int) -> tuple:
    with transaction.atomic():
        make_region(patients=PATIENTS, practices=PRACTICES, seed=seed, today=TODAY, audit_events=12)
        found = _fingerprint()
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_region_and_another_seed_another():
    first, again, other = _made(1), _made(1), _made(2)
    assert first == again
    assert first[0] != other[0]  # other patients
    assert first[1] != other[1]  # so other courses


@pytest.fixture
def region(db):
    return make_region(patients=PATIENTS, practices=PRACTICES, seed=1, today=TODAY, audit_events=12)


def test_the_region_has_the_numbers_asked_for(region):
    practices = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
    assert practices.count() == PRACTICES
    assert region.counts["patients"] == Patient.objects.count() == PATIENTS
    # Listed round-robin: every practice the same number.
    assert set(practices.annotate(n=Count("listed_patients")).values_list("n", flat=True)) == {
        PATIENTS // PRACTICES
    }
    for cpr, birth, sex in Patient.objects.values_list("cpr", "birth_date", "sex"):
        parsed = parse_cpr(cpr, today=TODAY)  # raises for a number of the wrong shape
        assert (parsed.birth_date, parsed.sex) == (birth, sex)
    assert Patient.history.filter(history_type="+").count() == PATIENTS
    for practice in practices:
        roles = Counter(User.objects.filter(organisation=practice).values_list("role", flat=True))
        assert roles == {Role.GP: 2, Role.PRACTICE_NURSE: 1}
    clinic_roles = set(
        User.objects.filter(organisation__kind=Organisation.Kind.PAIN_CLINIC).values_list(
            "role", flat=True
        )
    )
    assert {
        Role.CLINIC_DOCTOR,
        Role.CLINIC_NURSE,
        Role.PSYCHOLOGIST,
        Role.SECRETARY,
    } <= clinic_roles
    assert User.objects.filter(role=Role.PLANNER).exists()
    assert region.counts["medication_lines"] == MedicationLine.objects.count() > PATIENTS
    assert MedicationLine.history.count() >= MedicationLine.objects.count()
    # About the proportions: 38,000 courses for 32,000 patients, 69,000 lines.
    assert 1.0 <= Course.objects.count() / PATIENTS <= 1.4
    assert 1.8 <= MedicationLine.objects.count() / PATIENTS <= 2.6
    assert region.counts["courses"] == Course.objects.count()
    assert region.counts["taper_plans"] > 0
    assert region.counts["advice_requests"] == 2 * PRACTICES
    assert region.counts["teaching_registrations"] == PRACTICES
    assert {login.username for login in region.logins} >= {
        "region-gp-001-1",
        "region-clinic-nurse-1",
    }


def test_every_patient_on_opioids_has_a_course_and_no_one_else(region):
    latest = {}
    for patient_id, computable, mg in OmeqSnapshot.objects.order_by(
        "patient_id", "recorded_at", "pk"
    ).values_list("patient_id", "is_computable", "max_mg_per_day"):
        latest[patient_id] = bool(computable and mg and mg > 0)
    on_opioids = {pk for pk, yes in latest.items() if yes}
    assert set(Course.objects.values_list("patient_id", flat=True)) == on_opioids


def test_the_courses_are_consistent(region):
    hospital = Course.objects.filter(track="hospital").select_related("previous_course")
    assert hospital.exists()
    for course in hospital:
        previous = course.previous_course
        assert previous is not None and previous.track == "practice"
        assert previous.status == "moved_to_hospital_track"
        assert previous.patient_id == course.patient_id
        handover = Handover.objects.get(course=previous)
        assert (handover.decision, handover.hospital_course_id) == ("accepted", course.pk)
    for course in Course.objects.filter(status="handover_proposed"):
        assert course.handovers.filter(decision="pending").count() == 1
    for course in Course.objects.all():
        events = list(TimelineEvent.objects.filter(course=course).order_by("occurred_at", "pk"))
        assert events[0].kind == "created"
        # Every write bumped the version once: the course's version counts its timeline.
        assert course.version == len(events)
        moves = [e for e in events if e.to_status]
        assert moves[-1].to_status == course.status
        assert all(e.patient_id == course.patient_id for e in events)
        organisation = course.responsible_organisation_id
        assert CareRelation.objects.filter(
            patient_id=course.patient_id, organisation_id=organisation, closed_at=None
        ).exists()
        if course.track == "practice":
            assert course.deadline is not None
    # One open course a patient (the database keeps it too).
    closed = {"succeeded", "moved_to_hospital_track", "completed", "ended"}
    open_per_patient = Counter(
        Course.objects.exclude(status__in=closed).values_list("patient_id", flat=True)
    )
    assert max(open_per_patient.values()) == 1
    assert Course.objects.filter(~Q(status__in=closed), closed_on__isnull=False).count() == 0


def test_the_audit_history_verifies(region):
    assert AuditEvent.objects.filter(object_type="patient").count() >= 12
    assert seal_pending(grace=timedelta(0))
    report = verify_audit_log()
    assert report.problems == []
    assert report.rows >= 12


def test_a_database_with_patients_is_refused_unless_adding(region):
    with pytest.raises(RegionError, match="already has 300 patients"):
        make_region(patients=PATIENTS, practices=PRACTICES, seed=3, today=TODAY)
    assert Patient.objects.count() == PATIENTS
    make_region(patients=60, practices=PRACTICES, seed=3, add=True, today=TODAY, audit_events=1)
    assert Patient.objects.count() == PATIENTS + 60
    assert Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).count() == PRACTICES
    seal_pending(grace=timedelta(0))
    assert verify_audit_log().problems == []


@pytest.mark.parametrize(
    ("patients", "practices", "seed", "message"),
    [
        (0, 1, 1, "--patients must be between"),
        (10**7, 400, 1, "--patients must be between"),
        (300, 0, 1, "--practices must be between"),
        (300, 1000, 1, "--practices must be between"),
        (300, 200, 1, "a practice"),
        (32_000, 2, 1, "a practice"),
        (300, 6, -1, "--seed must be"),
    ],
)
def test_absurd_arguments_are_refused_with_a_clear_error(patients, practices, seed, message):
    with pytest.raises(RegionError, match=message):
        check_arguments(patients=patients, practices=practices, seed=seed)


def test_the_command_refuses_clearly_and_changes_nothing(db):
    with pytest.raises(CommandError, match="--practices must be between"):
        call_command("make_region", "--patients", "300", "--practices", "0")
    assert not Patient.objects.exists()
    assert not Organisation.objects.exists()


def test_the_command_prints_what_it_made_and_the_logins(db, capsys):
    call_command("make_region", "--patients", "60", "--practices", "2", "--seed", "4")
    out = capsys.readouterr().out
    assert "patients" in out and "60" in out
    assert "region-gp-001-1" in out
    assert "smertespor-demo" in out


def test_practice_codes_never_meet_the_demo_region(db):
    """Found at 400 practices: practice 101's SOR code was the clinic's (900000000000101)."""
    call_command("load_demo_region")
    make_region(patients=1010, practices=101, seed=1, add=True, today=TODAY, audit_events=1)
    clinics = Organisation.objects.filter(kind=Organisation.Kind.PAIN_CLINIC)
    assert clinics.count() == 1
    practices = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
    assert practices.count() == 8 + 101
    assert Course.objects.filter(responsible_organisation__name__startswith="Lægehuset").exists()
