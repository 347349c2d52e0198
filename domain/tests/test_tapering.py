"""Worked taper plans from published guidance, each schedule worked out by hand.

Strengths are the catalogue's (`domain/data/products.csv`): morphine depot 10/30/60/100/200 mg
(Contalgin 5 mg is withdrawn, so 10 mg is the smallest), fentanyl patches 12/25/50/75/100
mcg/h, oxycodone depot 5/10/20/40/80 mg, oxycodone capsules 5/10/20 mg. OMEQ uses CDC 2022
(morphine 1, oxycodone 1.5, fentanyl 2.4 per mcg/h).
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.catalogue import Catalogue, shipped_catalogue
from domain.omeq import default_thresholds, load_builtin_tables
from domain.tapering import (
    DoseSchedule,
    NoteCode,
    PrnLine,
    ProductDose,
    SlowDown,
    StepKind,
    SuggestionCode,
    SuggestionReason,
    SwitchReason,
    TaperError,
    TaperLine,
    TaperPlan,
    TaperRequest,
    TaperStep,
    TaperTarget,
    TimeOfDay,
    generate_taper_plan,
)

D = Decimal
CDC = load_builtin_tables()["cdc-2022"]
START = date(2026, 1, 5)
TODAY = date(2026, 1, 2)
MORPHINE_DEPOT = "morphine-depot-tablet"


def plan(
    *lines: TaperLine | PrnLine, percent: str = "10", days: int = 28, **options: Any
) -> TaperPlan:
    request = TaperRequest(
        lines=lines, target=TaperTarget.stop(), step_percent=D(percent), interval_days=days,
        start_date=START, table=CDC, thresholds=default_thresholds(),
    )  # fmt: skip
    return generate_taper_plan(replace(request, **options), today=TODAY)


def morphine_depot(morning: int, evening: int, strength: int = 60) -> TaperLine:
    return TaperLine(
        MORPHINE_DEPOT, D(strength), DoseSchedule(morning=D(morning), evening=D(evening))
    )


def by_time(dose: ProductDose) -> str:
    """A step's dose as the handout reads it, e.g. "morning 30+10+10 | evening 60"."""
    parts = []
    for timed in dose.doses:
        tablets = "+".join(
            "+".join([format(c.strength.amount, "f")] * int(c.units)) or f"½×{c.strength.amount}"
            for c in timed.dose.counts
        )
        parts.append(f"{timed.time.value} {tablets}")
    return " | ".join(parts) + (" | every other day" if dose.is_every_other_day else "")


def schedule(steps: tuple[TaperStep, ...]) -> list[tuple[str, str, str]]:
    return [
        (
            s.kind.value,
            format(s.omeq_mg_per_day.normalize(), "f"),
            "; ".join(by_time(d) for d in s.doses),
        )
        for s in steps
    ]


def test_cdc_2022_hhs_2019_morphine_depot_60_twice_daily_10_percent_of_the_start_a_month() -> None:
    # CDC 2022 / HHS 2019: 10 % of the starting dose per month after long-term use. 10 % of
    # 120 mg is 12 mg; depot tablets come in 10 mg steps, so each month cuts 10 mg (never
    # more than 12), the morning dose first, until 10 mg in the evening; then 10 mg every
    # other day for a month, then stop.
    result = plan(morphine_depot(1, 1))
    assert schedule(result.steps) == [
        ("reduce", "110", "morning 30+10+10 | evening 60"),
        ("reduce", "100", "morning 30+10+10 | evening 30+10+10"),
        ("reduce", "90", "morning 30+10 | evening 30+10+10"),
        ("reduce", "80", "morning 30+10 | evening 30+10"),
        ("reduce", "70", "morning 30 | evening 30+10"),
        ("reduce", "60", "morning 30 | evening 30"),
        ("reduce", "50", "morning 10+10 | evening 30"),
        ("reduce", "40", "morning 10+10 | evening 10+10"),
        ("reduce", "30", "morning 10 | evening 10+10"),
        ("reduce", "20", "morning 10 | evening 10"),
        ("reduce", "10", "evening 10"),
        ("every_other_day", "5", "evening 10 | every other day"),
        ("stop", "0", ""),
    ]
    assert [s.start_date for s in result.steps] == [
        START + timedelta(days=28 * k) for k in range(13)
    ]
    assert result.steps[-1].start_date == date(2026, 12, 7) and result.steps[-1].end_date is None
    assert all(s.cut_limit_mg_per_day == 12 and not s.notes for s in result.steps)
    assert [s.percent_of_start for s in result.steps[:3]] == [D("91.7"), D("83.3"), D(75)]
    assert result.baseline_omeq.max_mg_per_day == 120 and result.suggestions == ()


