"""The words for the taper domain's codes: refusals, step notes and suggestions.

The domain speaks in stable English codes with text params (exact decimal strings); here each
code gets a sentence marked for translation, filled in at call time in the user's language
with numbers in the user's locale and product ids as product names. `input_error` turns any
refusal of the domain into the `ValidationError` the services raise: one error per problem,
with the domain's code, at the path of the API field it is about (`target.omeq_mg_per_day`,
`pauses.0.step`); the plan forms map those paths to their own fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from domain.catalogue import Catalogue, CatalogueError
from domain.errors import DomainError
from domain.omeq import ConversionTable, RegimenError
from domain.tapering import (
    NoteCode,
    PauseAtStep,
    StrengthError,
    StrengthErrorCode,
    SuggestionCode,
    TaperError,
    TaperErrorCode,
    TaperInputError,
    TaperProblem,
    TargetKind,
)
from smertespor.entry.numbers import for_people
from smertespor.medication.labels import line_problem_message, substance_name
from smertespor.tapering.pace import Pace

Code = TaperErrorCode

TAPER_ERROR_MESSAGES: dict[TaperErrorCode, Promise] = {
    Code.EMPTY_REGIMEN: _("The medication list has no opioid to taper."),
    Code.UNKNOWN_PRODUCT: _(
        "%(product)s is no longer in the product catalogue; record the line again."
    ),
    Code.NOT_AN_OPIOID: _("%(product)s is not an opioid; a taper plan reduces opioids."),
    Code.SUBSTITUTION_PRODUCT: _(
        "%(product)s is substitution treatment, which a taper plan does not reduce."
    ),
    Code.NO_MARKETED_STRENGTHS: _(
        "%(product)s has no marketed strengths in the catalogue, so no dose can be planned with it."
    ),
    Code.STRENGTH_NOT_MARKETED: _(
        "%(product)s is not marketed as %(strength)s %(unit)s (marketed: %(marketed)s %(unit)s)."
        " Record the line with a marketed strength."
    ),
    Code.MEASURED_IN_ML: _(
        "%(product)s is measured in drops or for injection; a taper plan needs tablets, "
        "capsules, patches or an oral solution for doses taken on a schedule."
    ),
    Code.UNITS_NOT_VALID: _("%(product)s cannot be taken as %(units)s units: %(how)s."),
    Code.EMPTY_SCHEDULE: _(
        "%(product)s has no dose at any time of day: enter the units taken in the morning, at "
        "noon, in the evening or at night."
    ),
    Code.PATCH_AT_SEVERAL_TIMES: _(
        "%(product)s: all patches are changed at one time of day; enter them at one time only."
    ),
    Code.PRN_MAXIMUM_NOT_VALID: _(
        "%(product)s: the maximum number of as-needed doses a day must be a whole number from "
        "1 (it is %(maximum)s)."
    ),
    Code.PRN_PATCH: _("%(product)s: a patch cannot be used as needed."),
    Code.STEP_SIZE_OUT_OF_RANGE: _(
        "The step must be above 0 %% and at most %(maximum)s %% (it is %(percent)s %%)."
    ),
    Code.INTERVAL_TOO_SHORT: _(
        "The interval between steps must be at least 1 day (it is %(days)s)."
    ),
    Code.START_DATE_TOO_FAR_IN_PAST: _(
        "The start date %(start_date)s is too far in the past: a plan may start at most "
        "%(max_days)s days before today."
    ),
    Code.SLOW_DOWN_OUT_OF_RANGE: _(
        "To slow down, give a share of the starting dose above 0 and below 100 %% and slower "
        "steps above 0 and at most 100 %% of the usual step."
    ),
    Code.PAUSE_NOT_VALID: _(
        "A pause needs a step from 1 and at least 1 extra day; a pause between dates cannot end "
        "before it begins."
    ),
    Code.PAUSE_OUTSIDE_PLAN: _(
        "The pause (%(pause)s) touches no step of the plan: its %(steps)s steps change the dose "
        "%(span)s, and the last step has no end."
    ),
    Code.ORDER_NAMES_UNKNOWN_PRODUCT: _(
        "%(product)s is not in the regimen, so it cannot be reduced first."
    ),
    Code.TARGET_NOT_VALID: _(
        "Give a target of 0 or more (and, for a target dose, the product it is for)."
    ),
    Code.TARGET_PRODUCT_NOT_SCHEDULED: _(
        "%(product)s is not taken on a schedule, so it cannot be the target product."
    ),
    Code.TARGET_NOT_BELOW_CURRENT: _(
        "The target %(target)s %(unit)s is not below the current %(current)s %(unit)s."
    ),
    Code.TARGET_NOT_REPRESENTABLE: _(
        "A target of %(target)s %(target_unit)s cannot be kept with %(product)s: the smallest "
        "marketed strength is %(smallest_strength)s %(unit)s and the smallest dose "
        "%(smallest_dose)s %(unit)s (%(smallest_omeq)s mg OMEQ/day). Choose a higher target or "
        "stop."
    ),
    Code.PLAN_TOO_LONG: _(
        "The plan would need more than %(max_steps)s steps or last more than %(max_years)s "
        "years; choose a larger step or a shorter interval."
    ),
    Code.STOP_THRESHOLD_NOT_VALID: _(
        "The most a product may be stopped from must be above 0 mg OMEQ/day (it is %(threshold)s)."
    ),
    Code.STOP_ABOVE_THRESHOLD: _(
        "%(product)s would be stopped from %(stop)s mg OMEQ/day, more than the %(threshold)s mg "
        "OMEQ/day a plan may stop from, and no finer product in the catalogue can take over. "
        "Choose a target dose instead of stopping, or ask the pain clinic."
    ),
}

STRENGTH_ERROR_MESSAGES: dict[StrengthErrorCode, Promise] = {
    StrengthErrorCode.NO_MARKETED_STRENGTHS: TAPER_ERROR_MESSAGES[Code.NO_MARKETED_STRENGTHS],
    StrengthErrorCode.MEASURED_IN_ML: TAPER_ERROR_MESSAGES[Code.MEASURED_IN_ML],
    StrengthErrorCode.DOSE_TOO_LARGE: _(
        "%(amount)s %(unit)s of %(product)s is too large to express in marketed strengths; "
        "check the dose and unit on the medication list."
    ),
    StrengthErrorCode.BELOW_SMALLEST_STRENGTH: _(
        "%(amount)s %(unit)s of %(product)s is less than the smallest dose, %(smallest_dose)s "
        "%(unit)s (the smallest marketed strength is %(smallest_strength)s %(unit)s)."
    ),
    StrengthErrorCode.NOT_REPRESENTABLE: _(
        "%(amount)s %(unit)s cannot be made from the marketed strengths of %(product)s."
    ),
    StrengthErrorCode.BAD_TIMES: _("%(product)s: give each time of day once."),
}

NOTE_MESSAGES: dict[NoteCode, Promise] = {
    NoteCode.ROUNDING_FORCED_LARGER_CUT: _(
        "The marketed strengths of %(product)s force a cut of %(cut)s mg OMEQ/day, more than the "
        "step of %(cut_limit)s; the smallest dose is %(smallest_dose)s %(unit)s."
    ),
    NoteCode.CONVERSION_BAND_CHANGED: _(
        "The conversion factor changes band at this dose: the step cuts %(cut)s mg OMEQ/day, "
        "more than the step of %(cut_limit)s."
    ),
    NoteCode.SLOWER_PACE: _(
        "The OMEQ is at or below %(below_share_percent)s %% of the start: steps are now "
        "%(step_factor_percent)s %% as large."
    ),
    NoteCode.TARGET_ROUNDED_DOWN: _(
        "The strengths reach %(reached)s %(unit)s, the closest dose below the target of "
        "%(target)s %(unit)s."
    ),
    NoteCode.PAUSED: _("The dose holds %(days)s days longer: a planned pause."),
    NoteCode.START_AFTER_PAUSE: _(
        "The first step starts %(days)s days after the start date chosen: a planned pause."
    ),
    NoteCode.STRETCHED: _(
        "This step cuts %(cut)s mg OMEQ/day, more than the step of %(cut_limit)s, so it lasts "
        "%(days)s days instead of %(interval_days)s: the pace holds."
    ),
    NoteCode.PATCH_RHYTHM: _(
        "The patch is changed every %(change_days)s days: this step lasts %(days)s days, a "
        "whole number of changes, instead of %(interval_days)s."
    ),
    NoteCode.SWITCHED: _(
        "Switch from %(from_product)s to %(to_product)s at the same OMEQ (%(from_omeq)s → "
        "%(to_omeq)s mg/day, table %(table)s %(table_version)s): stopping %(from_product)s "
        "would remove %(stop)s mg OMEQ/day at once."
    ),
}

SWITCH_REASONS: dict[str, Promise] = {
    "stop_above_threshold": _(
        "Its last step would remove %(stop)s mg OMEQ/day at once, more than the %(threshold)s "
        "mg OMEQ/day a plan may stop from."
    ),
    "coarser_than_pace": _(
        "Its smallest marketed unit is coarser than the pace: its last step would remove "
        "%(stop)s mg OMEQ/day at once, more than a step of %(limit)s."
    ),
}
SWITCH_PROPOSAL = _(
    "Step %(step)s: switch from %(from_product)s to %(to_product)s at the same OMEQ, "
    "%(from_omeq)s → %(to_omeq)s mg/day (conversion table %(table)s %(table_version)s), then "
    "reduce %(to_product)s."
)

SUGGESTION_MESSAGES: dict[SuggestionCode, Promise] = {
    SuggestionCode.SWITCH_TO_ONE_DEPOT_OPIOID: _(
        "Consider first switching to one long-acting (depot) opioid taken at fixed times (the "
        "regimen has: %(substances)s)."
    ),
    SuggestionCode.METHADONE_SPECIALIST_ADVICE: _(
        "Methadone acts for long and its conversion depends on the dose: reduce it slowly, one "
        "opioid at a time, and ask a specialist before switching it to another opioid (the "
        "regimen has: %(substances)s)."
    ),
}
SHORT_ACTING_SUGGESTION = _("Short-acting opioids taken on a schedule: %(products)s.")

UNIT_NAMES: dict[str, Promise] = {
    "mg OMEQ/day": _("mg OMEQ/day"),
    "mg/day": _("mg/day"),
    "mcg/day": _("mcg/day"),
    "mcg/h/day": _("mcg/h"),
    # A product's own unit, as a strength or a dose is written in it.
    "mcg/h": _("mcg/h"),
    "mcg": pgettext_lazy("strength unit", "mcg"),
}

EXCLUDED_REASONS: dict[str, Promise] = {
    "not_an_opioid": _("not an opioid: a taper plan leaves it as it is"),
    "substitution": _("substitution treatment: not part of a taper plan"),
}

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NUMBER_PARAMS = frozenset(
    {
        "strength",
        "units",
        "maximum",
        "percent",
        "target",
        "current",
        "smallest_strength",
        "smallest_dose",
        "smallest_omeq",
        "cut",
        "cut_limit",
        "reached",
        "amount",
        "below_share_percent",
        "step_factor_percent",
        "max_steps",
        "days",
        "max_days",
        "max_years",
        "interval_days",
        "change_days",
        "from_omeq",
        "to_omeq",
        "stop",
        "threshold",
        "limit",
    }
)


def number(value: str | Decimal) -> str:
    """An exact decimal string in the user's locale, all its decimals kept (12.5 -> 12,5)."""
    return for_people(value) or str(value)


