"""Factories for courses and visits (the services are tested through their own calls)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, SubFactory

from domain.tracks import course_deadline
from smertespor.tracks.facts import rule_settings
from smertespor.tracks.models import Course, FollowUp, Handover, Status, Track
from tests.factories import ClinicFactory, PatientFactory, UserFactory


class CourseFactory(factory.django.DjangoModelFactory):
    """An active practice-track course at the patient's own practice, started today."""

    class Meta:
        model = Course

    patient = SubFactory(PatientFactory)
    track = Track.PRACTICE
    status = Status.ACTIVE
    responsible_organisation = LazyAttribute(lambda c: c.patient.listed_practice)
    clinic = SubFactory(ClinicFactory)
    start_date = LazyFunction(timezone.localdate)
    baseline_omeq_mg_per_day = Decimal(60)
    baseline_omeq_source = "entered"
    baseline_peg_pain = 6
    baseline_peg_enjoyment = 6
    baseline_peg_activity = 6
    baseline_nrs = 6
    goal_kind = "target"
    goal_target_mg_per_day = Decimal(30)
    follow_up_interval_days = 28
    deadline = LazyAttribute(
        lambda c: (
            course_deadline(c.start_date, rule_settings()) if c.track == Track.PRACTICE else None
        )
    )
    next_follow_up_on = LazyAttribute(
        lambda c: c.start_date + timedelta(days=c.follow_up_interval_days)
    )
    status_changed_at = LazyFunction(timezone.now)
    created_at = LazyFunction(timezone.now)


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    course = SubFactory(CourseFactory)
    visit_on = LazyAttribute(lambda f: f.course.start_date)
    actor = "practice"
    recorded_by = SubFactory(UserFactory)
    recorded_at = LazyFunction(timezone.now)
    omeq_mg_per_day = Decimal(45)
    omeq_source = "entered"


class HandoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Handover

    course = SubFactory(CourseFactory, status=Status.HANDOVER_PROPOSED)
    clinic = LazyAttribute(lambda h: h.course.clinic)
    kind = Handover.Kind.EARLY
    reason = "Patient asks for the clinic"
    proposed_at = LazyFunction(timezone.now)
    snapshot = LazyFunction(dict)
