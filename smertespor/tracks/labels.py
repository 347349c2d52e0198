"""The wording of the tracks app: statuses, alerts, the timeline's "why" and the domain's
refusals, in the user's language.

The domain core speaks English with stable codes; this module turns a code into a translated
sentence (at call time, so in the language of the request) and a `ValidationError` whose
field names match the forms and the API. The pages (through the `tracks` template filters)
and the API payloads use the same functions, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.errors import DomainError
from domain.follow_up import FollowUpError
from domain.scores import ScoreError
from domain.tracks import CourseFactsError, ProgressCheck, SecondOpenCourseError, TransitionError
from smertespor.entry.numbers import for_people
from smertespor.tracks.models import (
    Alert,
    Course,
    Discipline,
    GoalKind,
    RuleReview,
    Status,
    TimelineEvent,
)


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def event_label(event: str) -> str:
    kinds = TimelineEvent.Kind
    return str(kinds(event).label) if event in kinds.values else event


def _transition_message(error: TransitionError) -> str:
    params = {"status": status_label(error.current), "event": event_label(error.event)}
    if error.code == "transition_reason_required":
        return _("Give a reason for this step (%(event)s).") % params
    if error.code == "transition_not_allowed_for_actor":
        return _("Your organisation cannot take this step (%(event)s) now: %(status)s.") % params
    return _("This step (%(event)s) is not possible now: %(status)s.") % params


_FIELD_MESSAGES: Mapping[str, Callable[[], str]] = {
    "follow_up_before_course_start": lambda: _("The visit date is before the course started."),
    "follow_up_in_future": lambda: _("The visit date is in the future."),
    "next_visit_not_after_visit": lambda: _("The next visit must be after this visit."),
    "bad_follow_up_interval": lambda: _(
        "The follow-up interval is a whole number of days, at least 1."
    ),
    "peg_item_out_of_range": lambda: _("A PEG item is a whole number from 0 to 10."),
    "nrs_out_of_range": lambda: _("Pain NRS is a whole number from 0 to 10."),
    "score_not_whole_number": lambda: _("Give a whole number."),
    "sows_total_out_of_range": lambda: _("The SOWS total is 0 to 64."),
    "cows_total_out_of_range": lambda: _("The COWS total is 0 to 48."),
    "sows_item_out_of_range": lambda: _("Each SOWS item is 0 to 4."),
    "cows_item_out_of_range": lambda: _("This COWS item allows only the values on the form."),
    "wrong_item_count": lambda: _("Give every item of the scale, or only the total."),
    "target_not_above_zero": lambda: _("A target dose is above 0 mg/day (to stop, choose stop)."),
    "stop_has_no_target": lambda: _("A stop goal has no target dose."),
    "baseline_not_above_zero": lambda: _(
        "The baseline OMEQ must be above 0 mg/day: a course tapers an opioid the patient takes."
    ),
    "target_not_below_baseline": lambda: _("The target must be below the baseline OMEQ."),
    "omeq_not_a_dose": lambda: _("OMEQ is a number of 0 mg/day or more."),
    "omeq_record_before_start": lambda: _("A visit is dated before the course start."),
    "omeq_record_in_future": lambda: _("A visit is dated after today."),
    "review_before_start": lambda: _("A course is kept in the practice track after it starts."),
}
# The COWS items in form order (Wesson & Ling 2003), as the form labels them.
COWS_ITEM_LABELS: Mapping[str, Any] = {
    "resting_pulse": gettext_lazy("Resting pulse rate"),
    "sweating": gettext_lazy("Sweating"),
    "restlessness": gettext_lazy("Restlessness"),
    "pupil_size": gettext_lazy("Pupil size"),
    "bone_or_joint_aches": gettext_lazy("Bone or joint aches"),
    "runny_nose_or_tearing": gettext_lazy("Runny nose or tearing"),
    "gi_upset": gettext_lazy("GI upset"),
    "tremor": gettext_lazy("Tremor"),
    "yawning": gettext_lazy("Yawning"),
    "anxiety_or_irritability": gettext_lazy("Anxiety or irritability"),
    "gooseflesh_skin": gettext_lazy("Gooseflesh skin"),
}
# Where a domain field lands in the forms and the API.
_FIELDS = {
    "date": "visit_on",
    "pain": "peg_pain",
    "enjoyment": "peg_enjoyment",
    "activity": "peg_activity",
    "nrs": "nrs",
    "sows_total": "sows_total",
    "cows_total": "cows_total",
    "sows_items": "sows_items",
    "cows_items": "cows_items",
    "next_visit_on": "next_visit_on",
    "interval_days": "follow_up_interval_days",
}
_CODE_FIELDS = {
    "target_not_above_zero": "goal_target_mg_per_day",
    "stop_has_no_target": "goal_target_mg_per_day",
    "target_not_below_baseline": "goal_target_mg_per_day",
    "baseline_not_above_zero": "baseline_omeq_mg_per_day",
}


def domain_message(error: DomainError) -> str:
    if isinstance(error, TransitionError):
        return _transition_message(error)
    if isinstance(error, SecondOpenCourseError):
        return _(
            "The patient already has an open course. End or complete it before starting another."
        )
    field = getattr(error, "field", "")
    if error.code == "sows_item_out_of_range":
        return _("SOWS item %(number)s is 0 to 4.") % {"number": field.removeprefix("item_")}
    if error.code == "cows_item_out_of_range":
        return _("COWS: “%(item)s” allows only the values on the form.") % {
            "item": COWS_ITEM_LABELS.get(field, field)
        }
    message = _FIELD_MESSAGES.get(error.code)
    return message() if message else error.message


def domain_field(error: DomainError) -> str | None:
    field = getattr(error, "field", None)
    if isinstance(error, ScoreError | FollowUpError) and field:
        if field in _FIELDS:
            return _FIELDS[field]
        if error.code.startswith("cows") or field in COWS_ITEM_LABELS:
            return "cows_items"
        return "sows_items"
    if isinstance(error, CourseFactsError):
        return _CODE_FIELDS.get(error.code)
    return None


def validation_error(error: DomainError, *, field: str | None = None) -> ValidationError:
    """A domain refusal as Django's ValidationError, on its field when it has one."""
    target = field or domain_field(error)
    message = domain_message(error)
    if target:
        return ValidationError({target: [ValidationError(message, code=error.code)]})
    return ValidationError(message, code=error.code)