def _product_name(product_id: str, catalogue: Catalogue | None) -> str:
    if catalogue is None:
        return product_id
    try:
        return catalogue.by_id(product_id).name
    except CatalogueError:
        return product_id


def fill(
    template: Promise,
    params: Mapping[str, str],
    *,
    catalogue: Catalogue | None = None,
    product_name: str | None = None,
) -> str:
    """`template` with the domain's params in the user's language and locale."""
    values: dict[str, str] = {}
    for key, value in params.items():
        if key in _NUMBER_PARAMS and _NUMBER.fullmatch(value):
            values[key] = number(value)
        elif key in {"unit", "target_unit"}:
            values[key] = str(UNIT_NAMES.get(value, value))
        else:
            values[key] = value
    if "product" in params:
        values["product"] = product_name or _product_name(params["product"], catalogue)
    if "marketed" in params:
        values["marketed"] = " / ".join(number(m.strip()) for m in params["marketed"].split(","))
    if "substances" in params:
        values["substances"] = ", ".join(
            substance_name(s) for s in params["substances"].split(", ") if s
        )
    if "splittable" in params:
        values["how"] = (
            _gettext("it is taken in whole or half tablets")
            if params["splittable"] == "true"
            else _gettext("it is taken in whole units")
        )
    if "pause" in params:
        values["span"] = (
            _gettext("from %(first)s to %(last)s")
            % {"first": params["first_change"], "last": params["last_change"]}
            if params.get("first_change")
            else ""
        )
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):
        return str(template) % _Missing(values)


