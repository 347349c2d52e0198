"""OMEQ for a list of lines under one table, written once for the patient's list, the
calculator, the side-by-side view and the API.

A line is either a product from the catalogue (product, strength, units per dose) or a
substance by route with a dose. Input that cannot be read (unknown product, a strength that is
not marketed, half a tablet that is not scored, an unknown route or unit) is refused as an
`OmeqInputError`; input the table cannot convert is reported per line in the `Evaluation`
(never counted as 0, never dropped). Domain errors stop here and become Django's
`ValidationError`, in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from domain.catalogue import Catalogue, CatalogueError, Product
from domain.omeq import (
    CoMedicationError,
    ConversionTable,
    DoseUnit,
    Indication,
    LineProblem,
    LineProblemCode,
    LineResult,
    OmeqResult,
    RegimenError,
    RegimenLine,
    Route,
    Thresholds,
    compute_omeq,
)
from smertespor.medication.labels import (
    catalogue_message,
    line_problem_message,
    warning_message,
)
from smertespor.medication.models import ConversionTableVersion
from smertespor.medication.regimens import Regimen, regimen_line, strength_label

# Problems that say the *table* cannot convert a line: the line itself may be fine.
TABLE_COVERAGE_PROBLEMS = frozenset(
    {
        LineProblemCode.UNKNOWN_SUBSTANCE,
        LineProblemCode.NO_FACTOR_FOR_ROUTE,
        LineProblemCode.FACTOR_EXCLUDED,
    }
)
# Which input field a refused line's problem points at (a product line has no dose field).
_PROBLEM_FIELDS = {
    LineProblemCode.UNKNOWN_SUBSTANCE: "substance",
    LineProblemCode.NO_FACTOR_FOR_ROUTE: "route",
    LineProblemCode.FACTOR_EXCLUDED: "substance",
    LineProblemCode.RATE_UNIT_NOT_A_PATCH: "dose_unit",
    LineProblemCode.PATCH_NEEDS_RATE_UNIT: "dose_unit",
    LineProblemCode.DOSE_NOT_POSITIVE: "dose",
    LineProblemCode.DOSES_PER_DAY_NOT_POSITIVE: "doses_per_day",
    LineProblemCode.PRN_MAXIMUM_MISSING: "max_doses_per_day",
    LineProblemCode.PRN_MAXIMUM_NOT_POSITIVE: "max_doses_per_day",
    LineProblemCode.MAXIMUM_ON_SCHEDULED_LINE: "max_doses_per_day",
    LineProblemCode.PRN_PATCH: "prn",
    LineProblemCode.IMPLAUSIBLE_DOSE: "dose",
}
_PRODUCT_FIELDS = {"dose": "units_per_dose", "substance": "product_id", "route": "product_id"}


def omeq_thresholds() -> Thresholds:
    """The region's warning thresholds (settings OMEQ_REASSESS/HIGH_MG_PER_DAY)."""
    return Thresholds(
        reassess_mg_per_day=Decimal(settings.OMEQ_REASSESS_MG_PER_DAY),
        high_mg_per_day=Decimal(settings.OMEQ_HIGH_MG_PER_DAY),
    )


@dataclass(frozen=True)
class InputProblem:
    """Why input line `index` (None: the request as a whole) was refused."""

    index: int | None
    field: str | None
    code: str
    message: str


class OmeqInputError(ValidationError):
    """Refused input; `.problems` names every line, field and reason.

    As a ValidationError each reason is under the path of what it is about: ``lines.1.dose``
    (line 2's dose), ``lines.1`` (line 2 as a whole), ``co_medication_atc``, or the request.
    """

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = tuple(problems)
        by_path: dict[str, list[ValidationError]] = {}
        for p in self.problems:
            by_path.setdefault(problem_path(p), []).append(ValidationError(p.message, code=p.code))
        super().__init__(by_path)


def problem_path(problem: InputProblem) -> str:
    """Where a refused input's problem points, as a dotted path into the request."""
    parts = [] if problem.index is None else ["lines", str(problem.index)]
    if problem.field:
        parts.append(problem.field)
    return ".".join(parts) or NON_FIELD_ERRORS


