"""The words for the domain core's codes: warnings, refused lines, catalogue and table errors.

The domain speaks in stable English codes with parameters; here each code gets a sentence
marked for translation (Danish in the .po file), filled in at call time in the user's language.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from domain.catalogue import CatalogueError
from domain.omeq import (
    ConversionTable,
    DoseBandedRule,
    ExcludedRule,
    LinearRule,
    LineProblem,
    LineProblemCode,
    OmeqWarning,
    Outcome,
    RegimenLine,
    Rule,
    Standing,
    TableIssue,
    TableProblem,
    WarningCode,
    default_plausibility_limit,
    display_mg,
)
from smertespor.entry.numbers import as_decimal, for_people

SUBSTANCE_NAMES: dict[str, Promise] = {
    "buprenorphine": _("buprenorphine"),
    "codeine": _("codeine"),
    "fentanyl": _("fentanyl"),
    "hydrocodone": _("hydrocodone"),
    "hydromorphone": _("hydromorphone"),
    "ketobemidone": _("ketobemidone"),
    "methadone": _("methadone"),
    "morphine": _("morphine"),
    "oxycodone": _("oxycodone"),
    "oxymorphone": _("oxymorphone"),
    "pethidine": _("pethidine"),
    "tapentadol": _("tapentadol"),
    "tramadol": _("tramadol"),
}
ROUTE_NAMES: dict[str, Promise] = {
    "oral": _("oral"),
    "transdermal": _("transdermal (patch)"),
    "sublingual": _("sublingual"),
    "buccal": _("buccal"),
    "nasal": _("nasal"),
    "rectal": _("rectal"),
    "parenteral": _("parenteral"),
}

WARNING_MESSAGES: dict[WarningCode, Promise] = {
    WarningCode.HIGH_DOSE: _("High dose: %(value)s is at or above %(threshold)s mg/day."),
    WarningCode.REASSESS_DOSE: _(
        "Reassess: %(value)s is at or above %(threshold)s mg/day; weigh benefit against risk."
    ),
    WarningCode.SEVERAL_OPIOIDS: _("Two or more opioids at the same time: %(substances)s."),
    WarningCode.SHORT_ACTING_SCHEDULED: _(
        "A short-acting opioid is taken on a schedule: %(substances)s. Consider a "
        "long-acting product."
    ),
    WarningCode.METHADONE_PRESENT: _(
        "Methadone: its conversion to OMEQ is uncertain (long, variable half-life). Treat "
        "the figure with caution."
    ),
    WarningCode.BELOW_LOWEST_BAND: _(
        "The %(substances)s dose is below the table's lowest dose band; the lowest band's "
        "factor was used."
    ),
    WarningCode.SUBSTITUTION_EXCLUDED: _(
        "Substitution treatment (%(substances)s) is shown but not counted in OMEQ."
    ),
    WarningCode.BENZODIAZEPINE: _(
        "Taken with a benzodiazepine (%(atc_codes)s): higher risk of respiratory depression "
        "and overdose."
    ),
    WarningCode.Z_DRUG: _(
        "Taken with a z-drug (%(atc_codes)s): higher risk of respiratory depression and overdose."
    ),
    WarningCode.GABAPENTINOID: _(
        "Taken with a gabapentinoid (%(atc_codes)s): higher risk of respiratory depression "
        "and overdose."
    ),
}
DOSE_SCHEDULED = _("%(value)s mg OMEQ/day")
DOSE_INCLUDING_PRN = _("%(value)s mg OMEQ/day including as-needed doses")

LINE_PROBLEM_MESSAGES: dict[LineProblemCode, Promise] = {
    LineProblemCode.UNKNOWN_SUBSTANCE: _(
        "Table %(table)s does not list %(substance)s, so this line cannot be converted."
    ),
    LineProblemCode.NO_FACTOR_FOR_ROUTE: _(
        "Table %(table)s has no factor for %(substance)s by the %(route)s route (it has: "
        "%(routes)s)."
    ),
    LineProblemCode.FACTOR_EXCLUDED: _(
        "Table %(table)s deliberately gives no factor for %(substance)s %(route)s: %(reason)s"
    ),
    LineProblemCode.RATE_UNIT_NOT_A_PATCH: _(
        "mcg/h is a patch strength; by the %(route)s route give the dose in mg or mcg."
    ),
    LineProblemCode.PATCH_NEEDS_RATE_UNIT: _("A patch is given as the strength worn, in mcg/h."),
    LineProblemCode.DOSE_NOT_POSITIVE: _("The dose must be a number above 0."),
    LineProblemCode.DOSES_PER_DAY_NOT_POSITIVE: _("Doses per day must be a number above 0."),
    LineProblemCode.PRN_MAXIMUM_MISSING: _(
        "An as-needed (PRN) line needs the maximum number of doses per day."
    ),
    LineProblemCode.PRN_MAXIMUM_NOT_POSITIVE: _(
        "The maximum doses per day must be a number above 0."
    ),
    LineProblemCode.MAXIMUM_ON_SCHEDULED_LINE: _(
        "A scheduled line has no maximum; record extra doses as a separate as-needed line."
    ),
    LineProblemCode.PRN_PATCH: _("A patch cannot be taken as needed (PRN)."),
    LineProblemCode.IMPLAUSIBLE_DOSE: _(
        "This line gives more than %(limit)s mg OMEQ a day, which is not plausible. Check "
        "the dose and the unit."
    ),
}

CATALOGUE_MESSAGES: dict[str, Promise] = {
    "unknown_product": _("There is no such product in the catalogue."),
    "strength_not_marketed": _(
        "%(product)s is not marketed in that strength (marketed: %(strengths)s)."
    ),
    "units_not_positive": _("The number of units per dose must be above 0."),
    "units_not_whole": _("%(product)s cannot be split: give whole units."),
    "units_not_half": _("%(product)s can only be split in halves."),
}

TABLE_PROBLEM_MESSAGES: dict[TableProblem, Promise] = {
    TableProblem.MISSING_FIELD: _("A value is missing (%(detail)s)."),
    TableProblem.UNKNOWN_FIELD: _("Unknown field (%(detail)s)."),
    TableProblem.FIELD_NOT_ALLOWED: _("This kind of rule does not take that value (%(detail)s)."),
    TableProblem.BAD_VALUE: _("Not a valid value (%(detail)s)."),
    TableProblem.FACTOR_NOT_POSITIVE: _("A factor must be above 0."),
    TableProblem.UNIT_DOES_NOT_FIT_ROUTE: _(
        "A patch factor is per mcg/h worn; every other route is per mg or per mcg."
    ),
    TableProblem.DUPLICATE_RULE: _("This substance and route already have a rule."),
    TableProblem.BANDS_NOT_ASCENDING: _("Band edges must rise and band factors must not fall."),
}
# Refusals that carry their own parameters (TableIssue.params) rather than a detail text.
FACTOR_IMPLAUSIBLE = _(
    "%(substance)s %(route)s: a factor of %(factor)s per %(unit)s is far outside the published "
    "range %(low)s–%(high)s per %(range_unit)s. The table accepts %(lowest)s–%(highest)s. "
    "Sources: %(sources)s."
)
NO_PUBLISHED_RANGE = _(
    "%(substance)s %(route)s: there is no published range to check a factor against. Exclude "
    "it with a reason instead, or have the range and its source added to the plausibility "
    "bounds first."
)


# What a draft does to one patient's OMEQ (the sign-off page's counts).
OUTCOME_LABELS: dict[Outcome, Promise] = {
    Outcome.RAISED: _("OMEQ goes up"),
    Outcome.LOWERED: _("OMEQ goes down"),
    Outcome.NO_LONGER_COMPUTABLE: _("OMEQ can no longer be computed"),
    Outcome.NOW_COMPUTABLE: _("OMEQ can now be computed"),
    Outcome.UNCHANGED: _("Unchanged"),
    Outcome.NOT_COMPUTABLE: _("Cannot be computed under either table"),
}
# A new factor against its published range.
STANDING_LABELS: dict[Standing, Promise] = {
    Standing.WITHIN: _("within the published range"),
    Standing.OUTSIDE: _("outside the published range"),
    Standing.FAR_OUTSIDE: _("far outside the published range"),
    Standing.NO_RANGE: _("no published range"),
}
PER_UNIT = _("%(factor)s per %(unit)s")
BY_BANDS = _("by dose band: %(bands)s")
NO_FACTOR = _("no factor (excluded)")


def format_mg(value: Decimal | str) -> str:
    """A dose for reading: the domain's display rounding (half up, one decimal), then the
    locale's number format without padding zeros ("52,5", "60")."""
    number = as_decimal(value)
    if number is None:
        return str(value)
    return for_people(display_mg(number))


