"""The pain centre's pages: the worklist, planning a course, the course (team, modules,
appointments, outcome measures and their chart), the discharge summary form, and the
summary itself (printable; read by the GP's practice too).

Each page calls the same action as its API twin, so both refuse alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from domain.outcomes import OutcomeError, default_instruments, instrument
from smertespor.centres import actions
from smertespor.centres.access import appointment_of, course_for_request, summary_for
from smertespor.centres.forms import (
    AppointmentForm,
    AppointmentRecordForm,
    CourseForm,
    DischargeSummaryForm,
    ModuleForm,
    OutcomeForm,
    StepForm,
    TaperPlanForm,
    TeamMemberForm,
    TeamMemberRemoveForm,
)
from smertespor.centres.labels import instrument_name
from smertespor.centres.models import CentreCourse
from smertespor.centres.permissions import (
    can_acknowledge_summaries,
    can_read_summaries,
    can_send_discharge_summaries,
    can_work_centre_courses,
    is_centre_staff,
)
from smertespor.centres.selectors import centre_clinicians, centre_worklist, course_records
from smertespor.entry.dates import day_for_people
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import logged_in, requires
from smertespor.patients.access import patient_for_request
from smertespor.tracks.discharge import discharge_medication
from smertespor.tracks.omeq import list_omeq
from smertespor.versions import StaleVersion, stale_form


def course_url(course: CentreCourse) -> str:
    return reverse("centres:course_detail", args=[course.patient_id, course.pk])


@login_required
@requires(is_centre_staff)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = logged_in(request.user)
    context = {"worklist": centre_worklist(user), "can_plan": can_work_centre_courses(user)}
    return render(request, "centres/worklist.html", context)


@login_required
@requires(can_work_centre_courses)
@require_http_methods(["GET", "POST"])
@performs(actions.plan_course)
def course_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for_request(request, patient_id, object_type="centre_course")
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.plan_course(
                user=request.user,
                patient_id=patient.pk,
                goals=form.cleaned_data["goals"],
                planned_start=form.cleaned_data["planned_start"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The course is planned. Name the team and the modules."))
            return redirect(course_url(course))
    context = {"patient": patient, "tab": "overview", "form": form}
    return render(request, "centres/course_create.html", context, status=form_status(form))


def _course_page(request: HttpRequest, course: CentreCourse, **forms: Any) -> HttpResponse:
    records = course_records(course)
    team = course.team.filter(removed_at__isnull=True).select_related("user")
    plans = [
        (p.pk, f"{day_for_people(p.created_at)} · {p.get_status_display()}")
        for p in records.taper_plans
    ]
    context = {
        "patient": course.patient,
        "tab": "overview",
        "course": course,
        "records": records,
        "can_decide": can_send_discharge_summaries(request.user),
        "can_work": can_work_centre_courses(request.user),
        "step_form": forms.get("step_form") or StepForm(initial={"version": course.version}),
        "team_form": forms.get("team_form")
        or TeamMemberForm(clinicians=centre_clinicians(course.centre_id)),
        "module_form": forms.get("module_form") or ModuleForm(),
        "taper_form": forms.get("taper_form") or TaperPlanForm(plans=plans),
        "appointment_form": forms.get("appointment_form")
        or AppointmentForm(team=team, modules=course.modules.all()),
        "instruments": [
            (code, instrument_name(code, found.name))
            for code, found in default_instruments().items()
        ],
    }
    status = form_status(*forms.values())
    return render(request, "centres/course_detail.html", context, status=status)


@login_required
@requires(is_centre_staff)
@require_GET
def course_detail(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    return _course_page(request, course)


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.take_step)
def course_step(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            actions.take_step(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                version=form.cleaned_data["version"],
                event=form.cleaned_data["event"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_errors(form, error)
            course.refresh_from_db()
        else:
            messages.success(request, _("The course is updated."))
            return redirect(course_url(course))
    return _course_page(request, course, step_form=form)


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.add_team_member)
def team_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    form = TeamMemberForm(request.POST, clinicians=centre_clinicians(course.centre_id))
    if form.is_valid():
        try:
            actions.add_team_member(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                **form.action_arguments(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields=TeamMemberForm.FIELDS)
        else:
            messages.success(request, _("The team member is added."))
            return redirect(course_url(course))
    return _course_page(request, course, team_form=form)


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.remove_team_member)
def team_remove(
    request: HttpRequest, patient_id: str, course_id: int, member_id: int
) -> HttpResponse:
    """Take a member off the team; a refusal shows the course page again with why (422)."""
    course = course_for_request(request, patient_id, course_id)
    form = TeamMemberRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Keep the reason to 500 characters."))
        actions.remove_team_member(
            user=request.user,
            patient_id=course.patient_id,
            course_id=course.pk,
            member_id=member_id,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        response = _course_page(request, course)
        response.status_code = 422
        return response
    messages.success(request, _("The team member is taken off the team."))
    return redirect(course_url(course))


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.add_module)
def module_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    form = ModuleForm(request.POST)
    if form.is_valid():
        try:
            actions.add_module(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                code=form.cleaned_data["code"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The module is in the plan."))
            return redirect(course_url(course))
    return _course_page(request, course, module_form=form)


@login_required
@requires(can_send_discharge_summaries)
@require_POST
@performs(actions.link_taper_plan)
def module_taper_plan(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    plans = [(p.pk, str(p.pk)) for p in course_records(course).taper_plans]
    form = TaperPlanForm(request.POST, plans=plans)
    if form.is_valid():
        try:
            actions.link_taper_plan(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                module_id=form.cleaned_data["module_id"],
                taper_plan_id=form.cleaned_data["taper_plan_id"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The taper module follows the taper plan."))
            return redirect(course_url(course))
    return _course_page(request, course, taper_form=form)


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.book_appointment)
def appointment_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    form = AppointmentForm(
        request.POST,
        team=course.team.filter(removed_at__isnull=True).select_related("user"),
        modules=course.modules.all(),
    )
    if form.is_valid():
        try:
            actions.book_appointment(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                **form.action_arguments(),
            )
        except ValidationError as error:
            apply_errors(form, error, fields=AppointmentForm.FIELDS)
        else:
            messages.success(request, _("The appointment is booked."))
            return redirect(course_url(course))
    return _course_page(request, course, appointment_form=form)


@login_required
@requires(can_work_centre_courses)
@require_POST
@performs(actions.record_appointment)
def appointment_record(
    request: HttpRequest, patient_id: str, course_id: int, appointment_id: int
) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    appointment = appointment_of(course, appointment_id)
    form = AppointmentRecordForm(request.POST)
    if form.is_valid():
        try:
            actions.record_appointment(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                appointment_id=appointment.pk,
                version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _refused(request, course, 409 if isinstance(error, StaleVersion) else 422)
        else:
            messages.success(request, _("The appointment is recorded."))
            return redirect(course_url(course))
    messages.error(request, _("Choose attended or cancelled."))
    return _refused(request, course, 422)


def _refused(request: HttpRequest, course: CentreCourse, status: int) -> HttpResponse:
    response = _course_page(request, course)
    response.status_code = status
    return response


@login_required
@requires(can_work_centre_courses)
@require_http_methods(["GET", "POST"])
@performs(actions.record_outcome)
def outcome_add(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    code = request.GET.get("instrument") or request.POST.get("instrument") or "peg"
    try:
        found = instrument(code)
    except OutcomeError:
        raise Http404 from None  # an instrument that is not defined: never a guessed one
    form = OutcomeForm(request.POST or None, instrument=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_outcome(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                instrument=found.code,
                timepoint=form.cleaned_data["timepoint"],
                answers=form.answers(),
                measured_on=form.cleaned_data["measured_on"],
            )
        except ValidationError as error:
            apply_errors(form, error, fields=form.error_fields)
        else:
            messages.success(request, _("The outcome measure is recorded."))
            return redirect(course_url(course))
    context = {
        "patient": course.patient,
        "tab": "overview",
        "course": course,
        "form": form,
        "instrument": found,
        "instrument_label": instrument_name(found.code, found.name),
    }
    return render(request, "centres/outcome_form.html", context, status=form_status(form))


@login_required
@requires(can_send_discharge_summaries)
@require_http_methods(["GET", "POST"])
@performs(actions.send_discharge_summary)
def discharge(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The discharge summary form: the medication is the list's, shown as it will be sent."""
    course = course_for_request(request, patient_id, course_id)
    form = DischargeSummaryForm(request.POST or None, initial={"version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.send_discharge_summary(
                user=request.user,
                patient_id=course.patient_id,
                course_id=course.pk,
                version=data["version"],
                course_summary=data["course_summary"],
                plan_after=data["plan_after"],
                municipality_continues=data["municipality_continues"],
                physiotherapy_continues=data["physiotherapy_continues"],
            )
        except StaleVersion as error:
            course.refresh_from_db()
            stale_form(form, {}, error, version=course.version)
        except ValidationError as error:
            apply_errors(form, error)
            course.refresh_from_db()
        else:
            messages.success(request, _("The discharge summary is sent; the course is discharged."))
            return redirect("centres:summary", course.patient_id, course.pk)
    context = {
        "patient": course.patient,
        "tab": "overview",
        "course": course,
        "form": form,
        "records": course_records(course),
        "preview": _medication_preview(course),
    }
    return render(request, "centres/discharge.html", context, status=form_status(form))


def _medication_preview(course: CentreCourse) -> dict[str, Any]:
    """The medication as the summary will carry it: the list now, with its OMEQ working."""
    patient = course.patient
    has_list = patient.medication_lines.exists()
    return {
        "medication": discharge_medication(patient) if has_list else {},
        "omeq_at_discharge_mg_per_day": list_omeq(patient).mg_per_day,
    }


@login_required
@requires(can_read_summaries)
@require_GET
def summary(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The discharge summary as sent, printable (the practice it was sent to, the centre)."""
    found = summary_for(request.user, patient_id, course_id)
    context = {
        "patient": found.course.patient,
        "summary": found,
        "can_acknowledge": can_acknowledge_summaries(request.user)
        and found.acknowledged_at is None,
    }
    return render(request, "centres/summary.html", context)


@login_required
@requires(can_acknowledge_summaries)
@require_POST
@performs(actions.acknowledge_summary)
def summary_acknowledge(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    try:
        actions.acknowledge_summary(user=request.user, patient_id=patient_id, course_id=course_id)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, _("The discharge summary is marked as received."))
    return redirect("centres:summary", patient_id, course_id)
