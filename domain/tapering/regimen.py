"""A medication list as a taper's starting point: product doses, or every problem found.

The Django side maps each current opioid on the patient's list to one line: a scheduled
order to a `TaperLine` (product id, the strength as in the catalogue, units at each time of
day), an as-needed order to a `PrnLine`. `parse_regimen` checks every line against the
catalogue and adds up the scheduled lines of one product per time of day (30 mg + 10 mg in
the morning is 40 mg), keeping the tablets as given for the baseline; each PRN line stays its
own product dose. Nothing is dropped: a line that cannot be used is a `TaperProblem` naming
its 1-based line number.
"""

from __future__ import annotations

from decimal import Decimal

from domain.catalogue import Catalogue, CatalogueError, Form, Product
from domain.tapering.doses import ProductDose
from domain.tapering.request import (
    PrnLine,
    TaperErrorCode,
    TaperLine,
    TaperProblem,
    TaperRequest,
    TargetKind,
    problem,
    text,
)
from domain.tapering.strengths import (
    ExpressedDose,
    TimedDose,
    TimeOfDay,
    UnitCount,
    is_measured_solution,
    sum_units,
    tidy,
)

__all__ = ["order_problems", "parse_regimen"]


def parse_regimen(request: TaperRequest) -> tuple[tuple[ProductDose, ...], list[TaperProblem]]:
    """The regimen as product doses (scheduled lines of a product added up; each PRN line its
    own), or the problems of every line."""
    found: list[TaperProblem] = []
    scheduled: dict[str, dict[TimeOfDay, list[UnitCount]]] = {}
    products: dict[str, Product] = {}
    prn: list[ProductDose] = []
    if not request.lines:
        found.append(problem(TaperErrorCode.EMPTY_REGIMEN, "The regimen has no opioid lines."))
    for number, line in enumerate(request.lines, start=1):
        product, problems = _line_product(request.catalogue, line, number)
        found += problems
        if product is None or problems:
            continue
        strength = product.strength(line.strength)
        if isinstance(line, PrnLine):
            found += _prn_problems(product, line, number)
            dose = ExpressedDose(tidy(strength.amount * line.units_per_dose),
                                 (UnitCount(strength, line.units_per_dose),))  # fmt: skip
            prn.append(ProductDose(product, prn_dose=dose,
                                   prn_max_doses_per_day=line.max_doses_per_day))  # fmt: skip
            continue
        line_found = _schedule_problems(product, line, number)
        found += line_found
        if line_found:
            continue
        products[product.id] = product
        times = scheduled.setdefault(product.id, {})
        for time in line.schedule.times():
            times.setdefault(time, []).append(UnitCount(strength, line.schedule.units_at(time)))
    doses = []
    for product_id, times in scheduled.items():
        product = products[product_id]
        if product.form is Form.PATCH and len(times) > 1:
            message = f"{product.name}: all patches are changed at one time of day."
            found.append(problem(TaperErrorCode.PATCH_AT_SEVERAL_TIMES, message,
                                  product=product_id))  # fmt: skip
        volume = is_measured_solution(product)
        timed = tuple(TimedDose(t, _dose(times[t], volume)) for t in TimeOfDay if t in times)
        doses.append(ProductDose(product, doses=timed))
    return tuple(doses) + tuple(prn), found


def _dose(counts: list[UnitCount], volume: bool) -> ExpressedDose:
    merged = sum_units(counts)
    return ExpressedDose(tidy(sum((c.amount for c in merged), Decimal(0))), merged, volume)


def _line_product(
    catalogue: Catalogue, line: TaperLine | PrnLine, number: int
) -> tuple[Product | None, list[TaperProblem]]:
    code = TaperErrorCode
    try:
        product = catalogue.by_id(line.product_id)
    except CatalogueError:
        message = f"Line {number}: no product {line.product_id!r} in the catalogue."
        return None, [problem(code.UNKNOWN_PRODUCT, message, number, product=line.product_id)]
    name = product.name
    if not product.is_opioid:
        message = f"Line {number}: {name} is not an opioid; a taper plan reduces opioids."
        return product, [problem(code.NOT_AN_OPIOID, message, number, product=product.id)]
    if product.is_substitution:
        message = f"Line {number}: {name} is substitution treatment, not tapered here."
        return product, [problem(code.SUBSTITUTION_PRODUCT, message, number, product=product.id)]
    if not product.strengths:
        message = f"Line {number}: {name} has no marketed strengths in the catalogue."
        return product, [problem(code.NO_MARKETED_STRENGTHS, message, number, product=product.id)]
    if all(s.amount != line.strength for s in product.strengths):
        marketed = ", ".join(text(s.amount) for s in product.strengths)
        message = (
            f"Line {number}: {name} is not marketed as {text(line.strength)} {product.unit}"
            f" (marketed: {marketed})."
        )
        found = problem(
            code.STRENGTH_NOT_MARKETED,
            message,
            number,
            product=product.id,
            strength=text(line.strength),
            unit=product.unit,
            marketed=marketed,
        )
        return product, [found]
    return product, []


