"""Writes for teaching. Each runs in one transaction and validates before it saves, so bad
input changes nothing. Who may ask is checked once, in the actions (``actions.py``) that the
pages and the API call; the demo loader calls these directly, as the system.

Places are handed out under a row lock on the session (``select_for_update``): every
registration, cancellation and capacity change for one session queues behind the others,
so two people can never take the last place and the waiting list moves up exactly once
per freed place. The unique (session, participant) constraint is the backstop against
double registration.

Materials and reminders have modules of their own (``material_services``,
``reminder_services``); the checks on a session's input are in ``session_checks``.
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation, User
from smertespor.accounts.permissions import is_practice_staff
from smertespor.teaching import recurrence
from smertespor.teaching import session_checks as checks
from smertespor.teaching.announcements import Kind, notify_about_session, send_session_email
from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionSeries,
    SessionTopic,
    TeachingSession,
)
from smertespor.validators import refuse_identifiers
from smertespor.versions import ExpectedVersion, check_version, claim_version

Status = Registration.Status
ACTIVE = (Status.REGISTERED, Status.WAITING)
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "topics",
        "audience",
        "starts_at",
        "ends_at",
        "location",
        "online_url",
        "capacity",
        "teachers",
        "external_teachers",
    }
)


def _registered_count(session: TeachingSession) -> int:
    return session.registrations.filter(status=Status.REGISTERED).count()


# --- sessions --------------------------------------------------------------------------


def create_teaching_sessions(
    *,
    by: User,
    title: str,
    topics: Collection[str],
    audience: Collection[str],
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    location: str = "",
    online_url: str = "",
    teachers: Iterable[User] = (),
    external_teachers: str = "",
    repeat: str = "",
    occurrences: int = 1,
) -> list[TeachingSession]:
    """One session, or a series of ``occurrences`` sessions repeating every week, second week
    or month, each a copy of the first at the same local time."""
    checks.check_aware(starts_at=starts_at, ends_at=ends_at)
    starts_at, ends_at = checks.to_the_minute(starts_at), checks.to_the_minute(ends_at)
    errors = checks.Errors()
    errors.check(checks.check_not_too_far_ahead, starts_at)
    chosen_topics: list[str] = errors.value(checks.clean_topics, topics, otherwise=[])
    flags: dict[str, bool] = errors.value(checks.audience_flags, audience, otherwise={})
    duration = errors.value(checks.duration_minutes, starts_at, ends_at, otherwise=0)
    errors.check(checks.check_capacity, capacity)
    teacher_list: list[User] = errors.value(checks.check_teachers, teachers, otherwise=[])
    errors.check(checks.check_place, location, online_url)
    errors.check(checks.check_series, repeat, occurrences)
    if starts_at <= timezone.now():
        errors.add("starts_at", _("A new session must lie in the future."), "in_the_past")
    # Read by every invited practice: no CPR number in any text (issue 12).
    errors.check(
        refuse_identifiers,
        {
            "title": title,
            "description": description,
            "location": location,
            "external_teachers": external_teachers,
        },
    )
    errors.raise_if_any()
    starts = (
        recurrence.occurrence_starts(timezone.localtime(starts_at), repeat, occurrences)
        if occurrences > 1
        else [starts_at]
    )
    with transaction.atomic():
        series = None
        if len(starts) > 1:
            series = SessionSeries(title=title.strip(), repeat=repeat, created_by=by)
            series.full_clean()
            series.save()
        sessions = []
        for start in starts:
            session = TeachingSession(
                series=series,
                organiser=by.organisation,
                title=title.strip(),
                description=description.strip(),
                starts_at=start,
                duration_minutes=duration,
                location=location.strip(),
                online_url=online_url.strip(),
                capacity=capacity,
                external_teachers=external_teachers.strip(),
                created_by=by,
                **flags,
            )
            session.full_clean()
            session.save()
            session.teachers.set(teacher_list)
            SessionTopic.objects.bulk_create(
                SessionTopic(session=session, topic=topic) for topic in chosen_topics
            )
            sessions.append(session)
    return sessions


def update_teaching_session(
    *,
    by: User,
    session: TeachingSession,
    expected_version: ExpectedVersion = None,
    **changes: Any,
) -> TeachingSession:
    """Change one session. Fewer places than people registered is refused; more places move
    the waiting list up; a new time or place is announced to everyone signed up.
    `expected_version`: the session's version the user read (`StaleVersion` if changed)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            code="not_editable",
        )
    with transaction.atomic():
        locked = TeachingSession.objects.select_for_update().get(pk=session.pk)
        check_version(locked, expected_version)
        old_when = (locked.starts_at, locked.duration_minutes, locked.location, locked.online_url)
        if "starts_at" in changes or "ends_at" in changes:
            # A new start alone moves the session; its length stays.
            starts_at = changes.get("starts_at", locked.starts_at)
            ends_at = changes.get("ends_at", starts_at + timedelta(minutes=locked.duration_minutes))
            checks.check_aware(starts_at=starts_at, ends_at=ends_at)
            starts_at, ends_at = checks.to_the_minute(starts_at), checks.to_the_minute(ends_at)
            if "starts_at" in changes:
                checks.check_not_too_far_ahead(starts_at)
            locked.duration_minutes = checks.duration_minutes(starts_at, ends_at)
            locked.starts_at = starts_at
        for field in ("title", "description", "location", "online_url", "external_teachers"):
            if field in changes:
                setattr(locked, field, str(changes[field]).strip())
        refuse_identifiers(
            {
                field: str(changes[field])
                for field in ("title", "description", "location", "external_teachers")
                if field in changes
            }
        )
        if "audience" in changes:
            for field, value in checks.audience_flags(changes["audience"]).items():
                setattr(locked, field, value)
        if "capacity" in changes:
            checks.check_capacity(changes["capacity"])
            registered = _registered_count(locked)
            if changes["capacity"] < registered:
                raise ValidationError(
                    {
                        "capacity": ValidationError(
                            _(
                                "%(count)s people are registered. Places cannot go below that; "
                                "ask participants to cancel first."
                            )
                            % {"count": registered},
                            code="capacity_below_registered",
                        )
                    }
                )
            locked.capacity = changes["capacity"]
        checks.check_place(locked.location, locked.online_url)
        topics = checks.clean_topics(changes["topics"]) if "topics" in changes else None
        teachers = checks.check_teachers(changes["teachers"]) if "teachers" in changes else None
        locked.revision += 1
        locked.full_clean()
        claim_version(locked, expected_version)
        locked.save()
        if topics is not None:
            locked.topics.exclude(topic__in=topics).delete()
            existing = set(locked.topics.values_list("topic", flat=True))
            SessionTopic.objects.bulk_create(
                SessionTopic(session=locked, topic=topic)
                for topic in topics
                if topic not in existing
            )
        if teachers is not None:
            locked.teachers.set(teachers)
        _fill_free_places(locked)
        new_when = (locked.starts_at, locked.duration_minutes, locked.location, locked.online_url)
        if new_when != old_when:
            active = locked.registrations.filter(status__in=ACTIVE)
            notify_about_session(
                [r.participant for r in active.select_related("participant")],
                kind=Kind.SESSION_CHANGED,
                session=locked,
                email=True,
            )
            if locked.starts_at != old_when[0]:
                active.update(reminder_sent_at=None)  # remind again before the new time
    return locked


