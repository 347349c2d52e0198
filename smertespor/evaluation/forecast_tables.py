"""The forecast's result (the job's JSON) as the page's tables, the CSV and their labels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from domain.forecast import SERIES

SCENARIO_LABELS = {
    "baseline": gettext_lazy("Today's rates"),
    "teaching": gettext_lazy("More teaching"),
    "advice": gettext_lazy("Faster advice"),
    "slots": gettext_lazy("More clinic slots"),
    "combined": gettext_lazy("All three"),
}
SERIES_LABELS = {
    "practice_caseload": gettext_lazy("Patients in the practice track"),
    "handovers": gettext_lazy("Handovers to the clinic per month"),
    "hospital_caseload": gettext_lazy("Patients in the hospital track"),
    "waiting_list": gettext_lazy("Waiting list for the clinic"),
}
ESTIMATE_LABELS = {
    "new_per_month": gettext_lazy("New practice-track courses per month"),
    "early_handover_per_month": gettext_lazy("Early handovers (share per month)"),
    "success_at_3_months": gettext_lazy("Success at the 3-month point"),
    "hospital_end_per_month": gettext_lazy("Hospital-track courses ending (share per month)"),
}
SUMMARY_MONTHS = (6, 12, 24)


def whole(value: float) -> int:
    return round(value)


def _rate_text(name: str, value: float) -> str:
    if name == "new_per_month":
        return f"{value:.1f}".replace(".", ",")
    return f"{value * 100:.1f} %".replace(".", ",")


def estimate_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each rate with the number of courses behind it (1-4 shown as "< 5") and its source."""
    rows = []
    for estimate in result["estimates"]:
        count = estimate["count"]  # already suppressed (forecast_rates.estimates_payload)
        if estimate["from_courses"]:
            source = _("Estimated from %(count)s courses") % {"count": count}
        else:
            source = _("Setting used: only %(count)s courses, too few to estimate from") % {
                "count": count
            }
        rows.append(
            {
                "label": ESTIMATE_LABELS[estimate["name"]],
                "value": _rate_text(estimate["name"], estimate["value"]),
                "source": source,
                "from_courses": estimate["from_courses"],
            }
        )
    return rows


def _band_text(bands: dict[str, list[float]], month: int) -> str:
    index = month - 1
    return (
        f"{whole(bands['p50'][index])} ({whole(bands['p10'][index])}–{whole(bands['p90'][index])})"
    )


def summary_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per scenario: its rates, the waiting list at 6, 12 and 24 months, and the first month
    with a waiting list in at least half the runs."""
    months = [m for m in SUMMARY_MONTHS if m <= result["months"]]
    rows = []
    for scenario in result["scenarios"]:
        rates = scenario["rates"]
        waiting = scenario["bands"]["waiting_list"]
        first = next((i + 1 for i, v in enumerate(waiting["p50"]) if v > 0), None)
        slots = rates["hospital_slots_per_month"]
        rows.append(
            {
                "label": SCENARIO_LABELS[scenario["key"]],
                "success": _rate_text("success_at_3_months", rates["success_at_3_months"]),
                "early": _rate_text("early_handover_per_month", rates["early_handover_per_month"]),
                "slots": _("no limit") if slots is None else slots,
                "waiting": [_band_text(waiting, m) for m in months],
                "first_waiting_month": first,
            }
        )
    return rows


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's data: one table per series, a row per month, a column per scenario."""
    tables = []
    for name in SERIES:
        rows = [
            {
                "month": month,
                "cells": [
                    _band_text(scenario["bands"][name], month) for scenario in result["scenarios"]
                ],
            }
            for month in range(1, result["months"] + 1)
        ]
        tables.append({"key": name, "label": SERIES_LABELS[name], "rows": rows})
    return tables


def csv_rows(result: dict[str, Any]) -> list[list[Any]]:
    header = ["scenario", "series", "month", "p10", "p50", "p90"]
    rows: list[list[Any]] = [header]
    for scenario in result["scenarios"]:
        for name in SERIES:
            bands = scenario["bands"][name]
            for index in range(result["months"]):
                rows.append(
                    [
                        scenario["key"],
                        name,
                        index + 1,
                        bands["p10"][index],
                        bands["p50"][index],
                        bands["p90"][index],
                    ]
                )
    return rows


def scenario_labels(result: dict[str, Any]) -> list[str]:
    return [str(SCENARIO_LABELS[scenario["key"]]) for scenario in result["scenarios"]]
