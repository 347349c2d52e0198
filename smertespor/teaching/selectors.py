"""Reads for teaching: the programme, one session, registrations, hours and reach."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation, Requester, User
from smertespor.entry.rules import require
from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionMaterial,
    SessionTopic,
    TeachingSession,
    education_hours,
)
from smertespor.teaching.permissions import can_manage_session, can_see_teaching

Status = Registration.Status
SessionSort = Literal["starts_at", "-starts_at", "title", "-title"]
SESSION_SORTS: dict[str, tuple[str, str]] = {
    "starts_at": ("starts_at", "pk"),
    "-starts_at": ("-starts_at", "-pk"),
    "title": ("title", "starts_at"),
    "-title": ("-title", "starts_at"),
}
When = Literal["upcoming", "past", "all"]
WHEN: tuple[When, ...] = get_args(When)


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


def session_for(user: Requester, session_id: int) -> TeachingSession:
    """One session for someone who may see the programme (others are refused, 403, and the
    attempt audited); 404 if there is none."""
    require(user, can_see_teaching, object_type="teaching_session", object_id=str(session_id))
    session = (
        _with_counts(TeachingSession.objects.select_related("organiser", "series"))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    return session


def managed_session_for(user: Requester, session_id: int) -> TeachingSession:
    """A session ``user`` organises or teaches; others are refused (403, audited), unknown
    ids 404."""
    session = session_for(user, session_id)
    require(
        user,
        can_manage_session(user, session),
        object_type="teaching_session",
        object_id=str(session.pk),
    )
    return session


def material_of(material_id: int, *, kind: str | None = None) -> SessionMaterial:
    """One material without its file contents (``kind``: only a file, or only a link); 404
    if there is none."""
    materials = SessionMaterial.objects.defer("content").filter(pk=material_id)
    if kind is not None:
        materials = materials.filter(kind=kind)
    material = materials.first()
    if material is None:
        raise Http404
    return material


def material_file(material_id: int) -> SessionMaterial:
    """A file material with its contents, for download; 404 if there is none."""
    material = SessionMaterial.objects.filter(
        pk=material_id, kind=SessionMaterial.Kind.FILE
    ).first()
    if material is None:
        raise Http404
    return material


def _user_id(user: Requester) -> int | None:
    return user.pk if isinstance(user, User) else None


def _organisation_id(user: Requester) -> int | None:
    return user.organisation_id if isinstance(user, User) else None


def registration_of(user: Requester, session: TeachingSession) -> Registration | None:
    return Registration.objects.filter(session=session, participant_id=_user_id(user)).first()


def registrations_of(
    user: Requester, sessions: Collection[TeachingSession]
) -> dict[int, Registration]:
    """``user``'s registration (of any status) for each of ``sessions`` they signed up for,
    by session id."""
    rows = Registration.objects.filter(participant_id=_user_id(user), session__in=sessions)
    return {row.session_id: row for row in rows}


def sessions_invited_to(user: Requester, sessions: Collection[TeachingSession]) -> set[int]:
    """Which of ``sessions`` ``user``'s practice is invited to."""
    return set(
        Invitation.objects.filter(
            practice_id=_organisation_id(user), session__in=sessions
        ).values_list("session_id", flat=True)
    )


def upcoming_registrations(user: Requester) -> QuerySet[Registration]:
    """The coming sessions ``user`` has a place at or is queued for, soonest first."""
    return (
        Registration.objects.filter(
            participant_id=_user_id(user),
            status__in=(Status.REGISTERED, Status.WAITING),
            session__starts_at__gt=timezone.now(),
        )
        .select_related("session")
        .order_by("session__starts_at")
    )


def has_given_feedback(registration: Registration | None) -> bool:
    return registration is not None and Feedback.objects.filter(registration=registration).exists()


def with_feedback(registrations: Collection[Registration]) -> set[int]:
    """The ids of those of ``registrations`` that have feedback."""
    return set(
        Feedback.objects.filter(registration__in=registrations).values_list(
            "registration_id", flat=True
        )
    )


def feedback_of(registration: Registration | None) -> Feedback | None:
    if registration is None:
        return None
    return Feedback.objects.filter(registration=registration).first()


def certificate_for(user: Requester, registration_id: int) -> Registration:
    """An attended registration, for its participant or the clinic that manages the session;
    404 for anyone else, so nobody learns who attended what."""
    registration = (
        Registration.objects.select_related("session__organiser", "participant", "organisation")
        .filter(pk=registration_id, attended=True)
        .first()
    )
    if registration is None or not (
        registration.participant_id == _user_id(user)
        or can_manage_session(user, registration.session)
    ):
        raise Http404
    return registration


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


def practices_named(practice_ids: Collection[int]) -> list[Organisation]:
    """The organisations with these ids (for the API); an unknown id is refused on
    ``practices``."""
    ids = set(practice_ids)
    found = list(Organisation.objects.filter(pk__in=ids).order_by("name"))
    if len(found) != len(ids):
        raise ValidationError(
            {"practices": ValidationError(_("Unknown practice."), code="invalid_choice")}
        )
    return found