# --- registration ----------------------------------------------------------------------


def register_for_session(*, by: User, session: TeachingSession) -> Registration:
    """Sign ``by`` up: a place if one is free (and nobody is queued), else the waiting list.
    The hours are credited to the practice ``by`` works in now."""
    practice = by.organisation
    if practice is None:
        raise ValidationError(
            _("Only staff of a general practice can sign up."), code="no_practice"
        )
    with transaction.atomic():
        locked = TeachingSession.objects.select_for_update().get(pk=session.pk)
        if locked.has_started:
            raise ValidationError(
                _("This session has already started or taken place; sign-up is closed."),
                code="session_past",
            )
        existing = Registration.objects.filter(session=locked, participant=by).first()
        if existing is not None and existing.is_active:
            message = (
                _("You are already registered for this session.")
                if existing.status == Status.REGISTERED
                else _("You are already on the waiting list for this session.")
            )
            raise ValidationError(message, code="already_registered")
        queue_exists = locked.registrations.filter(status=Status.WAITING).exists()
        has_place = _registered_count(locked) < locked.capacity and not queue_exists
        registration = existing or Registration(session=locked, participant=by)
        registration.organisation = practice
        registration.status = Status.REGISTERED if has_place else Status.WAITING
        registration.queued_at = timezone.now()
        registration.cancelled_at = None
        registration.promoted_at = None
        registration.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # Only reachable if the row lock was bypassed; the constraint still holds the line.
            raise ValidationError(
                _("You are already registered for this session."), code="already_registered"
            ) from None
    return registration


def cancel_registration(*, by: User, session: TeachingSession) -> Registration:
    """Give up a place (the first on the waiting list gets it) or leave the waiting list."""
    with transaction.atomic():
        locked = TeachingSession.objects.select_for_update().get(pk=session.pk)
        if locked.has_started:
            raise ValidationError(
                _("This session has already started or taken place; it cannot be cancelled."),
                code="session_past",
            )
        registration = (
            Registration.objects.select_for_update()
            .filter(session=locked, participant=by, status__in=ACTIVE)
            .first()
        )
        if registration is None:
            raise ValidationError(
                _("You are not registered for this session."), code="not_registered"
            )
        had_place = registration.status == Status.REGISTERED
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.attended = None  # marked present early, then cancelled after all
        registration.save(update_fields=["status", "cancelled_at", "attended"])
        if had_place:
            _fill_free_places(locked)
    return registration


