"""Course pages: the patient's courses and timeline, enrolment, a course, its follow-ups,
its steps and the handover letter. Thin: load the patient through `patients.access` (which
audits), call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from domain.tracks import CourseEvent
from smertespor.accounts.permissions import require
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import current_catalogue, current_lines
from smertespor.patients.access import patient_for, patient_for_change
from smertespor.patients.models import Patient
from smertespor.tracks.follow_ups import (
    LineChange,
    RegimenUpdate,
    acknowledge_alert,
    record_follow_up,
)
from smertespor.tracks.forms import (
    CourseForm,
    FollowUpForm,
    HandoverLetterForm,
    LineDoseForm,
    NewLineForm,
    StepForm,
    apply_errors,
)
from smertespor.tracks.models import Alert, Course
from smertespor.tracks.omeq import list_omeq
from smertespor.tracks.permissions import (
    can_decide,
    can_enrol,
    can_follow_up,
    is_clinic_staff,
)
from smertespor.tracks.rules import apply_track_rule
from smertespor.tracks.selectors import (
    course_of,
    courses_of,
    follow_ups_of,
    handovers_of,
    hospital_records,
    missed_visit,
    open_alerts_of,
    open_course_of,
    taper_plans_of,
    timeline_of_course,
    timeline_of_patient,
)
from smertespor.tracks.services import enrol_in_practice_track, pain_clinics, update_handover_letter
from smertespor.tracks.steps import STEPS, steps_for, take_step

TIMELINE_LIMIT = 200


def course_url(course: Course) -> str:
    return reverse("tracks:course_detail", args=[course.patient_id, course.pk])


def load_course(
    request: HttpRequest,
    patient_id: Any,
    course_id: Any,
    *,
    change: bool = False,
    what: str = "course",
) -> tuple[Patient, Course]:
    """The patient (access checked and audited) and one of their courses (else 404)."""
    if change:
        patient = patient_for_change(request.user, patient_id, object_type=what)
    else:
        patient = patient_for(
            request.user, patient_id, object_type=what, detail={"course": str(course_id)}
        )
    return patient, course_of(patient, course_id)


@login_required
@require_GET
def patient_courses(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="courses")
    open_course = open_course_of(patient)
    if open_course is not None:
        open_course = apply_track_rule(open_course).course
    context = {
        "patient": patient,
        "tab": "courses",
        "courses": list(courses_of(patient)),
        "open_course": open_course,
        "timeline": list(timeline_of_patient(patient)[:TIMELINE_LIMIT]),
        "can_enrol": can_enrol(request.user) and open_course is None,
    }
    return render(request, "tracks/patient_courses.html", context)


@login_required
@require(can_enrol)
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    if request.method == "POST":
        patient = patient_for_change(request.user, patient_id, object_type="course")
    else:
        patient = patient_for(request.user, patient_id, object_type="course_form")
    clinics = pain_clinics(request.user.organisation.region_id)  # type: ignore[union-attr]
    form = CourseForm(request.POST or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        try:
            course = enrol_in_practice_track(
                patient=patient, by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The patient is enrolled in the practice track."))
            return redirect(course_url(course))
    context = {
        "patient": patient,
        "tab": "courses",
        "form": form,
        "list_omeq": list_omeq(patient),
        "open_course": open_course_of(patient),
    }
    return render(request, "tracks/course_form.html", context)


@login_required
@require_GET
def course_detail(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = load_course(request, patient_id, course_id)
    result = apply_track_rule(course)
    course = result.course
    today = timezone.localdate()
    handovers = list(handovers_of(course))
    context = {
        "patient": patient,
        "tab": "courses",
        "course": course,
        "rule": result.outcome,
        "rule_error": result.error,
        "rule_applied": result.applied,
        "follow_ups": list(follow_ups_of(course)),
        "open_alerts": list(open_alerts_of(course)),
        "missed": missed_visit(course, today),
        "handover": handovers[0] if handovers else None,
        "handovers": handovers,
        "hospital": hospital_records(course) if course.track == "hospital" else None,
        "next_course": course.next_courses.first(),
        "steps": steps_for(request.user, course),
        "can_follow_up": can_follow_up(request.user, course) and course.is_open,
        "can_decide": can_decide(request.user, course),
        "timeline": list(timeline_of_course(course)[:TIMELINE_LIMIT]),
        "taper_plans": taper_plans_of(course),
        "today": today,
    }
    return render(request, "tracks/course_detail.html", context)


def _regimen_forms(
    request: HttpRequest, patient: Patient
) -> tuple[list[LineDoseForm], NewLineForm]:
    data = request.POST if request.method == "POST" else None
    lines = list(current_lines(patient))
    catalogue = current_catalogue()
    mapped = {m.line.pk: m for m in regimen_from_lines(lines, catalogue).lines}
    line_forms = [LineDoseForm(data, line=line, mapped=mapped.get(line.pk)) for line in lines]
    return line_forms, NewLineForm(data, catalogue=catalogue)


def _regimen(line_forms: list[LineDoseForm], new_line: NewLineForm) -> RegimenUpdate:
    changes, stopped = [], []
    for form in line_forms:
        data = form.cleaned_data
        if data.get("stopped"):
            stopped.append(form.line.pk)
            continue
        changes.append(
            LineChange(
                line_id=form.line.pk,
                units_per_dose=data["units_per_dose"],
                doses_per_day=data.get("doses_per_day"),
                max_doses_per_day=data.get("max_doses_per_day"),
            )
        )
    added = (new_line.service_arguments(),) if new_line._is_adding() else ()
    return RegimenUpdate(changes=tuple(changes), stopped=tuple(stopped), added=added)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    patient, course = load_course(
        request, patient_id, course_id, change=request.method == "POST", what="follow_up"
    )
    if not can_follow_up(request.user, course):
        raise PermissionDenied
    form = FollowUpForm(
        request.POST or None,
        with_cows=is_clinic_staff(request.user),
        initial={"version": course.version},
    )
    line_forms, new_line = _regimen_forms(request, patient)
    if request.method == "POST":
        valid = form.is_valid()
        checked = [f.is_valid() for f in line_forms]  # every form, so each shows its errors
        valid = all(checked) and valid
        if new_line._is_adding():
            valid = new_line.is_valid() and valid
        if valid:
            try:
                record_follow_up(
                    course=course,
                    by=request.user,
                    regimen=_regimen(line_forms, new_line),
                    **form.service_arguments(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The follow-up visit is recorded."))
                return redirect(course_url(course))
    context = {
        "patient": patient,
        "tab": "courses",
        "course": course,
        "form": form,
        "line_forms": line_forms,
        "new_line": new_line,
        "list_omeq": list_omeq(patient),
    }
    return render(request, "tracks/follow_up_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_step(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """Confirm a step (GET ?event=...) and take it (POST)."""
    patient, course = load_course(
        request, patient_id, course_id, change=request.method == "POST", what="course_step"
    )
    event = request.POST.get("event") or request.GET.get("event", "")
    step = STEPS.get(CourseEvent(event)) if event in CourseEvent._value2member_map_ else None
    if step is None or step.own_page:
        if request.method == "GET":
            return redirect(course_url(course))
        raise Http404
    if not can_decide(request.user, course):
        raise PermissionDenied
    form = StepForm(request.POST or None, initial={"event": event, "version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shown = take_step(
                course=course,
                by=request.user,
                event=data["event"],
                expected_version=data["version"],
                reason=data["reason"],
                gp_comment=data["gp_comment"],
                expected_duration=data["expected_duration"],
                planned_follow_up=data["planned_follow_up"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": step.label})
            return redirect(course_url(shown))
    context = {
        "patient": patient,
        "tab": "courses",
        "course": course,
        "form": form,
        "step": step,
        "is_handover": step.event is CourseEvent.HAND_OVER_EARLY,
    }
    return render(request, "tracks/step_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def handover_letter(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The referral with the course so far; the GP edits the comment until triage."""
    patient, course = load_course(
        request, patient_id, course_id, change=request.method == "POST", what="handover"
    )
    handover = course.handovers.select_related("clinic", "proposed_by", "decided_by").first()
    if handover is None:
        if request.method == "GET":
            return redirect(course_url(course))
        raise Http404
    can_edit = (
        handover.is_pending and can_decide(request.user, course) and course.track == "practice"
    )
    can_edit = can_edit and request.user.organisation_id == course.responsible_organisation_id  # type: ignore[union-attr]
    form = HandoverLetterForm(
        request.POST or None,
        initial={
            "version": course.version,
            "gp_comment": handover.gp_comment,
            "expected_duration": handover.expected_duration,
            "planned_follow_up": handover.planned_follow_up,
        },
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_handover_letter(
                    handover=handover,
                    by=request.user,
                    expected_version=data["version"],
                    gp_comment=data["gp_comment"],
                    expected_duration=data["expected_duration"],
                    planned_follow_up=data["planned_follow_up"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The handover letter is saved."))
                return redirect("tracks:handover", patient.pk, course.pk)
    context = {
        "patient": patient,
        "tab": "courses",
        "course": course,
        "handover": handover,
        "snapshot": handover.snapshot,
        "form": form if can_edit else None,
        "steps": steps_for(request.user, course),
    }
    return render(request, "tracks/handover.html", context)


@login_required
@require_POST
def alert_acknowledge(
    request: HttpRequest, patient_id: str, course_id: int, alert_id: int
) -> HttpResponse:
    _patient, course = load_course(request, patient_id, course_id, change=True, what="alert")
    alert = Alert.objects.filter(course=course, pk=alert_id).first()
    if alert is None:
        raise Http404
    alert.course = course
    acknowledge_alert(alert=alert, by=request.user)
    messages.success(request, _("The alert is marked as seen."))
    return redirect(course_url(course))
