"""The database as `domain.measures.Fact`s: one person or event each, for one month.

Each measure reads its rows in one query for the whole region (never one per practice), so
the number of queries of a month does not grow with the number of practices; the rows the
measures share (listed patients, OMEQ at the month's end) are read once (`MonthData`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from domain.calendar_months import add_calendar_months
from domain.measures import Fact, Level, Measure
from smertespor.accounts.models import Organisation
from smertespor.advice.models import AdviceRequest, Outcome
from smertespor.centres.models import Appointment, AppointmentState
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.selectors import current_catalogue
from smertespor.patients.models import Patient
from smertespor.referrals.models import Event, Referral, TriageTask
from smertespor.teaching.models import Registration
from smertespor.tracks.models import Course, FollowUp, Handover, Status, Track

ZERO, ONE = Decimal(0), Decimal(1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, add_calendar_months(first, 1) - datetime.timedelta(days=1)


def _moments(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    """The month as [start, end) moments in the region's time zone."""
    zone = timezone.get_current_timezone()
    after = last + datetime.timedelta(days=1)
    return (
        datetime.datetime.combine(first, datetime.time(), zone),
        datetime.datetime.combine(after, datetime.time(), zone),
    )


@dataclass
class MonthData:
    """What several measures share, each read once."""

    month: datetime.date
    first: datetime.date = field(init=False)
    last: datetime.date = field(init=False)

    def __post_init__(self) -> None:
        self.first, self.last = month_bounds(self.month)

    @cached_property
    def moments(self) -> tuple[datetime.datetime, ...]:
        return _moments(self.first, self.last)

    @cached_property
    def organisations(self) -> dict[int, tuple[int, str]]:
        """Each organisation's region and kind."""
        rows = Organisation.objects.order_by().values_list("pk", "region_id", "kind")
        return {pk: (region, kind) for pk, region, kind in rows}

    @cached_property
    def listed(self) -> list[tuple[str, int]]:
        """(patient id, listed practice) for every patient (the listing as it is now)."""
        rows = Patient.objects.order_by().values_list("pk", "listed_practice_id")
        return [(str(pk), practice) for pk, practice in rows]

    @cached_property
    def practice_of(self) -> dict[str, int]:
        return dict(self.listed)

    @cached_property
    def omeq(self) -> dict[str, Decimal]:
        """Each patient on opioids at the month's end: the newest computable snapshot's OMEQ
        (PRN included) recorded by then, when it is above 0."""
        newest = OmeqSnapshot.objects.filter(
            patient_id=OuterRef("patient_id"), recorded_on__lte=self.last
        ).order_by("-recorded_on", "-recorded_at", "-pk")
        rows = (
            OmeqSnapshot.objects.filter(pk=Subquery(newest.values("pk")[:1]))
            .filter(is_computable=True, max_mg_per_day__gt=0)
            .order_by()
            .values_list("patient_id", "max_mg_per_day")
        )
        return {str(patient): dose for patient, dose in rows if dose is not None}

    def region_of(self, organisation_id: int) -> int:
        return self.organisations[organisation_id][0]

    def is_kind(self, organisation_id: int | None, kind: str) -> bool:
        return organisation_id is not None and self.organisations[organisation_id][1] == kind

    def practice_fact(self, patient: str, **values: Any) -> Fact:
        practice = self.practice_of[patient]
        return Fact(
            region=self.region_of(practice),
            units=((Level.PRACTICE, practice),),
            subject=patient,
            **values,
        )


def _flag(condition: bool) -> Decimal:
    return ONE if condition else ZERO


def opioid_patients(measure: Measure, data: MonthData) -> Iterator[Fact]:
    for patient, _practice in data.listed:
        yield data.practice_fact(patient, numerator=_flag(patient in data.omeq))


def omeq_threshold(measure: Measure, data: MonthData) -> Iterator[Fact]:
    threshold = Decimal(measure.threshold_mg_per_day or 0)
    for patient, dose in data.omeq.items():
        if patient in data.practice_of:
            yield data.practice_fact(patient, numerator=_flag(dose >= threshold))


def omeq_per_1000(measure: Measure, data: MonthData) -> Iterator[Fact]:
    for patient, _practice in data.listed:
        yield data.practice_fact(patient, numerator=data.omeq.get(patient, ZERO))


def comedication(measure: Measure, data: MonthData) -> Iterator[Fact]:
    atc = {product.id: product.atc for product in current_catalogue()}
    lines = (
        MedicationLine.objects.filter(start_date__lte=data.last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=data.last))
        .order_by()
        .values_list("patient_id", "product_id")
    )
    with_comedication = {
        str(patient)
        for patient, product in lines
        if atc.get(product, "").startswith(measure.atc_prefixes)
    }
    for patient in data.omeq:
        if patient in data.practice_of:
            yield data.practice_fact(patient, numerator=_flag(patient in with_comedication))


def _open_at_end(data: MonthData) -> Q:
    return Q(start_date__lte=data.last) & (Q(closed_on__isnull=True) | Q(closed_on__gt=data.last))