@dataclass(frozen=True)
class LineInput:
    """One line as entered: a product (+ strength, units) or a substance (+ route, dose)."""

    product_id: str = ""
    strength: Decimal | None = None
    units_per_dose: Decimal | None = None
    substance: str = ""
    route: str = ""
    dose: Decimal | None = None
    dose_unit: str = ""
    doses_per_day: Decimal | None = None
    prn: bool = False
    max_doses_per_day: Decimal | None = None
    indication: str = Indication.PAIN.value


@dataclass(frozen=True)
class Entry:
    """A line ready to evaluate: an opioid's `regimen_line`, or a co-medication's `atc`."""

    label: str
    regimen_line: RegimenLine | None
    product: Product | None = None
    atc: str = ""
    source: Any = None  # the MedicationLine or LineInput it came from
    is_from_product: bool = False
    missing_product: bool = False


@dataclass(frozen=True)
class EntryWorking:
    entry: Entry
    result: LineResult | None
    problems: tuple[str, ...] = ()

    @property
    def is_opioid(self) -> bool:
        return self.entry.regimen_line is not None


@dataclass(frozen=True)
class Evaluation:
    """OMEQ under one table version, with each line's working or its reasons for refusal."""

    table_version: ConversionTableVersion
    table: ConversionTable
    entries: tuple[EntryWorking, ...]
    result: OmeqResult | None
    warnings: tuple[tuple[str, str], ...] = ()  # (code, message in the user's language)
    problems: tuple[InputProblem, ...] = field(default=())
    # The entry index of each regimen line (the domain numbers opioid lines only).
    regimen_positions: tuple[int, ...] = ()

    def entry_index(self, regimen_index: int) -> int:
        return self.regimen_positions[regimen_index]

    @property
    def is_computable(self) -> bool:
        return self.result is not None

    @property
    def opioid_entries(self) -> tuple[EntryWorking, ...]:
        return tuple(e for e in self.entries if e.is_opioid)

    @property
    def co_medication_entries(self) -> tuple[EntryWorking, ...]:
        return tuple(e for e in self.entries if e.entry.atc)


def entries_from_regimen(regimen: Regimen) -> list[Entry]:
    entries = []
    for mapped in regimen.lines:
        product = mapped.product
        label = mapped.line.product_id
        if product is not None:
            label = f"{product.name} {strength_label(product, mapped.line.strength)}"
        entries.append(
            Entry(
                label=label,
                regimen_line=mapped.regimen_line,
                product=product,
                atc="" if product is None or product.is_opioid else product.atc,
                source=mapped.line,
                is_from_product=True,
                missing_product=product is None,
            )
        )
    return entries


def evaluate(
    entries: Sequence[Entry],
    table_version: ConversionTableVersion,
    table: ConversionTable,
    *,
    thresholds: Thresholds | None = None,
    co_medication_atc: Sequence[str] = (),
) -> Evaluation:
    """Compute OMEQ; lines the table cannot convert are reported, never dropped.
    `co_medication_atc` adds ATC codes of other current drugs to the entries' own."""
    thresholds = thresholds or omeq_thresholds()
    opioid_index = [i for i, e in enumerate(entries) if e.regimen_line is not None]
    regimen = [entries[i].regimen_line for i in opioid_index]
    per_entry: dict[int, list[str]] = {}
    problems: list[InputProblem] = []
    for index, entry in enumerate(entries):
        if entry.missing_product:
            message = _("This product is no longer in the catalogue; record the line again.")
            per_entry.setdefault(index, []).append(message)
            problems.append(InputProblem(index, "product_id", "unknown_product", message))
    result = None
    try:
        result = compute_omeq(
            [line for line in regimen if line is not None],
            table,
            thresholds=thresholds,
            co_medication_atc=[*(e.atc for e in entries if e.atc), *co_medication_atc],
        )
    except RegimenError as error:
        for problem in error.problems:
            index = opioid_index[problem.index]
            problems.append(_input_problem(index, problem, entries[index], table))
            per_entry.setdefault(index, []).append(problems[-1].message)
    except CoMedicationError as error:
        message = _("Not ATC codes: %(codes)s.") % {"codes": ", ".join(error.atc_codes)}
        problems.append(InputProblem(None, "co_medication_atc", error.code, message))
    if problems:
        result = None
    line_results: dict[int, LineResult] = {}
    if result is not None:
        line_results = {opioid_index[r.index]: r for r in result.lines}
    elif per_entry:
        line_results = _working_of_convertible_lines(entries, per_entry, table, thresholds)
    working = tuple(
        EntryWorking(entry, line_results.get(index), tuple(per_entry.get(index, ())))
        for index, entry in enumerate(entries)
    )
    warnings: tuple[tuple[str, str], ...] = ()
    if result is not None:
        warnings = tuple((w.code.value, warning_message(w)) for w in result.warnings)
    return Evaluation(
        table_version, table, working, result, warnings, tuple(problems), tuple(opioid_index)
    )


