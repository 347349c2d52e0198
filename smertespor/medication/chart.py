"""The OMEQ-over-time chart's geometry: a server-rendered SVG step chart, no JavaScript.

OMEQ stays what it was until the list changes, so both series (scheduled, and the maximum
including as-needed doses) are drawn as steps from one snapshot to the next and on to today.
A snapshot that could not be computed breaks the line rather than drawing a guess.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 36
_NICE_STEPS = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


@dataclass(frozen=True)
class ChartPoint:
    day: datetime.date
    scheduled: Decimal | None  # None: not computable that day
    maximum: Decimal | None
    table: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: object  # a number (y) or a date (x); the template formats it


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    point: ChartPoint


@dataclass(frozen=True)
class ThresholdLine:
    y: float
    value: Decimal
    kind: str  # "reassess" or "high"


@dataclass(frozen=True)
class OmeqChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    scheduled_paths: tuple[str, ...]
    maximum_paths: tuple[str, ...]
    markers: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    thresholds: tuple[ThresholdLine, ...]
    points: tuple[ChartPoint, ...]  # one per day, oldest first: the data table
    first: ChartPoint
    last: ChartPoint
    highest: Decimal


def _nice_ceiling(value: Decimal) -> tuple[int, int]:
    """An axis top at or above `value`, and a tick step giving at most 6 ticks."""
    step = next((s for s in _NICE_STEPS if value / s <= 5), _NICE_STEPS[-1])
    top = int((value / step).to_integral_value(rounding=ROUND_CEILING)) * step
    return max(top, step), step


def _per_day(points: Iterable[ChartPoint]) -> list[ChartPoint]:
    latest: dict[datetime.date, ChartPoint] = {}
    for point in points:  # oldest first: the day's last change wins
        latest[point.day] = point
    return [latest[day] for day in sorted(latest)]


def _month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months = []
    day = datetime.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def omeq_chart(
    points: Sequence[ChartPoint],
    *,
    today: datetime.date,
    reassess: Decimal,
    high: Decimal,
) -> OmeqChart | None:
    """The chart for snapshots (oldest first); None when there is nothing to draw."""
    days = _per_day(points)
    values = [v for p in days for v in (p.scheduled, p.maximum) if v is not None]
    if not values:
        return None
    start = min(days[0].day, today - datetime.timedelta(days=30))
    end = max(today, days[-1].day)
    span = max((end - start).days, 1)
    highest = max(values)
    top, step = _nice_ceiling(max(highest, high) * Decimal("1.1"))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_width * (day - start).days / span, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_height * float(1 - value / top), 1)

    def steps(attribute: str) -> tuple[str, ...]:
        paths: list[str] = []
        current: list[str] = []
        for index, point in enumerate(days):
            value = getattr(point, attribute)
            next_day = days[index + 1].day if index + 1 < len(days) else end
            if value is None:
                if current:
                    paths.append(" ".join(current))
                current = []
                continue
            current += [f"{x(point.day)},{y(value)}", f"{x(next_day)},{y(value)}"]
        if current:
            paths.append(" ".join(current))
        return tuple(paths)

    markers = tuple(Marker(x(p.day), y(p.maximum), p) for p in days if p.maximum is not None)
    month_ticks = _month_starts(start, end)
    if len(month_ticks) < 2:
        month_ticks = [start, end]
    return OmeqChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        scheduled_paths=steps("scheduled"),
        maximum_paths=steps("maximum"),
        markers=markers,
        x_ticks=tuple(Tick(x(day), day) for day in month_ticks),
        y_ticks=tuple(Tick(y(Decimal(v)), v) for v in range(0, top + 1, step)),
        thresholds=(
            ThresholdLine(y(reassess), reassess, "reassess"),
            ThresholdLine(y(high), high, "high"),
        ),
        points=tuple(days),
        first=days[0],
        last=days[-1],
        highest=highest,
    )
