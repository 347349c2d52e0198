"""The wording of the centres app: modules, instruments, events and the domain's refusals in
the user's language (the domain speaks English with stable codes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from domain.centre_course import CentreTransitionError, ModuleError
from domain.errors import DomainError
from domain.outcomes import OutcomeError
from smertespor.centres.models import MeasureTimepoint, Status
from smertespor.entry.numbers import for_people

MODULE_NAMES: Mapping[str, Callable[[], str]] = {
    "cbt_group": lambda: _("CBT-based group programme"),
    "pain_education": lambda: _("Pain education"),
    "graded_activity": lambda: _("Graded activity"),
    "self_management": lambda: _("Self-management"),
    "medication_review_taper": lambda: _("Medication review and taper"),
}
INSTRUMENT_NAMES: Mapping[str, Callable[[], str]] = {
    "peg": lambda: _("PEG (pain, enjoyment, general activity)"),
    "nrs": lambda: _("Pain intensity (NRS 0-10)"),
    "pseq2": lambda: _("Pain self-efficacy (PSEQ-2)"),
}
ITEM_TEXTS: Mapping[tuple[str, str], Callable[[], str]] = {
    ("peg", "pain"): lambda: _("Average pain in the past week (0-10)"),
    ("peg", "enjoyment"): lambda: _("Pain's interference with enjoyment of life (0-10)"),
    ("peg", "activity"): lambda: _("Pain's interference with general activity (0-10)"),
    ("nrs", "nrs"): lambda: _("Pain intensity now (0-10)"),
    ("pseq2", "work"): lambda: _("I can do some form of work, despite the pain (0-6)"),
    ("pseq2", "lifestyle"): lambda: _("I can live a normal lifestyle, despite the pain (0-6)"),
}
EVENT_NAMES: Mapping[str, Callable[[], str]] = {
    "created": lambda: _("Course planned"),
    "start": lambda: _("Course started"),
    "cancel": lambda: _("Course cancelled"),
    "discharge": lambda: _("Discharged with a summary to the GP"),
    "team_member_added": lambda: _("Team member added"),
    "team_member_removed": lambda: _("Team member removed"),
    "module_added": lambda: _("Module planned"),
    "taper_plan_linked": lambda: _("Taper plan linked"),
    "appointment_booked": lambda: _("Appointment booked"),
    "appointment_recorded": lambda: _("Appointment recorded"),
    "outcome_recorded": lambda: _("Outcome measure recorded"),
}


def module_name(code: str) -> str:
    found = MODULE_NAMES.get(code)
    return found() if found else code


def instrument_name(code: str, fallback: str = "") -> str:
    found = INSTRUMENT_NAMES.get(code)
    return found() if found else (fallback or code)


def item_text(instrument: str, item: str, fallback: str) -> str:
    found = ITEM_TEXTS.get((instrument, item))
    return found() if found else fallback


def event_name(kind: str) -> str:
    found = EVENT_NAMES.get(kind)
    return found() if found else kind


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def timepoint_label(timepoint: str) -> str:
    values = MeasureTimepoint.values
    return str(MeasureTimepoint(timepoint).label) if timepoint in values else timepoint


def score_text(value: Decimal | None) -> str:
    return "—" if value is None else for_people(value)


_MESSAGES: Mapping[str, Callable[[], str]] = {
    "transition_not_allowed": lambda: _("This step is not possible in the course's status."),
    "transition_reason_required": lambda: _("Give a reason for cancelling the course."),
    "appointment_already_recorded": lambda: _(
        "The appointment is already recorded as attended or cancelled."
    ),
    "unknown_module": lambda: _("Choose a module from the list."),
    "item_missing": lambda: _("Answer this item."),
    "item_out_of_range": lambda: _("The answer is outside the item's range."),
    "item_not_whole_number": lambda: _("Answer with a whole number."),
    "unknown_item": lambda: _("This item is not part of the questionnaire."),
    "unknown_instrument": lambda: _("Choose a measure from the list."),
}
_FIELDS = {
    "transition_reason_required": "reason",
    "unknown_module": "code",
    "unknown_instrument": "instrument",
}


def validation_error(error: DomainError) -> ValidationError:
    """A domain refusal as a ValidationError on its field, in the user's language."""
    message = _MESSAGES.get(error.code, lambda: str(error))()
    if isinstance(error, OutcomeError) and error.code.startswith(("item_", "unknown_item")):
        field = f"answers.{error.field}"
    elif isinstance(error, CentreTransitionError | ModuleError | OutcomeError):
        field = _FIELDS.get(error.code, "")
    else:
        field = ""
    if field:
        return ValidationError({field: [ValidationError(message, code=error.code)]})
    return ValidationError(message, code=error.code)
