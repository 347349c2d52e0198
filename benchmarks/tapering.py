"""Taper plan benchmark: 1,000 varied synthetic regimens, and the preview endpoint.

    .venv/bin/python benchmarks/tapering.py

Sets up Django itself on a throwaway database (SQLite in a temporary folder, or PostgreSQL
when DATABASE_URL points at it; see _harness.py), migrated, with the demo region loaded.
Every timing is interleaved with its baseline (A B, B A, … for 7 or more rounds after a
warm-up; _timing.py) and printed as median and spread, with the ratio of the medians:

1. Plans per second from `domain.tapering.generate_taper_plan` for 1,000 synthetic regimens
   (1-3 opioid lines of marketed strengths at fixed times of day, patches, oral solutions in
   ml, some as-needed lines; 5-25 % steps every 7-42 days, of the starting or current dose,
   with and without slowing down, to a stop or a target OMEQ), the slowest plan's time, and
   the requests the domain refused (a target the strengths cannot keep is refused, by
   design). The baseline is the OMEQ of the same regimens (`compute_omeq`), the first thing a
   plan computes; both sides are timed over all 1,000 regimens per round.
2. What issue 11 changed, over the same plans: how many needed a stretched step (a cut larger
   than the step size, so the step lasts longer) or a switch to a finer product, and the
   median plan length in months. The baseline for the length is the pace itself, worked out
   in the same run: how long the same pace (step size, interval, slow-down) would take with
   strengths fine enough to cut exactly a step each interval; the ratio is what coarse
   strengths add (plans of a share of the current dose never reach a stop with exact cuts,
   so the ratio is over plans of a share of the starting dose).
3. The preview endpoint (POST /api/tapering/patients/{id}/preview) for a demo patient:
   response time against a trivial endpoint measured in the same run, the same patient's
   plan list (GET .../plans: the same login, access check and audit row, no plan). This is
   a reference, not a baseline of the same output: it says what the plan adds to a request.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from _harness import setup_django
from _timing import interleaved, ratio

if TYPE_CHECKING:
    from domain.tapering import TaperRequest

REGIMENS = 1_000
DAYS_A_MONTH = 365.25 / 12
REQUEST_ROUNDS = 15
SEED = 1082


def _requests(today: date) -> list[TaperRequest]:
    from domain.catalogue import Form
    from domain.omeq import DoseBandedRule, LinearRule, Route
    from domain.tapering import (
        DoseSchedule,
        PrnLine,
        SlowDown,
        StepBasis,
        TaperLine,
        TaperRequest,
        TaperTarget,
    )
    from smertespor.medication.calculation import omeq_thresholds
    from smertespor.medication.selectors import current_catalogue
    from smertespor.medication.table_selectors import active_table_version, domain_table

    table = domain_table(active_table_version())
    thresholds = omeq_thresholds()
    catalogue = current_catalogue()
    products = [
        p
        for p in catalogue.opioids()
        if not p.is_substitution
        and (not p.is_measured_in_ml or p.form is Form.ORAL_SOLUTION)
        and isinstance(table.rule_for(p.substance, Route(p.route)), LinearRule | DoseBandedRule)
    ]
    scheduled = [p for p in products if p.route in {"oral", "transdermal"}]
    as_needed = [p for p in products if p.form in {Form.TABLET, Form.CAPSULE}]
    rng = random.Random(SEED)  # synthetic data, the same every run
    times_by_count = {
        1: ("morning",),
        2: ("morning", "evening"),
        3: ("morning", "noon", "evening"),
        4: ("morning", "noon", "evening", "night"),
    }
    requests = []
    for _ in range(REGIMENS):
        lines: list[TaperLine | PrnLine] = []
        for _line in range(rng.randint(1, 3)):
            product = rng.choice(scheduled)
            strength = rng.choice(product.strengths).amount
            if product.form is Form.PATCH:
                schedule = DoseSchedule(morning=Decimal(rng.choice((1, 1, 2))))
            elif product.form is Form.ORAL_SOLUTION:  # ml at each time
                chosen = times_by_count[rng.choice((1, 2, 2, 3))]
                schedule = DoseSchedule(**{t: Decimal(rng.choice((2, 5, 10))) for t in chosen})
            else:
                chosen = times_by_count[rng.choice((1, 2, 2, 2, 3, 4))]
                units = {t: Decimal(rng.choice((1, 1, 2))) for t in chosen}
                schedule = DoseSchedule(**units)
            lines.append(TaperLine(product.id, strength, schedule))
        if rng.random() < 0.3:
            product = rng.choice(as_needed)
            lines.append(
                PrnLine(product.id, product.strengths[0].amount, Decimal(1), rng.randint(1, 4))
            )
        target = (
            TaperTarget.stop()
            if rng.random() < 0.8
            else TaperTarget.omeq(rng.choice((10, 20, 30, 50)))
        )
        requests.append(
            TaperRequest(
                lines=tuple(lines),
                target=target,
                step_percent=Decimal(rng.choice((5, 10, 10, 10, 15, 20, 25))),
                interval_days=rng.choice((7, 14, 28, 28, 42)),
                start_date=today + timedelta(days=rng.randint(0, 14)),
                table=table,
                thresholds=thresholds,
                step_basis=rng.choice(list(StepBasis)),
                slow_down=SlowDown() if rng.random() < 0.6 else None,
                catalogue=catalogue,
            )
        )
    return requests


def _pace_days(request: TaperRequest, start: Decimal) -> int | None:
    """Days the pace itself takes from `start` to the target with exact cuts of a step each
    interval (the baseline for a plan's length); None for a share of the current dose."""
    from domain.tapering import StepBasis, TargetKind

    if request.step_basis is not StepBasis.STARTING_DOSE:
        return None
    target = request.target
    goal = target.omeq_mg_per_day if target.kind is TargetKind.OMEQ else Decimal(0)
    current, days = start, 0
    while current > (goal or 0):
        limit = request.step_percent / 100 * start
        slow = request.slow_down
        if slow is not None and current <= slow.below_share * start:
            limit *= slow.step_factor
        current -= limit
        days += request.interval_days
    return max(days - request.interval_days, 0)  # the last step has no end


def benchmark_plans(today: date) -> None:
    from domain.errors import DomainError
    from domain.tapering import NoteCode, generate_taper_plan
    from domain.tapering.regimen import parse_regimen
    from domain.tapering.steps import omeq_of

    requests = _requests(today)
    baselines = []
    for request in requests:
        doses, problems = parse_regimen(request)
        baselines.append((doses, problems, request))

    def baseline() -> None:
        for doses, problems, request in baselines:
            if not problems:
                omeq_of(doses, request.table, request.thresholds)

    times: list[float] = []
    steps = refused = stretched = switched = 0
    refusals: dict[str, int] = {}
    months: list[float] = []
    against_pace: list[float] = []
    for request in requests:
        start = time.perf_counter()
        try:
            plan = generate_taper_plan(request, today=today)
        except DomainError as error:
            refused += 1
            refusals[error.code] = refusals.get(error.code, 0) + 1
            times.append(time.perf_counter() - start)
            continue
        times.append(time.perf_counter() - start)
        steps += len(plan.steps)
        stretched += any(s.has_note(NoteCode.STRETCHED) for s in plan.steps)
        switched += bool(plan.switches)
        days = (plan.last_change_date - plan.steps[0].start_date).days
        months.append(days / DAYS_A_MONTH)
        pace_days = _pace_days(request, plan.baseline_omeq.max_mg_per_day)
        if pace_days:
            against_pace.append(days / pace_days)

    def plans() -> None:
        for request in requests:
            with contextlib.suppress(DomainError):  # refused requests cost time too
                generate_taper_plan(request, today=today)

    timings = interleaved({"baseline": baseline, "plans": plans})
    base, made_time = timings["baseline"], timings["plans"]
    slowest = max(range(len(times)), key=times.__getitem__)
    made = REGIMENS - refused
    print(f"Taper plans: {REGIMENS:,} synthetic regimens")
    print(f"  baseline, OMEQ of each regimen:  {REGIMENS / base.median:>10,.0f} /s")
    print(f"    {base.ms()} for all {REGIMENS:,}")
    print(f"  generate_taper_plan:             {REGIMENS / made_time.median:>10,.0f} /s")
    print(f"    {made_time.ms()}; {ratio(made_time, base)} the baseline's time")
    print(
        f"  plans made: {made:,} ({steps:,} steps, {steps / max(made, 1):.1f} a plan);"
        f" refused: {refused} {dict(sorted(refusals.items()))}"
    )
    print(
        f"  slowest plan: {times[slowest] * 1000:.1f} ms (regimen {slowest + 1}); "
        f"median {statistics.median(times) * 1000:.2f} ms"
    )
    print(f"What the pace needed, over the {made:,} plans made:")
    print(f"  a stretched step (cut > step): {stretched:>5,} ({stretched / made:.0%})")
    print(f"  a switch to a finer product:   {switched:>5,} ({switched / made:.0%})")
    print(
        f"  median plan length: {statistics.median(months):.1f} months;"
        f" {statistics.median(against_pace):.2f}x the pace's own length with exact cuts"
        f" (median over the {len(against_pace):,} plans of a share of the starting dose)"
    )


def benchmark_preview() -> None:
    import json

    from django.test import Client

    from smertespor.accounts.models import User
    from smertespor.patients.models import Patient

    gp = User.objects.get(username="demo-gp")
    client = Client()
    client.force_login(gp, backend="smertespor.accounts.backends.UserBackend")
    patient = None
    for candidate in Patient.objects.filter(listed_practice=gp.organisation).order_by("cpr"):
        url = f"/api/tapering/patients/{candidate.pk}/preview"
        response = client.post(url, "{}", content_type="application/json")
        if response.status_code == 200 and len(response.json()["steps"]) > 3:
            patient = candidate
            break
    if patient is None:
        raise SystemExit("No demo patient has a list the default plan fits.")
    preview_url = f"/api/tapering/patients/{patient.pk}/preview"
    trivial_url = f"/api/tapering/patients/{patient.pk}/plans"
    steps = len(client.post(preview_url, "{}", content_type="application/json").json()["steps"])
    timings = interleaved(
        {
            "trivial": lambda: client.get(trivial_url),
            "preview": lambda: client.post(
                preview_url, json.dumps({}), content_type="application/json"
            ),
        },
        rounds=REQUEST_ROUNDS,
    )
    preview, trivial = timings["preview"], timings["trivial"]
    print(f"Preview endpoint (demo patient, default plan of {steps} steps):")
    print(f"  trivial endpoint (GET the patient's plan list): {trivial.ms()}")
    print(f"  preview endpoint (POST .../preview):            {preview.ms()}")
    print(f"  ratio preview/trivial: {ratio(preview, trivial)}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smertespor-tapering-benchmark-") as name:
        setup_django(Path(name), load_demo=True, name="tapering")
        from django.utils import timezone

        benchmark_plans(timezone.localdate())
        benchmark_preview()


if __name__ == "__main__":
    main()
