"""Enrolment in the practice track: the baseline, the goal, the care relation, one open course."""

from datetime import date, timedelta
from decimal import Decimal
from typing import cast

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from domain.calendar_months import add_calendar_months
from smertespor.audit.models import AuditEvent
from smertespor.medication.services import add_medication_line
from smertespor.patients.models import CareRelation
from smertespor.tracks.models import Course, TimelineEvent
from smertespor.tracks.tests.factories import CourseFactory
from smertespor.tracks.tests.helpers import enrol
from tests.factories import ClinicFactory, OrganisationFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _form(clinic, **overrides):
    data = {
        "start_date": timezone.localdate().isoformat(),
        "clinic": clinic.pk,
        "baseline_omeq_mg_per_day": "60",
        "baseline_peg_pain": "7",
        "baseline_peg_enjoyment": "6",
        "baseline_peg_activity": "5",
        "baseline_nrs": "6",
        "goal_kind": "target",
        "goal_target_mg_per_day": "30",
        "follow_up_interval_days": "28",
        "plan_note": "10 % of the start dose every 4 weeks",
    }
    data.update(overrides)
    return data


def _morphine(patient, by, per_day="2"):
    return add_medication_line(
        patient=patient,
        by=by,
        product_id="morphine-depot-tablet",
        strength=Decimal(30),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(per_day),
        start_date=timezone.localdate() - timedelta(days=100),
    )


def test_a_gp_enrols_a_patient_and_the_course_opens_with_its_deadline(
    gp, patient, clinic, client_for
):
    response = client_for(gp).post(
        reverse("tracks:course_create", args=[patient.pk]), _form(clinic)
    )
    course = Course.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tracks:course_detail", args=[patient.pk, course.pk])
    assert (course.track, course.status, course.version) == ("practice", "active", 1)
    assert course.responsible_organisation == gp.organisation
    assert course.baseline_peg_items == (7, 6, 5)
    assert course.baseline_omeq_source == "entered"
    assert course.deadline == add_calendar_months(course.start_date, 3)
    assert course.next_follow_up_on == course.start_date + timedelta(days=28)
    assert TimelineEvent.objects.get(course=course).kind == "created"
    assert AuditEvent.objects.filter(
        action="create", object_type="course", patient=patient
    ).exists()


def test_enrolling_opens_the_practice_care_relation(gp, other_patient, clinic):
    # A patient listed elsewhere whom the GP treats: the course gives the practice access.
    CareRelation.objects.create(
        patient=other_patient,
        organisation=gp.organisation,
        reason="advice_request",
        opened_at=timezone.now(),
    )
    enrol(gp, other_patient, clinic, timezone.localdate())
    assert CareRelation.objects.filter(
        patient=other_patient, organisation=gp.organisation, reason="course"
    ).exists()


def test_the_baseline_omeq_comes_from_the_medication_list_when_it_can(gp, patient, clinic):
    _morphine(patient, gp)
    course = enrol(gp, patient, clinic, timezone.localdate(), baseline_omeq_mg_per_day=None)
    assert course.baseline_omeq_mg_per_day == Decimal(60)
    assert course.baseline_omeq_source == "medication_list"
    assert course.baseline_omeq_table


def test_an_entered_omeq_that_contradicts_the_list_is_refused(gp, patient, clinic):
    _morphine(patient, gp)
    with pytest.raises(ValidationError) as refused:
        enrol(gp, patient, clinic, timezone.localdate(), baseline_omeq_mg_per_day=Decimal(90))
    assert "60" in str(refused.value.message_dict["baseline_omeq_mg_per_day"])
    assert not Course.objects.exists()