def substance_name(substance: str) -> str:
    name = SUBSTANCE_NAMES.get(substance.strip().lower())
    return str(name) if name is not None else substance


def route_name(route: str) -> str:
    name = ROUTE_NAMES.get(str(route))
    return str(name) if name is not None else str(route)


def _substances(text: str) -> str:
    return ", ".join(substance_name(s) for s in text.split(", ") if s)


def warning_message(warning: OmeqWarning) -> str:
    params = warning.params_dict()
    values: dict[str, str] = {}
    if "threshold_mg_per_day" in params:
        values["threshold"] = format_mg(params["threshold_mg_per_day"])
        if params.get("basis") == "max_including_prn":
            dose = DOSE_INCLUDING_PRN % {"value": format_mg(params["max_mg_per_day"])}
        else:
            dose = DOSE_SCHEDULED % {"value": format_mg(params["scheduled_mg_per_day"])}
        values["value"] = str(dose)
    if "substances" in params:
        values["substances"] = _substances(params["substances"])
    if "atc_codes" in params:
        values["atc_codes"] = params["atc_codes"]
    return str(WARNING_MESSAGES[warning.code]) % values


def line_problem_message(
    problem: LineProblem, line: RegimenLine | None, table: ConversionTable | None
) -> str:
    """A refused line's reason in the user's language (the domain's English as fallback)."""
    template = LINE_PROBLEM_MESSAGES.get(problem.code)
    if template is None:
        return problem.message
    substance = line.substance_key if line is not None else problem.substance
    route = line.route.value if line is not None else ""
    values = {
        "table": f"{table.id} {table.version}" if table is not None else "",
        "substance": substance_name(substance),
        "route": route_name(route),
        "routes": "",
        "reason": "",
        "limit": "",
    }
    if table is not None:
        values["routes"] = ", ".join(route_name(r) for r in table.routes_for(substance))
        rule = table.rule_for(substance, line.route) if line is not None else None
        values["reason"] = getattr(rule, "reason", "")
    if problem.code is LineProblemCode.IMPLAUSIBLE_DOSE:
        values["limit"] = format_mg(default_plausibility_limit())
    return str(template) % values


