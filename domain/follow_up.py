"""A follow-up visit's checks and alerts, plain data in and out.

- `validate_follow_up_date(on, course_start=..., today=...)`: not before the course start,
  not after today; `validate_next_visit(next_on, visit_on=...)`: after the visit.
- `FollowUpScores(peg, nrs, sows_total, cows_total)`: any may be missing; present ones are
  range-checked (`domain.scores`).
- `follow_up_alerts(...)`: the alerts a recorded visit raises, in `AlertCode` order:
  `peg_worsened` (2 points or more above baseline), `withdrawal_moderate_or_above` (one per
  scale, SOWS and/or COWS), `new_benzodiazepine_or_z_drug` (an ATC code of those classes in the
  current list and not in the previous one; classes from `domain/data/comedication_atc.toml`).
- `next_follow_up_on(...)` and `missed_follow_up(due_on=..., today=...)`: the visit due date and
  the `missed_follow_up` alert once it has passed with no visit (the day after `due_on`).

Parameters are text so the UI can place them in a translated sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import DomainError
from domain.omeq import CoMedicationError, co_medication_classes
from domain.scores import (
    Peg,
    ScoreSettings,
    WithdrawalScale,
    compare_peg,
    default_score_settings,
    is_withdrawal_alert,
    validate_nrs,
    validate_withdrawal_total,
    withdrawal_band,
)

# The co-medication classes (by their warning name in comedication_atc.toml) that alert when new.
SEDATIVE_CLASSES = ("benzodiazepine", "z_drug")

_ATC = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")


class FollowUpError(DomainError):
    code = "invalid_follow_up"

    def __init__(self, message: str, *, field: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class AlertCode(StrEnum):
    PEG_WORSENED = "peg_worsened"
    WITHDRAWAL_MODERATE_OR_ABOVE = "withdrawal_moderate_or_above"
    NEW_BENZODIAZEPINE_OR_Z_DRUG = "new_benzodiazepine_or_z_drug"
    MISSED_FOLLOW_UP = "missed_follow_up"


@dataclass(frozen=True)
class FollowUpAlert:
    code: AlertCode
    params: tuple[tuple[str, str], ...] = ()

    def param(self, name: str) -> str:
        return dict(self.params)[name]


def validate_follow_up_date(on: date, *, course_start: date, today: date) -> None:
    if on < course_start:
        raise FollowUpError(
            f"The follow-up date {on.isoformat()} is before the course start "
            f"{course_start.isoformat()}.",
            field="date",
            code="follow_up_before_course_start",
        )
    if on > today:
        raise FollowUpError(
            f"The follow-up date {on.isoformat()} is in the future.",
            field="date",
            code="follow_up_in_future",
        )


def validate_next_visit(next_on: date, *, visit_on: date) -> None:
    if next_on <= visit_on:
        raise FollowUpError(
            f"The next visit ({next_on.isoformat()}) must be after this one "
            f"({visit_on.isoformat()}).",
            field="next_visit_on",
            code="next_visit_not_after_visit",
        )


@dataclass(frozen=True)
class FollowUpScores:
    """The scores recorded at one visit; None where not recorded."""

    peg: Peg | None = None
    nrs: int | None = None
    sows_total: int | None = None
    cows_total: int | None = None

    def __post_init__(self) -> None:
        if self.peg is not None and not isinstance(self.peg, Peg):
            raise FollowUpError("PEG must be given as its three items.", field="peg")
        if self.nrs is not None:
            validate_nrs(self.nrs)
        if self.sows_total is not None:
            validate_withdrawal_total(WithdrawalScale.SOWS, self.sows_total)
        if self.cows_total is not None:
            validate_withdrawal_total(WithdrawalScale.COWS, self.cows_total)


def follow_up_alerts(
    *,
    scores: FollowUpScores,
    baseline_peg: Peg | None,
    previous_atc_codes: Iterable[str],
    current_atc_codes: Iterable[str],
    settings: ScoreSettings | None = None,
) -> tuple[FollowUpAlert, ...]:
    """The alerts one visit raises (the missed-visit alert is `missed_follow_up`)."""
    settings = settings or default_score_settings()
    found: list[FollowUpAlert] = []
    if scores.peg is not None and baseline_peg is not None:
        change = compare_peg(baseline_peg, scores.peg, settings)
        if change.is_alert_worsening:
            peg_params = (
                ("baseline", str(baseline_peg.score)),
                ("current", str(scores.peg.score)),
                ("points", str(change.points)),
            )
            found.append(FollowUpAlert(AlertCode.PEG_WORSENED, peg_params))
    for scale, total in (
        (WithdrawalScale.SOWS, scores.sows_total),
        (WithdrawalScale.COWS, scores.cows_total),
    ):
        if total is None:
            continue
        band = withdrawal_band(scale, total, settings)
        if is_withdrawal_alert(band, settings):
            band_params = (("scale", scale.value), ("total", str(total)), ("band", band.value))
            found.append(FollowUpAlert(AlertCode.WITHDRAWAL_MODERATE_OR_ABOVE, band_params))
    new = new_sedatives(previous_atc_codes, current_atc_codes)
    if new:
        sedative_params = (
            ("classes", ", ".join(sorted({cls for cls, _ in new}))),
            ("atc_codes", ", ".join(code for _, code in new)),
        )
        found.append(FollowUpAlert(AlertCode.NEW_BENZODIAZEPINE_OR_Z_DRUG, sedative_params))
    return tuple(found)


def new_sedatives(
    previous_atc_codes: Iterable[str], current_atc_codes: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """(class, ATC code) for each current benzodiazepine or z-drug not in the previous list."""
    previous = set(_atc_codes(previous_atc_codes))
    current = sorted(set(_atc_codes(current_atc_codes)) - previous)
    classes = [c for c in co_medication_classes() if c.warning in SEDATIVE_CLASSES]
    return tuple(
        (group.warning, code)
        for code in current
        for group in classes
        if code.startswith(group.atc_prefixes)
    )


def _atc_codes(codes: Iterable[str]) -> tuple[str, ...]:
    normalised = tuple(code.strip().upper() for code in codes)
    bad = [code for code in normalised if not _ATC.fullmatch(code)]
    if bad:
        raise CoMedicationError(bad)
    return normalised


def next_follow_up_on(
    *,
    course_start: date,
    interval_days: int,
    last_visit_on: date | None,
    last_next_visit_on: date | None,
) -> date:
    """When the next visit is due: the date set at the last visit, else one interval on."""
    if isinstance(interval_days, bool) or not isinstance(interval_days, int) or interval_days < 1:
        raise FollowUpError(
            "The follow-up interval must be a whole number of days, at least 1.",
            field="interval_days",
            code="bad_follow_up_interval",
        )
    if last_visit_on is None:
        return course_start + timedelta(days=interval_days)
    if last_next_visit_on is not None:
        return last_next_visit_on
    return last_visit_on + timedelta(days=interval_days)


def missed_follow_up(*, due_on: date, today: date) -> FollowUpAlert | None:
    """The missed-visit alert once `due_on` has passed (from the next day), else None."""
    overdue = (today - due_on).days
    if overdue < 1:
        return None
    params = (("due_on", due_on.isoformat()), ("days_overdue", str(overdue)))
    return FollowUpAlert(AlertCode.MISSED_FOLLOW_UP, params)
