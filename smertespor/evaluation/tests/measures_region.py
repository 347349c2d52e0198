"""A hand-built region whose measures for May 2026 are worked out by hand in the tests."""

import datetime
from decimal import Decimal

from django.utils import timezone

from smertespor.medication.models import OmeqSnapshot
from smertespor.medication.table_selectors import active_table_version
from smertespor.medication.tests.factories import MedicationLineFactory
from smertespor.patients.models import Patient
from smertespor.tracks.models import Status
from smertespor.tracks.tests.factories import CourseFactory, FollowUpFactory, HandoverFactory
from tests.factories import PatientFactory

MAY = datetime.date(2026, 5, 1)


def snapshot(patient, day: datetime.date, dose: int) -> OmeqSnapshot:
    version = active_table_version()
    moment = datetime.datetime.combine(day, datetime.time(12), timezone.get_current_timezone())
    return OmeqSnapshot.objects.create(
        patient=patient,
        recorded_at=moment,
        recorded_on=day,
        conversion_table=version,
        table_id=version.table_id,
        table_version=version.version,
        scheduled_mg_per_day=Decimal(dose),
        max_mg_per_day=Decimal(dose),
    )


def build_region(practice, other_practice, clinic) -> dict[str, list[Patient]]:
    """Practice A (``practice``): five patients, three on opioids (120, 60 and 20 mg),
    one at 0 mg, one never measured; the 120 mg patient also takes diazepam. Practice B:
    two patients, one on 50 mg. Courses: A's 120 mg patient succeeded within 3 months, A's
    60 mg patient is tapering (60 -> 30 mg at the last visit in May); B's patient was
    handed over in May."""
    day = datetime.date(2026, 5, 10)
    a = [PatientFactory.create(listed_practice=practice) for _ in range(5)]
    b = [PatientFactory.create(listed_practice=other_practice) for _ in range(2)]
    for patient, dose in zip(a[:4], (120, 60, 20, 0), strict=True):
        snapshot(patient, day, dose)
    snapshot(a[2], datetime.date(2026, 6, 2), 200)  # after May: not counted for May
    snapshot(b[0], day, 50)
    MedicationLineFactory(
        patient=a[0], product_id="diazepam-tablet", strength=Decimal(5), start_date=day
    )
    MedicationLineFactory(
        patient=a[1],
        product_id="diazepam-tablet",
        strength=Decimal(5),
        start_date=datetime.date(2026, 1, 1),
        ended_on=datetime.date(2026, 4, 1),
    )
    CourseFactory(
        patient=a[0],
        clinic=clinic,
        start_date=datetime.date(2026, 1, 10),
        status=Status.SUCCEEDED,
        closed_on=datetime.date(2026, 3, 20),
    )
    tapering = CourseFactory(
        patient=a[1],
        clinic=clinic,
        start_date=datetime.date(2026, 2, 5),
        baseline_omeq_mg_per_day=Decimal(60),
    )
    for visit, dose in (((3, 1), 45), ((5, 20), 30), ((6, 10), 15)):
        FollowUpFactory(
            course=tapering, visit_on=datetime.date(2026, *visit), omeq_mg_per_day=Decimal(dose)
        )
    handed_over = CourseFactory(
        patient=b[0],
        clinic=clinic,
        start_date=datetime.date(2026, 4, 1),
        status=Status.HANDOVER_PROPOSED,
    )
    HandoverFactory(
        course=handed_over,
        proposed_at=datetime.datetime(2026, 5, 15, 9, tzinfo=timezone.get_current_timezone()),
    )
    return {"a": a, "b": b}
