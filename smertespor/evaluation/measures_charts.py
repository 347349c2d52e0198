"""Vega-Lite specifications of the measure charts, built with altair (docs/evaluation.md).

The page embeds each spec with ``json_script`` and `evaluation/measures.js` renders it with
the vendored vega-embed; every chart has a table beside it with the same figures. Only
figures that may be shown go into a chart (a hidden one is a gap, never a number).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from smertespor.evaluation.measures_selectors import Deciles

WIDTH = 640
HEIGHT = 260


def _month(month: datetime.date) -> str:
    return month.isoformat()


def _number(value: Decimal) -> float:
    return float(round(value, 4))


def region_chart(
    points: Sequence[tuple[datetime.date, Decimal | None]], unit: str
) -> dict[str, Any]:
    """The region's figure month by month."""
    values = [
        {"month": _month(month), "value": _number(value)}
        for month, value in points
        if value is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=_("Month"), timeUnit="yearmonth"),
            y=alt.Y("value:Q", title=unit or _("Figure")),
            tooltip=[
                alt.Tooltip("month:T", title=_("Month"), timeUnit="yearmonth"),
                alt.Tooltip("value:Q", title=_("Region"), format=",.1f"),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return chart.to_dict()


def decile_chart(
    deciles: Sequence[Deciles],
    practice: Sequence[tuple[datetime.date, Decimal | None]] = (),
    practice_name: str = "",
    unit: str = "",
) -> dict[str, Any]:
    """OpenPrescribing's chart: the practices' 10th and 90th percentiles (dashed) and
    median (solid) month by month, and one practice's own line on top of them."""
    median_label, outer_label = _("Median of the practices"), _("10th and 90th percentile")
    values: list[dict[str, Any]] = []
    for row in deciles:
        month = _month(row.month)
        values.append(
            {"month": month, "series": outer_label, "line": "p10", "value": _number(row.p10)}
        )
        values.append(
            {"month": month, "series": median_label, "line": "p50", "value": _number(row.p50)}
        )
        values.append(
            {"month": month, "series": outer_label, "line": "p90", "value": _number(row.p90)}
        )
    name = practice_name or _("Practice")
    for month_date, value in practice:
        if value is not None:
            values.append(
                {
                    "month": _month(month_date),
                    "series": name,
                    "line": "practice",
                    "value": _number(value),
                }
            )
    domain = [outer_label, median_label] + ([name] if practice else [])
    colours = ["#4f7cac", "#1d3f6e"] + (["#c0392b"] if practice else [])
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=False)
        .encode(
            x=alt.X("month:T", title=_("Month"), timeUnit="yearmonth"),
            y=alt.Y("value:Q", title=unit or _("Figure")),
            detail="line:N",
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            strokeDash=alt.condition(
                alt.FieldOneOfPredicate(field="line", oneOf=["p10", "p90"]),
                alt.value([4, 4]),
                alt.value([1, 0]),
            ),
            strokeWidth=alt.condition(
                alt.FieldEqualPredicate(field="line", equal="practice"),
                alt.value(3),
                alt.value(1.5),
            ),
            tooltip=[
                alt.Tooltip("month:T", title=_("Month"), timeUnit="yearmonth"),
                alt.Tooltip("series:N", title=_("Line")),
                alt.Tooltip("value:Q", title=_("Figure"), format=",.1f"),
            ],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return chart.to_dict()