class Refusals:
    """Collects refusals by field, so the user sees every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.by_field.setdefault(field, []).extend(errors)
        else:
            self.by_field.setdefault("__all__", []).extend(error.error_list)

    def add_domain(self, error: DomainError, *, field: str | None = None) -> None:
        self.add(validation_error(error, field=field))

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def alert_message(alert: Alert) -> str:
    """The alert as a sentence with its numbers."""
    params: dict[str, Any] = dict(alert.params or {})
    code = alert.code
    if code == Alert.Code.PEG_WORSENED:
        return _("PEG %(current)s, up %(points)s points from the baseline %(baseline)s.") % {
            "current": params.get("current", "?"),
            "points": params.get("points", "?"),
            "baseline": params.get("baseline", "?"),
        }
    if code == Alert.Code.WITHDRAWAL_MODERATE_OR_ABOVE:
        bands = {
            "moderate": _("moderate"),
            "moderately_severe": _("moderately severe"),
            "severe": _("severe"),
        }
        return _("%(scale)s %(total)s: withdrawal symptoms %(band)s.") % {
            "scale": str(params.get("scale", "")).upper(),
            "total": params.get("total", "?"),
            "band": bands.get(str(params.get("band")), params.get("band", "")),
        }
    if code == Alert.Code.NEW_BENZODIAZEPINE_OR_Z_DRUG:
        return _("New since the last visit: %(atc_codes)s (benzodiazepine or z-drug).") % {
            "atc_codes": params.get("atc_codes", "")
        }
    if code == Alert.Code.MISSED_FOLLOW_UP:
        return _("The follow-up due %(due_on)s has not been recorded (%(days)s days overdue).") % {
            "due_on": params.get("due_on", ""),
            "days": params.get("days_overdue", "?"),
        }
    return str(Alert.Code(code).label) if code in Alert.Code.values else code


def alert_name(code: object) -> str:
    return str(Alert.Code(code).label) if code in Alert.Code.values else str(code)


def discipline_name(value: object) -> str:
    return str(Discipline(value).label) if value in Discipline.values else str(value)


def omeq_text(value: object) -> str:
    """mg/day for reading: at most two decimals (half up), no padding zeros, in the user's
    locale; "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    return for_people(number)


