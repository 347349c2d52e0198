"""The pathway's wording in the user's language: the problems of a refused pathway file,
the instrument's texts (Danish or English from its data), events and actors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.pathway import Answer, AnswerError, Instrument, Item, Outcome
from smertespor.accounts.models import Organisation
from smertespor.definition_files import COMMON_PROBLEMS

PROBLEMS = {
    **COMMON_PROBLEMS,
    "not_date": gettext_lazy("must be a date (YYYY-MM-DD)"),
    "bad_weeks": gettext_lazy("must be two whole numbers of weeks [min, max], 0 ≤ min ≤ max"),
    "unknown_actor": gettext_lazy("is not an organisation kind that can own a stage"),
    "unknown_level": gettext_lazy("names no level of the pathway"),
    "unknown_instrument": gettext_lazy("names no instrument Smertespor knows"),
    "unknown_outcome": gettext_lazy("names no result of the instrument"),
    "outcome_without_level": gettext_lazy("a result of the instrument has no level"),
    "no_stages": gettext_lazy("the pathway has no stages"),
    "no_levels": gettext_lazy("the pathway has no levels"),
    "no_start": gettext_lazy(
        "exactly one stage must start the pathway (starts_pathway = true), owned by the coordinator"
    ),
    "coordinator_owns_nothing": gettext_lazy("the coordinator owns no stage"),
    "level_without_stage": gettext_lazy("a level has no stage"),
    "no_catch_all": gettext_lazy("the last rule must have no bounds"),
    "bad_bound": gettext_lazy("must be a whole number"),
    "unknown_scale": gettext_lazy("names no answer scale"),
    "bad_item_numbers": gettext_lazy("items must be numbered 1, 2, 3 … in order"),
    "bad_points": gettext_lazy("points must be a whole number of 0 or more"),
}


def answer_error(error: AnswerError) -> ValidationError:
    if error.code == "unanswered":
        message = _("Question %(number)s is not answered.") % {"number": error.item}
    elif error.code == "unknown_item":
        message = _("There is no question %(number)s.") % {"number": error.item}
    else:
        message = _("Question %(number)s: choose one of its answers.") % {"number": error.item}
    return ValidationError({"answers": [ValidationError(message, code=error.code)]})


def _danish() -> bool:
    return (translation.get_language() or "da").startswith("da")


def item_text(item: Item) -> str:
    return item.text_da if _danish() else item.text


def answer_label(answer: Answer) -> str:
    return answer.label_da if _danish() else answer.label


def outcome_name(instrument: Instrument, code: str) -> str:
    outcome: Outcome | None = instrument.outcome(code)
    if outcome is None:
        return code
    return outcome.name_da if _danish() else outcome.name


def matched_treatment(instrument: Instrument, code: str) -> str:
    outcome = instrument.outcome(code)
    if outcome is None:
        return ""
    return outcome.matched_treatment_da if _danish() else outcome.matched_treatment


def period(instrument: Instrument) -> str:
    return instrument.period_da if _danish() else instrument.period


def actor_name(kind: str) -> str:
    try:
        return str(Organisation.Kind(kind).label)
    except ValueError:
        return kind


EVENT_TEXTS = {
    "enrolled": gettext_lazy("Enrolled in the pathway"),
    "level_set": gettext_lazy("Level set"),
    "involved": gettext_lazy("Involved by the GP"),
    "started": gettext_lazy("Started"),
    "planned": gettext_lazy("Plan reported"),
    "ended": gettext_lazy("Ended"),
    "pathway_ended": gettext_lazy("Pathway ended"),
}


def event_name(kind: str) -> str:
    return str(EVENT_TEXTS.get(kind, kind))
