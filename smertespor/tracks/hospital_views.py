"""The clinic's pages for a hospital-track course: needs assessment, the course plan (team,
appointments, activation) and completion with the discharge summary.

Each page checks what its action checks (`access.check_hospital_course`): another side or
role 403, a course that is not on the hospital track 422 (as in the API).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import logged_in, requires
from smertespor.medication.selectors import current_catalogue, current_lines
from smertespor.tracks import actions
from smertespor.tracks.access import (
    check_hospital_course,
    course_for_request,
    refuse_unless,
)
from smertespor.tracks.forms import (
    AppointmentCancelForm,
    AppointmentForm,
    DischargeMedicationForms,
    DischargeSummaryForm,
    NeedsAssessmentForm,
    PlanForm,
    TeamMemberForm,
    TeamMemberRemoveForm,
)
from smertespor.tracks.models import Course
from smertespor.tracks.omeq import list_omeq
from smertespor.tracks.permissions import can_discharge, can_work_hospital_track
from smertespor.tracks.selectors import clinicians_of, hospital_records, team_of
from smertespor.tracks.views import course_url


def _clinic_course(
    request: HttpRequest, patient_id: str, course_id: int, *, object_type: str
) -> Course:
    course = course_for_request(request, patient_id, course_id, object_type=object_type)
    check_hospital_course(request.user, course, object_type=object_type)
    return course


@login_required
@requires(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
@performs(actions.assess_needs)
def needs_assessment(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = _clinic_course(request, patient_id, course_id, object_type="needs_assessment")
    form = NeedsAssessmentForm(request.POST or None, initial={"version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.assess_needs(
                user=logged_in(request.user),
                patient_id=course.patient_id,
                course_id=course.pk,
                version=data["version"],
                disciplines=data["disciplines"],
                interventions=data["interventions"],
                summary=data["summary"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The needs assessment is recorded."))
            return redirect("tracks:course_plan", course.patient_id, course.pk)
    context = {"patient": course.patient, "tab": "courses", "course": course, "form": form}
    return render(request, "tracks/needs_assessment.html", context, status=form_status(form))


def _plan_page(
    request: HttpRequest,
    course: Course,
    *,
    plan_form: PlanForm | None = None,
    team_form: TeamMemberForm | None = None,
    appointment_form: AppointmentForm | None = None,
) -> HttpResponse:
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "hospital": hospital_records(course),
        "plan_form": plan_form
        or PlanForm(initial={"version": course.version, "plan_note": course.plan_note}),
        "team_form": team_form or TeamMemberForm(clinicians=clinicians_of(course)),
        "appointment_form": appointment_form or AppointmentForm(team=team_of(course)),
    }
    status = form_status(plan_form, team_form, appointment_form)
    return render(request, "tracks/course_plan.html", context, status=status)


@login_required
@requires(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
@performs(actions.activate_plan)
def course_plan(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The plan page; POST puts the plan into effect."""
    course = _clinic_course(request, patient_id, course_id, object_type="course_plan")
    if request.method == "GET":
        return _plan_page(request, course)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            actions.activate_plan(
                user=logged_in(request.user),
                patient_id=course.patient_id,
                course_id=course.pk,
                version=form.cleaned_data["version"],
                plan_note=form.cleaned_data["plan_note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The course plan is active."))
            return redirect(course_url(course))
    return _plan_page(request, course, plan_form=form)


