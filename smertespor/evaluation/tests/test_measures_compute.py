"""compute_measures on a hand-built region: the worked numbers, idempotence, query count."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smertespor.accounts.models import Organisation
from smertespor.advice.tests.factories import answered
from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.measures_services import compute_measures
from smertespor.evaluation.tests.measures_region import MAY, build_region, snapshot
from smertespor.referrals.tests.factories import sent
from smertespor.tracks.tests.factories import CourseFactory
from tests.factories import ClinicFactory, OrganisationFactory, PatientFactory

pytestmark = pytest.mark.django_db


def value(measure, level, organisation=None):
    row = MeasureFigure.objects.get(
        measure=measure, month=MAY, level=level, organisation=organisation
    )
    return None if row.value is None else row.value.quantize(Decimal("0.0001"))


@pytest.fixture
def region(practice, other_practice, clinic):
    built = build_region(practice, other_practice, clinic)
    compute_measures(MAY)
    return built


@pytest.mark.parametrize(
    ("measure", "a", "b", "whole"),
    [
        # A: 3 of 5 listed on opioids; B: 1 of 2; region 4 of 7 (per 1,000).
        pytest.param("opioid_patients", "600", "500", "571.4286", id="on-opioids"),
        # A: 120 and 60 of 120, 60, 20; B: 50 of 50; region 3 of 4.
        pytest.param("omeq_50", "66.6667", "100", "75", id="50mg"),
        pytest.param("omeq_100", "33.3333", "0", "25", id="100mg"),
        # A: (120 + 60 + 20) mg / 5 patients x 1,000; region 250 mg / 7 x 1,000.
        pytest.param("omeq_per_1000", "40000", "25000", "35714.2857", id="omeq-per-1000"),
        # A: the 120 mg patient takes diazepam now; the 60 mg patient stopped in April.
        pytest.param("comedication", "33.3333", "0", "25", id="comedication"),
        # A: the tapering patient, 1 of 5; B: the handed-over one, still in the practice
        # track until the clinic's triage, 1 of 2; region 2 of 7.
        pytest.param("practice_track_patients", "200", "500", "285.7143", id="practice-track"),
    ],
)
def test_the_worked_numbers_per_practice_and_region(
    region, practice, other_practice, measure, a, b, whole
):
    assert value(measure, "practice", practice) == Decimal(a)
    assert value(measure, "practice", other_practice) == Decimal(b)
    assert value(measure, "region") == Decimal(whole)


def test_success_reduction_handovers_and_contacts(region, practice, other_practice, clinic):
    # A's cohort: the course that succeeded within 3 months and the one still tapering.
    assert value("success_3_months", "practice", practice) == Decimal(50)
    # The tapering course: (60 - 30) / 60 at the last visit in May (June's 15 mg not yet).
    assert value("omeq_reduction", "practice", practice) == Decimal(50)
    assert value("handovers", "practice", other_practice) == Decimal(1)
    assert value("handovers", "clinic", clinic) == Decimal(1)
    # Two visits of the tapering patient over A's two course patients; B's patient none.
    assert value("contacts_per_patient_year", "practice", practice) == Decimal(1)
    assert value("contacts_per_patient_year", "practice", other_practice) == Decimal(0)


def test_it_is_idempotent(region):
    before = sorted(MeasureFigure.objects.values_list("measure", "level", "organisation", "value"))
    compute_measures(MAY)
    after = sorted(MeasureFigure.objects.values_list("measure", "level", "organisation", "value"))
    assert before == after


def test_it_tells_its_progress(practice, other_practice, clinic):
    build_region(practice, other_practice, clinic)
    calls = []
    compute_measures(MAY, progress=lambda done, total, message: calls.append((done, total)))
    assert calls[-1] == (19, 19)
    assert [done for done, _ in calls] == list(range(1, 20))


def _practices(count: int) -> None:
    clinic = ClinicFactory()
    for _ in range(count):
        patient = PatientFactory(listed_practice=OrganisationFactory())
        snapshot(patient, MAY, 80)
        CourseFactory(patient=patient, clinic=clinic, start_date=MAY)


def _queries(count: int) -> int:
    _practices(count)
    with CaptureQueriesContext(connection) as queries:
        compute_measures(MAY)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_practices(db):
    two = _queries(2)
    assert (
        MeasureFigure.objects.filter(level="practice").values("organisation").distinct().count()
        == 2
    )
    six = _queries(4)  # 2 + 4 = 6 practices
    assert (
        MeasureFigure.objects.filter(level="practice").values("organisation").distinct().count()
        == 6
    )
    assert six == two


def test_the_command_computes_a_month_and_refuses_a_bad_one(region):
    MeasureFigure.objects.all().delete()
    call_command("compute_measures", "--month", "2026-05")
    assert MeasureFigure.objects.filter(month=MAY).exists()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("compute_measures", "--month", "May")


def test_advice_and_referrals_count_for_the_practice_the_clinic_and_the_centre(
    practice, other_practice, clinic, gp, clinic_doctor
):
    built = build_region(practice, other_practice, clinic)
    centre = OrganisationFactory(kind=Organisation.Kind.PAIN_CENTRE, provider_number="")
    zone = datetime.timezone(datetime.timedelta(hours=2))
    with time_machine.travel(datetime.datetime(2026, 5, 12, 10, tzinfo=zone), tick=False):
        advice = answered(gp, clinic_doctor, patient=built["a"][0], clinic=clinic)
        sent(gp, built["a"][1], centre)
        sent(gp, built["a"][2], centre)
    compute_measures(MAY)
    assert value("advice_requests", "practice", practice) == Decimal(1)
    assert value("advice_requests", "clinic", clinic) == Decimal(1)
    advice.refresh_from_db()
    assert advice.response_working_days is not None
    assert value("advice_response_days", "clinic", clinic) == Decimal(advice.response_working_days)
    assert value("centre_referrals", "practice", practice) == Decimal(2)
    assert value("centre_referrals", "centre", centre) == Decimal(2)
    assert value("centre_referrals", "region") == Decimal(2)
