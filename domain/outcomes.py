"""Outcome measures of a pain-centre course: instruments, scoring, change and its chart.

An `Instrument` is a small definition: items (each a whole-number range), a scoring rule, the
direction (is a higher score better?), the source and the licence note. Two are built in and
scored by `domain.scores` (their ranges live in `data/scores.toml`):

- `peg`: PEG (Krebs EE et al. J Gen Intern Med 2009;24(6):733-8), the mean of three 0-10
  items, to two decimals (`scores.Peg`);
- `nrs`: pain intensity on the 0-10 numeric rating scale (`scores.validate_nrs`).

Further questionnaires are data in `data/questionnaires.toml` (scoring `sum` or `mean`).
A course measures each instrument at three `Timepoint`s: the start, the end (discharge) and
the follow-up; `outcome_change` gives the change between them and `outcome_chart` the
geometry of a small line chart (SVG coordinates as text, so no locale reformats them).

    score(instrument("peg"), {"pain": 7, "enjoyment": 6, "activity": 5})  # Decimal("6.00")
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from domain.errors import DomainError
from domain.scores import Peg, default_score_settings, validate_nrs


class Timepoint(StrEnum):
    START = "start"
    END = "end"
    FOLLOW_UP = "follow_up"


TIMEPOINTS: tuple[Timepoint, ...] = (Timepoint.START, Timepoint.END, Timepoint.FOLLOW_UP)


class Scoring(StrEnum):
    PEG = "peg"
    NRS = "nrs"
    SUM = "sum"
    MEAN = "mean"


class OutcomeError(DomainError):
    code = "outcome_invalid"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    items: tuple[Item, ...]
    scoring: Scoring
    higher_is_better: bool
    decimals: int
    source: str
    licence: str = ""

    @property
    def minimum(self) -> Decimal:
        lows = [Decimal(i.minimum) for i in self.items]
        return sum(lows, Decimal(0)) if self.scoring is Scoring.SUM else min(lows)

    @property
    def maximum(self) -> Decimal:
        highs = [Decimal(i.maximum) for i in self.items]
        return sum(highs, Decimal(0)) if self.scoring is Scoring.SUM else max(highs)


def _whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OutcomeError(
            f"{field} must be a whole number, not {value!r}.",
            field=field,
            code="item_not_whole_number",
        )
    return value


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def score(instrument: Instrument, answers: Mapping[str, object]) -> Decimal:
    """The instrument's score from one answer per item (whole numbers in each item's range).

    A missing, extra, fractional or out-of-range answer raises `OutcomeError` naming the item;
    nothing is guessed.
    """
    expected = [item.code for item in instrument.items]
    extra = sorted(set(answers) - set(expected))
    if extra:
        raise OutcomeError(
            f"{instrument.code} has no item {extra[0]!r}.", field=extra[0], code="unknown_item"
        )
    values: dict[str, int] = {}
    for item in instrument.items:
        if item.code not in answers or answers[item.code] is None:
            raise OutcomeError(
                f"Answer {item.code} of {instrument.code}.", field=item.code, code="item_missing"
            )
        value = _whole(answers[item.code], item.code)
        if not item.minimum <= value <= item.maximum:
            raise OutcomeError(
                f"{item.code} must be {item.minimum} to {item.maximum}, not {value}.",
                field=item.code,
                code="item_out_of_range",
            )
        values[item.code] = value
    if instrument.scoring is Scoring.PEG:
        return Peg(values["pain"], values["enjoyment"], values["activity"]).score
    if instrument.scoring is Scoring.NRS:
        return Decimal(validate_nrs(values["nrs"]))
    total = Decimal(sum(values.values()))
    if instrument.scoring is Scoring.SUM:
        return total.quantize(_quantum(instrument.decimals))
    mean = total / len(values)
    return mean.quantize(_quantum(instrument.decimals), rounding=ROUND_HALF_UP)


# --- the instruments ------------------------------------------------------------------------


def _scores_toml() -> dict[str, Any]:
    text = (resources.files("domain") / "data" / "scores.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def builtin_instruments() -> tuple[Instrument, Instrument]:
    """PEG and NRS, with the ranges and sources of `data/scores.toml` (`domain.scores`)."""
    settings = default_score_settings()
    data = _scores_toml()
    low, high = settings.peg_item_range
    peg_texts = {
        "pain": "Average pain in the past week",
        "enjoyment": "Interference with enjoyment of life in the past week",
        "activity": "Interference with general activity in the past week",
    }
    peg = Instrument(
        code="peg",
        name="PEG (pain, enjoyment, general activity)",
        version=settings.version,
        items=tuple(Item(code, peg_texts[code], low, high) for code in data["peg"]["items"]),
        scoring=Scoring.PEG,
        higher_is_better=False,
        decimals=2,
        source=data["peg"]["source"],
    )
    nrs_low, nrs_high = settings.nrs_range
    nrs = Instrument(
        code="nrs",
        name="Pain intensity (NRS 0-10)",
        version=settings.version,
        items=(Item("nrs", "Pain intensity now", nrs_low, nrs_high),),
        scoring=Scoring.NRS,
        higher_is_better=False,
        decimals=0,
        source=data["nrs"]["source"],
    )
    return peg, nrs


def parse_questionnaires(data: Mapping[str, Any]) -> tuple[Instrument, ...]:
    """Questionnaire definitions from their TOML data (scoring `sum` or `mean` only)."""
    found: list[Instrument] = []
    for entry in data.get("questionnaires", []):
        code = str(entry["code"])
        try:
            scoring = Scoring(entry["scoring"])
        except ValueError:
            raise OutcomeError(
                f"{code}: unknown scoring {entry['scoring']!r}.", field=code, code="bad_scoring"
            ) from None
        if scoring not in (Scoring.SUM, Scoring.MEAN):
            raise OutcomeError(
                f"{code}: a questionnaire is scored by sum or mean.",
                field=code,
                code="bad_scoring",
            )
        items = tuple(
            Item(str(i["code"]), str(i["text"]), int(i["min"]), int(i["max"]))
            for i in entry["items"]
        )
        if not items or any(i.maximum <= i.minimum for i in items):
            raise OutcomeError(f"{code}: items need a range.", field=code, code="bad_items")
        if len({i.code for i in items}) != len(items):
            raise OutcomeError(f"{code}: an item is listed twice.", field=code, code="bad_items")
        found.append(
            Instrument(
                code=code,
                name=str(entry["name"]),
                version=str(entry["version"]),
                items=items,
                scoring=scoring,
                higher_is_better=bool(entry["higher_is_better"]),
                decimals=int(entry.get("decimals", 0)),
                source=str(entry["source"]),
                licence=str(entry.get("licence", "")),
            )
        )
    return tuple(found)


@cache
def default_instruments() -> Mapping[str, Instrument]:
    """PEG, NRS and the questionnaires of `data/questionnaires.toml`, by code."""
    text = (resources.files("domain") / "data" / "questionnaires.toml").read_text(encoding="utf-8")
    every = (*builtin_instruments(), *parse_questionnaires(tomllib.loads(text)))
    by_code = {i.code: i for i in every}
    if len(by_code) != len(every):
        raise OutcomeError("An instrument code is used twice.", field="code", code="duplicate")
    return MappingProxyType(by_code)


def instrument(code: str) -> Instrument:
    found = default_instruments().get(code)
    if found is None:
        raise OutcomeError(
            f"No instrument {code!r}.", field="instrument", code="unknown_instrument"
        )
    return found


# --- change start -> end -> follow-up -------------------------------------------------------


@dataclass(frozen=True)
class OutcomeChange:
    instrument: Instrument
    start: Decimal | None
    end: Decimal | None
    follow_up: Decimal | None

    @staticmethod
    def _delta(a: Decimal | None, b: Decimal | None) -> Decimal | None:
        return None if a is None or b is None else b - a

    @property
    def start_to_end(self) -> Decimal | None:
        return self._delta(self.start, self.end)

    @property
    def end_to_follow_up(self) -> Decimal | None:
        return self._delta(self.end, self.follow_up)

    @property
    def start_to_follow_up(self) -> Decimal | None:
        return self._delta(self.start, self.follow_up)

    def better(self, delta: Decimal | None) -> bool | None:
        """Whether a change is in the instrument's good direction (None: no change known or
        none at all)."""
        if delta is None or delta == 0:
            return None
        return (delta > 0) == self.instrument.higher_is_better


def outcome_change(instrument: Instrument, values: Mapping[Timepoint, Decimal]) -> OutcomeChange:
    """The recorded scores at each timepoint (a timepoint not recorded is None)."""
    for timepoint, value in values.items():
        if not instrument.minimum <= value <= instrument.maximum:
            raise OutcomeError(
                f"{instrument.code} at {timepoint}: {value} is outside the score's range.",
                field=str(timepoint),
                code="score_out_of_range",
            )
    return OutcomeChange(
        instrument,
        values.get(Timepoint.START),
        values.get(Timepoint.END),
        values.get(Timepoint.FOLLOW_UP),
    )


# --- the chart ------------------------------------------------------------------------------

CHART_WIDTH = 320
CHART_HEIGHT = 160
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 300, 16, 128
_ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class ChartMarker:
    timepoint: Timepoint
    value: Decimal
    x: str
    y: str


@dataclass(frozen=True)
class ChartTick:
    value: Decimal
    y: str


@dataclass(frozen=True)
class ChartLabel:
    timepoint: Timepoint
    x: str


@dataclass(frozen=True)
class OutcomeChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    markers: tuple[ChartMarker, ...]
    path: str  # "x,y x,y": the recorded points in timepoint order
    y_ticks: tuple[ChartTick, ...]
    x_labels: tuple[ChartLabel, ...]


def _text(value: Decimal) -> str:
    return str(value.quantize(_ONE_PLACE, rounding=ROUND_HALF_UP))


def chart_x(timepoint: Timepoint) -> Decimal:
    step = Decimal(_RIGHT - _LEFT) / (len(TIMEPOINTS) - 1)
    return Decimal(_LEFT) + step * TIMEPOINTS.index(timepoint)


def chart_y(instrument: Instrument, value: Decimal) -> Decimal:
    """The y coordinate of `value`: the score's minimum at the bottom, its maximum at the top."""
    span = instrument.maximum - instrument.minimum
    share = (value - instrument.minimum) / span
    return Decimal(_BOTTOM) - share * (_BOTTOM - _TOP)


def outcome_chart(change: OutcomeChange) -> OutcomeChart | None:
    """A small line chart of the recorded scores (None when none is recorded)."""
    instrument = change.instrument
    recorded = [
        (t, v)
        for t, v in zip(TIMEPOINTS, (change.start, change.end, change.follow_up), strict=True)
        if v is not None
    ]
    if not recorded:
        return None
    markers = tuple(
        ChartMarker(t, v, _text(chart_x(t)), _text(chart_y(instrument, v))) for t, v in recorded
    )
    low, high = instrument.minimum, instrument.maximum
    middle = ((low + high) / 2).quantize(_quantum(0 if high - low >= 4 else 1))
    ticks = tuple(
        ChartTick(value, _text(chart_y(instrument, value))) for value in (low, middle, high)
    )
    return OutcomeChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_left=_LEFT,
        plot_right=_RIGHT,
        plot_top=_TOP,
        plot_bottom=_BOTTOM,
        markers=markers,
        path=" ".join(f"{m.x},{m.y}" for m in markers),
        y_ticks=ticks,
        x_labels=tuple(ChartLabel(t, _text(chart_x(t))) for t in TIMEPOINTS),
    )
