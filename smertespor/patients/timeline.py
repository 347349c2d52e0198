"""The patient's thread: one timeline, newest first, of what happened in every app.

Each source reads through its app's selectors (never another app's models) in one query,
so the timeline costs the same number of queries whatever its length. The caller loaded
the patient through `patients.access` (which applied the role rules and wrote the audit
row); here each app's own rule decides what the reader sees of it: advice and referrals
only for the organisations that take part, a pain centre's course for its staff and its
discharge summary for the practice it was sent to. No free text is shown (notes,
reasons, letters): an entry names what happened and links to the page that shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from domain.omeq import display_mg
from domain.scores import peg_score
from smertespor.accounts.models import Requester, User
from smertespor.entry.numbers import for_people
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records


class EntryKind(StrEnum):
    MEDICATION = "medication"
    OMEQ = "omeq"
    PLAN = "plan"
    VISIT = "visit"
    ADVICE = "advice"
    COURSE = "course"
    REFERRAL = "referral"
    PATHWAY = "pathway"


KIND_LABELS = {
    EntryKind.MEDICATION: gettext_lazy("Medication"),
    EntryKind.OMEQ: gettext_lazy("OMEQ"),
    EntryKind.PLAN: gettext_lazy("Taper plan"),
    EntryKind.VISIT: gettext_lazy("Visits"),
    EntryKind.ADVICE: gettext_lazy("Advice"),
    EntryKind.COURSE: gettext_lazy("Courses"),
    EntryKind.REFERRAL: gettext_lazy("Referrals and pain centre"),
    EntryKind.PATHWAY: gettext_lazy("Low back pain pathway"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the patient, as the timeline shows it."""

    kind: EntryKind
    occurred_at: datetime  # aware; a day without a time is its local midnight
    has_time: bool  # False: only the day is known (a visit, a step)
    title: str
    detail: str
    url: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def day(self) -> date:
        return timezone.localdate(self.occurred_at)


def kind_of(value: object) -> EntryKind | None:
    """The kind a filter asked for; None (every kind) for anything else."""
    return next((kind for kind in EntryKind if kind.value == value), None)


def _on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _mg(value: Decimal | None) -> str:
    return "—" if value is None else _("%(mg)s mg/day") % {"mg": for_people(display_mg(value))}


# --- each app's part -------------------------------------------------------------------------