@login_required
@requires(can_work_hospital_track)
@require_POST
@performs(actions.add_team_member)
def team_member_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = _clinic_course(request, patient_id, course_id, object_type="course_team")
    form = TeamMemberForm(request.POST, clinicians=clinicians_of(course))
    if form.is_valid():
        try:
            actions.add_team_member(
                user=logged_in(request.user),
                patient_id=course.patient_id,
                course_id=course.pk,
                **form.action_arguments(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields=TeamMemberForm.FIELDS)
        else:
            messages.success(request, _("The team member is added."))
            return redirect("tracks:course_plan", course.patient_id, course.pk)
    return _plan_page(request, course, team_form=form)


@login_required
@requires(can_work_hospital_track)
@require_POST
@performs(actions.book_appointment)
def appointment_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = _clinic_course(request, patient_id, course_id, object_type="appointment")
    form = AppointmentForm(request.POST, team=team_of(course))
    if form.is_valid():
        try:
            actions.book_appointment(
                user=logged_in(request.user),
                patient_id=course.patient_id,
                course_id=course.pk,
                **form.action_arguments(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields=AppointmentForm.FIELDS)
        else:
            messages.success(request, _("The appointment is booked."))
            return redirect("tracks:course_plan", course.patient_id, course.pk)
    return _plan_page(request, course, appointment_form=form)


def _refused(request: HttpRequest, course: Course, error: ValidationError) -> HttpResponse:
    """A refused removal or cancellation: the plan page again with the reason, 422."""
    for message in error.messages:
        messages.error(request, message)
    response = _plan_page(request, course)
    response.status_code = 422
    return response


@login_required
@requires(can_work_hospital_track)
@require_POST
@performs(actions.cancel_appointment)
def appointment_cancel(
    request: HttpRequest, patient_id: str, course_id: int, appointment_id: int
) -> HttpResponse:
    course = _clinic_course(request, patient_id, course_id, object_type="appointment")
    form = AppointmentCancelForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            course,
            ValidationError(_("Give the reason for cancelling the appointment.")),
        )
    try:
        actions.cancel_appointment(
            user=logged_in(request.user),
            patient_id=course.patient_id,
            course_id=course.pk,
            appointment_id=appointment_id,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _refused(request, course, error)
    messages.success(request, _("The appointment is cancelled."))
    return redirect("tracks:course_plan", course.patient_id, course.pk)


@login_required
@requires(can_work_hospital_track)
@require_POST
@performs(actions.remove_team_member)
def team_member_remove(
    request: HttpRequest, patient_id: str, course_id: int, member_id: int
) -> HttpResponse:
    course = _clinic_course(request, patient_id, course_id, object_type="course_team")
    form = TeamMemberRemoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, course, ValidationError(_("Keep the reason to 500 characters.")))
    try:
        actions.remove_team_member(
            user=logged_in(request.user),
            patient_id=course.patient_id,
            course_id=course.pk,
            member_id=member_id,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _refused(request, course, error)
    messages.success(request, _("The team member is taken off the team."))
    return redirect("tracks:course_plan", course.patient_id, course.pk)


@login_required
@requires(can_work_hospital_track)
@require_http_methods(["GET", "POST"])
@performs(actions.complete_course)
def course_complete(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The discharge summary, its medication prefilled from the list; POST completes the
    course and changes the list as the lines say, in one step."""
    course = _clinic_course(request, patient_id, course_id, object_type="discharge_summary")
    refuse_unless(
        request.user, can_discharge(request.user), course, object_type="discharge_summary"
    )
    data = request.POST if request.method == "POST" else None
    form = DischargeSummaryForm(data, initial={"version": course.version})
    medication = DischargeMedicationForms(
        data, lines=list(current_lines(course.patient)), catalogue=current_catalogue()
    )
    if request.method == "POST":
        valid = form.is_valid()
        valid = medication.is_valid() and valid
        if valid:
            fields = form.cleaned_data
            try:
                actions.complete_course(
                    user=logged_in(request.user),
                    patient_id=course.patient_id,
                    course_id=course.pk,
                    version=fields["version"],
                    summary=fields["summary"],
                    recommendations=fields["recommendations"],
                    medication_at_discharge=fields["medication_at_discharge"],
                    regimen=medication.regimen(),
                    omeq_mg_per_day=fields["omeq_mg_per_day"],
                )
            except ValidationError as error:
                apply_errors(form, error)
                course.refresh_from_db()  # the refused step changed nothing but this copy
            else:
                messages.success(
                    request, _("The course is completed and the discharge summary sent.")
                )
                return redirect(course_url(course))
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "form": form,
        "line_forms": medication.line_forms,
        "new_line": medication.new_line,
        "list_omeq": list_omeq(course.patient),
    }
    status = form_status(form, *medication.forms())
    return render(request, "tracks/course_complete.html", context, status=status)