def _working_of_convertible_lines(
    entries: Sequence[Entry],
    refused: dict[int, list[str]],
    table: ConversionTable,
    thresholds: Thresholds,
) -> dict[int, LineResult]:
    """Each convertible line's factor and contribution when others were refused: shown for
    reconciling tables, never totalled (the regimen's OMEQ stays "cannot be computed")."""
    kept = [i for i, e in enumerate(entries) if e.regimen_line is not None and i not in refused]
    try:
        partial = compute_omeq(
            [line for i in kept if (line := entries[i].regimen_line) is not None],
            table,
            thresholds=thresholds,
        )
    except (RegimenError, CoMedicationError):
        return {}
    return {kept[r.index]: r for r in partial.lines}


def _input_problem(
    index: int, problem: LineProblem, entry: Entry, table: ConversionTable
) -> InputProblem:
    field_name = _PROBLEM_FIELDS.get(problem.code)
    if entry.is_from_product and field_name in _PRODUCT_FIELDS:
        field_name = _PRODUCT_FIELDS[field_name]
    message = line_problem_message(problem, entry.regimen_line, table)
    return InputProblem(index, field_name, problem.code.value, message)


def entries_from_inputs(inputs: Iterable[LineInput], catalogue: Catalogue) -> list[Entry]:
    """Read every input line; refuse them all at once (`OmeqInputError`) if any is unreadable."""
    entries: list[Entry] = []
    problems: list[InputProblem] = []
    for index, given in enumerate(inputs):
        found: list[InputProblem] = []
        entry = _entry(index, given, catalogue, found)
        problems += found
        if entry is not None:
            entries.append(entry)
    if problems:
        raise OmeqInputError(problems)
    return entries


def _entry(
    index: int, given: LineInput, catalogue: Catalogue, found: list[InputProblem]
) -> Entry | None:
    def refuse(field_name: str | None, code: str, message: str) -> None:
        found.append(InputProblem(index, field_name, code, message))

    if given.indication not in Indication._value2member_map_:
        refuse("indication", "unknown_indication", _("Choose pain or substitution treatment."))
    if given.product_id and given.substance:
        refuse(None, "product_and_substance", _("Give a product or a substance, not both."))
        return None
    if given.product_id:
        return _product_entry(index, given, catalogue, refuse)
    if given.substance.strip():
        return _substance_entry(given, refuse)
    refuse(None, "line_empty", _("Give a product and strength, or a substance, route and dose."))
    return None


