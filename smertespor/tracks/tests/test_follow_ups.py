"""Follow-up visits: dates and scores checked, the regimen through the medication list, alerts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.services import add_medication_line
from smertespor.tracks.follow_ups import (
    LineChange,
    RegimenUpdate,
    acknowledge_alert,
    record_follow_up,
)
from smertespor.tracks.models import Alert, Course, FollowUp, TimelineEvent
from smertespor.tracks.rules import run_daily_rules
from smertespor.tracks.selectors import missed_visit
from smertespor.tracks.tests.helpers import enrol, on

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)


@pytest.fixture
def started(gp, patient, clinic):
    return enrol(gp, patient, clinic, START)


def _line(patient, by, product_id, strength, per_day="2", start=START - timedelta(days=200)):
    return add_medication_line(
        patient=patient,
        by=by,
        product_id=product_id,
        strength=Decimal(strength),
        units_per_dose=Decimal(1),
        doses_per_day=Decimal(per_day),
        start_date=start,
    )


def _record(course, by, day=date(2026, 2, 2), today=date(2026, 2, 2), **arguments):
    course.refresh_from_db()
    arguments.setdefault("omeq_mg_per_day", Decimal(50))
    with on(today):
        return record_follow_up(
            course=course, by=by, expected_version=course.version, visit_on=day, **arguments
        )


def test_a_visit_is_recorded_with_its_scores_and_sets_the_next_due_date(gp, started):
    follow_up = _record(
        started,
        gp,
        peg=(5, 5, 4),
        nrs=4,
        sows_total=3,
        note="Sleeps better",
        next_visit_on=date(2026, 2, 20),
    )
    started.refresh_from_db()
    assert follow_up.peg_items == (5, 5, 4)
    assert follow_up.peg_score == Decimal("4.67")
    assert started.next_follow_up_on == date(2026, 2, 20)
    assert started.last_visit_on == date(2026, 2, 2)
    assert started.current_omeq_mg_per_day == Decimal(50)
    assert started.version == 2
    assert TimelineEvent.objects.filter(course=started, kind="follow_up").count() == 1


def test_without_a_next_date_the_next_visit_is_one_interval_on(gp, started):
    _record(started, gp)
    started.refresh_from_db()
    assert started.next_follow_up_on == date(2026, 2, 2) + timedelta(days=28)


def test_a_visit_recorded_late_does_not_move_the_schedule_back(gp, started):
    _record(
        started, gp, day=date(2026, 2, 10), today=date(2026, 2, 10), next_visit_on=date(2026, 3, 1)
    )
    _record(started, gp, day=date(2026, 2, 2), today=date(2026, 2, 11))
    started.refresh_from_db()
    assert started.next_follow_up_on == date(2026, 3, 1)
    assert started.last_visit_on == date(2026, 2, 10)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        pytest.param({"day": date(2026, 1, 4)}, "visit_on", id="before-the-course-start"),
        pytest.param({"day": date(2026, 2, 3)}, "visit_on", id="in-the-future"),
        pytest.param({"peg": (11, 5, 5)}, "peg_pain", id="peg-item-above-10"),
        pytest.param({"nrs": 11}, "nrs", id="nrs-above-10"),
        pytest.param({"sows_total": 65}, "sows_total", id="sows-above-64"),
        pytest.param({"sows_items": [5] + [0] * 15}, "sows_items", id="sows-item-above-4"),
        pytest.param({"sows_items": [1] * 15}, "sows_items", id="sows-missing-an-item"),
        pytest.param(
            {"sows_items": [1] * 16, "sows_total": 20}, "sows_total", id="sows-total-not-the-sum"
        ),
        pytest.param(
            {"next_visit_on": date(2026, 2, 2)}, "next_visit_on", id="next-visit-not-after"
        ),
        pytest.param({"omeq_mg_per_day": Decimal(-5)}, "omeq_mg_per_day", id="negative-omeq"),
        pytest.param(
            {"omeq_mg_per_day": None}, "omeq_mg_per_day", id="omeq-missing-without-a-list"
        ),
    ],
)
def test_bad_visit_input_is_refused_on_its_field_and_nothing_saved(gp, started, arguments, field):
    with pytest.raises(ValidationError) as refused:
        _record(started, gp, **arguments)
    assert field in refused.value.message_dict
    started.refresh_from_db()
    assert started.version == 1
    assert not FollowUp.objects.exists()
    assert not TimelineEvent.objects.filter(kind="follow_up").exists()


def test_the_sows_total_can_come_from_its_16_items(gp, started):
    follow_up = _record(started, gp, sows_items=[1] * 16)
    assert follow_up.sows_total == 16
    assert follow_up.sows_items == [1] * 16


def test_cows_is_rated_at_the_clinic_not_in_general_practice(gp, started):
    with pytest.raises(ValidationError) as refused:
        _record(started, gp, cows_total=10)
    assert "cows_total" in refused.value.message_dict


def test_a_peg_worse_by_two_points_raises_an_alert(gp, started):
    follow_up = _record(started, gp, peg=(8, 8, 8))  # baseline 6/6/6
    alert = Alert.objects.get(follow_up=follow_up)
    assert alert.code == "peg_worsened"
    assert alert.params["points"] == "2.00"


def test_a_peg_worse_by_less_than_two_points_does_not(gp, started):
    _record(started, gp, peg=(8, 8, 7))  # +1.67
    assert not Alert.objects.exists()


def test_a_moderate_withdrawal_score_raises_an_alert_and_a_mild_one_does_not(gp, started):
    _record(started, gp, sows_total=10)
    assert not Alert.objects.exists()
    _record(started, gp, day=date(2026, 2, 2), sows_total=11)
    assert Alert.objects.get().code == "withdrawal_moderate_or_above"


def test_a_new_benzodiazepine_raises_an_alert_once(gp, patient, clinic):
    _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    with on(date(2026, 1, 20)):
        _line(patient, gp, "diazepam-tablet", "5", per_day="1", start=date(2026, 1, 20))
    first = _record(course, gp, omeq_mg_per_day=None)
    second = _record(course, gp, day=date(2026, 2, 3), today=date(2026, 2, 3), omeq_mg_per_day=None)
    assert [a.code for a in first.alerts.all()] == ["new_benzodiazepine_or_z_drug"]
    assert "N05BA01" in first.alerts.get().params["atc_codes"]
    assert not second.alerts.exists()


def test_a_benzodiazepine_taken_since_before_the_course_is_not_new(gp, patient, clinic):
    _line(patient, gp, "morphine-depot-tablet", "30")
    _line(patient, gp, "diazepam-tablet", "5", per_day="1")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    follow_up = _record(course, gp, omeq_mg_per_day=None)
    assert not follow_up.alerts.exists()


def test_the_regimen_goes_through_the_medication_list_and_gives_the_visit_its_omeq(
    gp, patient, clinic
):
    morphine = _line(patient, gp, "morphine-depot-tablet", "30")
    tramadol = _line(patient, gp, "tramadol-depot-tablet", "100", per_day="1")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    snapshots = OmeqSnapshot.objects.count()
    regimen = RegimenUpdate(
        changes=(LineChange(morphine.pk, units_per_dose=Decimal(1), doses_per_day=Decimal("1.5")),),
        stopped=(tramadol.pk,),
    )
    follow_up = _record(course, gp, omeq_mg_per_day=None, regimen=regimen)
    morphine.refresh_from_db()
    tramadol.refresh_from_db()
    assert morphine.doses_per_day == Decimal("1.5")
    assert tramadol.ended_on == date(2026, 2, 2)
    assert follow_up.omeq_mg_per_day == Decimal(45)
    assert follow_up.omeq_source == "medication_list"
    assert {c["changed"] for c in follow_up.medication_changes} == {"dose", "stopped"}
    assert OmeqSnapshot.objects.count() == snapshots + 2


def test_a_line_stopped_at_the_visit_makes_the_patient_opioid_free_and_the_course_succeed(
    gp, patient, clinic
):
    morphine = _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    follow_up = _record(
        course, gp, omeq_mg_per_day=None, regimen=RegimenUpdate(stopped=(morphine.pk,))
    )
    course.refresh_from_db()
    assert follow_up.omeq_mg_per_day == 0
    assert not follow_up.on_substitution_treatment
    assert course.status == "active"  # success is judged at the deadline, not at one visit
    visit_on = date(2026, 3, 30)  # still stopped at the next visit, before the deadline 5 April
    _record(course, gp, day=visit_on, today=visit_on, omeq_mg_per_day=None)
    course.refresh_from_db()
    assert course.status == "active"
    with on(date(2026, 4, 6)):
        run_daily_rules()
    course.refresh_from_db()
    assert course.status == "succeeded"


def test_a_refused_visit_leaves_the_medication_list_as_it_was(gp, patient, clinic):
    morphine = _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    regimen = RegimenUpdate(stopped=(morphine.pk,))
    with pytest.raises(ValidationError):
        _record(course, gp, omeq_mg_per_day=None, regimen=regimen, nrs=12)
    morphine.refresh_from_db()
    assert morphine.ended_on is None
    # ...and so does a visit refused only after the list changed (a wrong OMEQ).
    with pytest.raises(ValidationError):
        _record(course, gp, omeq_mg_per_day=Decimal(99), regimen=regimen)
    morphine.refresh_from_db()
    assert morphine.ended_on is None
    assert MedicationLine.objects.filter(patient=patient, ended_on__isnull=True).count() == 1


def test_a_new_line_can_be_added_at_the_visit(gp, patient, clinic):
    _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    added = {
        "product_id": "zopiclone-tablet",
        "strength": Decimal("7.5"),
        "units_per_dose": Decimal(1),
        "doses_per_day": Decimal(1),
    }
    follow_up = _record(course, gp, omeq_mg_per_day=None, regimen=RegimenUpdate(added=(added,)))
    assert MedicationLine.objects.filter(patient=patient, product_id="zopiclone-tablet").exists()
    assert [a.code for a in follow_up.alerts.all()] == ["new_benzodiazepine_or_z_drug"]


def test_a_missed_follow_up_is_an_alert_from_the_day_after_it_was_due(gp, started):
    started.refresh_from_db()
    due = started.next_follow_up_on
    assert missed_visit(started, due) is None
    missed = missed_visit(started, due + timedelta(days=1))
    assert missed is not None
    assert missed.code == "missed_follow_up"


def test_the_practice_acknowledges_an_alert_once(gp, practice_nurse, started):
    follow_up = _record(started, gp, peg=(9, 9, 9))
    alert = follow_up.alerts.get()
    acknowledge_alert(alert=alert, by=practice_nurse)
    acknowledge_alert(alert=alert, by=gp)
    alert.refresh_from_db()
    assert alert.acknowledged_by == practice_nurse
    assert TimelineEvent.objects.filter(kind="alert_acknowledged").count() == 1


def test_a_practice_nurse_records_visits(practice_nurse, started):
    assert _record(started, practice_nurse).recorded_by == practice_nurse


def test_the_clinic_does_not_record_visits_on_the_practice_course(clinic_nurse, started):
    from smertespor.tracks.tests.conftest import open_clinic_relation

    open_clinic_relation(started)
    with pytest.raises(PermissionDenied):
        _record(started, clinic_nurse)


def test_no_visit_is_recorded_on_a_closed_course(gp, started):
    Course.objects.filter(pk=started.pk).update(status="ended")
    with pytest.raises(ValidationError):
        _record(started, gp)


def test_the_visit_form_records_a_visit_and_goes_back_to_the_course(
    gp, patient, started, client_for
):
    url = reverse("tracks:follow_up_create", args=[patient.pk, started.pk])
    with on(date(2026, 2, 2)):
        response = client_for(gp).post(
            url,
            {
                "version": "1",
                "visit_on": "2026-02-02",
                "omeq_mg_per_day": "50",
                "peg_pain": "5",
                "peg_enjoyment": "5",
                "peg_activity": "5",
                "nrs": "4",
                "sows_total": "",
                **{f"sows_{n}": "1" for n in range(1, 17)},
                "note": "Fine",
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    follow_up = FollowUp.objects.get()
    assert follow_up.sows_total == 16
    assert follow_up.peg_items == (5, 5, 5)


def test_the_visit_form_asks_for_all_three_peg_items(gp, patient, started, client_for):
    url = reverse("tracks:follow_up_create", args=[patient.pk, started.pk])
    with on(date(2026, 2, 2)):
        response = client_for(gp).post(
            url,
            {"version": "1", "visit_on": "2026-02-02", "omeq_mg_per_day": "50", "peg_pain": "5"},
        )
    assert response.status_code == 422
    assert "peg_pain" in response.context["form"].errors
    assert not FollowUp.objects.exists()


def test_the_visit_form_changes_a_dose_on_the_list(gp, patient, clinic, client_for):
    morphine = _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    url = reverse("tracks:follow_up_create", args=[patient.pk, course.pk])
    prefix = f"line-{morphine.pk}"
    with on(date(2026, 2, 2)):
        response = client_for(gp).post(
            url,
            {
                "version": "1",
                "visit_on": "2026-02-02",
                f"{prefix}-units_per_dose": "1",
                f"{prefix}-doses_per_day": "1",
            },
        )
    assert response.status_code == 302
    assert FollowUp.objects.get().omeq_mg_per_day == Decimal(30)
    morphine.refresh_from_db()
    assert morphine.doses_per_day == 1


def test_the_visit_form_adds_a_drug_started_since_the_last_visit(gp, patient, clinic, client_for):
    _line(patient, gp, "morphine-depot-tablet", "30")
    course = enrol(gp, patient, clinic, START, baseline_omeq_mg_per_day=None)
    url = reverse("tracks:follow_up_create", args=[patient.pk, course.pk])
    with on(date(2026, 2, 2)):
        response = client_for(gp).post(
            url,
            {
                "version": "1",
                "visit_on": "2026-02-02",
                **{
                    f"line-{line.pk}-units_per_dose": "1"
                    for line in MedicationLine.objects.filter(patient=patient)
                },
                **{
                    f"line-{line.pk}-doses_per_day": "2"
                    for line in MedicationLine.objects.filter(patient=patient)
                },
                "new-add": "on",
                "new-product_strength": "diazepam-tablet@5",
                "new-units_per_dose": "1",
                "new-doses_per_day": "1",
                "new-indication": "pain",
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    added = MedicationLine.objects.get(patient=patient, product_id="diazepam-tablet")
    assert added.start_date == date(2026, 2, 2)
    assert FollowUp.objects.get().alerts.get().code == "new_benzodiazepine_or_z_drug"
