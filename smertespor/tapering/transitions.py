"""A plan's statuses and the actions that move it between them (who, when and why is kept
in `TaperPlanEvent` by the services).

    draft --activate--> active --pause--> paused --resume--> active
    draft | active | paused --abandon--> abandoned
    active | paused --complete--> completed
    active | paused --(adjust from the current step)--> superseded, and the new version active
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smertespor.tapering.models import Status


class Action(StrEnum):
    ACTIVATE = "activate"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    ABANDON = "abandon"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: Status
    needs_reason: bool
    label: Promise


TRANSITIONS: dict[Action, Transition] = {
    Action.ACTIVATE: Transition(
        Action.ACTIVATE, frozenset({Status.DRAFT}), Status.ACTIVE, False, _("Activate")
    ),
    Action.PAUSE: Transition(
        Action.PAUSE, frozenset({Status.ACTIVE}), Status.PAUSED, True, _("Pause")
    ),
    Action.RESUME: Transition(
        Action.RESUME, frozenset({Status.PAUSED}), Status.ACTIVE, False, _("Resume as planned")
    ),
    Action.COMPLETE: Transition(
        Action.COMPLETE,
        frozenset({Status.ACTIVE, Status.PAUSED}),
        Status.COMPLETED,
        True,
        _("Complete"),
    ),
    Action.ABANDON: Transition(
        Action.ABANDON,
        frozenset({Status.DRAFT, Status.ACTIVE, Status.PAUSED}),
        Status.ABANDONED,
        True,
        _("Abandon"),
    ),
}
ADJUSTABLE = frozenset({Status.ACTIVE, Status.PAUSED})


def actions_from(status: str) -> list[Transition]:
    """The actions open to a plan in `status`, in the order the page offers them."""
    return [t for t in TRANSITIONS.values() if status in t.sources]