def _product_entry(index: int, given: LineInput, catalogue: Catalogue, refuse: Any) -> Entry | None:
    try:
        product = catalogue.by_id(given.product_id)
    except CatalogueError as error:
        refuse("product_id", error.code, catalogue_message(error))
        return None
    if given.strength is None:
        refuse("strength", "strength_missing", _("Choose a strength."))
        return None
    units = given.units_per_dose if given.units_per_dose is not None else Decimal(1)
    try:
        product.dose(given.strength, units)
    except CatalogueError as error:
        code = error.code
        if code == "units_not_whole" and product.splittable:
            code = "units_not_half"
        field_name = "strength" if code == "strength_not_marketed" else "units_per_dose"
        marketed = ", ".join(f"{s.label} {product.unit}" for s in product.strengths)
        message = catalogue_message(error, code=code, product=product.name, strengths=marketed)
        refuse(field_name, code, message)
        return None
    label = f"{product.name} {strength_label(product, given.strength)}"
    if not product.is_opioid:
        return Entry(label, None, product=product, atc=product.atc, source=given)
    wants_substitution = given.indication == Indication.OPIOID_USE_DISORDER
    if product.is_substitution and not wants_substitution:
        refuse(
            "indication",
            "substitution_product",
            _("%(product)s is a substitution product: record it as substitution treatment.")
            % {"product": product.name},
        )
        return None
    if given.indication not in Indication._value2member_map_:
        return None
    line = regimen_line(
        product,
        strength=given.strength,
        units_per_dose=units,
        doses_per_day=given.doses_per_day,
        prn=given.prn,
        max_doses_per_day=_prn_maximum(given),
        indication=given.indication,
        label=label,
    )
    return Entry(label, line, product=product, source=given, is_from_product=True)


def _prn_maximum(given: LineInput) -> Decimal | None:
    # An as-needed line counts its maximum; without one, its doses per day are the maximum.
    if not given.prn:
        return given.max_doses_per_day
    return given.max_doses_per_day if given.max_doses_per_day is not None else given.doses_per_day


def _substance_entry(given: LineInput, refuse: Any) -> Entry | None:
    route = given.route.strip().lower()
    unit = given.dose_unit.strip().lower()
    ok = True
    if route not in Route._value2member_map_:
        allowed = ", ".join(r.value for r in Route)
        refuse("route", "unknown_route", _("Choose a route (%(allowed)s).") % {"allowed": allowed})
        ok = False
    if unit not in DoseUnit._value2member_map_:
        allowed = ", ".join(u.value for u in DoseUnit)
        refuse(
            "dose_unit", "unknown_unit", _("Choose a unit (%(allowed)s).") % {"allowed": allowed}
        )
        ok = False
    if given.dose is None:
        refuse("dose", "dose_missing", _("Give the dose per administration."))
        ok = False
    if not ok or given.indication not in Indication._value2member_map_:
        return None
    assert given.dose is not None  # noqa: S101 - refused above
    line = RegimenLine(
        substance=given.substance.strip().lower(),
        route=Route(route),
        dose=given.dose,
        dose_unit=DoseUnit(unit),
        doses_per_day=given.doses_per_day if given.doses_per_day is not None else Decimal(0),
        prn=given.prn,
        max_doses_per_day=_prn_maximum(given),
        indication=Indication(given.indication),
    )
    return Entry(given.substance.strip(), line, source=given)


def calculate(
    inputs: Sequence[LineInput],
    table_version: ConversionTableVersion,
    table: ConversionTable,
    catalogue: Catalogue,
    *,
    co_medication_atc: Sequence[str] = (),
) -> Evaluation:
    """OMEQ of entered lines under one table; any unconvertible line refuses the whole
    calculation with every line's reason (`OmeqInputError`)."""
    entries = entries_from_inputs(inputs, catalogue)
    evaluation = evaluate(entries, table_version, table, co_medication_atc=co_medication_atc)
    if not evaluation.is_computable:
        raise OmeqInputError(evaluation.problems)
    return evaluation


def compare(
    inputs: Sequence[LineInput] | None,
    tables: Sequence[tuple[ConversionTableVersion, ConversionTable]],
    catalogue: Catalogue,
    *,
    entries: Sequence[Entry] | None = None,
) -> list[Evaluation]:
    """The same lines under every table, side by side; a table that cannot convert a line
    shows why instead of a number."""
    if entries is None:
        entries = entries_from_inputs(inputs or (), catalogue)
    return [evaluate(entries, version, table) for version, table in tables]


def side_by_side(evaluations: Sequence[Evaluation]) -> list[tuple[Entry, list[EntryWorking]]]:
    """Rows for the side-by-side view: each line with its working under every table."""
    if not evaluations:
        return []
    first = evaluations[0]
    return [
        (working.entry, [evaluation.entries[index] for evaluation in evaluations])
        for index, working in enumerate(first.entries)
    ]
