"""The home page ("I dag"): each role's work of today, composed from the apps' selectors.

Every section is a count and its first few rows, each one query whatever the number of
patients (the apps' selectors join what a row shows). A role sees only its own scope: the
selectors filter by the user's organisation and `patients.access.in_scope`; planners and
administrators get figures and configuration work, never a patient. The page and the API
call `home_for`, which logs one search row and one "listed" row per patient shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smertespor.accounts.models import User
from smertespor.accounts.permissions import (
    can_administer_users,
    can_see_aggregates,
    can_see_patient_data,
)
from smertespor.accounts.selectors import locked_logins, pending_role_change_requests
from smertespor.advice.permissions import can_ask_for_advice, is_advice_clinician
from smertespor.advice.selectors import advice_answered, advice_due_by
from smertespor.audit.services import AuditAction, record_event, record_listed
from smertespor.centres.permissions import is_centre_staff
from smertespor.centres.selectors import (
    centre_appointments_between,
    courses_ready_to_discharge,
    unacknowledged_summaries,
)
from smertespor.entry.numbers import for_people
from smertespor.evaluation.measures_pages import overview_rows
from smertespor.evaluation.measures_permissions import can_see_measure_dashboards
from smertespor.evaluation.measures_selectors import months
from smertespor.medication.permissions import can_sign_off_conversion_tables
from smertespor.medication.selectors import at_or_above_high_dose
from smertespor.medication.table_selectors import tables_awaiting_sign_off
from smertespor.patients.selectors import patient_count, practice_patients
from smertespor.referrals.models import Status as ReferralStatus
from smertespor.referrals.permissions import is_recipient_staff, is_referring_practice_staff
from smertespor.referrals.selectors import practice_news, referrals_for
from smertespor.tapering.selectors import without_plan_in_force
from smertespor.tracks.permissions import (
    can_discharge,
    can_see_clinic_worklist,
    can_see_practice_worklist,
)
from smertespor.tracks.worklists import (
    appointments_on,
    courses_ready_to_complete,
    day_of,
    discharge_summaries_received,
    follow_ups_due,
    handover_proposals,
    handovers_to_triage,
)

LIMIT = 5  # rows shown per section; the count and "see all" tell the rest

SECTION_KEYS = (
    "visits",
    "proposals",
    "answered_advice",
    "referrals",
    "discharge_summaries",
    "high_dose",
    "triage",
    "advice_due",
    "appointments",
    "ready_to_discharge",
    "figures",
    "tables",
    "locked_accounts",
    "role_requests",
)


@dataclass(frozen=True)
class Item:
    """One row: what it is, a short note, and the page where the work is done."""

    label: str
    url: str
    note: str = ""
    on: date | None = None
    at: datetime | None = None
    overdue: bool = False
    patient_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    empty: str
    count: int
    items: list[Item]
    more_url: str = ""
    more_label: str = ""


@dataclass(frozen=True)
class Home:
    today: date
    sections: list[Section] = field(default_factory=list)

    @property
    def patient_ids(self) -> list[uuid.UUID]:
        return [
            item.patient_id
            for section in self.sections
            for item in section.items
            if item.patient_id is not None
        ]


def _rows(queryset: QuerySet[Any], build: Callable[[Any], Item]) -> tuple[int, list[Item]]:
    """The count and the first `LIMIT` rows as items: two queries."""
    return queryset.count(), [build(row) for row in queryset[:LIMIT]]


def _merged(*parts: tuple[int, list[Item]], newest_first: bool = False) -> tuple[int, list[Item]]:
    """Sections fed by two apps (a pain clinic's handovers and referrals): one list by date."""
    count = sum(part[0] for part in parts)
    items = [item for part in parts for item in part[1]]

    def moment(item: Item) -> tuple[date, datetime]:
        when = item.at or timezone.now()
        return (item.on or timezone.localdate(when), when)

    items.sort(key=moment, reverse=newest_first)
    return count, items[:LIMIT]


def _days_overdue(due: date | None, today: date) -> tuple[str, bool]:
    if due is None:
        return "", False
    late = (today - due).days
    if late > 0:
        return ngettext("%(days)s day overdue", "%(days)s days overdue", late) % {
            "days": late
        }, True
    if late == 0:
        return _("Due today"), False
    return _("Due soon"), False


def _with_query(name: str, args: Iterable[Any] = (), **query: str) -> str:
    url = reverse(name, args=list(args))
    return f"{url}?{urlencode(query)}" if query else url


def _patient_name(row: Any) -> str:
    return row.patient.name if getattr(row, "patient_visible", True) and row.patient else ""


# --- General practice ------------------------------------------------------------------


def _visits(user: User, today: date) -> Section:
    def build(course: Any) -> Item:
        note, overdue = _days_overdue(course.next_follow_up_on, today)
        return Item(
            label=course.patient.name,
            url=reverse("tracks:follow_up_create", args=[course.patient_id, course.pk]),
            note=note,
            on=course.next_follow_up_on,
            overdue=overdue,
            patient_id=course.patient_id,
        )

    count, items = _rows(follow_ups_due(user, today), build)
    return Section(
        "visits",
        _("Visits due and overdue"),
        _("No visits due today"),
        count,
        items,
        _with_query("tracks:practice_worklist", section="due"),
    )


def _proposals(user: User) -> Section:
    def build(review: Any) -> Item:
        course = review.course
        return Item(
            label=course.patient.name,
            url=reverse("tracks:proposal", args=[course.patient_id, course.pk]),
            note=_("The 3-month rule proposes a handover: decide"),
            on=timezone.localdate(review.reviewed_at),
            patient_id=course.patient_id,
        )

    count, items = _rows(handover_proposals(user), build)
    return Section(
        "proposals",
        _("Proposals from the 3-month rule"),
        _("No proposals from the 3-month rule today"),
        count,
        items,
        _with_query("tracks:practice_worklist", section="proposals"),
    )


def _answered_advice(user: User) -> Section:
    def build(request: Any) -> Item:
        name = _patient_name(request)
        return Item(
            label=request.subject,
            url=reverse("advice:detail", args=[request.pk]),
            note=" · ".join(part for part in (name, str(request.get_status_display())) if part),
            on=timezone.localdate(request.last_activity_at),
            patient_id=request.patient_id if name else None,
        )

    count, items = _rows(advice_answered(user), build)
    return Section(
        "answered_advice",
        _("Answered advice"),
        _("No answered advice today"),
        count,
        items,
        _with_query("advice:list", show="answered"),
    )


def _referral_news(user: User) -> Section:
    def build(referral: Any) -> Item:
        name = _patient_name(referral)
        waiting = referral.status == ReferralStatus.AWAITING_INFORMATION
        parts = (
            referral.recipient.name,
            str(referral.get_status_display()),
            _("The centre waits for your answer.") if waiting else "",
        )
        return Item(
            label=f"#{referral.pk} {name}".strip(),
            url=reverse("referrals:detail", args=[referral.pk]),
            note=" · ".join(part for part in parts if part),
            on=timezone.localdate(referral.last_step_at) if referral.last_step_at else None,
            overdue=waiting,
            patient_id=referral.patient_id if name else None,
        )

    count, items = _rows(practice_news(user), build)
    return Section(
        "referrals",
        _("Referrals that need you"),
        _("No referrals need you right now."),
        count,
        items,
        reverse("referrals:list"),
    )


def _discharge_summaries(user: User) -> Section:
    def from_clinic(summary: Any) -> Item:
        course = summary.course
        return Item(
            label=course.patient.name,
            url=reverse("tracks:course_detail", args=[course.patient_id, course.pk]),
            note=_("From the pain clinic"),
            on=timezone.localdate(summary.written_at),
            at=summary.written_at,
            patient_id=course.patient_id,
        )

    def from_centre(summary: Any) -> Item:
        course = summary.course
        return Item(
            label=course.patient.name,
            url=reverse("centres:summary", args=[course.patient_id, course.pk]),
            note=_("From %(centre)s") % {"centre": course.centre.name},
            on=timezone.localdate(summary.sent_at),
            at=summary.sent_at,
            patient_id=course.patient_id,
        )

    count, items = _merged(
        _rows(discharge_summaries_received(user), from_clinic),
        _rows(unacknowledged_summaries(user), from_centre),
        newest_first=True,
    )
    return Section(
        "discharge_summaries",
        _("Discharge summaries received"),
        _("No discharge summaries received today"),
        count,
        items,
        _with_query("tracks:practice_worklist", section="discharged"),
    )


def _high_dose(user: User) -> Section:
    def build(patient: Any) -> Item:
        omeq = for_people(patient.latest_omeq_max_mg_per_day, 1)
        return Item(
            label=patient.name,
            url=reverse("tapering:plan_create", args=[patient.pk]),
            note=_("%(omeq)s mg/day OMEQ, no taper plan") % {"omeq": omeq},
            patient_id=patient.pk,
        )

    patients = without_plan_in_force(at_or_above_high_dose(practice_patients(user)))
    count, items = _rows(patients, build)
    return Section(
        "high_dose",
        _("High dose without a taper plan"),
        _("No patients above the high-dose threshold without a taper plan today"),
        count,
        items,
    )


# --- Pain clinic and pain centre --------------------------------------------------------


def _referral_item(referral: Any) -> Item:
    name = _patient_name(referral)
    return Item(
        label=name or _("Referral %(number)s") % {"number": referral.pk},
        url=reverse("referrals:detail", args=[referral.pk]),
        note=_("Referral from %(practice)s") % {"practice": referral.practice.name},
        on=timezone.localdate(referral.sent_at) if referral.sent_at else None,
        at=referral.sent_at,
        patient_id=referral.patient_id if name else None,
    )


def _triage(user: User, *, with_handovers: bool) -> Section:
    def handover(row: Any) -> Item:
        course = row.course
        return Item(
            label=course.patient.name,
            url=reverse("tracks:handover", args=[course.patient_id, course.pk]),
            note=_("Handover from %(practice)s")
            % {"practice": course.responsible_organisation.name},
            on=timezone.localdate(row.proposed_at),
            at=row.proposed_at,
            patient_id=course.patient_id,
        )

    parts = []
    if with_handovers:
        parts.append(_rows(handovers_to_triage(user), handover))
    if is_recipient_staff(user):
        parts.append(_rows(referrals_for(user, show="triage"), _referral_item))
    count, items = _merged(*parts)
    more = (
        _with_query("tracks:clinic_worklist", section="handovers")
        if with_handovers
        else _with_query("referrals:list", show="triage")
    )
    return Section(
        "triage",
        _("New handovers and referrals to triage") if with_handovers else _("Referrals to triage"),
        _("No new handovers or referrals to triage today")
        if with_handovers
        else _("No referrals to triage today"),
        count,
        items,
        more,
    )


def _advice_due(user: User, today: date) -> Section:
    def build(request: Any) -> Item:
        note, overdue = _days_overdue(request.due_on, today)
        name = _patient_name(request)
        return Item(
            label=request.subject,
            url=reverse("advice:detail", args=[request.pk]),
            note=" · ".join(part for part in (note, name, request.practice.name) if part),
            on=request.due_on,
            overdue=overdue,
            patient_id=request.patient_id if name else None,
        )

    count, items = _rows(advice_due_by(user, today), build)
    return Section(
        "advice_due",
        _("Advice due today and overdue"),
        _("No advice due today"),
        count,
        items,
        _with_query("advice:list", show="open", sort="due"),
    )


def _clinic_appointments(user: User, today: date) -> Section:
    def build(appointment: Any) -> Item:
        course = appointment.course
        return Item(
            label=course.patient.name,
            url=reverse("tracks:course_plan", args=[course.patient_id, course.pk]),
            note=" · ".join(
                part
                for part in (
                    str(appointment.get_discipline_display()),
                    str(appointment.clinician) if appointment.clinician else "",
                )
                if part
            ),
            at=appointment.starts_at,
            patient_id=course.patient_id,
        )

    count, items = _rows(appointments_on(user, today), build)
    return Section(
        "appointments",
        _("Today's appointments"),
        _("No appointments today"),
        count,
        items,
        _with_query("tracks:clinic_worklist", section="appointments"),
    )


def _clinic_ready(user: User) -> Section:
    name = "tracks:course_complete" if can_discharge(user) else "tracks:course_detail"

    def build(course: Any) -> Item:
        return Item(
            label=course.patient.name,
            url=reverse(name, args=[course.patient_id, course.pk]),
            note=_("Course plan carried out: write the discharge summary"),
            patient_id=course.patient_id,
        )

    count, items = _rows(courses_ready_to_complete(user), build)
    return Section(
        "ready_to_discharge",
        _("Courses ready to discharge"),
        _("No courses ready to discharge today"),
        count,
        items,
        _with_query("tracks:clinic_worklist", section="active"),
    )


def _centre_appointments(user: User, today: date) -> Section:
    def build(appointment: Any) -> Item:
        course = appointment.course
        return Item(
            label=course.patient.name,
            url=reverse("centres:course_detail", args=[course.patient_id, course.pk]),
            note=str(appointment.clinician),
            at=appointment.starts_at,
            patient_id=course.patient_id,
        )

    count, items = _rows(centre_appointments_between(user, *day_of(today)), build)
    return Section(
        "appointments",
        _("Today's appointments"),
        _("No appointments today"),
        count,
        items,
        reverse("centres:worklist"),
    )


def _centre_ready(user: User) -> Section:
    def build(course: Any) -> Item:
        return Item(
            label=course.patient.name,
            url=reverse("centres:discharge", args=[course.patient_id, course.pk]),
            note=_("Course carried out: write the discharge summary"),
            patient_id=course.patient_id,
        )

    count, items = _rows(courses_ready_to_discharge(user), build)
    return Section(
        "ready_to_discharge",
        _("Courses ready to discharge"),
        _("No courses ready to discharge today"),
        count,
        items,
        reverse("centres:worklist"),
    )


# --- Planners and administrators --------------------------------------------------------


def _figures(user: User) -> Section:
    """The region's key figures: the newest month's measures (suppressed as on the
    dashboard), after the plain counts. Aggregates only."""
    items = [
        Item(
            label=_("Patients registered"),
            url=reverse("overview"),
            note=for_people(patient_count()),
        )
    ]
    region_id = user.organisation.region_id if user.organisation else None
    newest = months(region_id)[:1] if region_id is not None else []
    more_url = reverse("overview")
    if newest and can_see_measure_dashboards(user):
        more_url = reverse("evaluation:measures_region")
        for row in overview_rows(region_id, newest[0]):  # type: ignore[arg-type]
            shown = row.region.value or _("hidden (too few)")
            items.append(
                Item(
                    label=row.title,
                    url=reverse("evaluation:measures_detail", args=[row.measure.code]),
                    note=f"{shown} {row.unit}".strip() if row.region.value else shown,
                    on=newest[0],
                )
            )
    return Section(
        "figures",
        _("The region's key figures"),
        _("No figures for the region today"),
        len(items),
        items,
        more_url,
        _("Open the dashboards"),
    )


def _tables() -> Section:
    def build(version: Any) -> Item:
        return Item(
            label=f"{version.title} ({version.table_id} {version.version})",
            url=reverse("medication:table_detail", args=[version.pk]),
            note=_("Waiting for sign-off"),
            on=timezone.localdate(version.created_at),
        )

    count, items = _rows(tables_awaiting_sign_off(), build)
    return Section(
        "tables",
        _("Conversion tables waiting for sign-off"),
        _("No conversion tables waiting for sign-off today"),
        count,
        items,
        reverse("medication:tables"),
    )


def _locked_accounts() -> Section:
    def build(attempt: Any) -> Item:
        return Item(
            label=attempt.username or "—",
            url=_with_query("admin:accounts_user_changelist", q=attempt.username or ""),
            note=ngettext(
                "%(count)s failed login", "%(count)s failed logins", attempt.failures_since_start
            )
            % {"count": attempt.failures_since_start},
            at=attempt.attempt_time,
        )

    count, items = _rows(locked_logins(), build)
    return Section(
        "locked_accounts",
        _("Locked accounts"),
        _("No locked accounts today"),
        count,
        items,
        reverse("admin:accounts_user_changelist"),
    )


def _role_requests() -> Section:
    def build(request: Any) -> Item:
        return Item(
            label=str(request.user),
            url=reverse("accounts:role_requests") + f"#role-request-{request.pk}",
            note=_("Waiting for a second administrator"),
            at=request.proposed_at,
        )

    count, items = _rows(pending_role_change_requests(), build)
    return Section(
        "role_requests",
        _("Role requests waiting"),
        _("No role requests waiting today"),
        count,
        items,
        reverse("accounts:role_requests"),
    )


# --- The page ---------------------------------------------------------------------------


def sections_for(user: User, today: date) -> list[Section]:
    sections: list[Section] = []
    if can_see_practice_worklist(user):
        sections += [_visits(user, today), _proposals(user)]
    if can_ask_for_advice(user):
        sections.append(_answered_advice(user))
    if is_referring_practice_staff(user) and not is_recipient_staff(user):
        sections.append(_referral_news(user))
    if can_see_practice_worklist(user):
        sections += [_discharge_summaries(user), _high_dose(user)]
    if can_see_clinic_worklist(user):
        sections.append(_triage(user, with_handovers=True))
        if is_advice_clinician(user):
            sections.append(_advice_due(user, today))
        sections += [_clinic_appointments(user, today), _clinic_ready(user)]
    elif is_centre_staff(user):
        sections += [
            _triage(user, with_handovers=False),
            _centre_appointments(user, today),
            _centre_ready(user),
        ]
    if can_see_aggregates(user) and not can_administer_users(user):
        sections.append(_figures(user))
    if can_sign_off_conversion_tables(user):
        sections.append(_tables())
    if can_administer_users(user):
        sections += [_locked_accounts(), _role_requests()]
    return sections


def home_for(user: User, today: date | None = None) -> Home:
    """The user's home of today; the look and the patients it shows are logged."""
    today = today or timezone.localdate()
    home = Home(today, sections_for(user, today))
    if can_see_patient_data(user):
        record_event(
            user=user,
            action=AuditAction.SEARCH,
            object_type="home",
            detail={"sections": [section.key for section in home.sections]},
        )
        record_listed(user=user, patients=home.patient_ids, object_type="home")
    return home