def test_each_step_says_what_to_prescribe_for_its_days() -> None:
    steps = plan(morphine_depot(1, 1)).steps
    first = [(u.strength.amount, u.units) for u in steps[0].supply[0].units]
    assert first == [(D(60), D(28)), (D(30), D(28)), (D(10), D(56))]  # 28 days of 30+10+10 and 60
    every_other_day = [(u.strength.amount, u.units) for u in steps[11].supply[0].units]
    assert every_other_day == [(D(10), D(14))]  # day 1, 3, ... 27
    assert steps[-1].supply == ()


def test_a_fentanyl_patch_taper_through_100_75_50_25_12_mcg_h() -> None:
    # A quarter of the starting 100 mcg/h per two weeks: one patch strength down each step.
    # A patch is not worn every other day: after the 12 mcg/h patch it is removed.
    result = plan(
        TaperLine("fentanyl-patch", D(100), DoseSchedule(morning=D(1))), percent="25", days=14
    )
    assert schedule(result.steps) == [
        ("reduce", "180", "morning 75"),
        ("reduce", "120", "morning 50"),
        ("reduce", "60", "morning 25"),
        ("reduce", "28.8", "morning 12"),
        ("stop", "0", ""),
    ]
    # Changed every 72 hours: a 14-day step starts ceil(14 x 24 / 72) = 5 patches.
    assert [(u.strength.amount, u.units) for u in result.steps[0].supply[0].units] == [
        (D(75), D(5))
    ]


def test_a_fentanyl_step_smaller_than_a_patch_strength_is_rounded_and_stretched() -> None:
    # 10 % of 100 mcg/h is 10 mcg/h (24 mg OMEQ); the next patch dose down is 87 (75 + 12):
    # a cut of 31.2, so the step lasts 14 x 31.2 / 24 = 18.2 days, 21 on the patch's 3-day
    # rhythm. (Issue 11: it used to last 14 days, the pace broken by a third.)
    result = plan(TaperLine("fentanyl-patch", D(100), DoseSchedule(morning=D(1))), days=14)
    first = result.steps[0]
    assert by_time(first.doses[0]) == "morning 75+12"
    assert first.has_note(NoteCode.ROUNDING_FORCED_LARGER_CUT)
    params = first.notes[0].params_dict()
    assert params["cut"] == "31.2" and params["cut_limit"] == "24"
    assert params["smallest_strength"] == "12" and params["unit"] == "mcg/h"
    assert first.days == first.planned_days == 21
    assert first.notes[1].code is NoteCode.STRETCHED
    assert first.notes[1].params_dict()["days"] == "21"
    patches = [s.doses[0].daily_amount for s in result.steps if s.doses and s.doses[0].is_patch]
    assert patches == [87, 75, 62, 50, 37, 25, 12]  # never 24 (12 + 12) after 25
    # The 12 mcg/h patch's stop (28.8) is more than a step (24): a finer product takes over.
    switch = next(s for s in result.steps if s.kind is StepKind.SWITCH)
    assert switch.reduced_product_id == "fentanyl-patch"
    assert [d.product.id for d in switch.doses] == ["morphine-depot-tablet"]  # morphine first
    assert result.switches[0].step == switch.number


def test_wa_amdg_10_percent_of_the_start_a_week_halves_both_doses_evenly() -> None:
    # WA AMDG taper calculator default: 10 % of the starting dose per week. From 100 mg twice
    # daily, 20 mg a week: both doses 10 mg down each week.
    result = plan(morphine_depot(1, 1, strength=100), days=7)
    assert schedule(result.steps) == [
        ("reduce", "180", "morning 60+30 | evening 60+30"),
        ("reduce", "160", "morning 60+10+10 | evening 60+10+10"),
        ("reduce", "140", "morning 60+10 | evening 60+10"),
        ("reduce", "120", "morning 60 | evening 60"),
        ("reduce", "100", "morning 30+10+10 | evening 30+10+10"),
        ("reduce", "80", "morning 30+10 | evening 30+10"),
        ("reduce", "60", "morning 30 | evening 30"),
        ("reduce", "40", "morning 10+10 | evening 10+10"),
        ("reduce", "20", "morning 10 | evening 10"),
        ("reduce", "10", "evening 10"),
        ("every_other_day", "5", "evening 10 | every other day"),
        ("stop", "0", ""),
    ]
    assert result.steps[1].start_date - result.steps[0].start_date == timedelta(days=7)


