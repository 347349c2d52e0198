"""The measures the region steers by, defined once as data, and how a month's figures add up.

A measure (`Measure`) is read from `domain/data/measures.toml` (`shipped_measures`): its code,
Danish and English title, why it matters, what is counted above and below the line, whether
higher is better, its unit and its kind. A file that does not hold together is refused whole
with every problem found (`MeasureFileError.problems`), each naming where it is.

The apps turn the database into `Fact`s — one person or event each, with the organisations
it counts for — and `aggregate` adds them up per organisation and region:

    >>> m = Measure(code="x", title_da="x", title_en="x", why="", numerator="",
    ...             denominator="", higher_is_better=False, unit=Unit.PERCENT,
    ...             kind=Kind.RATE, scale=Decimal(100), levels=(Level.PRACTICE,))
    >>> facts = [Fact(region=1, units=((Level.PRACTICE, 7),), numerator=Decimal(n))
    ...          for n in (1, 0, 0, 1)]
    >>> aggregate(m, facts)[(Level.REGION, 1)].value
    Decimal('50')
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from statistics import median
from typing import Any, TypeVar

from domain.definition_file import COMMON_PROBLEM_TEXT, DefinitionError, Reader, load_toml

SHIPPED_FILE = "measures.toml"
E = TypeVar("E", bound=StrEnum)


class Kind(StrEnum):
    RATE = "rate"  # numerator / denominator x scale
    COUNT = "count"  # the numerator itself
    MEAN = "mean"  # numerator / denominator (a sum per person)
    MEDIAN = "median"  # the median of the facts' samples


class Unit(StrEnum):
    PERCENT = "percent"
    PER_1000 = "per_1000"
    COUNT = "count"
    MG_PER_DAY_PER_1000 = "mg_per_day_per_1000"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"
    PER_PATIENT_YEAR = "per_patient_year"


class Level(StrEnum):
    """Where a figure belongs (the values are stored)."""

    REGION = "region"
    PRACTICE = "practice"
    CLINIC = "clinic"
    CENTRE = "centre"


PROBLEM_TEXT = {
    **COMMON_PROBLEM_TEXT,
    "not_boolean": "must be true or false",
    "bad_unit": "is not a known unit",
    "bad_kind": "is not a known kind",
    "bad_level": "is not a known level",
    "bad_scale": "must be a whole number above 0",
    "needs_scale": "a rate needs a scale (100 for percent, 1000 per 1,000)",
    "needs_denominator": "needs a denominator",
    "not_positive": "must be above 0",
    "unknown_measure": "has no computation in Smertespor",
}


class MeasureFileError(DefinitionError):
    code = "invalid_measures"
    texts = PROBLEM_TEXT


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    title_da: str
    title_en: str
    why: str
    numerator: str
    denominator: str
    higher_is_better: bool
    unit: Unit
    kind: Kind
    scale: Decimal = Decimal(1)
    levels: tuple[Level, ...] = ()
    threshold_mg_per_day: int | None = None
    months: int | None = None
    atc_prefixes: tuple[str, ...] = ()
    why_da: str = ""
    numerator_da: str = ""
    denominator_da: str = ""

    def title(self, language: str) -> str:
        return self.title_da if language.startswith("da") else self.title_en

    def about(self, language: str) -> tuple[str, str, str]:
        """Why it matters, the numerator and the denominator, in Danish or English."""
        if language.startswith("da"):
            return self.why_da, self.numerator_da, self.denominator_da
        return self.why, self.numerator, self.denominator

    @property
    def has_denominator(self) -> bool:
        return self.kind is not Kind.COUNT


@dataclass(frozen=True, slots=True)
class MeasureSet:
    version: str
    source: str
    measures: tuple[Measure, ...]

    def get(self, code: str) -> Measure | None:
        return next((m for m in self.measures if m.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.measures)


def _enum(reader: Reader, enum: type[E], value: str, where: str, code: str) -> E:
    try:
        return enum(value)
    except ValueError:
        if value:
            reader.add(where, code, value)
        return next(iter(enum))


def _measure(reader: Reader, raw: Mapping[str, Any], where: str) -> Measure:
    code = reader.code(raw, "code", where)
    kind = _enum(reader, Kind, reader.text(raw, "kind", where), f"{where}.kind", "bad_kind")
    unit = _enum(reader, Unit, reader.text(raw, "unit", where), f"{where}.unit", "bad_unit")
    higher = raw.get("higher_is_better")
    if not isinstance(higher, bool):
        reader.add(f"{where}.higher_is_better", "missing" if higher is None else "not_boolean")
        higher = False
    denominator = reader.text(raw, "denominator", where, required=False)
    denominator_da = reader.text(raw, "denominator_da", where, required=False)
    for key, text in (("denominator", denominator), ("denominator_da", denominator_da)):
        if key not in raw:
            reader.add(f"{where}.{key}", "missing")
        elif kind is not Kind.COUNT and not text:
            reader.add(f"{where}.{key}", "needs_denominator")
    scale = reader.integer(raw, "scale", where)
    if kind is Kind.RATE and scale is None and "scale" not in raw:
        reader.add(f"{where}.scale", "needs_scale")
    if scale is not None and scale <= 0:
        reader.add(f"{where}.scale", "bad_scale", scale)
    levels = []
    for i, name in enumerate(reader.texts(raw, "levels", where)):
        levels.append(_enum(reader, Level, name, f"{where}.levels[{i}]", "bad_level"))
    optional: dict[str, int | None] = {}
    for key in ("threshold_mg_per_day", "months"):
        number = reader.integer(raw, key, where)
        if number is not None and number <= 0:
            reader.add(f"{where}.{key}", "not_positive", number)
        optional[key] = number
    return Measure(
        code=code,
        title_da=reader.text(raw, "title_da", where),
        title_en=reader.text(raw, "title_en", where),
        why=reader.text(raw, "why", where),
        numerator=reader.text(raw, "numerator", where),
        denominator=denominator,
        why_da=reader.text(raw, "why_da", where),
        numerator_da=reader.text(raw, "numerator_da", where),
        denominator_da=denominator_da,
        higher_is_better=higher,
        unit=unit,
        kind=kind,
        scale=Decimal(scale) if scale and scale > 0 else Decimal(1),
        levels=tuple(dict.fromkeys(lv for lv in levels if lv is not Level.REGION)),
        threshold_mg_per_day=optional["threshold_mg_per_day"],
        months=optional["months"],
        atc_prefixes=reader.texts(raw, "atc_prefixes", where),
    )


def parse_measures(text: str, *, known_codes: Iterable[str] | None = None) -> MeasureSet:
    """The measures of a file, or `MeasureFileError` with every problem found. With
    ``known_codes``, a measure Smertespor cannot compute is a problem too."""
    data = load_toml(text, MeasureFileError)
    reader = Reader()
    version = reader.version(data, "version", "")
    source = reader.text(data, "source", "")
    known = set(known_codes) if known_codes is not None else None
    seen: set[str] = set()
    measures = []
    for where, raw in reader.entries(data, "measures", empty="empty"):
        measure = _measure(reader, raw, where)
        reader.unique(seen, measure.code, f"{where}.code")
        if known is not None and measure.code and measure.code not in known:
            reader.add(f"{where}.code", "unknown_measure", measure.code)
        measures.append(measure)
    if reader.problems:
        raise MeasureFileError(reader.problems)
    return MeasureSet(version=version, source=source, measures=tuple(measures))


@cache
def shipped_measures() -> MeasureSet:
    text = resources.files("domain").joinpath("data", SHIPPED_FILE).read_text(encoding="utf-8")
    return parse_measures(text)


# --- adding up a month ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """One person or event in a measure: the organisations it counts for (besides its
    region), what it adds above and below the line, and its value for a median.

    ``numerator`` is 1 or 0 for a person counted or not (or hours, mg/day, contacts);
    ``in_denominator`` says whether it counts below the line; ``sample`` is its value for a
    median measure."""

    region: int
    units: tuple[tuple[Level, int], ...]
    numerator: Decimal = Decimal(0)
    in_denominator: bool = True
    sample: Decimal | None = None
    subject: str = ""  # the patient's id, for the practice's own list behind the figure


@dataclass(frozen=True, slots=True)
class Figure:
    """A measure's figure for one organisation or region in one month.

    ``hits`` is how many facts count above the line (people or events: what suppression
    looks at); ``basis`` how many below it (what the minimum denominator looks at)."""

    numerator: Decimal
    denominator: Decimal | None
    hits: int
    basis: int
    value: Decimal | None


class _Sum:
    """A group's running totals (facts are not kept: a region has hundreds of thousands)."""

    __slots__ = ("all_numerator", "counted", "counted_hits", "counted_numerator", "hits", "samples")

    def __init__(self) -> None:
        self.all_numerator = Decimal(0)
        self.counted_numerator = Decimal(0)
        self.hits = 0  # above the line, whether counted below it or not
        self.counted_hits = 0
        self.counted = 0
        self.samples: list[Decimal] = []

    def add(self, fact: Fact) -> None:
        self.all_numerator += fact.numerator
        if fact.numerator:
            self.hits += 1
        if fact.in_denominator:
            self.counted += 1
            self.counted_numerator += fact.numerator
            if fact.numerator:
                self.counted_hits += 1
            if fact.sample is not None:
                self.samples.append(fact.sample)

    def figure(self, measure: Measure) -> Figure:
        if measure.kind is Kind.COUNT:
            return Figure(self.all_numerator, None, self.hits, self.hits, self.all_numerator)
        if measure.kind is Kind.MEDIAN:
            n = len(self.samples)
            value = Decimal(median(self.samples)) if self.samples else None
            return Figure(Decimal(n), Decimal(n), n, n, value)
        numerator, denominator = self.counted_numerator, Decimal(self.counted)
        if not self.counted:
            return Figure(numerator, denominator, self.counted_hits, 0, None)
        value = numerator / denominator * (measure.scale if measure.kind is Kind.RATE else 1)
        return Figure(numerator, denominator, self.counted_hits, self.counted, value)


