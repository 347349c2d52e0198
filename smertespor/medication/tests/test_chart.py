"""The OMEQ chart's geometry: steps between changes, gaps for what could not be computed."""

import datetime
from decimal import Decimal

from smertespor.medication.chart import ChartPoint, omeq_chart

D = Decimal
TODAY = datetime.date(2026, 3, 16)


def point(day, scheduled, maximum=None):
    maximum = scheduled if maximum is None else maximum
    return ChartPoint(
        day,
        None if scheduled is None else D(scheduled),
        None if maximum is None else D(maximum),
        "nordic 2022.1",
    )


def chart(*points):
    return omeq_chart(points, today=TODAY, reassess=D(50), high=D(100))


def test_there_is_no_chart_without_a_computed_value():
    assert chart() is None
    assert chart(point(TODAY, None, None)) is None


def test_omeq_is_drawn_as_steps_that_run_on_to_today():
    drawn = chart(point(datetime.date(2026, 1, 1), "60"), point(datetime.date(2026, 2, 1), "30"))
    [path] = drawn.scheduled_paths
    coordinates = [tuple(map(float, pair.split(","))) for pair in path.split()]
    assert len(coordinates) == 4
    assert coordinates[0][1] == coordinates[1][1]  # flat until the change
    assert coordinates[1][0] == coordinates[2][0]  # then straight down
    assert coordinates[3][0] == drawn.plot_right  # and on to today


def test_the_last_change_of_a_day_is_the_days_value():
    day = datetime.date(2026, 2, 1)
    drawn = chart(point(day, "60"), point(day, "90"))
    assert [p.scheduled for p in drawn.points] == [90]


def test_a_day_that_could_not_be_computed_breaks_the_line():
    drawn = chart(
        point(datetime.date(2026, 1, 1), "60"),
        point(datetime.date(2026, 1, 20), None, None),
        point(datetime.date(2026, 2, 10), "40"),
    )
    assert len(drawn.scheduled_paths) == 2


def test_the_axis_reaches_above_the_high_threshold_and_the_highest_value():
    drawn = chart(point(datetime.date(2026, 1, 1), "30", "360"))
    assert drawn.y_ticks[-1].label >= 360
    assert all(t.position >= drawn.plot_top for t in drawn.y_ticks)
    assert {line.kind for line in drawn.thresholds} == {"reassess", "high"}


def test_higher_omeq_is_drawn_higher_up():
    drawn = chart(point(datetime.date(2026, 1, 1), "20", "80"))
    [scheduled] = drawn.scheduled_paths
    [maximum] = drawn.maximum_paths
    assert float(maximum.split()[0].split(",")[1]) < float(scheduled.split()[0].split(",")[1])


def test_a_single_snapshot_on_today_is_drawn_as_a_dot():
    drawn = chart(point(TODAY, "40", "40"))
    [marker] = drawn.scheduled_markers
    assert marker.x == drawn.plot_right
    assert drawn.plot_top < marker.y < drawn.plot_bottom


def test_a_day_with_a_scheduled_value_but_no_maximum_still_has_a_dot():
    drawn = chart(point(datetime.date(2026, 2, 1), "30", None), point(TODAY, "20"))
    assert [m.point.day for m in drawn.scheduled_markers] == [datetime.date(2026, 2, 1), TODAY]


def test_the_x_labels_at_the_edges_are_aligned_inwards_so_none_is_clipped():
    drawn = chart(point(datetime.date(2026, 2, 14), "30"))
    first, *middle, last = drawn.x_ticks
    assert (first.anchor, last.anchor) == ("start", "end")
    assert all(tick.anchor == "middle" for tick in middle)
