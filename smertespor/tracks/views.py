"""Course pages: the patient's courses and timeline, enrolment, a course, its follow-ups, its
decisions and the handover letter. Thin: load the course through `tracks.access` (which goes
through `patients.access` and audits), show it; on POST parse the form and call the action
the API calls too (`tracks.actions`). Showing a page never changes a course: the 3-month rule
is only read here (`rule_standing`); the daily job and the services act on it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from domain.tracks import CourseEvent
from smertespor.entry.doors import performs
from smertespor.entry.forms import apply_errors, form_status
from smertespor.entry.rules import logged_in, requires
from smertespor.medication.regimens import regimen_from_lines
from smertespor.medication.selectors import current_catalogue, current_lines
from smertespor.patients.access import patient_for, patient_for_request
from smertespor.patients.models import Patient
from smertespor.tracks import actions
from smertespor.tracks.access import course_for_request, refuse_unless
from smertespor.tracks.decisions import decision_for, decisions_for
from smertespor.tracks.follow_ups import LineChange, RegimenUpdate
from smertespor.tracks.forms import (
    CourseForm,
    DecisionForm,
    FollowUpForm,
    HandoverLetterForm,
    LineDoseForm,
    NewLineForm,
)
from smertespor.tracks.models import Course, Track
from smertespor.tracks.omeq import list_omeq
from smertespor.tracks.permissions import (
    can_decide,
    can_enrol,
    can_follow_up,
    can_record_follow_up,
    can_write_handover_letter,
    is_clinic_staff,
)
from smertespor.tracks.plan_today import PlanToday, plan_today
from smertespor.tracks.rules import rule_standing
from smertespor.tracks.selectors import (
    courses_of,
    follow_ups_of,
    handovers_of,
    hospital_records,
    latest_handover,
    latest_review,
    missed_visit,
    open_alerts_of,
    open_course_of,
    taper_plans_of,
    timeline_of_course,
    timeline_of_patient,
)

TIMELINE_LIMIT = 200


def course_url(course: Course) -> str:
    return reverse("tracks:course_detail", args=[course.patient_id, course.pk])


@login_required
@require_GET
def patient_courses(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = patient_for(request.user, patient_id, object_type="courses")
    open_course = open_course_of(patient)
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
@requires(can_enrol)
@require_http_methods(["GET", "POST"])
@performs(actions.enrol_in_practice_track)
def course_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = logged_in(request.user)
    patient = patient_for_request(request, patient_id, object_type="course")
    form = CourseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.enrol_in_practice_track(
                user=user, patient_id=patient.pk, **form.action_arguments()
            )
        except ValidationError as error:
            apply_errors(form, error, fields=CourseForm.FIELDS)
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
    return render(request, "tracks/course_form.html", context, status=form_status(form))


@login_required
@require_GET
def course_detail(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    course = course_for_request(request, patient_id, course_id)
    today = timezone.localdate()
    standing = rule_standing(course, today=today)
    handovers = list(handovers_of(course))
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "rule": standing.outcome,
        "rule_now": standing.now,
        "rule_error": standing.error,
        "review": latest_review(course) if course.track == Track.PRACTICE else None,
        "follow_ups": list(follow_ups_of(course)),
        "open_alerts": list(open_alerts_of(course)),
        "missed": missed_visit(course, today),
        "handover": handovers[0] if handovers else None,
        "handovers": handovers,
        "hospital": hospital_records(course) if course.track == Track.HOSPITAL else None,
        "next_course": course.next_courses.first(),
        "decisions": decisions_for(request.user, course),
        "can_follow_up": can_follow_up(request.user, course),
        "can_record_follow_up": can_record_follow_up(request.user, course) and course.is_open,
        "can_decide": can_decide(request.user, course),
        "timeline": list(timeline_of_course(course)[:TIMELINE_LIMIT]),
        "taper_plans": taper_plans_of(course),
        "plan_today": plan_today(course.patient, today),
        "today": today,
    }
    return render(request, "tracks/course_detail.html", context)


def _plan_difference(
    planned: PlanToday | None, form: FollowUpForm, from_list: Decimal | None
) -> str:
    """How the visit's OMEQ stands against the plan: the list's OMEQ, else the one entered
    (as posted, or prefilled with the plan's)."""
    if planned is None:
        return ""
    if from_list is not None:
        return planned.difference(from_list)
    if form.is_bound:
        entered = (
            form.cleaned_data.get("omeq_mg_per_day") if hasattr(form, "cleaned_data") else None
        )
        return planned.difference(entered)
    return ""  # the field starts at the plan's dose


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
@performs(actions.record_follow_up)
def follow_up_create(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    user = logged_in(request.user)
    course = course_for_request(request, patient_id, course_id, object_type="follow_up")
    refuse_unless(user, can_record_follow_up(user, course), course, object_type="follow_up")
    form = FollowUpForm(
        request.POST or None, with_cows=is_clinic_staff(user), version=course.version
    )
    line_forms, new_line = _regimen_forms(request, course.patient)
    planned = plan_today(course.patient, timezone.localdate())
    from_list = list_omeq(course.patient)
    if planned is not None and from_list.mg_per_day is None and not form.is_bound:
        # No OMEQ from the list: the visit's OMEQ starts at what the plan expects today.
        form.initial["omeq_mg_per_day"] = planned.form_value
    if request.method == "POST":
        valid = form.is_valid()
        checked = [f.is_valid() for f in line_forms]  # every form, so each shows its errors
        valid = all(checked) and valid
        if new_line._is_adding():
            valid = new_line.is_valid() and valid
        if valid:
            try:
                visit = actions.record_follow_up(
                    user=user,
                    patient_id=course.patient_id,
                    course_id=course.pk,
                    regimen=_regimen(line_forms, new_line),
                    **form.action_arguments(),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                recorded = _("The follow-up visit is recorded.")
                if planned is not None:
                    recorded += " " + _("Its OMEQ is %(difference)s.") % {
                        "difference": planned.difference(visit.omeq_mg_per_day)
                    }
                messages.success(request, recorded)
                return redirect(course_url(course))
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "form": form,
        "line_forms": line_forms,
        "new_line": new_line,
        "list_omeq": from_list,
        "plan_today": planned,
        "plan_difference": _plan_difference(planned, form, from_list.mg_per_day),
    }
    status = form_status(form, *line_forms, new_line if new_line._is_adding() else None)
    return render(request, "tracks/follow_up_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.take_decision)
def course_decision(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """Confirm a decision (GET ?event=...) and take it (POST)."""
    user = logged_in(request.user)
    course = course_for_request(request, patient_id, course_id, object_type="course_decision")
    event = request.POST.get("event") or request.GET.get("event", "")
    decision = decision_for(event)
    if decision is None or decision.own_page:
        if request.method == "GET":
            return redirect(course_url(course))
        raise Http404
    refuse_unless(user, can_decide(user, course), course, object_type="course_decision")
    form = DecisionForm(request.POST or None, initial={"event": event, "version": course.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shown = actions.take_decision(
                user=user,
                patient_id=course.patient_id,
                course_id=course.pk,
                event=data["event"],
                version=data["version"],
                reason=data["reason"],
                gp_comment=data["gp_comment"],
                expected_duration=data["expected_duration"],
                planned_follow_up=data["planned_follow_up"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": decision.label})
            return redirect(course_url(shown))
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "form": form,
        "decision": decision,
        "is_handover": decision.event is CourseEvent.HAND_OVER_EARLY,
    }
    return render(request, "tracks/decision_form.html", context, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
@performs(actions.update_handover_letter)
def handover_letter(request: HttpRequest, patient_id: str, course_id: int) -> HttpResponse:
    """The referral with the course so far; the GP edits the comment until triage."""
    user = logged_in(request.user)
    course = course_for_request(request, patient_id, course_id, object_type="handover")
    handover = latest_handover(course)
    if handover is None:
        if request.method == "GET":
            return redirect(course_url(course))
        raise Http404
    may_write = can_write_handover_letter(user, course)
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
        refuse_unless(user, may_write, course, object_type="handover")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_handover_letter(
                user=user,
                patient_id=course.patient_id,
                course_id=course.pk,
                version=data["version"],
                gp_comment=data["gp_comment"],
                expected_duration=data["expected_duration"],
                planned_follow_up=data["planned_follow_up"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The handover letter is saved."))
            return redirect("tracks:handover", course.patient_id, course.pk)
    context = {
        "patient": course.patient,
        "tab": "courses",
        "course": course,
        "handover": handover,
        "snapshot": handover.snapshot,
        "form": form if may_write and (handover.is_pending or form.is_bound) else None,
        "decisions": decisions_for(user, course),
    }
    return render(request, "tracks/handover.html", context, status=form_status(form))


@login_required
@require_POST
@performs(actions.acknowledge_alert)
def alert_acknowledge(
    request: HttpRequest, patient_id: str, course_id: int, alert_id: int
) -> HttpResponse:
    actions.acknowledge_alert(
        user=logged_in(request.user), patient_id=patient_id, course_id=course_id, alert_id=alert_id
    )
    messages.success(request, _("The alert is marked as seen."))
    return redirect("tracks:course_detail", patient_id, course_id)