def _place_offered_email(user: User, session: TeachingSession) -> Callable[[], bool]:
    def send() -> bool:
        return send_session_email(user=user, session=session, template="place_offered")

    return send


def _fill_free_places(session: TeachingSession) -> list[Registration]:
    """Move the waiting list up into free places, first come first served. The caller holds
    the session's row lock."""
    free = session.capacity - _registered_count(session)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(session=session, status=Status.WAITING)
        .select_related("participant")
        .order_by("queued_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.status = Status.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
    if promoted:
        participants = [r.participant for r in promoted]
        # In-app here; the e-mail (with the calendar file) goes out once the place is saved,
        # and a failing mail server is logged, never undoing it.
        notify_about_session(participants, kind=Kind.PLACE_OFFERED, session=session, email=False)
        for user in participants:
            transaction.on_commit(_place_offered_email(user, session), robust=True)
    return promoted


# --- attendance and feedback -----------------------------------------------------------


def mark_attendance(
    *, by: User, session: TeachingSession, attendance: Mapping[int, bool]
) -> list[Registration]:
    """Record who came (True) and who did not (False), by registration id."""
    with transaction.atomic():
        locked = TeachingSession.objects.select_for_update().get(pk=session.pk)
        if not locked.is_attendance_open:
            raise ValidationError(
                _("Attendance can be marked from an hour before the session starts."),
                code="not_started",
            )
        registrations = {
            r.pk: r
            for r in Registration.objects.select_for_update().filter(
                session=locked, status__in=ACTIVE
            )
        }
        unknown = sorted(set(attendance) - set(registrations))
        if unknown:
            raise ValidationError(
                _("Not signed up for this session: registration %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in unknown)},
                code="not_registered",
            )
        now = timezone.now()
        changed = []
        for pk, attended in attendance.items():
            registration = registrations[pk]
            registration.attended = bool(attended)
            registration.attendance_marked_by = by
            registration.attendance_marked_at = now
            registration.save(
                update_fields=["attended", "attendance_marked_by", "attendance_marked_at"]
            )
            changed.append(registration)
    return changed


def give_feedback(
    *, by: User, session: TeachingSession, rating: int, comment: str = ""
) -> Feedback:
    """A participant's rating (1-5) and comment; giving it again replaces the earlier one."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(
            {"rating": ValidationError(_("Choose a rating from 1 to 5."), code="invalid")}
        )
    refuse_identifiers({"comment": comment})
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .filter(session=session, participant=by, attended=True)
            .first()
        )
        if registration is None:
            raise ValidationError(
                _("Only participants marked as present can give feedback on this session."),
                code="did_not_attend",
            )
        if not session.has_started:
            raise ValidationError(
                _("Feedback can be given once the session has begun."), code="not_started"
            )
        feedback = Feedback.objects.filter(registration=registration).first() or Feedback(
            registration=registration
        )
        feedback.rating = rating
        feedback.comment = comment.strip()
        feedback.given_at = timezone.now()
        feedback.full_clean()
        feedback.save()
    return feedback


# --- invitations -----------------------------------------------------------------------


def invite_practices(
    *, by: User, session: TeachingSession, practices: Iterable[Organisation]
) -> list[Invitation]:
    """Invite practices (their staff get a notification). Already invited ones are skipped;
    if all were, that is an error so the inviter knows nothing new happened."""
    practices = list(practices)
    if not practices:
        raise ValidationError(
            {"practices": ValidationError(_("Choose at least one practice."), code="required")}
        )
    if any(not practice.is_gp_practice for practice in practices):
        raise ValidationError(
            {
                "practices": ValidationError(
                    _("Only general practices can be invited."), code="invalid_choice"
                )
            }
        )
    if session.has_started:
        raise ValidationError(
            _("This session has already started or taken place."), code="session_past"
        )
    with transaction.atomic():
        already = set(
            Invitation.objects.filter(session=session, practice__in=practices).values_list(
                "practice_id", flat=True
            )
        )
        new = [p for p in {p.pk: p for p in practices}.values() if p.pk not in already]
        if not new:
            raise ValidationError(
                _("These practices have already been invited to this session."),
                code="already_invited",
            )
        invitations = [Invitation(session=session, practice=p, invited_by=by) for p in new]
        for invitation in invitations:
            invitation.full_clean(validate_unique=False)
        Invitation.objects.bulk_create(invitations)
        staff = [
            user
            for practice in new
            for user in practice.users.filter(is_active=True)
            if is_practice_staff(user)
        ]
        notify_about_session(staff, kind=Kind.INVITATION, session=session, email=True)
    return invitations
