"""The decisions on a course: the transitions a doctor (or the clinic) takes by hand, written
once for the course page and the API.

`decisions_for(user, course)` lists the buttons (the domain's `allowed_events` for the user's
side, narrowed to their role); `take_decision(...)` runs the matching service. The needs
assessment, the plan, completion and the decision on the 3-month rule's proposal have pages
of their own and are not taken here. (What the rule does by itself is in `tracks.rules`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.tracks import Actor as DomainActor
from domain.tracks import CourseEvent, CourseStatus, allowed_events
from smertespor.accounts.models import Requester, User
from smertespor.tracks import hospital_services, services
from smertespor.tracks.models import Course
from smertespor.tracks.permissions import actor_for, can_decide
from smertespor.tracks.transitions import check_transition
from smertespor.versions import ExpectedVersion


@dataclass(frozen=True)
class Decision:
    event: CourseEvent
    label: Promise
    reason_label: Promise | str
    needs_reason: bool
    own_page: str = ""  # a URL name when the decision has a form of its own


DECISIONS = {
    CourseEvent.HAND_OVER_EARLY: Decision(
        CourseEvent.HAND_OVER_EARLY,
        gettext_lazy("Hand over to the pain clinic now"),
        gettext_lazy("Why hand over before the 3-month mark?"),
        needs_reason=True,
    ),
    CourseEvent.CONFIRM_HANDOVER: Decision(
        CourseEvent.CONFIRM_HANDOVER,
        gettext_lazy("Hand over as the 3-month rule proposes"),
        "",
        needs_reason=False,
        own_page="tracks:proposal",
    ),
    CourseEvent.KEEP_IN_PRACTICE: Decision(
        CourseEvent.KEEP_IN_PRACTICE,
        gettext_lazy("Keep in the practice track"),
        "",
        needs_reason=True,
        own_page="tracks:proposal",
    ),
    CourseEvent.RECORD_SUCCESS: Decision(
        CourseEvent.RECORD_SUCCESS,
        gettext_lazy("Record success"),
        gettext_lazy("How was the goal reached? (optional)"),
        needs_reason=False,
    ),
    CourseEvent.ACCEPT: Decision(
        CourseEvent.ACCEPT,
        gettext_lazy("Accept into the hospital track"),
        gettext_lazy("Note (optional)"),
        needs_reason=False,
    ),
    CourseEvent.RETURN_TO_PRACTICE: Decision(
        CourseEvent.RETURN_TO_PRACTICE,
        gettext_lazy("Return to the practice track with advice"),
        gettext_lazy("Advice to the GP for going on in the practice"),
        needs_reason=True,
    ),
    CourseEvent.ASSESS_NEEDS: Decision(
        CourseEvent.ASSESS_NEEDS,
        gettext_lazy("Assess needs"),
        "",
        needs_reason=False,
        own_page="tracks:needs_assessment",
    ),
    CourseEvent.ACTIVATE_PLAN: Decision(
        CourseEvent.ACTIVATE_PLAN,
        gettext_lazy("Make the course plan"),
        "",
        needs_reason=False,
        own_page="tracks:course_plan",
    ),
    CourseEvent.COMPLETE: Decision(
        CourseEvent.COMPLETE,
        gettext_lazy("Complete with a discharge summary"),
        "",
        needs_reason=False,
        own_page="tracks:course_complete",
    ),
    CourseEvent.END: Decision(
        CourseEvent.END,
        gettext_lazy("End the course"),
        gettext_lazy("Why does the course end?"),
        needs_reason=True,
    ),
}


def decisions_for(user: Requester, course: Course) -> list[Decision]:
    """The decisions `user` may take on `course` now, in the state machine's order."""
    actor = actor_for(user, course)
    if actor is None or not can_decide(user, course):
        return []
    events = allowed_events(CourseStatus(course.status), by=DomainActor(actor))
    return [DECISIONS[event] for event in events if event in DECISIONS]


def decision_for(event: str) -> Decision | None:
    """The decision named `event` (a `CourseEvent` value), or None for anything else."""
    try:
        return DECISIONS.get(CourseEvent(event))
    except ValueError:
        return None


def take_decision(
    *,
    course: Course,
    by: User,
    event: str,
    expected_version: ExpectedVersion,
    reason: str = "",
    gp_comment: str = "",
    expected_duration: str = "",
    planned_follow_up: str = "",
) -> Course:
    """Run the service for `event`; the course to show afterwards (accepting opens a new one)."""
    try:
        chosen = CourseEvent(event)
    except ValueError:
        raise ValidationError({"event": _("Choose a step.")}) from None
    if chosen is CourseEvent.HAND_OVER_EARLY:
        services.hand_over_early(
            course=course,
            by=by,
            expected_version=expected_version,
            reason=reason,
            gp_comment=gp_comment,
            expected_duration=expected_duration,
            planned_follow_up=planned_follow_up,
        )
    elif chosen is CourseEvent.RECORD_SUCCESS:
        services.record_success(
            course=course, by=by, expected_version=expected_version, reason=reason
        )
    elif chosen is CourseEvent.END:
        services.end_course(course=course, by=by, expected_version=expected_version, reason=reason)
    elif chosen is CourseEvent.ACCEPT:
        return hospital_services.accept_handover(
            course=course, by=by, expected_version=expected_version, note=reason
        )
    elif chosen is CourseEvent.RETURN_TO_PRACTICE:
        hospital_services.return_to_practice(
            course=course, by=by, expected_version=expected_version, advice=reason
        )
    else:
        actor = actor_for(by, course)
        # Let the state machine say why (e.g. only the system proposes the rule's handover).
        check_transition(course, chosen, actor or "practice", reason)
        raise ValidationError({"event": _("This step has a form of its own.")})
    return course