def goal_text(course: Course) -> str:
    if course.goal_kind == GoalKind.TARGET:
        return _("Reach %(mg)s mg/day") % {"mg": omeq_text(course.goal_target_mg_per_day)}
    return _("Stop the opioid")


def day_text(value: object) -> str:
    """An ISO date (as stored in a snapshot or a timeline detail) in the short date format."""
    if not value:
        return "—"
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _when_text(value: object) -> str:
    try:
        return date_format(datetime.fromisoformat(str(value)), "SHORT_DATETIME_FORMAT")
    except ValueError:
        return str(value)


def progress_label(progress: str) -> str:
    kinds = RuleReview.Progress
    return str(kinds(progress).label) if progress in kinds.values else progress


def progress_text(progress: str, working: Mapping[str, Any]) -> str:
    """How a course stood at a deadline (or today), with the numbers the rule compared.
    `working` holds `latest_visit_on`, `latest_omeq_mg_per_day`, `expected_mg_per_day`,
    `allowed_mg_per_day`, `follow_up_due_on` and `plan` (dates as dates or ISO text)."""
    kinds = RuleReview.Progress
    params = {
        "on": day_text(working.get("latest_visit_on")),
        "mg": omeq_text(working.get("latest_omeq_mg_per_day")),
        "expected": omeq_text(working.get("expected_mg_per_day")),
        "allowed": omeq_text(working.get("allowed_mg_per_day")),
        "due": day_text(working.get("follow_up_due_on")),
        "plan": working.get("plan") or _("the taper plan"),
    }
    if progress == kinds.ON_PLAN:
        return (
            _(
                "On plan: %(mg)s mg/day at the visit on %(on)s; %(plan)s expected %(expected)s "
                "mg/day then, and up to %(allowed)s counts as on plan."
            )
            % params
        )
    if progress == kinds.BEHIND_PLAN:
        return (
            _(
                "Behind the taper plan: %(mg)s mg/day at the visit on %(on)s; %(plan)s "
                "expected %(expected)s mg/day then, and up to %(allowed)s counts as on plan."
            )
            % params
        )
    if progress == kinds.NO_PLAN:
        return (
            _(
                "No taper plan to judge the progress by: %(mg)s mg/day at the visit on %(on)s, "
                "and the goal is not reached."
            )
            % params
        )
    if progress == kinds.SUBSTITUTION_TREATMENT:
        return (
            _(
                "On substitution treatment at the visit on %(on)s: OMEQ leaves the "
                "substitution opioid out, so this never counts as stopped."
            )
            % params
        )
    if progress == kinds.NO_FOLLOW_UP and working.get("latest_visit_on"):
        return (
            _(
                "No recent follow-up: the visit due %(due)s was not recorded (the latest "
                "visit was on %(on)s)."
            )
            % params
        )
    if progress == kinds.NO_FOLLOW_UP:
        return _("No recent follow-up: no visit has been recorded.")
    return progress_label(progress)


def review_text(review: RuleReview) -> str:
    """What the rule found at one deadline, as a sentence with its numbers."""
    working = {
        "latest_visit_on": review.latest_visit_on,
        "latest_omeq_mg_per_day": review.latest_omeq_mg_per_day,
        "expected_mg_per_day": review.expected_mg_per_day,
        "allowed_mg_per_day": review.allowed_mg_per_day,
        "follow_up_due_on": review.follow_up_due_on,
        "plan": review.plan,
    }
    return progress_text(review.progress, working)


def check_text(check: ProgressCheck) -> str:
    """How a course stands against its plan on `check.judged_on` (the course page's today)."""
    latest = check.latest
    working = {
        "latest_visit_on": latest.on if latest else None,
        "latest_omeq_mg_per_day": latest.mg_per_day if latest else None,
        "expected_mg_per_day": check.expected_mg_per_day,
        "allowed_mg_per_day": check.allowed_mg_per_day,
        "follow_up_due_on": check.follow_up_due_on,
        "plan": check.plan_reference,
    }
    return progress_text(check.progress.value, working)