class _Missing(dict[str, str]):
    """Params a message names but the domain did not send show as a dash, never a crash."""

    def __missing__(self, key: str) -> str:
        return "—"


def note_message(code: str, params: Mapping[str, str]) -> str:
    template = NOTE_MESSAGES.get(NoteCode(code)) if code in NoteCode._value2member_map_ else None
    if template is None:
        return code
    named = dict(params)
    for key in ("from_product", "to_product"):
        if key in named:
            named[key] = named.get(f"{key}_name", named[key])
    return fill(template, named, product_name=params.get("product_name"))


def switch_messages(switch: Mapping[str, Any]) -> tuple[str, str]:
    """A stored switch (`plan_rows.switch_json`) as the proposal and its reason, in the
    user's language."""
    params = {
        "step": str(switch["step"]),
        "from_product": switch["from_dose"]["name"],
        "to_product": switch["to_dose"]["name"],
        "from_omeq": switch["from_omeq_mg_per_day"],
        "to_omeq": switch["to_omeq_mg_per_day"],
        "stop": switch["stop_mg_per_day"],
        "limit": switch["limit_mg_per_day"],
        "threshold": switch["threshold_mg_per_day"],
        "table": switch["table"]["id"],
        "table_version": switch["table"]["version"],
    }
    reason = SWITCH_REASONS.get(switch["reason"])
    return fill(SWITCH_PROPOSAL, params), fill(reason, params) if reason else switch["reason"]


