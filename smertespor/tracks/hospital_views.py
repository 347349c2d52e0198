"""The clinic's pages for a hospital-track course: needs assessment, the course plan (team,
appointments, activation) and completion with the discharge summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smertespor.accounts.models import User
from smertespor.accounts.permissions import require
from smertespor.patients.models import Patient
from smertespor.tracks.forms import (
    AppointmentForm,
    DischargeSummaryForm,
    NeedsAssessmentForm,
    PlanForm,
    TeamMemberForm,
    apply_errors,
)
from smertespor.tracks.hospital_services import (
    activate_plan,
    add_team_member,
    assess_needs,
    book_appointment,
    complete_course,
)
from smertespor.tracks.models import Actor, Course
from smertespor.tracks.permissions import (
    CLINIC_DISCHARGE,
    actor_for,
    can_work_hospital_track,
)
from smertespor.tracks.selectors import hospital_records
from smertespor.tracks.views import course_url, load_course


def _clinic_course(
    request: HttpRequest, patient_id: Any, course_id: Any, *, what: str
) -> tuple[Patient, Course]:
    patient, course = load_course(
        request, patient_id, course_id, change=request.method == "POST", what=what
    )
    if actor_for(request.user, course) != Actor.CLINIC or course.track != "hospital":
        raise PermissionDenied
    return patient, course


def _clinicians(course: Course) -> Any:
    return User.objects.filter(
        organisation_id=course.responsible_organisation_id, is_active=True
    ).order_by("last_name", "first_name")


@login_required
@require(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
def needs_assessment(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = _clinic_course(request, patient_id, course_id, what="needs_assessment")
    form = NeedsAssessmentForm(request.POST or None, initial={"version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assess_needs(
                course=course,
                by=request.user,
                expected_version=data["version"],
                disciplines=data["disciplines"],
                interventions=data["interventions"],
                summary=data["summary"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The needs assessment is recorded."))
            return redirect("tracks:course_plan", patient.pk, course.pk)
    context = {"patient": patient, "tab": "courses", "course": course, "form": form}
    return render(request, "tracks/needs_assessment.html", context)


def _plan_page(
    request: HttpRequest,
    patient: Patient,
    course: Course,
    *,
    plan_form: PlanForm | None = None,
    team_form: TeamMemberForm | None = None,
    appointment_form: AppointmentForm | None = None,
) -> HttpResponse:
    records = hospital_records(course)
    context = {
        "patient": patient,
        "tab": "courses",
        "course": course,
        "hospital": records,
        "plan_form": plan_form
        or PlanForm(initial={"version": course.version, "plan_note": course.plan_note}),
        "team_form": team_form or TeamMemberForm(clinicians=_clinicians(course)),
        "appointment_form": appointment_form
        or AppointmentForm(team=course.team.select_related("user")),
    }
    return render(request, "tracks/course_plan.html", context)


@login_required
@require(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
def course_plan(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The plan page; POST puts the plan into effect."""
    patient, course = _clinic_course(request, patient_id, course_id, what="course_plan")
    if request.method == "GET":
        return _plan_page(request, patient, course)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            activate_plan(
                course=course,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                plan_note=form.cleaned_data["plan_note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The course plan is active."))
            return redirect(course_url(course))
    return _plan_page(request, patient, course, plan_form=form)


@login_required
@require(can_work_hospital_track)
@require_POST
def team_member_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = _clinic_course(request, patient_id, course_id, what="course_team")
    form = TeamMemberForm(request.POST, clinicians=_clinicians(course))
    if form.is_valid():
        try:
            add_team_member(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The team member is added."))
            return redirect("tracks:course_plan", patient.pk, course.pk)
    return _plan_page(request, patient, course, team_form=form)


@login_required
@require(can_work_hospital_track)
@require_POST
def appointment_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = _clinic_course(request, patient_id, course_id, what="appointment")
    form = AppointmentForm(request.POST, team=course.team.select_related("user"))
    if form.is_valid():
        try:
            book_appointment(course=course, by=request.user, **form.service_arguments())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The appointment is booked."))
            return redirect("tracks:course_plan", patient.pk, course.pk)
    return _plan_page(request, patient, course, appointment_form=form)


@login_required
@require(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
def course_complete(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = _clinic_course(request, patient_id, course_id, what="discharge_summary")
    if request.user.role not in CLINIC_DISCHARGE:  # type: ignore[union-attr]
        raise PermissionDenied
    form = DischargeSummaryForm(request.POST or None, initial={"version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complete_course(
                course=course,
                by=request.user,
                expected_version=data["version"],
                summary=data["summary"],
                recommendations=data["recommendations"],
                medication_at_discharge=data["medication_at_discharge"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The course is completed and the discharge summary sent."))
            return redirect(course_url(course))
    context = {"patient": patient, "tab": "courses", "course": course, "form": form}
    return render(request, "tracks/course_complete.html", context)