def practice_track_patients(measure: Measure, data: MonthData) -> Iterator[Fact]:
    in_track = {
        str(p)
        for p in Course.objects.filter(_open_at_end(data), track=Track.PRACTICE)
        .order_by()
        .values_list("patient_id", flat=True)
    }
    for patient, _practice in data.listed:
        yield data.practice_fact(patient, numerator=_flag(patient in in_track))


def _course_fact(data: MonthData, row: Mapping[str, Any], **values: Any) -> Fact:
    practice, clinic = row["responsible_organisation_id"], row["clinic_id"]
    units = [(Level.CLINIC, clinic)]
    if data.is_kind(practice, Organisation.Kind.GP_PRACTICE):
        units.append((Level.PRACTICE, practice))
    return Fact(
        region=data.region_of(practice),
        units=tuple(units),
        subject=str(row["patient_id"]),
        **values,
    )


def success_within(measure: Measure, data: MonthData) -> Iterator[Fact]:
    months = measure.months or 3
    cohort_last = add_calendar_months(data.last, -months)
    cohort_first = add_calendar_months(data.first, -months - 12)
    rows = (
        Course.objects.filter(
            track=Track.PRACTICE, start_date__gte=cohort_first, start_date__lte=cohort_last
        )
        .order_by()
        .values(
            "patient_id",
            "responsible_organisation_id",
            "clinic_id",
            "start_date",
            "status",
            "closed_on",
        )
    )
    for row in rows:
        closed_on = row["closed_on"]
        succeeded = (
            row["status"] == Status.SUCCEEDED
            and closed_on is not None
            and closed_on <= add_calendar_months(row["start_date"], months)
        )
        yield _course_fact(data, row, numerator=_flag(succeeded))


def omeq_reduction(measure: Measure, data: MonthData) -> Iterator[Fact]:
    courses = {
        row["pk"]: row
        for row in Course.objects.filter(
            _open_at_end(data), track=Track.PRACTICE, baseline_omeq_mg_per_day__gt=0
        )
        .order_by()
        .values(
            "pk",
            "patient_id",
            "responsible_organisation_id",
            "clinic_id",
            "baseline_omeq_mg_per_day",
        )
    }
    latest: dict[int, Decimal] = {}
    visits = (
        FollowUp.objects.filter(
            visit_on__lte=data.last,
            course__track=Track.PRACTICE,
            course__start_date__lte=data.last,
            course__baseline_omeq_mg_per_day__gt=0,
        )
        .filter(Q(course__closed_on__isnull=True) | Q(course__closed_on__gt=data.last))
        .order_by("course_id", "visit_on", "pk")
        .values_list("course_id", "omeq_mg_per_day")
    )
    for course_id, dose in visits:
        latest[course_id] = dose
    for course_id, dose in latest.items():
        row = courses.get(course_id)
        if row is None:
            continue
        baseline = row["baseline_omeq_mg_per_day"]
        reduction = (baseline - dose) / baseline * 100
        yield _course_fact(data, row, numerator=ONE, sample=reduction)


