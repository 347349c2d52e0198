"""Which general practices would gain most from the clinic's teaching.

`rank_practices_by_need(figures)` takes each practice's counts and returns the practices
ranked by need, each with its working:

- every measure is made relative to the region: the practice's value divided by the highest
  value any practice has (0 to 1), so a measure in patients and a share compare fairly;
- the need score is the weighted mean of those relative values, 0 to 100 (equal weights by
  default, a setting a region may change);
- a measure with no data yet (``None`` for any practice: the app that records it is not in
  use) is left out for everyone and listed in ``measures_without_data``, never read as 0;
- practices with equal need are ordered by fewer teaching minutes first: the DESIGN's "many
  escalations or questions, no attendance".

The measures: patients in Smertespor (the practice's patients in opioid care), patients in a
practice-track course, handovers to the hospital track, advice requests, and the share of
patients at or above the high-dose threshold. Each result names its main measure, so the
clinic can pick the matching teaching topic. Teaching minutes are shown next to the need; a
practice's own attendance does not change its need score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.errors import DomainError

ZERO = Decimal(0)
ONE = Decimal(1)
SCORE_PLACES = Decimal("0.1")
SHARE_PLACES = Decimal("0.0001")


class TeachingNeedError(DomainError):
    code = "invalid_teaching_need_figures"


class Measure(StrEnum):
    # In order of precedence when two measures contribute equally to a practice's need.
    HIGH_DOSE_SHARE = "high_dose_share"
    HOSPITAL_HANDOVERS = "hospital_handovers"
    PRACTICE_TRACK_PATIENTS = "practice_track_patients"
    ADVICE_REQUESTS = "advice_requests"
    PATIENTS = "patients"


DEFAULT_WEIGHTS: Mapping[Measure, Decimal] = dict.fromkeys(Measure, ONE)


@dataclass(frozen=True)
class PracticeFigures:
    """One practice's counts over the period the caller chose. ``None``: no data yet."""

    practice_id: int
    patients: int
    practice_track_patients: int | None = None
    hospital_handovers: int | None = None
    advice_requests: int | None = None
    high_dose_patients: int | None = None
    teaching_minutes: int = 0
    teaching_participants: int = 0

    def value(self, measure: Measure) -> Decimal | None:
        if measure is Measure.PATIENTS:
            return Decimal(self.patients)
        if measure is Measure.HIGH_DOSE_SHARE:
            if self.high_dose_patients is None:
                return None
            if self.patients == 0:
                return ZERO
            share = Decimal(self.high_dose_patients) / self.patients
            return share.quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
        raw: int | None = getattr(self, measure.value)
        return None if raw is None else Decimal(raw)


@dataclass(frozen=True)
class MeasureScore:
    measure: Measure
    value: Decimal
    relative: Decimal  # value / the region's highest value, 0..1
    weight: Decimal

    @property
    def contribution(self) -> Decimal:
        return self.relative * self.weight


@dataclass(frozen=True)
class PracticeNeed:
    rank: int
    figures: PracticeFigures
    score: Decimal  # 0..100
    components: tuple[MeasureScore, ...]
    main_measure: Measure | None  # None when the practice shows no need on any measure

    @property
    def practice_id(self) -> int:
        return self.figures.practice_id


@dataclass(frozen=True)
class NeedRanking:
    practices: tuple[PracticeNeed, ...]
    measures_used: tuple[Measure, ...]
    measures_without_data: tuple[Measure, ...]


def _check(figures: Sequence[PracticeFigures], weights: Mapping[Measure, Decimal]) -> None:
    seen: set[int] = set()
    for practice in figures:
        if practice.practice_id in seen:
            raise TeachingNeedError(
                f"Practice {practice.practice_id} appears twice.", code="duplicate_practice"
            )
        seen.add(practice.practice_id)
        counts = {
            "patients": practice.patients,
            "practice_track_patients": practice.practice_track_patients,
            "hospital_handovers": practice.hospital_handovers,
            "advice_requests": practice.advice_requests,
            "high_dose_patients": practice.high_dose_patients,
            "teaching_minutes": practice.teaching_minutes,
            "teaching_participants": practice.teaching_participants,
        }
        for name, count in counts.items():
            if count is not None and (isinstance(count, bool) or count < 0):
                raise TeachingNeedError(
                    f"Practice {practice.practice_id}: {name} cannot be {count}.",
                    code="negative_count",
                )
        if practice.high_dose_patients is not None and practice.high_dose_patients > (
            practice.patients
        ):
            raise TeachingNeedError(
                f"Practice {practice.practice_id}: more high-dose patients than patients.",
                code="share_above_one",
            )
    for measure, weight in weights.items():
        if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
            raise TeachingNeedError(
                f"The weight of {measure.value} must be a number of 0 or more.",
                code="bad_weight",
            )


def _main_measure(components: Sequence[MeasureScore]) -> Measure | None:
    best: MeasureScore | None = None
    for component in components:  # in Measure order: the first of equals wins
        if component.contribution > 0 and (
            best is None or component.contribution > best.contribution
        ):
            best = component
    return best.measure if best else None


def rank_practices_by_need(
    figures: Sequence[PracticeFigures], *, weights: Mapping[Measure, Decimal] | None = None
) -> NeedRanking:
    chosen = dict(DEFAULT_WEIGHTS if weights is None else weights)
    _check(figures, chosen)
    without_data = tuple(
        m for m in Measure if any(practice.value(m) is None for practice in figures)
    )
    used = tuple(m for m in Measure if m not in without_data and chosen.get(m, ZERO) > 0)
    total_weight = sum((chosen[m] for m in used), ZERO)
    highest = {
        m: max((practice.value(m) or ZERO for practice in figures), default=ZERO) for m in used
    }

    scored: list[tuple[PracticeFigures, Decimal, tuple[MeasureScore, ...]]] = []
    for practice in figures:
        components = []
        for m in used:
            value = practice.value(m) or ZERO
            relative = value / highest[m] if value > 0 else ZERO
            components.append(MeasureScore(m, value, relative, chosen[m]))
        weighted = sum((c.contribution for c in components), ZERO)
        score = (100 * weighted / total_weight) if total_weight > 0 else ZERO
        rounded = score.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
        scored.append((practice, rounded, tuple(components)))

    scored.sort(key=lambda row: (-row[1], row[0].teaching_minutes, row[0].practice_id))
    ranked: list[PracticeNeed] = []
    for index, (practice, score, parts) in enumerate(scored):
        previous = ranked[-1] if ranked else None
        tied = (
            previous is not None
            and previous.score == score
            and previous.figures.teaching_minutes == practice.teaching_minutes
        )
        rank = previous.rank if tied and previous is not None else index + 1
        ranked.append(PracticeNeed(rank, practice, score, parts, _main_measure(parts)))
    return NeedRanking(
        practices=tuple(ranked), measures_used=used, measures_without_data=without_data
    )