def _units_ok(product: Product, units: Decimal, *, allow_zero: bool) -> bool:
    if not units.is_finite() or units < 0 or (units == 0 and not allow_zero):
        return False
    if product.is_measured_in_ml:
        return True
    may_halve = product.splittable and product.form is not Form.PATCH
    return units % 1 == 0 or (may_halve and (units * 2) % 1 == 0)


def _unitsproblem(product: Product, number: int, units: Decimal) -> TaperProblem:
    how = "whole or half" if product.splittable else "whole"
    message = f"Line {number}: {product.name} is taken in {how} units, not {units}."
    return problem(TaperErrorCode.UNITS_NOT_VALID, message, number, product=product.id,
                    units=str(units), splittable=str(product.splittable).lower())  # fmt: skip


def _schedule_problems(product: Product, line: TaperLine, number: int) -> list[TaperProblem]:
    code = TaperErrorCode
    if product.is_measured_in_ml and not is_measured_solution(product):
        message = (
            f"Line {number}: {product.name} is measured in drops or for injection; a taper plan"
            " needs tablets, capsules, patches or an oral solution for scheduled doses."
        )
        return [problem(code.MEASURED_IN_ML, message, number, product=product.id)]
    found = [
        _unitsproblem(product, number, line.schedule.units_at(t))
        for t in TimeOfDay
        if not _units_ok(product, line.schedule.units_at(t), allow_zero=True)
    ]
    if not found and not line.schedule.times():
        message = f"Line {number}: {product.name} has no dose at any time of day."
        found.append(problem(code.EMPTY_SCHEDULE, message, number, product=product.id))
    if product.form is Form.PATCH and len(line.schedule.times()) > 1:
        message = f"Line {number}: {product.name} is changed at one time of day."
        found.append(problem(code.PATCH_AT_SEVERAL_TIMES, message, number, product=product.id))
    return found


def _prn_problems(product: Product, line: PrnLine, number: int) -> list[TaperProblem]:
    code = TaperErrorCode
    found = []
    if product.form is Form.PATCH:
        message = f"Line {number}: a patch cannot be taken as needed (PRN)."
        found.append(problem(code.PRN_PATCH, message, number, product=product.id))
    elif not _units_ok(product, line.units_per_dose, allow_zero=False):
        found.append(_unitsproblem(product, number, line.units_per_dose))
    maximum = line.max_doses_per_day
    if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < 1:
        message = f"Line {number}: the maximum doses a day must be a whole number from 1."
        found.append(problem(code.PRN_MAXIMUM_NOT_VALID, message, number,
                              product=product.id, maximum=str(maximum)))  # fmt: skip
    return found


def order_problems(request: TaperRequest, doses: tuple[ProductDose, ...]) -> list[TaperProblem]:
    """Problems with the reduction order and a dose target's product."""
    found = []
    ids = {d.product.id for d in doses}
    for product_id in request.order:
        if product_id not in ids:
            message = f"The order names {product_id!r}, which is not in the regimen."
            found.append(problem(TaperErrorCode.ORDER_NAMES_UNKNOWN_PRODUCT, message,
                                  product=product_id))  # fmt: skip
    target = request.target
    if target.kind is TargetKind.DOSE and target.product_id not in {
        d.product.id for d in doses if not d.is_prn
    }:
        message = f"The target product {target.product_id!r} is not taken on a schedule."
        found.append(problem(TaperErrorCode.TARGET_PRODUCT_NOT_SCHEDULED, message,
                              product=str(target.product_id)))  # fmt: skip
    return found
