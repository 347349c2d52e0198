"""Reads for teaching: the programme, one session, registrations, hours and reach."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from smertespor.accounts.models import Organisation
from smertespor.teaching.models import (
    Feedback,
    Registration,
    SessionMaterial,
    SessionTopic,
    TeachingSession,
    education_hours,
)
from smertespor.teaching.permissions import can_manage_session, can_see_teaching

Status = Registration.Status
SESSION_SORTS = {
    "starts_at": ("starts_at", "pk"),
    "-starts_at": ("-starts_at", "-pk"),
    "title": ("title", "starts_at"),
    "-title": ("-title", "starts_at"),
}
WHEN = ("upcoming", "past", "all")


def _with_counts(sessions: QuerySet[TeachingSession]) -> QuerySet[TeachingSession]:
    return sessions.annotate(
        registered_count=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
        waiting_count=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
    ).prefetch_related(
        Prefetch("topics", queryset=SessionTopic.objects.order_by("topic")),
        Prefetch("materials", queryset=SessionMaterial.objects.defer("content")),
        "teachers",
    )


def teaching_sessions(
    *, when: str = "upcoming", topic: str = "", sort: str = "starts_at", now: datetime | None = None
) -> QuerySet[TeachingSession]:
    now = now or timezone.now()
    sessions = TeachingSession.objects.select_related("organiser")
    if when == "upcoming":
        sessions = sessions.filter(starts_at__gt=now)
    elif when == "past":
        sessions = sessions.filter(starts_at__lte=now)
    if topic:
        sessions = sessions.filter(topics__topic=topic)
    default = "-starts_at" if when == "past" else "starts_at"
    return _with_counts(sessions).order_by(*SESSION_SORTS.get(sort, SESSION_SORTS[default]))


def session_for(user: Any, session_id: Any) -> TeachingSession:
    """One session for someone who may see the programme; 404 if there is none."""
    if not can_see_teaching(user):
        raise PermissionDenied
    session = (
        _with_counts(TeachingSession.objects.select_related("organiser", "series"))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    return session


def managed_session_for(user: Any, session_id: Any) -> TeachingSession:
    """A session ``user`` organises or teaches; others are refused (403), unknown ids 404."""
    session = session_for(user, session_id)
    if not can_manage_session(user, session):
        raise PermissionDenied
    return session


def registration_of(user: Any, session: TeachingSession) -> Registration | None:
    return Registration.objects.filter(session=session, participant=user).first()


def waiting_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk),
        session_id=registration.session_id,
        status=Status.WAITING,
    ).count()
    return ahead + 1


def registrations_for(session: TeachingSession) -> QuerySet[Registration]:
    """Everyone signed up or queued, places first, in the order they signed up."""
    return (
        session.registrations.filter(status__in=(Status.REGISTERED, Status.WAITING))
        .select_related("participant", "organisation")
        .order_by("status", "queued_at", "pk")  # "registered" sorts before "waiting"
    )


def materials_for(session: TeachingSession) -> QuerySet[SessionMaterial]:
    return session.materials.defer("content")


def invited_practices(session: TeachingSession) -> QuerySet[Organisation]:
    return Organisation.objects.filter(teaching_invitations__session=session).order_by("name")


def practices_to_invite(session: TeachingSession) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
        .exclude(teaching_invitations__session=session)
        .order_by("name")
    )


def is_practice_invited(user: Any, session: TeachingSession) -> bool:
    return session.invitations.filter(practice_id=user.organisation_id).exists()


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: Decimal | None
    comments: list[Feedback]


def feedback_summary(session: TeachingSession) -> FeedbackSummary:
    feedback = Feedback.objects.filter(registration__session=session)
    average = feedback.aggregate(average=Avg("rating"))["average"]
    return FeedbackSummary(
        count=feedback.count(),
        average=None if average is None else Decimal(str(average)).quantize(Decimal("0.1")),
        comments=list(feedback.exclude(comment="").order_by("-given_at")),
    )


# --- education hours ---------------------------------------------------------------------


def attended_registrations(*, participant: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(participant=participant, attended=True)
        .select_related("session", "organisation")
        .order_by("-session__starts_at")
    )


def education_minutes(
    *, participant: Any = None, organisation: Any = None, since: datetime | None = None
) -> int:
    rows = Registration.objects.filter(attended=True)
    if participant is not None:
        rows = rows.filter(participant=participant)
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    if since is not None:
        rows = rows.filter(session__starts_at__gte=since)
    return int(rows.aggregate(total=Sum("session__duration_minutes"))["total"] or 0)


HOURS_SORTS = {
    "hours": ("-minutes", "organisation__name"),
    "-hours": ("minutes", "organisation__name"),
    "name": ("organisation__name",),
    "-name": ("-organisation__name",),
}


def hours_by_practice(
    *, since: datetime | None = None, sort: str = "hours"
) -> list[dict[str, Any]]:
    """Per practice: education hours, sessions and participants (attended only)."""
    rows = Registration.objects.filter(attended=True)
    if since is not None:
        rows = rows.filter(session__starts_at__gte=since)
    grouped = (
        rows.values("organisation_id", "organisation__name")
        .annotate(
            minutes=Sum("session__duration_minutes"),
            participants=Count("participant", distinct=True),
            sessions=Count("session", distinct=True),
        )
        .order_by(*HOURS_SORTS.get(sort, HOURS_SORTS["hours"]))
    )
    return [{**row, "hours": education_hours(row["minutes"] or 0)} for row in grouped]


def hours_by_participant(
    *, since: datetime | None = None, organisation: Any = None
) -> list[dict[str, Any]]:
    rows = Registration.objects.filter(attended=True)
    if since is not None:
        rows = rows.filter(session__starts_at__gte=since)
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    grouped = (
        rows.values(
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "participant__username",
            "organisation__name",
        )
        .annotate(minutes=Sum("session__duration_minutes"), sessions=Count("session"))
        .order_by("-minutes", "participant__last_name", "participant_id")
    )
    return [{**row, "hours": education_hours(row["minutes"] or 0)} for row in grouped]


@dataclass(frozen=True)
class TeachingReach:
    sessions_held: int
    sessions_planned: int
    participants: int
    practices_reached: int
    practices_total: int
    hours: Decimal
    average_rating: Decimal | None

    @property
    def practice_share(self) -> int:
        return (
            round(100 * self.practices_reached / self.practices_total)
            if self.practices_total
            else 0
        )


def teaching_reach(*, since: datetime, now: datetime) -> TeachingReach:
    """Aggregates only, no names: what a planner may see."""
    attended = Registration.objects.filter(
        attended=True, session__starts_at__gte=since, session__starts_at__lte=now
    )
    rating = Feedback.objects.filter(registration__in=attended).aggregate(avg=Avg("rating"))["avg"]
    return TeachingReach(
        sessions_held=TeachingSession.objects.filter(
            starts_at__gte=since, starts_at__lte=now
        ).count(),
        sessions_planned=TeachingSession.objects.filter(starts_at__gt=now).count(),
        participants=attended.values("participant").distinct().count(),
        practices_reached=attended.filter(organisation__kind=Organisation.Kind.GP_PRACTICE)
        .values("organisation")
        .distinct()
        .count(),
        practices_total=Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).count(),
        hours=education_hours(
            int(attended.aggregate(total=Sum("session__duration_minutes"))["total"] or 0)
        ),
        average_rating=None if rating is None else Decimal(str(rating)).quantize(Decimal("0.1")),
    )