def test_oxycodone_short_acting_on_a_schedule_is_reduced_before_the_depot() -> None:
    # Oxycodone depot 20 mg twice daily + capsules 5 mg three times daily: (40 + 15) x 1.5 =
    # 82.5 mg OMEQ; 10 % is 8.25 (5.5 mg oxycodone), so one 5 mg capsule or tablet per step.
    # (Issue 11: the depot's 15 mg strength, now in the catalogue, makes 15 one tablet.)
    depot = TaperLine("oxycodone-depot-tablet", D(20), DoseSchedule(morning=D(1), evening=D(1)))
    capsules = TaperLine("oxycodone-capsule", D(5), DoseSchedule(D(1), D(1), D(1)))
    result = plan(depot, capsules)
    assert result.order == (("oxycodone-capsule", False), ("oxycodone-depot-tablet", False))
    assert schedule(result.steps) == [
        ("reduce", "75", "morning 20 | evening 20; noon 5 | evening 5"),
        ("reduce", "67.5", "morning 20 | evening 20; evening 5"),
        ("every_other_day", "63.75", "morning 20 | evening 20; evening 5 | every other day"),
        ("stop", "60", "morning 20 | evening 20"),
        ("reduce", "52.5", "morning 15 | evening 20"),
        ("reduce", "45", "morning 15 | evening 15"),
        ("reduce", "37.5", "morning 10 | evening 15"),
        ("reduce", "30", "morning 10 | evening 10"),
        ("reduce", "22.5", "morning 5 | evening 10"),
        ("reduce", "15", "morning 5 | evening 5"),
        ("reduce", "7.5", "evening 5"),
        ("every_other_day", "3.75", "evening 5 | every other day"),
        ("stop", "0", ""),
    ]
    (suggestion,) = result.suggestions
    assert suggestion.code is SuggestionCode.SWITCH_TO_ONE_DEPOT_OPIOID
    assert suggestion.reasons == (SuggestionReason.SHORT_ACTING_SCHEDULED,)
    assert suggestion.params_dict()["short_acting_products"] == "oxycodone-capsule"


def test_prn_doses_are_cut_first_by_lowering_the_daily_maximum() -> None:
    # 120 mg morphine + up to 4 x 5 mg oxycodone (30 mg OMEQ) = 150; 10 % is 15, two PRN doses.
    prn = PrnLine("oxycodone-capsule", D(5), D(1), 4)
    result = plan(morphine_depot(1, 1), prn)
    first, second = result.steps[:2]
    assert [d.prn_max_doses_per_day for d in first.doses if d.is_prn] == [2]
    assert second.kind is StepKind.STOP and second.reduced_is_prn
    assert [d.product.id for d in second.doses] == [MORPHINE_DEPOT]
    assert (second.omeq.scheduled_mg_per_day, second.omeq_mg_per_day) == (D(120), D(120))
    assert first.omeq.scheduled_mg_per_day == 120 and first.omeq_mg_per_day == 135
    assert result.suggestions[0].reasons == (SuggestionReason.SEVERAL_OPIOIDS,)


def test_several_opioids_one_is_finished_before_the_next_in_the_order_chosen() -> None:
    lines = (
        morphine_depot(1, 1, strength=30),
        TaperLine("fentanyl-patch", D(12), DoseSchedule(night=D(1))),
    )
    default = plan(*lines)  # both long-acting: the smaller OMEQ (fentanyl 28.8) first
    chosen = plan(*lines, order=(MORPHINE_DEPOT,))
    for result, first in ((default, "fentanyl-patch"), (chosen, MORPHINE_DEPOT)):
        reduced = [s.reduced_product_id for s in result.steps]
        switch = reduced.index(next(r for r in reduced if r != first))
        assert reduced[:switch] == [first] * switch
        assert first not in reduced[switch:]
        assert all(first not in (d.product.id for d in s.doses) for s in result.steps[switch:])


