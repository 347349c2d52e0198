"""The teaching-need page's reads: each general practice's figures, ranked by the domain core
(``domain.teaching_need``).

The figures come from the apps that record them, through their selectors: patients in an
open practice-track course and handovers (tracks), advice requests and their topics
(advice), patients at a high dose (medication). Only counts cross over, never patients.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Sum

from domain.teaching_need import (
    Measure,
    NeedRanking,
    PracticeFigures,
    PracticeNeed,
    rank_practices_by_need,
)
from smertespor.accounts.models import Organisation
from smertespor.advice.selectors import advice_topics_per_practice
from smertespor.medication.selectors import high_dose_patients_per_practice
from smertespor.patients.models import Patient
from smertespor.teaching.labels import MEASURE_LABELS
from smertespor.teaching.models import (
    Invitation,
    Registration,
    TeachingSession,
    education_hours,
)
from smertespor.teaching.topics import Topic
from smertespor.tracks.selectors import (
    handovers_per_practice,
    practice_track_patients_per_practice,
)

WINDOW = timedelta(days=365)

# The teaching topic that answers each measure's need; for advice requests, the practice's
# commonest question topic.
TOPIC_FOR_MEASURE = {
    Measure.HIGH_DOSE_SHARE: Topic.TAPER_STRATEGY,
    Measure.PRACTICE_TRACK_PATIENTS: Topic.TAPER_STRATEGY,
    Measure.HOSPITAL_HANDOVERS: Topic.WITHDRAWAL,
    Measure.ADVICE_REQUESTS: Topic.OTHER,
    Measure.PATIENTS: Topic.TAPER_STRATEGY,
}


def commonest_topic(asked: Mapping[str, int]) -> Topic | None:
    """The topic a practice asked about most (the first in the list among equals)."""
    order = {topic: index for index, topic in enumerate(Topic.values)}
    topics = [topic for topic in asked if topic in order and asked[topic] > 0]
    if not topics:
        return None
    return Topic(min(topics, key=lambda topic: (-asked[topic], order[topic])))


@dataclass(frozen=True)
class RegionFigures:
    """Every general practice's figures, and the topics each asked the clinic about."""

    practices: list[PracticeFigures]
    advice_topics: dict[int, Counter[str]]


def region_figures(*, now: datetime) -> RegionFigures:
    """Current patients; the last year's handovers, advice requests and teaching."""
    since = now - WINDOW
    practice_ids = list(
        Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).values_list("pk", flat=True)
    )
    patients = dict(
        Patient.objects.filter(listed_practice_id__in=practice_ids)
        .order_by()
        .values("listed_practice_id")
        .annotate(n=Count("pk"))
        .values_list("listed_practice_id", "n")
    )
    attended = (
        Registration.objects.filter(
            organisation_id__in=practice_ids,
            attended=True,
            session__starts_at__gte=since,
            session__starts_at__lte=now,
        )
        .order_by()
        .values("organisation_id")
        .annotate(
            minutes=Sum("session__duration_minutes"), people=Count("participant", distinct=True)
        )
    )
    teaching = {row["organisation_id"]: row for row in attended}
    in_practice_track = practice_track_patients_per_practice(practice_ids)
    handovers = handovers_per_practice(practice_ids, since=since)
    advice = advice_topics_per_practice(practice_ids, since=since)
    high_dose = high_dose_patients_per_practice(practice_ids)
    figures = [
        PracticeFigures(
            practice_id=pid,
            patients=patients.get(pid, 0),
            practice_track_patients=in_practice_track[pid],
            hospital_handovers=handovers[pid],
            advice_requests=sum(advice[pid].values()),
            high_dose_patients=high_dose[pid],
            teaching_minutes=int(teaching.get(pid, {}).get("minutes") or 0),
            teaching_participants=int(teaching.get(pid, {}).get("people") or 0),
        )
        for pid in practice_ids
    ]
    return RegionFigures(practices=figures, advice_topics=advice)


@dataclass(frozen=True)
class NeedRow:
    need: PracticeNeed
    practice: Organisation
    topic: Topic
    next_session: TeachingSession | None
    already_invited: bool
    shown: tuple[Measure, ...]  # the measures with data, in display order

    @property
    def cells(self) -> list[tuple[Measure, Decimal | None]]:
        """The raw value of each measure shown."""
        return [(m, self.need.figures.value(m)) for m in self.shown]

    @property
    def main_measure_label(self) -> str:
        """Why the practice ranks where it does: the measure that adds most to its need."""
        measure = self.need.main_measure
        return str(MEASURE_LABELS[measure]) if measure else ""

    @property
    def teaching_hours(self) -> Decimal:
        return education_hours(self.need.figures.teaching_minutes)


@dataclass(frozen=True)
class NeedPage:
    ranking: NeedRanking
    rows: list[NeedRow]
    since: datetime
    shown: tuple[Measure, ...]


def next_session_on(topic: str, *, now: datetime) -> TeachingSession | None:
    return (
        TeachingSession.objects.filter(starts_at__gt=now, topics__topic=topic)
        .order_by("starts_at", "pk")
        .first()
    )


def suggested_topic(need: PracticeNeed, advice_topics: Mapping[str, int]) -> Topic:
    """What to teach a practice: the topic that answers its main measure."""
    if need.main_measure is Measure.ADVICE_REQUESTS:
        return commonest_topic(advice_topics) or Topic.OTHER
    return TOPIC_FOR_MEASURE[need.main_measure or Measure.PATIENTS]


def teaching_need(*, now: datetime) -> NeedPage:
    """The ranking with, for each practice, the topic to teach and the next session on it."""
    figures = region_figures(now=now)
    ranking = rank_practices_by_need(figures.practices)
    practices = Organisation.objects.in_bulk([n.practice_id for n in ranking.practices])
    next_sessions: dict[Topic, TeachingSession | None] = {}
    shown = tuple(m for m in MEASURE_LABELS if m not in ranking.measures_without_data)
    chosen = []
    for need in ranking.practices:
        topic = suggested_topic(need, figures.advice_topics.get(need.practice_id, Counter()))
        if topic not in next_sessions:
            next_sessions[topic] = next_session_on(topic, now=now)
        chosen.append((need, topic, next_sessions[topic]))
    invited = set(
        Invitation.objects.filter(
            session__in=[s for s in next_sessions.values() if s is not None]
        ).values_list("session_id", "practice_id")
    )
    rows = [
        NeedRow(
            need=need,
            practice=practices[need.practice_id],
            topic=topic,
            next_session=session,
            already_invited=session is not None and (session.pk, need.practice_id) in invited,
            shown=shown,
        )
        for need, topic, session in chosen
    ]
    return NeedPage(ranking=ranking, rows=rows, since=now - WINDOW, shown=shown)