def test_without_a_medication_list_the_omeq_must_be_entered(gp, patient, clinic, english):
    with pytest.raises(ValidationError) as refused:
        enrol(gp, patient, clinic, timezone.localdate(), baseline_omeq_mg_per_day=None)
    assert "no medication list" in str(refused.value.message_dict["baseline_omeq_mg_per_day"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"baseline_peg_pain": "11"}, "baseline_peg_pain", id="peg-item-above-10"),
        pytest.param({"baseline_nrs": "-1"}, "baseline_nrs", id="nrs-below-0"),
        pytest.param(
            {"goal_target_mg_per_day": "60"},
            "goal_target_mg_per_day",
            id="target-not-below-baseline",
        ),
        pytest.param({"goal_target_mg_per_day": ""}, "goal_target_mg_per_day", id="target-missing"),
        pytest.param(
            {"follow_up_interval_days": "0"}, "follow_up_interval_days", id="interval-zero"
        ),
        pytest.param(
            {"baseline_omeq_mg_per_day": "0"}, "baseline_omeq_mg_per_day", id="baseline-zero"
        ),
        pytest.param({"start_date": "2999-01-01"}, "start_date", id="start-in-future"),
        pytest.param({"start_date": "2000-01-01"}, "start_date", id="start-long-ago"),
    ],
)
def test_bad_enrolment_input_is_refused_on_its_field_and_nothing_saved(
    gp, patient, clinic, client_for, overrides, field
):
    response = client_for(gp).post(
        reverse("tracks:course_create", args=[patient.pk]), _form(clinic, **overrides)
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Course.objects.exists()
    assert not CareRelation.objects.filter(patient=patient).exists()


def test_the_form_explains_a_refusal_in_danish_by_default(gp, patient, clinic, client_for):
    response = client_for(gp).post(
        reverse("tracks:course_create", args=[patient.pk]), _form(clinic, baseline_peg_pain="11")
    )
    assert "Denne værdi skal være mindre end eller lig 10." in response.content.decode()


def test_a_second_open_course_is_refused(gp, patient, clinic, client_for, english):
    CourseFactory(patient=patient, clinic=clinic)
    response = client_for(gp).post(
        reverse("tracks:course_create", args=[patient.pk]), _form(clinic)
    )
    assert response.status_code == 422
    assert "already has an open course" in response.content.decode()
    assert Course.objects.count() == 1


def test_the_database_refuses_a_second_open_course_even_past_the_service(patient, clinic):
    from django.db import IntegrityError, transaction

    CourseFactory(patient=patient, clinic=clinic)
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(patient=patient, clinic=clinic, status="handover_proposed")


def test_a_new_course_may_start_after_the_last_one_closed(gp, patient, clinic):
    CourseFactory(patient=patient, clinic=clinic, status="succeeded")
    CourseFactory(patient=patient, clinic=clinic, status="ended")
    course = enrol(gp, patient, clinic, timezone.localdate())
    assert course.status == "active"


def test_the_clinic_must_be_a_pain_clinic_of_the_practice_region(gp, patient, english):
    from smertespor.accounts.models import Region

    elsewhere = Region.objects.create(name="Region Syddanmark", code="1083")
    far_clinic = ClinicFactory.create(region=elsewhere)
    practice_as_clinic = OrganisationFactory.create(region=RegionFactory.create())
    for clinic in (far_clinic, practice_as_clinic):
        with pytest.raises(ValidationError) as refused:
            enrol(gp, patient, clinic, timezone.localdate())
        assert "clinic_id" in refused.value.message_dict


def test_a_practice_nurse_records_visits_but_does_not_enrol(
    practice_nurse, patient, clinic, client_for
):
    response = client_for(practice_nurse).get(reverse("tracks:course_create", args=[patient.pk]))
    assert response.status_code == 403
    assert patient.name.encode() not in response.content
    with pytest.raises(PermissionDenied):
        enrol(practice_nurse, patient, clinic, timezone.localdate())


def test_the_enrolment_form_preselects_the_region_s_only_pain_clinic(
    gp, patient, clinic, client_for
):
    response = client_for(gp).get(reverse("tracks:course_create", args=[patient.pk]))
    assert response.context["form"].initial["clinic"] == clinic.pk


def test_a_stop_goal_keeps_no_target(gp, patient, clinic):
    course = enrol(
        gp,
        patient,
        clinic,
        timezone.localdate(),
        goal_kind="stop",
        goal_target_mg_per_day=Decimal(20),
    )
    assert course.goal_target_mg_per_day is None


def test_a_course_may_be_recorded_up_to_a_month_after_it_started(gp, patient, clinic):
    course = enrol(gp, patient, clinic, date(2026, 2, 1), today=date(2026, 3, 4))
    assert course.start_date == date(2026, 2, 1)
    with pytest.raises(ValidationError):
        enrol(gp, patient, clinic, date(2026, 2, 1), today=date(2026, 3, 5))


def test_the_regions_only_clinic_is_chosen_already_on_the_enrolment_form(
    client_for, gp, patient, clinic
):
    from smertespor.tracks.forms import CourseForm

    form = CourseForm(user=gp)
    assert cast(forms.ModelChoiceField, form.fields["clinic"]).empty_label is None
    assert list(cast(forms.ModelChoiceField, form.fields["clinic"]).queryset or []) == [clinic]
    assert form["clinic"].value() == clinic.pk
    body = client_for(gp).get(reverse("tracks:course_create", args=[patient.pk])).content
    assert b"---------" not in body
    assert f'<option value="{clinic.pk}" selected>'.encode() in body