def test_a_splittable_tablet_ends_at_a_half_tablet_every_other_day() -> None:
    result = plan(TaperLine("morphine-tablet", D(10), DoseSchedule(evening=D(1))), percent="50")
    assert schedule(result.steps) == [
        ("reduce", "5", "evening ½×10"),
        ("every_other_day", "2.5", "evening ½×10 | every other day"),
        ("stop", "0", ""),
    ]


def test_a_target_omeq_ends_at_the_closest_dose_below_it_and_says_so() -> None:
    result = plan(morphine_depot(1, 1), target=TaperTarget.omeq(45))
    assert [s.omeq_mg_per_day for s in result.steps] == [110, 100, 90, 80, 70, 60, 50, 40]
    last = result.steps[-1]
    assert last.end_date is None and last.kind is StepKind.REDUCE
    assert last.has_note(NoteCode.TARGET_ROUNDED_DOWN)
    assert last.notes[-1].params_dict() == {"target": "45", "reached": "40", "unit": "mg OMEQ/day"}


def test_a_target_dose_agreed_for_one_product_is_reached_exactly_when_it_can_be() -> None:
    result = plan(morphine_depot(1, 1), target=TaperTarget.dose(MORPHINE_DEPOT, 30))
    last = result.steps[-1]
    assert by_time(last.doses[0]) == "morning 10 | evening 10+10"
    assert last.doses[0].daily_amount == 30 and not last.notes


def test_the_dose_of_the_day_keeps_its_times_and_is_cut_at_the_largest_dose_first() -> None:
    # Three times daily 20 + 10 + 20 mg oxycodone depot: the larger doses go first, the
    # morning before the evening on a tie, and noon is dropped only at its smallest dose.
    line = TaperLine("oxycodone-depot-tablet", D(10), DoseSchedule(D(2), D(1), D(2)))
    amounts = [s.doses[0].amounts for s in plan(line).steps[:5]]
    assert [tuple(int(a) for a in x[:3]) for x in amounts] == [
        (15, 10, 20), (15, 10, 15), (10, 10, 15), (10, 10, 10), (5, 10, 10),
    ]  # fmt: skip
    assert TimeOfDay.NIGHT not in {
        t.time for s in plan(line).steps for d in s.doses for t in d.doses
    }


def test_a_fentanyl_12_patch_alone_is_switched_to_morphine_solution_at_the_same_omeq() -> None:
    # 12 mcg/h x 2.4 = 28.8 mg OMEQ; 10 % is 2.88: removing the patch would cut ten steps at
    # once. Morphine depot (20 mg, losing 8.8), oxycodone depot (15 mg = 22.5) and morphine
    # tablets (25 mg) would lose more than a step; the 2 mg/ml solution makes 14 + 14 mg (7 ml
    # twice daily), losing 0.8, and ends at 0.5 ml every other day.
    result = plan(TaperLine("fentanyl-patch", D(12), DoseSchedule(morning=D(1))),
                  slow_down=SlowDown(D("0.5"), D("0.5")))  # fmt: skip
    first = result.steps[0]
    assert first.kind is StepKind.SWITCH and first.reduced_product_id == "fentanyl-patch"
    (dose,) = first.doses
    assert dose.product.id == "morphine-oral-solution"
    assert [(t.time, c.units) for t in dose.doses for c in t.dose.counts] == [
        (TimeOfDay.MORNING, D(7)), (TimeOfDay.EVENING, D(7)),
    ]  # fmt: skip
    assert first.omeq_mg_per_day == 28 and first.cut_mg_per_day == D("0.8")
    (switch,) = result.switches
    assert (switch.step, switch.reason) == (1, SwitchReason.COARSER_THAN_PACE)
    assert (switch.stop_mg_per_day, switch.limit_mg_per_day) == (D("28.8"), D("2.88"))
    assert (switch.table_id, switch.to_omeq_mg_per_day) == ("cdc-2022", D(28))
    assert first.notes[0].code is NoteCode.SWITCHED
    assert result.steps[-2].kind is StepKind.EVERY_OTHER_DAY
    assert result.steps[-1].cut_mg_per_day == D("0.5")