def suggestion_message(code: str, params: Mapping[str, str]) -> str:
    if code not in SuggestionCode._value2member_map_:
        return code
    message = fill(SUGGESTION_MESSAGES[SuggestionCode(code)], params)
    if params.get("short_acting_products"):
        names = params.get("short_acting_names") or params["short_acting_products"]
        message += " " + str(SHORT_ACTING_SUGGESTION) % {"products": names}
    return message


def excluded_reason(reason: str) -> str:
    return str(EXCLUDED_REASONS.get(reason, reason))


def coded_messages(items: Iterable[Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Stored notes or suggestions as the API shows them: code, params and the message."""
    render = note_message if kind == "note" else suggestion_message
    return [
        {
            "code": item["code"],
            "params": item.get("params", {}),
            "message": render(item["code"], item.get("params", {})),
        }
        for item in items
    ]


def messages_of(items: Iterable[Mapping[str, Any]], kind: str) -> list[str]:
    """Stored notes or suggestions ({"code", "params"}) in the user's language."""
    return [item["message"] for item in coded_messages(items, kind)]


# --- refusals as a ValidationError ------------------------------------------------------

# The API field a refusal is about (the forms map these paths to their fields); a code not
# here is about the request as a whole or about a line of the medication list.
FIELD_PATHS: dict[TaperErrorCode, str] = {
    Code.STOP_THRESHOLD_NOT_VALID: "stop_threshold_mg_per_day",
    Code.STEP_SIZE_OUT_OF_RANGE: "step_percent",
    Code.PLAN_TOO_LONG: "step_percent",
    Code.INTERVAL_TOO_SHORT: "interval_days",
    Code.START_DATE_TOO_FAR_IN_PAST: "start_date",
    Code.TARGET_PRODUCT_NOT_SCHEDULED: "target.product_id",
}
TARGET_CODES = frozenset(
    {Code.TARGET_NOT_VALID, Code.TARGET_NOT_BELOW_CURRENT, Code.TARGET_NOT_REPRESENTABLE}
)
OMEQ_UNIT = "mg OMEQ/day"


def _problem_message(
    problem: TaperProblem | TaperError,
    catalogue: Catalogue | None,
    line_labels: Sequence[str],
) -> str:
    code = TaperErrorCode(problem.code)
    params = problem.params_dict()
    line = getattr(problem, "line", None)
    label = line_labels[line - 1] if line is not None and 0 < line <= len(line_labels) else None
    template = TAPER_ERROR_MESSAGES.get(code)
    if template is None:
        return problem.message
    return fill(template, params, catalogue=catalogue, product_name=label)


def _pause_path(params: Mapping[str, str], pace: Pace | None) -> str:
    """`pauses.<i>.<field>` for the pause a problem names, found by its values."""
    pauses = pace.pauses if pace is not None else ()
    for index, pause in enumerate(pauses):
        if isinstance(pause, PauseAtStep):
            named = params.get("pause") == f"step {pause.step}" or (
                params.get("step") == str(pause.step)
                and params.get("extra_days") == str(pause.extra_days)
            )
            if named:
                bad_step = "pause" in params or pause.step < 1
                return f"pauses.{index}.{'step' if bad_step else 'extra_days'}"
        else:
            first, last = pause.first_day.isoformat(), pause.last_day.isoformat()
            if params.get("pause") == f"{first} to {last}":
                return f"pauses.{index}.first_day"
            if (params.get("first_day"), params.get("last_day")) == (first, last):
                return f"pauses.{index}.last_day"
    return "pauses"


def _target_path(code: TaperErrorCode, params: Mapping[str, str], pace: Pace | None) -> str:
    if code is Code.TARGET_NOT_VALID:
        kind = params.get("kind")
        if kind == TargetKind.OMEQ:
            return "target.omeq_mg_per_day"
        if kind == TargetKind.DOSE and pace is not None and not pace.target_product_id:
            return "target.product_id"
        return "target.daily_amount" if kind == TargetKind.DOSE else "target.kind"
    unit = params.get("target_unit") or params.get("unit")
    return "target.omeq_mg_per_day" if unit == OMEQ_UNIT else "target.daily_amount"


def field_path(code: TaperErrorCode, params: Mapping[str, str], pace: Pace | None) -> str:
    """The API field a refusal is about, or NON_FIELD_ERRORS."""
    if code in {
        Code.TARGET_NOT_VALID,
        Code.TARGET_NOT_BELOW_CURRENT,
        Code.TARGET_NOT_REPRESENTABLE,
    }:
        return _target_path(code, params, pace)
    if code in {Code.PAUSE_NOT_VALID, Code.PAUSE_OUTSIDE_PLAN}:
        return _pause_path(params, pace)
    if code is Code.SLOW_DOWN_OUT_OF_RANGE:
        below = Decimal(params.get("below_share", "0"))
        return "slow_down.below_percent" if not 0 < below < 1 else "slow_down.step_percent"
    if code is Code.ORDER_NAMES_UNKNOWN_PRODUCT:
        order = pace.order if pace is not None else ()
        product = params.get("product")
        return f"order.{order.index(product)}" if product in order else "order"
    return FIELD_PATHS.get(code, NON_FIELD_ERRORS)


def input_error(
    error: DomainError,
    *,
    catalogue: Catalogue | None,
    table: ConversionTable | None,
    line_labels: Sequence[str] = (),
    pace: Pace | None = None,
) -> ValidationError:
    """Any refusal of the taper domain as one error per problem, with the domain's code, in
    the user's language, at the path of the field it is about (given the `pace` asked for)."""
    found: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors = found.setdefault(field, [])
        if all((e.message, e.code) != (message, code) for e in errors):
            errors.append(ValidationError(message, code=code))

    if isinstance(error, TaperInputError):
        for problem in error.problems:
            path = field_path(problem.code, problem.params_dict(), pace)
            add(path, _problem_message(problem, catalogue, line_labels), problem.code.value)
    elif isinstance(error, TaperError):
        code = TaperErrorCode(error.code)
        add(
            field_path(code, error.params_dict(), pace),
            _problem_message(error, catalogue, line_labels),
            code.value,
        )
    elif isinstance(error, StrengthError):
        template = STRENGTH_ERROR_MESSAGES.get(StrengthErrorCode(error.code))
        text = fill(template, error.params_dict(), catalogue=catalogue) if template else None
        add(NON_FIELD_ERRORS, text or error.message, error.code)
    elif isinstance(error, RegimenError):
        for line_problem in error.problems:
            add(NON_FIELD_ERRORS, line_problem_message(line_problem, None, table), error.code)
    else:
        add(
            NON_FIELD_ERRORS,
            _gettext("The plan cannot be made: %(reason)s") % {"reason": error.message},
            error.code,
        )
    return ValidationError(found)
