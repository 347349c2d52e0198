"""The forecast as a background job: estimate the rates, run each scenario, keep the bands.

`start_forecast` is the one action (page and API); `run_forecast` is the work the task
worker runs, its result the JSON the result page and the API read.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _

from domain.forecast import MONTHS, Forecast, ForecastError, Scenario, forecast
from smertespor.accounts.models import Organisation, Requester
from smertespor.evaluation.forecast_permissions import can_forecast
from smertespor.evaluation.forecast_rates import (
    current_state,
    estimate_rates,
    estimates_payload,
    flow_rates,
    scope_courses,
    state_payload,
)
from smertespor.jobs.models import Job
from smertespor.jobs.services import JobFailed, Progress, start_job, work

KIND = "forecast"
SCENARIO_KEYS = ("baseline", "teaching", "advice", "slots", "combined")


def scenarios(
    *, success_points: float, early_handover_cut_percent: float, extra_slots: int
) -> dict[str, Scenario]:
    cut = early_handover_cut_percent / 100
    return {
        "baseline": Scenario(),
        "teaching": Scenario(success_points=success_points),
        "advice": Scenario(early_handover_cut=cut),
        "slots": Scenario(extra_slots=extra_slots),
        "combined": Scenario(
            success_points=success_points, early_handover_cut=cut, extra_slots=extra_slots
        ),
    }


def start_forecast(
    *,
    user: Requester,
    runs: int,
    seed: int,
    slots_per_month: int,
    success_points: float,
    early_handover_cut_percent: float,
    extra_slots: int,
) -> Job:
    """Queue a forecast for the user's clinic (clinic staff) or region (planner)."""
    return start_job(
        KIND,
        user,
        run_forecast,
        runs=runs,
        seed=seed,
        months=MONTHS,
        slots_per_month=slots_per_month,
        success_points=success_points,
        early_handover_cut_percent=early_handover_cut_percent,
        extra_slots=extra_slots,
    )


def _bands(result: Forecast) -> dict[str, dict[str, list[float]]]:
    return {
        name: {"p10": list(band.p10), "p50": list(band.p50), "p90": list(band.p90)}
        for name, band in result.bands.items()
    }


@work(kind=KIND, rule=can_forecast, result_url="evaluation:forecast_result")
def run_forecast(
    *,
    job: Job,
    progress: Progress,
    runs: int,
    seed: int,
    months: int,
    slots_per_month: int,
    success_points: float,
    early_handover_cut_percent: float,
    extra_slots: int,
) -> dict[str, Any]:
    organisation = job.organisation
    clinic_only = organisation.kind == Organisation.Kind.PAIN_CLINIC
    plan = scenarios(
        success_points=success_points,
        early_handover_cut_percent=early_handover_cut_percent,
        extra_slots=extra_slots,
    )
    steps = 1 + len(plan)
    progress(0, steps, _("Estimating the rates from the recorded courses"))
    courses = scope_courses(organisation, clinic_only=clinic_only)
    estimates = estimate_rates(courses)
    state = current_state(courses)
    try:
        base = flow_rates(estimates, state, slots_per_month=slots_per_month)
        results = []
        for number, (key, scenario) in enumerate(plan.items(), start=1):
            progress(
                number,
                steps,
                _("Simulating scenario %(number)s of %(count)s")
                % {"number": number, "count": len(plan)},
            )
            rates = scenario.apply(base)
            outcome = forecast(rates, runs=runs, seed=seed, months=months)
            results.append({"key": key, "rates": asdict(rates), "bands": _bands(outcome)})
    except ForecastError as error:
        raise JobFailed(
            _("The forecast could not be run with these figures: %(reason)s")
            % {"reason": error.message}
        ) from error
    progress(steps, steps, _("Done"))
    return {
        "months": months,
        "runs": runs,
        "seed": seed,
        "scope": "clinic" if clinic_only else "region",
        "scope_name": organisation.name if clinic_only else organisation.region.name,
        "estimates": estimates_payload(estimates),
        "state": state_payload(state),
        "slots_per_month": slots_per_month,
        "scenarios": results,
    }