def test_a_buprenorphine_35_patch_is_switched_to_morphine_depot_before_it_could_stop() -> None:
    # Nordic: 35 mcg/h x 2.22 = 77.7 mg OMEQ, above the 30 mg a plan may stop from. Morphine
    # depot, the region's first choice, makes 30 + 40 mg (losing 7.7, within 10 % = 7.77).
    result = plan(
        TaperLine("buprenorphine-patch-4-day", D(35), DoseSchedule(morning=D(1))),
        table=load_builtin_tables()["nordic"],
    )
    (switch,) = [s for s in result.switches if s.step == 1]
    assert switch.reason is SwitchReason.STOP_ABOVE_THRESHOLD
    assert switch.to_dose.product.id == "morphine-depot-tablet"
    assert switch.to_dose.amounts == (D(30), D(0), D(40), D(0))
    assert result.steps[0].cut_mg_per_day == D("7.7")


def test_a_stop_above_the_threshold_that_no_finer_product_can_avoid_is_refused() -> None:
    catalogue = shipped_catalogue()
    only_patch = Catalogue(catalogue.info, (catalogue.by_id("buprenorphine-patch-4-day"),))
    request = TaperRequest(
        lines=(TaperLine("buprenorphine-patch-4-day", D(35), DoseSchedule(morning=D(1))),),
        target=TaperTarget.stop(), step_percent=D(10), interval_days=28, start_date=START,
        table=load_builtin_tables()["nordic"], thresholds=default_thresholds(),
        catalogue=only_patch,
    )  # fmt: skip
    with pytest.raises(TaperError) as caught:
        generate_taper_plan(request, today=TODAY)
    assert caught.value.code == "stop_above_threshold"
    assert caught.value.params_dict() == {
        "product": "buprenorphine-patch-4-day", "stop": "77.7", "threshold": "30",
        "smallest_dose": "35", "unit": "mcg/h",
    }  # fmt: skip
    # A region (or a GP, per plan) may set its own threshold: at 80 mg it may stop.
    allowed = replace(request, stop_threshold_mg_per_day=D(80), step_percent=D(50))
    assert generate_taper_plan(allowed, today=TODAY).steps[-1].kind is StepKind.STOP


def test_a_scheduled_oral_solution_is_tapered_in_measured_millilitres() -> None:
    # Oramorph 2 mg/ml, 5 ml twice daily = 20 mg; 50 % a step: 10 mg, 2.5 ml each dose.
    line = TaperLine("morphine-oral-solution", D(2), DoseSchedule(morning=D(5), evening=D(5)))
    result = plan(line, percent="50")
    first = result.steps[0].doses[0]
    assert [c.units for t in first.doses for c in t.dose.counts] == [D("2.5"), D("2.5")]
    assert [(u.strength.amount, u.units) for u in result.steps[0].supply[0].units] == [
        (D(2), D(140))  # 5 ml a day for 28 days
    ]


def test_methadone_is_not_called_short_acting_and_is_left_to_a_specialist_to_switch() -> None:
    # Issue 11: a methadone tablet was flagged "short-acting on a schedule, switch to depot".
    line = TaperLine("methadone-tablet", D(10), DoseSchedule(morning=D(1), evening=D(1)))
    result = plan(line)
    (suggestion,) = result.suggestions
    assert suggestion.code is SuggestionCode.METHADONE_SPECIALIST_ADVICE
    assert suggestion.reasons == (SuggestionReason.METHADONE,)
    assert suggestion.params_dict()["methadone_products"] == "methadone-tablet"
    assert all(s.product.substance == "methadone" for st in result.steps for s in st.doses)


def test_in_the_end_phase_one_switch_does_rather_than_a_depot_and_then_another() -> None:
    # Tramadol depot 200 mg twice daily (CDC 0.2: 80 mg OMEQ) ends at 100 mg once daily,
    # 20 mg OMEQ; its stop (10 every other day) is more than a step then (4). Morphine depot
    # 20 mg would itself need a finer product at its end (5 > 4): plain morphine tablets,
    # which end at half a 10 mg tablet every other day (2.5), take over in one switch.
    line = TaperLine("tramadol-depot-tablet", D(200), DoseSchedule(morning=D(1), evening=D(1)))
    result = plan(line, slow_down=SlowDown(D("0.5"), D("0.5")))
    (switch,) = result.switches
    assert switch.to_dose.product.id == "morphine-tablet"
    assert switch.from_omeq_mg_per_day == switch.to_omeq_mg_per_day == 20
    assert switch.reason is SwitchReason.COARSER_THAN_PACE
