"""The OMEQ-over-time chart's geometry: a server-rendered SVG step chart, no JavaScript.

OMEQ stays what it was until the list changes, so both series (scheduled, and the maximum
including as-needed doses) are drawn as steps from one snapshot to the next and on to today.
A snapshot that could not be computed breaks the line rather than drawing a guess.
A taper plan's planned OMEQ (`planned`, one point per step) can be drawn over the same axes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 36
MAX_X_TICKS = 9
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
    anchor: str = "middle"  # SVG text-anchor: an x label at an edge stays inside the chart


EDGE_LABEL = 28  # half an x label's width ("sep. 2026" at 11 px): closer to an edge, align


def _x_anchor(position: float) -> str:
    if position < LEFT + EDGE_LABEL:
        return "start"
    if position > WIDTH - RIGHT - EDGE_LABEL:
        return "end"
    return "middle"


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
class PlannedPoint:
    """A planned OMEQ from `day` on (a taper plan's baseline or one of its steps)."""

    day: datetime.date
    value: Decimal
    label: str = ""  # e.g. the step number, for the marker's tooltip


@dataclass(frozen=True)
class PlannedMarker:
    x: float
    y: float
    point: PlannedPoint


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
    first: ChartPoint | None  # None only for a chart of a plan with no snapshot yet
    last: ChartPoint | None
    highest: Decimal
    planned_paths: tuple[str, ...] = ()
    planned_markers: tuple[PlannedMarker, ...] = ()
    today_x: float | None = None  # where today is, when the chart reaches into the future
    scheduled_markers: tuple[Marker, ...] = ()


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
    if len(months) > MAX_X_TICKS:  # a long plan: every 2nd, 3rd ... month, so labels fit
        every = -(-len(months) // MAX_X_TICKS)
        months = months[::every]
    return months


def omeq_chart(
    points: Sequence[ChartPoint],
    *,
    today: datetime.date,
    reassess: Decimal,
    high: Decimal,
    planned: Sequence[PlannedPoint] = (),
    planned_until: datetime.date | None = None,
) -> OmeqChart | None:
    """The chart for snapshots (oldest first), with a plan's `planned` steps (oldest first,
    the last held until `planned_until`); None when there is nothing to draw."""
    days = _per_day(points)
    values = [v for p in days for v in (p.scheduled, p.maximum) if v is not None]
    values += [p.value for p in planned]
    if not values:
        return None
    actual_end = max(today, days[-1].day) if days else today
    starts = [today - datetime.timedelta(days=30)]
    ends = [actual_end]
    if days:
        starts.append(days[0].day)
    if planned:
        starts.append(planned[0].day)
        ends.append(planned_until or planned[-1].day)
    start, end = min(starts), max(ends)
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
            next_day = days[index + 1].day if index + 1 < len(days) else actual_end
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
    # Every scheduled value gets its own dot too: a single snapshot (or one on today) draws
    # a line of no length, and a day without a maximum would otherwise show nothing.
    scheduled_markers = tuple(
        Marker(x(p.day), y(p.scheduled), p) for p in days if p.scheduled is not None
    )
    planned_points: list[str] = []
    for index, change in enumerate(planned):
        following = planned[index + 1].day if index + 1 < len(planned) else end
        planned_points += [
            f"{x(change.day)},{y(change.value)}",
            f"{x(following)},{y(change.value)}",
        ]
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
        x_ticks=tuple(Tick(x(day), day, _x_anchor(x(day))) for day in month_ticks),
        y_ticks=tuple(Tick(y(Decimal(v)), v) for v in range(0, top + 1, step)),
        thresholds=(
            ThresholdLine(y(reassess), reassess, "reassess"),
            ThresholdLine(y(high), high, "high"),
        ),
        points=tuple(days),
        first=days[0] if days else None,
        last=days[-1] if days else None,
        highest=highest,
        planned_paths=(" ".join(planned_points),) if planned_points else (),
        planned_markers=tuple(PlannedMarker(x(p.day), y(p.value), p) for p in planned),
        today_x=x(today) if planned and end > today else None,
        scheduled_markers=scheduled_markers,
    )
