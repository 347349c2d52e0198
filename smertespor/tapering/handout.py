"""The patient's handout, in Danish: period by period what to take at each time of day, what
withdrawal symptoms to expect and when to call, and the practice's contact details.

The handout is a Danish patient document whatever language the GP's screen is in, so its
text is written here in Danish rather than through gettext (an English source string would
print in English until the catalogue caught up). This one module builds the document; the
printable page, the PDF and the calendar file all render what it returns, so they cannot
disagree. It reads only what the plan stored, never the catalogue: the handout stays as
printed even when the catalogue changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import translation

from smertespor.entry.numbers import for_people

TIME_NAMES = {"morning": "Morgen", "noon": "Middag", "evening": "Aften", "night": "Nat"}
TIMES = tuple(TIME_NAMES)
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
# (one, several) per catalogue form; liquids are measured in ml.
FORM_WORDS: dict[str, tuple[str, str]] = {
    "tablet": ("tablet", "tabletter"),
    "depot_tablet": ("depottablet", "depottabletter"),
    "capsule": ("kapsel", "kapsler"),
    "depot_capsule": ("depotkapsel", "depotkapsler"),
    "patch": ("plaster", "plastre"),
    "suppository": ("stikpille", "stikpiller"),
    "sublingual_tablet": ("resoriblet", "resoribletter"),
    "buccal_tablet": ("buccaltablet", "buccaltabletter"),
    "film": ("film", "film"),
    "nasal_spray": ("pust", "pust"),
    "oral_solution": ("ml", "ml"),
    "drops": ("ml", "ml"),
}
UNIT_WORDS = {"mg": "mg", "mcg": "mikrogram", "mcg/h": "mikrogram/time", "mg/ml": "mg/ml"}

# What to expect, in everyday Danish: the items of the Subjective Opiate Withdrawal Scale
# (SOWS, Handelsman 1987, 16 items) and the Clinical Opiate Withdrawal Scale (COWS, Wesson &
# Ling 2003, 11 items), as listed in shared/reference/tapering-and-care.md.
WITHDRAWAL_SYMPTOMS = (
    "uro, rastløshed og angst",  # SOWS anxious, restless; COWS restlessness, anxiety
    "irritabilitet",  # COWS anxiety or irritability
    "gaben",  # SOWS, COWS yawning
    "svedeture samt hede- og kuldeture",  # SOWS perspiring, hot and cold flushes; COWS sweating
    "løbende næse og tåreflåd",  # SOWS eyes tearing, nose running; COWS runny nose or tearing
    "gåsehud",  # SOWS goosebumps; COWS gooseflesh skin
    "rysten og muskeltrækninger",  # SOWS shaking, muscles twitch; COWS tremor
    "ømme knogler, led og muskler",  # SOWS bones and muscles ache; COWS bone or joint aches
    "kvalme, opkastning, mavekramper eller diarré",  # SOWS nauseous, vomiting, cramps; COWS GI
    "hjertebanken",  # COWS resting pulse rate
    "trang til at tage medicinen",  # SOWS "I feel like using now"
)
# The sources' shared rules (tapering-and-care.md): pausing is fine, stepping back up is not;
# CDC 2022 warns that a return to an earlier dose after a taper risks overdose.
ADVICE = (
    "Tag medicinen på de faste tidspunkter, også på dage hvor smerterne er mindre.",
    "Abstinenser kommer oftest i dagene lige efter en nedsættelse og aftager som regel igen, "
    "før det næste trin.",
    "Sæt ikke selv dosis op igen. Har du det svært, så kontakt lægen: I kan aftale at blive "
    "længere på det nuværende trin.",
    "Når dosis er sat ned, tåler kroppen mindre. Tag aldrig en tidligere, højere dosis igen "
    "– det kan give overdosis.",
    "Brug ikke rester af medicin, du har fået tidligere; aflever dem på apoteket.",
)
WHEN_TO_CALL = (
    "abstinenserne er så stærke, at du ikke kan klare din hverdag",
    "smerterne bliver meget værre og ikke aftager",
    "du bliver meget nedtrykt eller får tanker om at skade dig selv",
    "du er i tvivl om, hvad eller hvor meget du skal tage",
)
EMERGENCY = (
    "Ved meget sløvhed, vejrtrækningsbesvær eller bevidstløshed (tegn på overdosis): ring 112."
)


@dataclass(frozen=True)
class DoseRow:
    """One strength of one product in a period: what to take at each time of day."""

    product: str  # "Morfin depottablet 30 mg"
    brands: str
    cells: tuple[str, str, str, str]  # morning, noon, evening, night ("" for none)


@dataclass(frozen=True)
class Period:
    number: int  # 0: the dose before the plan starts
    heading: str
    dates: str
    rows: tuple[DoseRow, ...]
    lines: tuple[str, ...]  # every other day, patch changes, as-needed doses, stops
    omeq: str
    first_day: date
    last_day: date | None
    summary: str  # the period in one sentence (the calendar's event text)


@dataclass(frozen=True)
class Handout:
    title: str
    patient_name: str
    patient_cpr: str
    practice_name: str
    practice_address: str
    practice_phone: str
    made_by: str
    made_on: str
    intro: str
    periods: tuple[Period, ...]
    withdrawal_symptoms: tuple[str, ...]
    advice: tuple[str, ...]
    when_to_call: tuple[str, ...]
    emergency: str
    excluded: tuple[str, ...]
    region_name: str = ""


def danish_date(day: date, *, weekday: bool = True) -> str:
    text = f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def danish_number(value: Decimal | str, places: int | None = None) -> str:
    """12.5 -> "12,5": in Danish whatever the screen's language, exactly as stored (or at most
    ``places`` decimals)."""
    with translation.override("da"):
        return for_people(value, places)


def units_text(units: Decimal, form: str) -> str:
    """1 -> "1 tablet", 0.5 -> "½ tablet", 1.5 -> "1½ tablet", 2 -> "2 tabletter"."""
    one, several = FORM_WORDS.get(form, ("stk.", "stk."))
    whole = int(units)
    has_half = units - whole == Decimal("0.5")
    if units % 1 not in (0, Decimal("0.5")):
        return f"{danish_number(units)} {several}"
    count = ("" if whole == 0 else str(whole)) + ("½" if has_half else "")
    return f"{count} {one if units < 2 else several}"


def strength_text(dose: Mapping[str, Any], unit: Mapping[str, str]) -> str:
    unit_word = UNIT_WORDS.get(dose["unit"], dose["unit"])
    return f"{dose['name']} {unit['label'].replace('.', ',')} {unit_word}"


def _rows(dose: Mapping[str, Any]) -> list[DoseRow]:
    by_strength: dict[str, dict[str, Decimal]] = {}
    units_of: dict[str, Mapping[str, str]] = {}
    for time, units in dose["times"].items():
        for unit in units:
            by_strength.setdefault(unit["strength"], {})[time] = Decimal(unit["units"])
            units_of[unit["strength"]] = unit
    rows = []
    for strength in sorted(by_strength, key=Decimal, reverse=True):
        at = by_strength[strength]
        morning, noon, evening, night = (
            units_text(at[t], dose["form"]) if t in at else "" for t in TIMES
        )
        rows.append(
            DoseRow(
                strength_text(dose, units_of[strength]),
                ", ".join(dose.get("brands") or ()),
                (morning, noon, evening, night),
            )
        )
    return rows


def _change_interval(hours: int | None) -> str:
    if not hours:
        return ""
    if hours % 24 == 0:
        days = hours // 24
        return (
            "hver dag"
            if days == 1
            else f"hver {days}. dag" + (" (én gang om ugen)" if days == 7 else "")
        )
    return f"hver {hours}. time"


def _prn_line(dose: Mapping[str, Any]) -> str:
    prn = dose["prn"]
    pieces = " + ".join(units_text(Decimal(u["units"]), dose["form"]) for u in prn["units"])
    strength = " + ".join(strength_text(dose, u) for u in prn["units"])
    maximum = prn["max_doses_per_day"]
    times = "gang" if maximum == 1 else "gange"
    return f"Efter behov: {strength} – {pieces} ad gangen, højst {maximum} {times} i døgnet."


def _dose_sentence(dose: Mapping[str, Any]) -> str:
    if dose["prn"] is not None:
        return _prn_line(dose)
    parts = []
    for time in TIMES:
        units = dose["times"].get(time)
        if units:
            pieces = " + ".join(
                f"{units_text(Decimal(u['units']), dose['form'])} à "
                f"{u['label'].replace('.', ',')} {UNIT_WORDS.get(dose['unit'], dose['unit'])}"
                for u in units
            )
            parts.append(f"{TIME_NAMES[time].lower()} {pieces}")
    text = f"{dose['name']}: " + ", ".join(parts)
    if dose["is_every_other_day"]:
        text += " – kun hver anden dag"
    return text


def period_of(
    number: int,
    doses: Sequence[Mapping[str, Any]],
    *,
    first_day: date,
    last_day: date | None,
    stopped: Sequence[str] = (),
    started: Sequence[str] = (),
    omeq: Decimal,
    today: date | None = None,
) -> Period:
    rows: list[DoseRow] = []
    lines: list[str] = []
    for dose in doses:
        if dose["prn"] is not None:
            lines.append(_prn_line(dose))
            continue
        rows += _rows(dose)
        if dose["is_every_other_day"]:
            lines.append(
                f"{dose['name']}: tag kun dosis hver anden dag (dag 1, 3, 5 osv.), "
                "ikke på dagene imellem."
            )
        if dose["form"] == "patch":
            lines.append(
                f"{dose['name']}: plastret skiftes {_change_interval(dose['patch_change_hours'])}"
                " på det tidspunkt, der står i skemaet."
            )
    if started:  # a switch to a finer product: the old one stops the same day
        old = " og ".join(stopped) or "det hidtidige præparat"
        lines += [
            f"Skift fra {old} til {name} fra denne dag, som aftalt med lægen." for name in started
        ]
    else:
        lines += [f"Stop med {name} fra denne dag." for name in stopped]
    if not doses:
        lines.append("Du skal ikke længere tage opioid (morfinlignende smertestillende medicin).")
    if number == 0:
        # `first_day` is the day step 1 starts: the dose before it is taken up to the day
        # before, never "now" once step 1 has begun (the patient must not keep taking it).
        last_before = danish_date(first_day - timedelta(days=1))
        if today is not None and today >= first_day:
            heading = "Din dosis før nedtrapningen"
            dates = f"til og med {last_before} – tag den ikke længere"
        else:
            heading = "Din dosis nu"
            dates = f"til og med {last_before}; trin 1 begynder {danish_date(first_day)}"
    else:
        heading = f"Trin {number}"
        dates = f"fra {danish_date(first_day)}"
        if last_day is not None:
            days = (last_day - first_day).days + 1
            length = (
                f"{days // 7} uger"
                if days % 7 == 0 and days > 7
                else ("1 uge" if days == 7 else f"{days} dage")
            )
            dates += f" til {danish_date(last_day)} ({length})"
        else:
            dates += " og fremover"
        if today is not None and first_day <= today and (last_day is None or today <= last_day):
            heading += " (nu)"  # the step the patient is in on the day it is printed
    summary = "; ".join(_dose_sentence(d) for d in doses) or lines[-1]
    if started:
        summary = f"Skift til {' og '.join(started)}. {summary}"
    elif stopped:
        summary = " ".join(f"Stop med {name}." for name in stopped) + (
            f" {summary}" if doses else ""
        )
    return Period(
        number,
        heading,
        dates,
        tuple(rows),
        tuple(lines),
        danish_number(omeq, 1),
        first_day,
        last_day,
        summary,
    )


def _stopped(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[str]:
    kept = {(d["product_id"], d["prn"] is not None) for d in after}
    names = []
    for dose in before:
        if (dose["product_id"], dose["prn"] is not None) not in kept:
            names.append(dose["name"] + (" efter behov" if dose["prn"] is not None else ""))
    return names


def _started(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[str]:
    had = {(d["product_id"], d["prn"] is not None) for d in before}
    return [d["name"] for d in after if (d["product_id"], d["prn"] is not None) not in had]


def periods_of(plan: Any, steps: Sequence[Any], today: date | None = None) -> tuple[Period, ...]:
    """The dose before the plan and each step; with `today`, worded for that day (the dose
    before the plan is not "now" once step 1 has begun, and the current step is marked)."""
    periods = []
    if steps:
        periods.append(
            period_of(
                0,
                plan.baseline,
                first_day=steps[0].start_date,
                last_day=None,
                omeq=plan.baseline_omeq_mg_per_day,
                today=today,
            )
        )
    before = plan.baseline
    for step in steps:
        periods.append(
            period_of(
                step.number,
                step.doses,
                first_day=step.start_date,
                last_day=step.end_date,
                stopped=_stopped(before, step.doses),
                started=_started(before, step.doses),
                omeq=step.omeq_mg_per_day,
                today=today,
            )
        )
        before = step.doses
    return tuple(periods)


def build_handout(plan: Any, steps: Sequence[Any], today: date | None = None) -> Handout:
    """The handout; `today` (the day it is shown or printed) words it for that day."""
    patient, practice, maker = plan.patient, plan.practice, plan.created_by
    periods = periods_of(plan, steps, today)
    end = steps[-1].start_date if steps else plan.start_date
    intro = (
        f"Du og din læge har aftalt at trappe langsomt ned i din smertestillende medicin. "
        f"Planen har {len(steps)} trin fra {danish_date(plan.start_date, weekday=False)} til "
        f"{danish_date(end, weekday=False)}. Følg skemaet for den periode, du er i."
    )
    excluded = tuple(
        f"{line['label']}: fortsæt som hidtil (indgår ikke i nedtrapningen)."
        for line in plan.excluded_lines
    )
    return Handout(
        title="Din plan for nedtrapning af smertestillende medicin",
        patient_name=patient.name,
        patient_cpr=patient.cpr_formatted,
        practice_name=practice.name,
        practice_address=practice.address,
        practice_phone=practice.phone,
        made_by=maker.get_full_name() if maker else "",
        made_on=danish_date(plan.made_on, weekday=False),
        intro=intro,
        periods=periods,
        withdrawal_symptoms=WITHDRAWAL_SYMPTOMS,
        advice=ADVICE,
        when_to_call=WHEN_TO_CALL,
        emergency=EMERGENCY,
        excluded=excluded,
        region_name=practice.region.name,
    )