def _medication(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.medication.selectors import catalogue_for_page, medication_history

    products = {product.id: product for product in catalogue_for_page(patient)}
    url = reverse("medication:line_history", args=[patient.pk])
    for version in medication_history(patient):
        if version.history_type == "+":
            title = _("Medication started")
        elif version.history_type == "-":
            title = _("Medication deleted")
        elif version.ended_on is not None:
            title = _("Medication ended")
        else:
            title = _("Medication changed")
        found = products.get(version.product_id)
        product = (
            f"{found.name} {for_people(version.strength)} {found.unit}"
            if found is not None
            else f"{version.product_id} {for_people(version.strength)}"
        )
        if version.prn:
            dose = _("%(units)s as needed, at most %(count)s a day") % {
                "units": for_people(version.units_per_dose),
                "count": for_people(version.max_doses_per_day),
            }
        else:
            dose = f"{for_people(version.units_per_dose)} × {for_people(version.doses_per_day)}"
        detail = f"{product}: {dose}"
        yield TimelineEntry(EntryKind.MEDICATION, version.history_date, True, title, detail, url)


def _omeq(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.medication.selectors import omeq_snapshots_shown

    url = reverse("medication:patient", args=[patient.pk])
    previous: Decimal | None = None
    entries = []
    for snapshot in omeq_snapshots_shown(patient):  # oldest first: each is compared with the last
        value = snapshot.max_mg_per_day if snapshot.is_computable else None
        if value is not None and value == previous:
            continue
        if value is None:
            detail = _("Cannot be computed from the medication list")
        elif previous is None:
            detail = _mg(value)
        else:
            detail = _("%(old)s → %(new)s") % {"old": _mg(previous), "new": _mg(value)}
        previous = value
        entries.append(
            TimelineEntry(
                EntryKind.OMEQ, snapshot.recorded_at, True, _("OMEQ changed"), detail, url
            )
        )
    return entries


def _plans(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.tapering.selectors import plan_events_of_patient

    if not has_records(patient, "taper_plans"):
        return
    for event in plan_events_of_patient(patient):
        plan = event.plan
        url = reverse("tapering:plan_detail", args=[patient.pk, plan.pk])
        if not event.from_status:
            title = _("Taper plan made")
        else:
            title = _("Taper plan: %(status)s") % {"status": event.get_to_status_display()}
        detail = _("%(plan)s, from %(start)s to %(end)s") % {
            "plan": _("version %(number)s") % {"number": plan.version_number},
            "start": _mg(plan.baseline_omeq_mg_per_day),
            "end": _mg(plan.final_omeq_mg_per_day),
        }
        yield TimelineEntry(EntryKind.PLAN, event.occurred_at, True, title, detail, url)


def _steps(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.tapering.selectors import steps_of_patient

    if not has_records(patient, "taper_plans"):
        return
    today = timezone.localdate()
    for step in steps_of_patient(patient):
        # A plan that never took effect (a draft) has no steps to show; nor has the future.
        if step.start_date > today or step.plan.status == "draft":
            continue
        yield TimelineEntry(
            EntryKind.PLAN,
            _on(step.start_date),
            False,
            _("Taper step %(number)s begins") % {"number": step.number},
            _("Expected OMEQ %(mg)s (%(percent)s %% of the start)")
            % {"mg": _mg(step.omeq_mg_per_day), "percent": for_people(step.percent_of_start)},
            reverse("tapering:plan_detail", args=[patient.pk, step.plan_id]),
        )


def _visits(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.tracks.selectors import follow_ups_of_patient

    if not has_records(patient, "courses"):
        return
    for visit in follow_ups_of_patient(patient):
        scores = [_("OMEQ %(mg)s") % {"mg": _mg(visit.omeq_mg_per_day)}]
        pain, enjoyment, activity = visit.peg_pain, visit.peg_enjoyment, visit.peg_activity
        if pain is not None and enjoyment is not None and activity is not None:
            peg = peg_score(pain, enjoyment, activity)
            scores.append(_("PEG %(score)s") % {"score": for_people(peg)})
        if visit.nrs is not None:
            scores.append(_("NRS %(score)s") % {"score": visit.nrs})
        if visit.sows_total is not None:
            scores.append(_("SOWS %(score)s") % {"score": visit.sows_total})
        if visit.cows_total is not None:
            scores.append(_("COWS %(score)s") % {"score": visit.cows_total})
        yield TimelineEntry(
            EntryKind.VISIT,
            _on(visit.visit_on),
            False,
            _("Follow-up visit"),
            " · ".join(scores),
            reverse("tracks:course_detail", args=[patient.pk, visit.course_id]),
        )


# Course events shown elsewhere on the timeline (a visit is shown with its scores).
_COURSE_EVENTS_SHOWN_ELSEWHERE = frozenset({"follow_up"})
# Events whose page is the handover letter (the rule's proposal has none until confirmed).
_HANDOVER_EVENTS = frozenset({"hand_over_early", "confirm_handover", "handover_updated"})


def _courses(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.tracks.selectors import timeline_events_shown

    for event in timeline_events_shown(patient):
        if event.kind in _COURSE_EVENTS_SHOWN_ELSEWHERE:
            continue
        course = event.course
        name = "tracks:handover" if event.kind in _HANDOVER_EVENTS else "tracks:course_detail"
        detail = course.get_track_display()
        if event.to_status:
            detail = f"{detail}: {event.get_to_status_display()}"
        yield TimelineEntry(
            EntryKind.COURSE,
            event.occurred_at,
            True,
            event.get_kind_display(),
            detail,
            reverse(name, args=[patient.pk, course.pk]),
        )


def _advice(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.advice.permissions import can_use_advice
    from smertespor.advice.selectors import advice_requests_shown, answers_of_patient

    if not can_use_advice(user) or not has_records(patient, "advice_requests"):
        return
    for request in advice_requests_shown(user, patient):
        yield TimelineEntry(
            EntryKind.ADVICE,
            request.asked_at,
            True,
            _("Advice requested from %(clinic)s") % {"clinic": request.clinic.name},
            request.subject,
            reverse("advice:detail", args=[request.pk]),
        )
    for answer in answers_of_patient(user, patient):
        yield TimelineEntry(
            EntryKind.ADVICE,
            answer.created_at,
            True,
            _("Advice answered"),
            answer.request.subject,
            reverse("advice:detail", args=[answer.request_id]),
        )


def _referrals(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.referrals.permissions import can_use_referrals
    from smertespor.referrals.selectors import referrals_shown

    if not can_use_referrals(user):
        return
    for referral in referrals_shown(user, patient):
        sent = referral.sent_at is not None
        yield TimelineEntry(
            EntryKind.REFERRAL,
            referral.sent_at or referral.created_at,
            True,
            _("Referred to %(recipient)s") % {"recipient": referral.recipient.name}
            if sent
            else _("Referral drafted to %(recipient)s") % {"recipient": referral.recipient.name},
            referral.get_status_display(),
            reverse("referrals:detail", args=[referral.pk]),
        )


def _centres(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.centres.permissions import is_centre_staff
    from smertespor.centres.selectors import courses_of_patient, summaries_for_patient

    if not isinstance(user, User) or not has_records(patient, "centre_courses"):
        return
    if is_centre_staff(user):
        for course in courses_of_patient(patient, user.organisation_id):
            yield TimelineEntry(
                EntryKind.REFERRAL,
                course.created_at,
                True,
                _("Pain centre course planned"),
                course.get_status_display(),
                reverse("centres:course_detail", args=[patient.pk, course.pk]),
            )
    for summary in summaries_for_patient(patient, user):
        yield TimelineEntry(
            EntryKind.REFERRAL,
            summary.sent_at,
            True,
            _("Pain centre discharge summary from %(centre)s")
            % {"centre": summary.course.centre.name},
            summary.course.get_status_display(),
            reverse("centres:summary", args=[patient.pk, summary.course_id]),
        )


def _hospital_contacts(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    """A hospital department's admissions and outpatient courses, for that department's staff."""
    from smertespor.departments.selectors import contacts_of_patient

    url = reverse("departments:contacts")
    for contact in contacts_of_patient(user, patient):
        names = {"department": contact.department.name}
        admission = contact.kind == contact.Kind.ADMISSION
        yield TimelineEntry(
            EntryKind.COURSE,
            _on(contact.started_on),
            False,
            (
                _("Admitted to %(department)s")
                if admission
                else _("Outpatient course at %(department)s")
            )
            % names,
            pgettext("contact", "Open") if contact.ended_on is None else "",
            url,
        )
        if contact.ended_on is not None:
            yield TimelineEntry(
                EntryKind.COURSE,
                _on(contact.ended_on),
                False,
                (
                    _("Discharged from %(department)s")
                    if admission
                    else _("Outpatient course at %(department)s ended")
                )
                % names,
                "",
                url,
            )


def _pathway(user: Requester, patient: Patient) -> Iterable[TimelineEntry]:
    from smertespor.pathways.selectors import enrolments_of

    if not has_records(patient, "pathways"):
        return
    url = reverse("pathways:patient", args=[patient.pk])
    for enrolment in enrolments_of(patient):
        yield TimelineEntry(
            EntryKind.PATHWAY,
            enrolment.enrolled_at,
            True,
            _("Enrolled in the low back pain pathway"),
            enrolment.get_status_display(),
            url,
        )


Source = Callable[[Requester, Patient], Iterable[TimelineEntry]]
SOURCES: Sequence[tuple[EntryKind, Source]] = (
    (EntryKind.MEDICATION, _medication),
    (EntryKind.OMEQ, _omeq),
    (EntryKind.PLAN, _plans),
    (EntryKind.PLAN, _steps),
    (EntryKind.VISIT, _visits),
    (EntryKind.ADVICE, _advice),
    (EntryKind.COURSE, _courses),
    (EntryKind.COURSE, _hospital_contacts),
    (EntryKind.REFERRAL, _referrals),
    (EntryKind.REFERRAL, _centres),
    (EntryKind.PATHWAY, _pathway),
)


def patient_timeline(
    user: Requester, patient: Patient, *, kind: EntryKind | None = None
) -> list[TimelineEntry]:
    """What happened to ``patient`` that ``user`` may see, newest first (of one kind if
    given). ``patient`` was loaded through `patients.access` by the caller."""
    entries: list[TimelineEntry] = []
    for source_kind, source in SOURCES:
        if kind is None or kind == source_kind:
            entries.extend(source(user, patient))
    entries.sort(key=_newest_first)
    return entries


def _newest_first(entry: TimelineEntry) -> tuple[Any, ...]:
    # A day without a time (a visit) sorts after the day's timed events.
    return (-entry.occurred_at.timestamp(), entry.has_time is False, entry.kind.value)