def catalogue_message(error: CatalogueError, *, code: str | None = None, **values: object) -> str:
    template = CATALOGUE_MESSAGES.get(code or error.code)
    if template is None:
        return error.message
    try:
        return str(template) % values
    except KeyError:
        return error.message


def _factor_text(value: str) -> str:
    number = as_decimal(value)
    return value if number is None else for_people(number)


def table_issue_message(issue: TableIssue) -> str:
    params = issue.params_dict()
    if issue.code in (TableProblem.FACTOR_IMPLAUSIBLE, TableProblem.NO_PUBLISHED_RANGE) and params:
        values = {
            **params,
            "substance": substance_name(params["substance"]),
            "route": route_name(params["route"]),
        }
        for name in ("factor", "low", "high", "lowest", "highest"):
            if name in values:
                values[name] = _factor_text(values[name])
        own = FACTOR_IMPLAUSIBLE if issue.code is TableProblem.FACTOR_IMPLAUSIBLE else None
        return str(own or NO_PUBLISHED_RANGE) % values
    template = TABLE_PROBLEM_MESSAGES.get(issue.code)
    if template is None:
        return issue.message
    return str(template) % {"detail": issue.message}


def rule_summary(rule: Rule | None) -> str:
    """A rule's factor for reading: "1,5 per mg", "by dose band: 30:5, 90:6", "no factor"."""
    if rule is None:
        return "—"
    if isinstance(rule, LinearRule):
        return str(PER_UNIT) % {"factor": for_people(rule.factor), "unit": rule.per_unit.value}
    if isinstance(rule, DoseBandedRule):
        bands = ", ".join(
            f"{for_people(b.from_morphine_mg_per_day)}:{for_people(b.factor)}" for b in rule.bands
        )
        return str(BY_BANDS) % {"bands": bands}
    assert isinstance(rule, ExcludedRule)  # noqa: S101 - the three kinds of rule
    return str(NO_FACTOR)


# A catalogue unit as people read it: Danish writes micrograms "mikrog" and hours "t".
UNIT_LABELS: dict[str, Promise] = {
    "mg": pgettext_lazy("strength unit", "mg"),
    "mcg": pgettext_lazy("strength unit", "mcg"),
    "mcg/h": pgettext_lazy("strength unit", "mcg/h"),
    "mg/ml": pgettext_lazy("strength unit", "mg/ml"),
}


def unit_label(unit: str) -> str:
    """A catalogue unit code ("mcg/h") in the user's language ("mikrog/t" in Danish)."""
    return str(UNIT_LABELS.get(unit, unit))


# The kinds of conversion rule in the table editor.
RULE_KIND_LABELS: dict[str, Promise] = {
    "linear": _("one factor"),
    "dose_banded": _("by dose band"),
    "excluded": _("no factor"),
}

# What a factor multiplies, by dose unit.
PER_UNIT_LABELS: dict[str, Promise] = {
    "mg": _("mg/day"),
    "mcg": _("mcg/day"),
    "mcg/h": _("mcg/h worn"),
}