def figure(measure: Measure, facts: Iterable[Fact]) -> Figure:
    """The figure of one group of facts."""
    total = _Sum()
    for fact in facts:
        total.add(fact)
    return total.figure(measure)


def aggregate(measure: Measure, facts: Iterable[Fact]) -> dict[tuple[Level, int], Figure]:
    """Each organisation's and region's figure: keys (level, organisation or region id).

    A fact counts once for each of its organisations at the measure's levels and once for
    its region, so the region's figure is never the sum of overlapping organisations'."""
    groups: dict[tuple[Level, int], _Sum] = defaultdict(_Sum)
    levels = set(measure.levels)
    for fact in facts:
        groups[(Level.REGION, fact.region)].add(fact)
        for key in set(fact.units):
            if key[0] in levels:
                groups[key].add(fact)
    return {key: total.figure(measure) for key, total in groups.items()}


def percentile(values: Sequence[Decimal], fraction: float) -> Decimal | None:
    """The ``fraction`` percentile (0-1) with linear interpolation between the closest
    ranks (numpy's default, as OpenPrescribing's deciles); None for no values."""
    if not 0 <= fraction <= 1:
        raise ValueError("a percentile is between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * Decimal(str(fraction))
    low, high = math.floor(position), math.ceil(position)
    weight = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * weight