def handovers(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = (
        Handover.objects.filter(proposed_at__gte=start, proposed_at__lt=end)
        .order_by()
        .values("course__patient_id", "course__responsible_organisation_id", "clinic_id")
    )
    for row in rows:
        course_row = {
            "patient_id": row["course__patient_id"],
            "responsible_organisation_id": row["course__responsible_organisation_id"],
            "clinic_id": row["clinic_id"],
        }
        yield _course_fact(data, course_row, numerator=ONE)


def _advice_fact(data: MonthData, row: dict[str, Any], **values: Any) -> Fact:
    practice, clinic = row["practice_id"], row["clinic_id"]
    units = [(Level.CLINIC, clinic)]
    if data.is_kind(practice, Organisation.Kind.GP_PRACTICE):
        units.append((Level.PRACTICE, practice))
    patient = row["patient_id"]
    return Fact(
        region=data.region_of(clinic),
        units=tuple(units),
        subject=str(patient) if patient else "",
        **values,
    )


ADVICE_FIELDS = ("practice_id", "clinic_id", "patient_id")


def advice_requests(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = AdviceRequest.objects.filter(asked_at__gte=start, asked_at__lt=end).order_by()
    for row in rows.values(*ADVICE_FIELDS):
        yield _advice_fact(data, row, numerator=ONE)


def advice_response_days(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = AdviceRequest.objects.filter(
        first_response_at__gte=start,
        first_response_at__lt=end,
        response_working_days__isnull=False,
    ).order_by()
    for row in rows.values(*ADVICE_FIELDS, "response_working_days"):
        days = Decimal(row["response_working_days"])
        yield _advice_fact(data, row, numerator=ONE, sample=days)


def advice_settled(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = (
        AdviceRequest.objects.filter(closed_at__gte=start, closed_at__lt=end)
        .exclude(outcome="")
        .order_by()
    )
    for row in rows.values(*ADVICE_FIELDS, "outcome"):
        settled = row["outcome"] == Outcome.ADVICE_SUFFICIENT
        yield _advice_fact(data, row, numerator=_flag(settled))


def _teaching(data: MonthData) -> list[tuple[int, int]]:
    start, end = data.moments
    rows = (
        Registration.objects.filter(
            attended=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
            organisation__kind=Organisation.Kind.GP_PRACTICE,
        )
        .order_by()
        .values_list("organisation_id", "session__duration_minutes")
    )
    return list(rows)


def teaching_attendance(measure: Measure, data: MonthData) -> Iterator[Fact]:
    for practice, _minutes in _teaching(data):
        yield Fact(
            region=data.region_of(practice),
            units=((Level.PRACTICE, practice),),
            numerator=ONE,
        )


def teaching_hours(measure: Measure, data: MonthData) -> Iterator[Fact]:
    for practice, minutes in _teaching(data):
        yield Fact(
            region=data.region_of(practice),
            units=((Level.PRACTICE, practice),),
            numerator=Decimal(minutes) / 60,
        )


def _referral_fact(data: MonthData, row: dict[str, Any], **values: Any) -> Fact:
    practice, recipient = row["practice_id"], row["recipient_id"]
    units = []
    if data.is_kind(practice, Organisation.Kind.GP_PRACTICE):
        units.append((Level.PRACTICE, practice))
    if data.is_kind(recipient, Organisation.Kind.PAIN_CENTRE):
        units.append((Level.CENTRE, recipient))
    return Fact(
        region=data.region_of(practice),
        units=tuple(units),
        subject=str(row["patient_id"]),
        **values,
    )


REFERRAL_FIELDS = ("practice_id", "recipient_id", "patient_id")


def centre_referrals(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end).order_by()
    for row in rows.values(*REFERRAL_FIELDS):
        yield _referral_fact(data, row, numerator=ONE)


def referrals_accepted(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = TriageTask.objects.filter(
        at__gte=start, at__lt=end, event__in=[Event.ACCEPT, Event.REJECT]
    ).order_by()
    fields = {f"referral__{name}": name for name in REFERRAL_FIELDS}
    for task in rows.values("event", *fields):
        row = {name: task[key] for key, name in fields.items()}
        yield _referral_fact(data, row, numerator=_flag(task["event"] == Event.ACCEPT))


def referral_wait_days(measure: Measure, data: MonthData) -> Iterator[Fact]:
    start, end = data.moments
    rows = Referral.objects.filter(
        first_appointment_at__gte=start, first_appointment_at__lt=end, sent_at__isnull=False
    ).order_by()
    zone = timezone.get_current_timezone()
    for row in rows.values(*REFERRAL_FIELDS, "sent_at", "first_appointment_at"):
        days = (
            row["first_appointment_at"].astimezone(zone).date()
            - row["sent_at"].astimezone(zone).date()
        ).days
        if days < 0:  # an appointment before the sending: not a wait (a data error)
            continue
        yield _referral_fact(data, row, numerator=ONE, sample=Decimal(days))


def contacts_per_patient_year(measure: Measure, data: MonthData) -> Iterator[Fact]:
    window_first = add_calendar_months(data.first, -11)
    start, end = _moments(window_first, data.last)
    patients = {
        str(p)
        for p in Course.objects.filter(start_date__lte=data.last)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=window_first))
        .order_by()
        .values_list("patient_id", flat=True)
    }
    contacts: dict[str, int] = defaultdict(int)
    visits = FollowUp.objects.filter(visit_on__gte=window_first, visit_on__lte=data.last)
    for p in visits.order_by().values_list("course__patient_id", flat=True):
        contacts[str(p)] += 1
    advice = AdviceRequest.objects.filter(
        asked_at__gte=start, asked_at__lt=end, patient_id__isnull=False
    )
    for p in advice.order_by().values_list("patient_id", flat=True):
        contacts[str(p)] += 1
    appointments = Appointment.objects.filter(
        starts_at__gte=start, starts_at__lt=end, status=AppointmentState.ATTENDED
    )
    for p in appointments.order_by().values_list("course__patient_id", flat=True):
        contacts[str(p)] += 1
    for patient in sorted(patients):
        if patient in data.practice_of:
            yield data.practice_fact(patient, numerator=Decimal(contacts.get(patient, 0)))


FactSource = Callable[[Measure, MonthData], Iterator[Fact]]

SOURCES: dict[str, FactSource] = {
    "opioid_patients": opioid_patients,
    "omeq_50": omeq_threshold,
    "omeq_100": omeq_threshold,
    "omeq_per_1000": omeq_per_1000,
    "comedication": comedication,
    "practice_track_patients": practice_track_patients,
    "success_3_months": success_within,
    "success_12_months": success_within,
    "omeq_reduction": omeq_reduction,
    "handovers": handovers,
    "advice_requests": advice_requests,
    "advice_response_days": advice_response_days,
    "advice_settled": advice_settled,
    "teaching_attendance": teaching_attendance,
    "teaching_hours": teaching_hours,
    "centre_referrals": centre_referrals,
    "referrals_accepted": referrals_accepted,
    "referral_wait_days": referral_wait_days,
    "contacts_per_patient_year": contacts_per_patient_year,
}