def why(event: TimelineEvent) -> str:
    """Why it happened: the user's reason, or the system's working in the user's language."""
    detail: dict[str, Any] = event.detail or {}
    kind = TimelineEvent.Kind
    text = ""
    if event.kind == kind.PROPOSE_HANDOVER and detail.get("review_from"):
        text = _(
            "The review %(deadline)s (after the course was kept in the practice track on "
            "%(kept)s) passed without the goal reached."
        ) % {
            "deadline": day_text(detail.get("deadline")),
            "kept": day_text(detail.get("review_from")),
        }
        text += " " + progress_text(str(detail.get("progress", "")), detail)
        text += " " + _("The GP decides whether to hand the patient over.")
    elif event.kind == kind.PROPOSE_HANDOVER:
        text = _(
            "The deadline %(deadline)s (%(months)s calendar months from the start) passed "
            "without the goal reached."
        ) % {
            "deadline": day_text(detail.get("deadline")),
            "months": detail.get("period_months", "?"),
        }
        if detail.get("progress"):
            text += " " + progress_text(str(detail["progress"]), detail)
            text += " " + _("The GP decides whether to hand the patient over.")
    elif event.kind == kind.KEPT_ON_PLAN:
        text = (
            progress_text(str(detail.get("progress", "")), detail)
            + " "
            + _("Kept in the practice track; next review %(next)s.")
            % {"next": day_text(detail.get("next_review"))}
        )
    elif event.kind == kind.CONFIRM_HANDOVER:
        text = _("Handed over as the 3-month rule proposed (%(progress)s).") % {
            "progress": progress_label(str(detail.get("progress", ""))).lower()
        }
    elif event.kind == kind.KEEP_IN_PRACTICE:
        text = _("The 3-month rule proposed a handover; next review %(next)s.") % {
            "next": day_text(detail.get("next_review"))
        }
    elif event.kind == kind.RECORD_SUCCESS and detail.get("success_on"):
        reason = (
            _("stopped") if detail.get("success_reason") == "stopped" else _("the target reached")
        )
        text = _("OMEQ %(mg)s mg/day on %(on)s: %(reason)s by the deadline %(deadline)s.") % {
            "mg": omeq_text(detail.get("omeq_mg_per_day")),
            "on": day_text(detail.get("success_on")),
            "reason": reason,
            "deadline": day_text(detail.get("deadline")),
        }
    elif event.kind == kind.CREATED and "baseline_omeq_mg_per_day" in detail:
        text = _("Baseline OMEQ %(mg)s mg/day; 3-month deadline %(deadline)s.") % {
            "mg": omeq_text(detail.get("baseline_omeq_mg_per_day")),
            "deadline": day_text(detail.get("deadline")),
        }
    elif event.kind == kind.CREATED:
        text = _("Accepted from the practice track.")
    elif event.kind == kind.FOLLOW_UP:
        text = _("Visit %(on)s: OMEQ %(mg)s mg/day.") % {
            "on": day_text(detail.get("visit_on")),
            "mg": omeq_text(detail.get("omeq_mg_per_day")),
        }
        if detail.get("alerts"):
            labels = [alert_name(c) for c in detail["alerts"] if c in Alert.Code.values]
            text += " " + _("Alerts: %(alerts)s.") % {"alerts": ", ".join(labels)}
    elif event.kind == kind.ASSESS_NEEDS:
        names = [
            discipline_name(d) for d in detail.get("disciplines", []) if d in Discipline.values
        ]
        text = _("Disciplines: %(names)s.") % {"names": ", ".join(names)}
    elif event.kind == kind.TEAM_MEMBER_ADDED:
        text = f"{detail.get('user', '')} ({discipline_name(detail.get('discipline', ''))})"
    elif event.kind == kind.APPOINTMENT_ADDED:
        text = _when_text(detail.get("starts_at"))
    elif event.kind in (kind.DISCHARGE_SUMMARY, kind.COMPLETE) and detail.get("sent_to"):
        text = _("Sent to %(practice)s.") % {"practice": detail["sent_to"]}
    elif event.kind == kind.ALERT_ACKNOWLEDGED:
        text = alert_name(detail.get("alert", ""))
    if event.reason:
        return f"{text} {event.reason}".strip()
    return text
