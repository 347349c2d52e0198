"""The band chart: a Vega-Lite spec built with altair (rendered in the browser by the
vendored vega-embed with the expression interpreter; the data table is its alternative)."""

from __future__ import annotations

from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from domain.forecast import SERIES
from smertespor.evaluation.forecast_tables import SCENARIO_LABELS, SERIES_LABELS


def band_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Per series a panel: each scenario's 10th-90th percentile band and its median line."""
    rows = [
        {
            "scenario": str(SCENARIO_LABELS[scenario["key"]]),
            "series": str(SERIES_LABELS[name]),
            "month": index + 1,
            "p10": scenario["bands"][name]["p10"][index],
            "p50": scenario["bands"][name]["p50"][index],
            "p90": scenario["bands"][name]["p90"][index],
        }
        for scenario in result["scenarios"]
        for name in SERIES
        for index in range(result["months"])
    ]
    scenario_order = [str(SCENARIO_LABELS[s["key"]]) for s in result["scenarios"]]
    color = alt.Color("scenario:N", sort=scenario_order, title=_("Scenario"))
    month = alt.X("month:Q", title=_("Month"), scale=alt.Scale(domain=[1, result["months"]]))
    band = (
        alt.Chart()
        .mark_area(opacity=0.15)
        .encode(x=month, y=alt.Y("p10:Q", title=_("Patients")), y2="p90:Q", color=color)
    )
    median = alt.Chart().mark_line().encode(x=month, y="p50:Q", color=color)
    chart = (
        alt.layer(band, median, data=alt.Data(values=rows))
        .properties(width=280, height=160)
        .facet(
            facet=alt.Facet("series:N", sort=[str(SERIES_LABELS[n]) for n in SERIES], title=None),
            columns=2,
        )
        .resolve_scale(y="independent")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