def teachers_named(teacher_ids: Collection[int]) -> list[User]:
    """The users with these ids (for the API); an unknown id is refused on ``teacher_ids``.
    Whether they may teach is the service's check."""
    ids = set(teacher_ids)
    found = list(User.objects.filter(pk__in=ids).select_related("organisation"))
    if len(found) != len(ids):
        raise ValidationError(
            {"teacher_ids": ValidationError(_("Unknown teacher."), code="invalid_teacher")}
        )
    return found


def is_practice_invited(user: Requester, session: TeachingSession) -> bool:
    return session.invitations.filter(practice_id=_organisation_id(user)).exists()


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


def attended(
    *,
    participant: Requester | None = None,
    organisation_id: int | None = None,
    since: datetime | None = None,
) -> QuerySet[Registration]:
    """Registrations marked as attended: what education hours are counted from."""
    rows = Registration.objects.filter(attended=True)
    if participant is not None:
        rows = rows.filter(participant_id=_user_id(participant))
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if since is not None:
        rows = rows.filter(session__starts_at__gte=since)
    return rows


def education_minutes(
    *,
    participant: Requester | None = None,
    organisation_id: int | None = None,
    since: datetime | None = None,
) -> int:
    rows = attended(participant=participant, organisation_id=organisation_id, since=since)
    return int(rows.aggregate(total=Sum("session__duration_minutes"))["total"] or 0)


@dataclass(frozen=True)
class EducationRecord:
    """A participant's attended sessions (newest first, each with its certificate) and the
    education hours they add up to: the one figure the page and the API show."""

    attended: list[Registration]
    hours: Decimal


def education_record(participant: Requester) -> EducationRecord:
    rows = (
        attended(participant=participant)
        .select_related("session", "organisation")
        .order_by("-session__starts_at")
    )
    return EducationRecord(
        attended=list(rows), hours=education_hours(education_minutes(participant=participant))
    )


@dataclass(frozen=True)
class PracticeEducation:
    hours: Decimal
    participants: int


def practice_education(user: Requester) -> PracticeEducation:
    """The education hours of everyone at ``user``'s practice, and how many took part."""
    organisation_id = _organisation_id(user)
    if organisation_id is None:
        return PracticeEducation(hours=education_hours(0), participants=0)
    return PracticeEducation(
        hours=education_hours(education_minutes(organisation_id=organisation_id)),
        participants=attended(organisation_id=organisation_id)
        .values("participant")
        .distinct()
        .count(),
    )


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
    grouped = (
        attended(since=since)
        .values("organisation_id", "organisation__name")
        .annotate(
            minutes=Sum("session__duration_minutes"),
            participants=Count("participant", distinct=True),
            sessions=Count("session", distinct=True),
        )
        .order_by(*HOURS_SORTS.get(sort, HOURS_SORTS["hours"]))
    )
    return [{**row, "hours": education_hours(row["minutes"] or 0)} for row in grouped]


def hours_by_participant(
    *, since: datetime | None = None, organisation_id: int | None = None
) -> list[dict[str, Any]]:
    grouped = (
        attended(since=since, organisation_id=organisation_id)
        .values(
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
    # Hospital departments whose doctors attended, counted apart from the practices.
    departments_reached: int = 0
    departments_total: int = 0

    @property
    def practice_share(self) -> int:
        return (
            round(100 * self.practices_reached / self.practices_total)
            if self.practices_total
            else 0
        )


def teaching_reach(*, since: datetime, now: datetime) -> TeachingReach:
    """Aggregates only, no names: what a planner may see."""
    held = attended(since=since).filter(session__starts_at__lte=now)
    rating = Feedback.objects.filter(registration__in=held).aggregate(avg=Avg("rating"))["avg"]
    return TeachingReach(
        sessions_held=TeachingSession.objects.filter(
            starts_at__gte=since, starts_at__lte=now
        ).count(),
        sessions_planned=TeachingSession.objects.filter(starts_at__gt=now).count(),
        participants=held.values("participant").distinct().count(),
        practices_reached=held.filter(organisation__kind=Organisation.Kind.GP_PRACTICE)
        .values("organisation")
        .distinct()
        .count(),
        practices_total=Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).count(),
        hours=education_hours(
            int(held.aggregate(total=Sum("session__duration_minutes"))["total"] or 0)
        ),
        average_rating=None if rating is None else Decimal(str(rating)).quantize(Decimal("0.1")),
        departments_reached=held.filter(organisation__kind=Organisation.Kind.HOSPITAL_DEPARTMENT)
        .values("organisation")
        .distinct()
        .count(),
        departments_total=Organisation.objects.filter(
            kind=Organisation.Kind.HOSPITAL_DEPARTMENT
        ).count(),
    )
