"""The teaching-need page's reads: each general practice's figures, ranked by the domain core.

Patients per practice and teaching attendance always exist. The other measures live in apps
built alongside this one (tracks, advice, medication). Each is counted only when its model
is installed and has the fields named in ``SOURCES`` (and any filter value is one of the
field's choices); otherwise the measure is "no data yet" (None), never a silent 0. When one
of those apps lands, adjusting its line in ``SOURCES`` is all it takes.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from domain.teaching_need import (
    Measure,
    NeedRanking,
    PracticeFigures,
    PracticeNeed,
    rank_practices_by_need,
)
from smertespor.accounts.models import Organisation
from smertespor.medication.calculation import omeq_thresholds
from smertespor.patients.models import Patient
from smertespor.teaching.models import (
    Invitation,
    Registration,
    TeachingSession,
    education_hours,
)
from smertespor.teaching.topics import Topic

WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class CountSource:
    """Rows of ``model`` per practice: ``practice_path`` leads from a row to its practice."""

    app: str
    model: str
    practice_path: str
    filters: Mapping[str, object] = field(default_factory=dict)
    distinct: str | None = None  # count distinct values of this path instead of rows
    since_field: str | None = None  # only rows with this date inside the window
    topic_field: str | None = None  # a field holding a Topic value, for the suggested topic


SOURCES: dict[Measure, CountSource] = {
    # Patients in an open practice-track course (tracks.Course, closed_on set when it ends).
    Measure.PRACTICE_TRACK_PATIENTS: CountSource(
        app="smertespor.tracks",
        model="tracks.Course",
        practice_path="patient__listed_practice",
        filters={"track": "practice", "closed_on__isnull": True},
        distinct="patient",
    ),
    # Handovers from the practice track to the clinic, whatever the clinic then decided.
    Measure.HOSPITAL_HANDOVERS: CountSource(
        app="smertespor.tracks",
        model="tracks.Handover",
        practice_path="course__patient__listed_practice",
        since_field="proposed_at",
    ),
    # Questions a practice asked the clinic; their category is a Topic.
    Measure.ADVICE_REQUESTS: CountSource(
        app="smertespor.advice",
        model="advice.AdviceRequest",
        practice_path="practice",
        since_field="asked_at",
        topic_field="category",
    ),
}
# The OMEQ snapshots the medication app stores: the latest per patient is the current dose.
HIGH_DOSE_SOURCE = ("smertespor.medication", "medication.OmeqSnapshot")

# The teaching topic that answers each measure's need.
TOPIC_FOR_MEASURE = {
    Measure.HIGH_DOSE_SHARE: Topic.TAPER_STRATEGY,
    Measure.PRACTICE_TRACK_PATIENTS: Topic.TAPER_STRATEGY,
    Measure.HOSPITAL_HANDOVERS: Topic.WITHDRAWAL,
    Measure.ADVICE_REQUESTS: Topic.OTHER,
    Measure.PATIENTS: Topic.TAPER_STRATEGY,
}


def _model(app: str, label: str) -> type[models.Model] | None:
    if not apps.is_installed(app):
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model], path: str) -> Any:
    """The field at the end of ``path`` (``patient__listed_practice``), or None."""
    current: Any = model
    found: Any = None
    for part in path.split("__"):
        if current is None:
            return None
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        current = found.related_model
    return found


def _is_usable(source: CountSource) -> bool:
    model = _model(source.app, source.model)
    if model is None:
        return False
    practice = _field(model, source.practice_path)
    if practice is None or practice.related_model is not Organisation:
        return False
    for key, value in source.filters.items():
        name = key.removesuffix("__isnull")
        target = _field(model, name)
        if target is None:
            return False
        if name == key and target.choices and value not in {c[0] for c in target.choices}:
            return False
    return all(
        _field(model, path) is not None
        for path in (source.distinct, source.since_field, source.topic_field)
        if path
    )


def _source_rows(source: CountSource, practice_ids: list[int], since: datetime) -> Any:
    model = _model(source.app, source.model)
    if model is None:
        raise LookupError(source.model)  # callers check _is_usable first
    rows = model._default_manager.filter(
        **source.filters, **{f"{source.practice_path}__in": practice_ids}
    )
    if source.since_field:
        rows = rows.filter(**{f"{source.since_field}__gte": since})
    return rows


def count_per_practice(
    source: CountSource, practice_ids: list[int], *, since: datetime
) -> dict[int, int] | None:
    """Rows (or distinct ``source.distinct``) per practice id; None if there is no data yet."""
    if not _is_usable(source):
        return None
    counted = Count(source.distinct or "pk", distinct=bool(source.distinct))
    rows = (
        _source_rows(source, practice_ids, since)
        .values(source.practice_path)
        .annotate(n=counted)
        .values_list(source.practice_path, "n")
    )
    counts = dict.fromkeys(practice_ids, 0)
    counts.update(dict(rows))
    return counts


def commonest_topic_per_practice(
    source: CountSource, practice_ids: list[int], *, since: datetime
) -> dict[int, str]:
    if not source.topic_field or not _is_usable(source):
        return {}
    rows = _source_rows(source, practice_ids, since).values_list(
        source.practice_path, source.topic_field
    )
    tallies: dict[int, Counter[str]] = {}
    for practice_id, topic in rows:
        if topic in Topic.values:
            tallies.setdefault(practice_id, Counter())[topic] += 1
    return {pid: tally.most_common(1)[0][0] for pid, tally in tallies.items()}


def high_dose_patients_per_practice(practice_ids: list[int]) -> dict[int, int] | None:
    """Patients whose latest OMEQ (maximum incl. PRN) is at or above the high-dose threshold."""
    snapshot = _model(*HIGH_DOSE_SOURCE)
    if snapshot is None or any(
        _field(snapshot, name) is None for name in ("patient", "recorded_at", "max_mg_per_day")
    ):
        return None
    latest = snapshot._default_manager.filter(patient=OuterRef("pk")).order_by(
        "-recorded_at", "-pk"
    )
    rows = (
        Patient.objects.filter(listed_practice_id__in=practice_ids)
        .annotate(current_max=Subquery(latest.values("max_mg_per_day")[:1]))
        .filter(current_max__gte=omeq_thresholds().high_mg_per_day)
        .values("listed_practice_id")
        .annotate(n=Count("pk"))
        .values_list("listed_practice_id", "n")
    )
    counts = dict.fromkeys(practice_ids, 0)
    counts.update(dict(rows))
    return counts


def practice_need_figures(*, now: datetime) -> list[PracticeFigures]:
    """Every general practice's figures: current patients, the last year's events and teaching."""
    since = now - WINDOW
    practice_ids = list(
        Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).values_list("pk", flat=True)
    )
    patients = dict(
        Patient.objects.filter(listed_practice_id__in=practice_ids)
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
        .values("organisation_id")
        .annotate(
            minutes=Sum("session__duration_minutes"), people=Count("participant", distinct=True)
        )
    )
    teaching = {row["organisation_id"]: row for row in attended}
    measured = {
        measure: count_per_practice(source, practice_ids, since=since)
        for measure, source in SOURCES.items()
    }
    high_dose = high_dose_patients_per_practice(practice_ids)

    def pick(counts: dict[int, int] | None, pid: int) -> int | None:
        return None if counts is None else counts.get(pid, 0)

    return [
        PracticeFigures(
            practice_id=pid,
            patients=patients.get(pid, 0),
            practice_track_patients=pick(measured[Measure.PRACTICE_TRACK_PATIENTS], pid),
            hospital_handovers=pick(measured[Measure.HOSPITAL_HANDOVERS], pid),
            advice_requests=pick(measured[Measure.ADVICE_REQUESTS], pid),
            high_dose_patients=pick(high_dose, pid),
            teaching_minutes=int(teaching.get(pid, {}).get("minutes") or 0),
            teaching_participants=int(teaching.get(pid, {}).get("people") or 0),
        )
        for pid in practice_ids
    ]


MEASURE_LABELS = {
    Measure.PATIENTS: _("Patients in Smertespor"),
    Measure.PRACTICE_TRACK_PATIENTS: _("In a practice-track course"),
    Measure.HOSPITAL_HANDOVERS: _("Handed over to the hospital track"),
    Measure.ADVICE_REQUESTS: _("Advice requests"),
    Measure.HIGH_DOSE_SHARE: _("Share at high dose"),
}


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


def next_session_on(topic: str, *, now: datetime) -> TeachingSession | None:
    return (
        TeachingSession.objects.filter(starts_at__gt=now, topics__topic=topic)
        .order_by("starts_at", "pk")
        .first()
    )


def teaching_need(*, now: datetime) -> NeedPage:
    """The ranking with, for each practice, the topic to teach and the next session on it."""
    ranking = rank_practices_by_need(practice_need_figures(now=now))
    since = now - WINDOW
    practices = Organisation.objects.in_bulk([n.practice_id for n in ranking.practices])
    advice_topics = commonest_topic_per_practice(
        SOURCES[Measure.ADVICE_REQUESTS], list(practices), since=since
    )
    next_sessions: dict[str, TeachingSession | None] = {}
    shown = tuple(m for m in MEASURE_LABELS if m not in ranking.measures_without_data)
    chosen = []
    for need in ranking.practices:
        topic = TOPIC_FOR_MEASURE.get(need.main_measure or Measure.PATIENTS, Topic.OTHER)
        if need.main_measure is Measure.ADVICE_REQUESTS:
            topic = Topic(advice_topics.get(need.practice_id, Topic.OTHER))
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
    return NeedPage(ranking=ranking, rows=rows, since=since)
