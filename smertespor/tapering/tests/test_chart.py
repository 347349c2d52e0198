"""The plan's chart: planned OMEQ per step with the recorded OMEQ drawn over it."""

import datetime
from decimal import Decimal

import pytest

from smertespor.medication.chart import ChartPoint, PlannedPoint, omeq_chart
from smertespor.medication.models import ConversionTableVersion, OmeqSnapshot
from smertespor.tapering.plan_chart import stored_plan_chart
from smertespor.tapering.services import create_taper_plan
from smertespor.tapering.tests.conftest import TODAY

D = Decimal


def test_the_planned_series_is_drawn_as_steps_into_the_future():
    planned = [
        PlannedPoint(TODAY, D(100), "0"),
        PlannedPoint(TODAY + datetime.timedelta(28), D(90), "1"),
    ]
    chart = omeq_chart(
        [],
        today=TODAY,
        reassess=D(50),
        high=D(100),
        planned=planned,
        planned_until=TODAY + datetime.timedelta(56),
    )
    assert chart is not None
    [path] = chart.planned_paths
    coordinates = [tuple(map(float, pair.split(","))) for pair in path.split()]
    assert len(coordinates) == 4
    assert coordinates[-1][0] == chart.plot_right  # held to the end of the last interval
    assert coordinates[2][1] > coordinates[0][1]  # 90 is drawn below 100
    assert chart.today_x is not None and chart.today_x < coordinates[2][0]
    assert chart.first is None and chart.points == ()


def test_recorded_omeq_stops_at_today_while_the_plan_runs_on():
    actual = [ChartPoint(TODAY - datetime.timedelta(60), D(100), D(100), "nordic 1")]
    planned = [PlannedPoint(TODAY, D(100)), PlannedPoint(TODAY + datetime.timedelta(90), D(50))]
    chart = omeq_chart(actual, today=TODAY, reassess=D(50), high=D(100), planned=planned)
    assert chart is not None and chart.today_x is not None
    [recorded] = chart.maximum_paths
    last_x = float(recorded.split()[-1].split(",")[0])
    assert last_x == chart.today_x < chart.plot_right


@pytest.mark.django_db
def test_a_stored_plans_chart_data_are_its_steps_and_the_snapshots(
    gp, patient, morphine_list, pace
):
    OmeqSnapshot.objects.create(
        patient=patient,
        recorded_on=TODAY - datetime.timedelta(30),
        conversion_table=ConversionTableVersion.objects.get(table_id="nordic"),
        table_id="nordic",
        table_version="1",
        scheduled_mg_per_day=D(60),
        max_mg_per_day=D(100),
    )
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    steps = list(plan.steps.order_by("number"))
    drawn = stored_plan_chart(plan, steps, TODAY)
    assert [p.value for p in drawn.planned] == [plan.baseline_omeq_mg_per_day] + [
        s.omeq_mg_per_day for s in steps
    ]
    assert [p.day for p in drawn.planned[1:]] == [s.start_date for s in steps]
    assert [p.maximum for p in drawn.actual] == [D(100)]
    assert drawn.chart is not None and len(drawn.chart.planned_markers) == len(steps) + 1
