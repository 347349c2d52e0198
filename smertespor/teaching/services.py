"""Writes for teaching. Each checks who is asking, runs in one transaction and validates
before it saves, so bad input changes nothing. The pages, the API and the management
command all call these.

Places are handed out under a row lock on the session (``select_for_update``): every
registration, cancellation and capacity change for one session queues behind the others,
so two people can never take the last place and the waiting list moves up exactly once
per freed place. The unique (session, participant) constraint is the backstop against
double registration.
"""

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smertespor.accounts.models import Organisation
from smertespor.accounts.permissions import is_practice_staff
from smertespor.teaching import recurrence
from smertespor.teaching.materials import MAX_MATERIAL_BYTES, safe_filename, sniff_file_kind
from smertespor.teaching.models import (
    AUDIENCE_FIELDS,
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    Audience,
    Feedback,
    Invitation,
    Notification,
    Registration,
    SessionMaterial,
    SessionSeries,
    SessionTopic,
    TeachingSession,
)
from smertespor.teaching.notifications import notify, send_session_email
from smertespor.teaching.permissions import (
    can_manage_session,
    can_organise_teaching,
    can_take_part_in_teaching,
    is_clinic_staff,
)
from smertespor.teaching.topics import Topic

logger = logging.getLogger(__name__)
T = TypeVar("T")
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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- checks shared by create and update ------------------------------------------------


def _clean_topics(topics: Collection[str]) -> list[str]:
    chosen = sorted(set(topics))
    if not chosen:
        raise ValidationError({"topics": _("Choose at least one topic.")}, code="required")
    unknown = [t for t in chosen if t not in Topic.values]
    if unknown:
        raise ValidationError(
            {"topics": _("Unknown topic: %(topic)s") % {"topic": ", ".join(unknown)}},
            code="invalid_choice",
        )
    return chosen


def _audience_flags(audience: Collection[str]) -> dict[str, bool]:
    unknown = [a for a in audience if a not in Audience.values]
    if unknown:
        raise ValidationError(
            {"audience": _("Unknown audience: %(audience)s") % {"audience": ", ".join(unknown)}},
            code="invalid_choice",
        )
    if not audience:
        raise ValidationError({"audience": _("Choose who the session is for.")}, code="required")
    return {field: value in audience for value, field in AUDIENCE_FIELDS.items()}


def _duration_minutes(starts_at: datetime, ends_at: datetime) -> int:
    if ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": _("The session must end after it starts.")}, code="ends_before_start"
        )
    minutes = (ends_at - starts_at) // timedelta(minutes=1)
    if minutes < 1 or minutes > MAX_DURATION_MINUTES:
        raise ValidationError(
            {
                "ends_at": _("A session lasts from 1 minute to %(hours)s hours.")
                % {"hours": MAX_DURATION_MINUTES // 60}
            },
            code="duration_out_of_range",
        )
    return minutes


def _check_capacity(capacity: int) -> None:
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise ValidationError({"capacity": _("Enter a whole number of places.")}, code="invalid")
    if capacity < 1 or capacity > MAX_CAPACITY:
        raise ValidationError(
            {"capacity": _("A session has from 1 to %(max)s places.") % {"max": MAX_CAPACITY}},
            code="capacity_out_of_range",
        )


def _check_teachers(teachers: Iterable[Any]) -> list[Any]:
    teachers = list(teachers)
    if any(not is_clinic_staff(teacher) for teacher in teachers):
        raise ValidationError(
            {"teachers": _("Teachers are staff of a pain clinic or pain centre.")},
            code="invalid_teacher",
        )
    return teachers


def _check_place(location: str, online_url: str) -> None:
    if not location.strip() and not online_url.strip():
        raise ValidationError(
            {"location": _("Give a place, an online link or both.")}, code="no_place"
        )


def _check_series(repeat: str, occurrences: int) -> None:
    if not 1 <= occurrences <= recurrence.MAX_OCCURRENCES:
        raise ValidationError(
            {
                "occurrences": _("A series has from 1 to %(max)s sessions.")
                % {"max": recurrence.MAX_OCCURRENCES}
            },
            code="occurrences_out_of_range",
        )
    if repeat and repeat not in SessionSeries.Repeat.values:
        raise ValidationError({"repeat": _("Unknown repetition.")}, code="invalid_choice")
    if occurrences > 1 and not repeat:
        raise ValidationError(
            {"repeat": _("Choose how often the session repeats.")}, code="required"
        )


class _Errors:
    """Collects every problem with the input, so a form shows them all at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def check(self, function: Callable[..., T], *args: Any) -> T:
        try:
            return function(*args)
        except ValidationError as error:
            for name, errors in error.update_error_dict({}).items():
                self.by_field.setdefault(name, []).extend(errors)
            return None  # type: ignore[return-value]  # never used: raise_if_any raises

    def add(self, name: str, message: str, code: str) -> None:
        self.by_field.setdefault(name, []).append(ValidationError(message, code=code))

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _registered_count(session: TeachingSession) -> int:
    return session.registrations.filter(status=Status.REGISTERED).count()


# --- sessions --------------------------------------------------------------------------


def create_teaching_sessions(
    *,
    by: Any,
    title: str,
    topics: Collection[str],
    audience: Collection[str],
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    location: str = "",
    online_url: str = "",
    teachers: Iterable[Any] = (),
    external_teachers: str = "",
    repeat: str = "",
    occurrences: int = 1,
) -> list[TeachingSession]:
    """One session, or a series of ``occurrences`` sessions repeating every week, second week
    or month, each a copy of the first at the same local time."""
    _require(can_organise_teaching(by))
    errors = _Errors()
    chosen_topics = errors.check(_clean_topics, topics)
    flags = errors.check(_audience_flags, audience)
    duration = errors.check(_duration_minutes, starts_at, ends_at)
    errors.check(_check_capacity, capacity)
    teacher_list = errors.check(_check_teachers, teachers)
    errors.check(_check_place, location, online_url)
    errors.check(_check_series, repeat, occurrences)
    if starts_at <= timezone.now():
        errors.add("starts_at", _("A new session must lie in the future."), "in_the_past")
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
    *, by: Any, session: TeachingSession, **changes: Any
) -> TeachingSession:
    """Change one session. Fewer places than people registered is refused; more places move
    the waiting list up; a new time or place is announced to everyone signed up."""
    _require(can_manage_session(by, session))
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = TeachingSession.objects.select_for_update().get(pk=session.pk)
        old_when = (locked.starts_at, locked.duration_minutes, locked.location, locked.online_url)
        if "starts_at" in changes or "ends_at" in changes:
            # A new start alone moves the session; its length stays.
            starts_at = changes.get("starts_at", locked.starts_at)
            ends_at = changes.get("ends_at", starts_at + timedelta(minutes=locked.duration_minutes))
            locked.duration_minutes = _duration_minutes(starts_at, ends_at)
            locked.starts_at = starts_at
        for field in ("title", "description", "location", "online_url", "external_teachers"):
            if field in changes:
                setattr(locked, field, str(changes[field]).strip())
        if "audience" in changes:
            for field, value in _audience_flags(changes["audience"]).items():
                setattr(locked, field, value)
        if "capacity" in changes:
            _check_capacity(changes["capacity"])
            registered = _registered_count(locked)
            if changes["capacity"] < registered:
                raise ValidationError(
                    {
                        "capacity": _(
                            "%(count)s people are registered. Places cannot go below that; "
                            "ask participants to cancel first."
                        )
                        % {"count": registered}
                    },
                    code="capacity_below_registered",
                )
            locked.capacity = changes["capacity"]
        _check_place(locked.location, locked.online_url)
        topics = _clean_topics(changes["topics"]) if "topics" in changes else None
        teachers = _check_teachers(changes["teachers"]) if "teachers" in changes else None
        locked.revision += 1
        locked.full_clean()
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
            notify(
                [r.participant for r in active.select_related("participant")],
                kind=Notification.Kind.TEACHING_SESSION_CHANGED,
                session=locked,
            )
            if locked.starts_at != old_when[0]:
                active.update(reminder_sent_at=None)  # remind again before the new time
    return locked


# --- registration ----------------------------------------------------------------------


def register_for_session(*, by: Any, session: TeachingSession) -> Registration:
    """Sign ``by`` up: a place if one is free (and nobody is queued), else the waiting list."""
    _require(can_take_part_in_teaching(by))
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
        registration.organisation = by.organisation
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


def cancel_registration(*, by: Any, session: TeachingSession) -> Registration:
    """Give up a place (the first on the waiting list gets it) or leave the waiting list."""
    _require(can_take_part_in_teaching(by))
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
        notify(
            [r.participant for r in promoted],
            kind=Notification.Kind.TEACHING_PLACE_OFFERED,
            session=session,
        )
        participants = [r.participant for r in promoted]
        transaction.on_commit(
            lambda: [
                send_session_email(user=user, session=session, template="place_offered")
                for user in participants
            ]
        )
    return promoted


# --- attendance and feedback -----------------------------------------------------------


def mark_attendance(
    *, by: Any, session: TeachingSession, attendance: Mapping[int, bool]
) -> list[Registration]:
    """Record who came (True) and who did not (False), by registration id."""
    _require(can_manage_session(by, session))
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


def give_feedback(*, by: Any, session: TeachingSession, rating: int, comment: str = "") -> Feedback:
    """A participant's rating (1-5) and comment; giving it again replaces the earlier one."""
    _require(can_take_part_in_teaching(by))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")}, code="invalid")
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


# --- invitations, materials, notifications ---------------------------------------------


def invite_practices(
    *, by: Any, session: TeachingSession, practices: Iterable[Organisation]
) -> list[Invitation]:
    """Invite practices (their staff get a notification). Already invited ones are skipped;
    if all were, that is an error so the inviter knows nothing new happened."""
    _require(can_manage_session(by, session))
    practices = list(practices)
    if not practices:
        raise ValidationError({"practices": _("Choose at least one practice.")}, code="required")
    if any(not practice.is_gp_practice for practice in practices):
        raise ValidationError(
            {"practices": _("Only general practices can be invited.")}, code="invalid_choice"
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
        notify(staff, kind=Notification.Kind.TEACHING_INVITATION, session=session)
    return invitations


def add_material_link(
    *, by: Any, session: TeachingSession, title: str, url: str
) -> SessionMaterial:
    _require(can_manage_session(by, session))
    material = SessionMaterial(
        session=session,
        kind=SessionMaterial.Kind.LINK,
        title=title.strip(),
        url=url.strip(),
        added_by=by,
    )
    if not material.url:
        raise ValidationError({"url": _("Enter the link.")}, code="required")
    material.full_clean()
    material.save()
    return material


def add_material_file(
    *, by: Any, session: TeachingSession, title: str, upload: UploadedFile
) -> SessionMaterial:
    """A PDF or image, judged by its content, at most MAX_MATERIAL_BYTES."""
    _require(can_manage_session(by, session))
    too_big = ValidationError(
        {"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_MATERIAL_BYTES // 2**20}},
        code="file_too_large",
    )
    if (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise too_big
    content = b"".join(upload.chunks())
    if len(content) > MAX_MATERIAL_BYTES:
        raise too_big
    if not content:
        raise ValidationError({"file": _("The file is empty.")}, code="empty_file")
    kind = sniff_file_kind(content[:16])
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF files and PNG or JPEG images can be added.")},
            code="file_type",
        )
    filename = safe_filename(upload.name or "", kind)
    material = SessionMaterial(
        session=session,
        kind=SessionMaterial.Kind.FILE,
        title=title.strip() or filename,
        filename=filename,
        content_type=kind.content_type,
        size=len(content),
        content=content,
        added_by=by,
    )
    material.full_clean()
    material.save()
    return material


def remove_material(*, by: Any, material: SessionMaterial) -> None:
    _require(can_manage_session(by, material.session))
    material.delete()


def mark_notifications_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@dataclass(frozen=True)
class ReminderReport:
    reminded: int
    emailed: int
    failed: int


def send_teaching_reminders(*, now: datetime, within: timedelta) -> ReminderReport:
    """Remind everyone with a place at a session starting within ``within`` of ``now``, once.

    Each registration is handled in its own transaction and marked as reminded in it; a
    second run (or one running at the same time: locked rows are skipped) sends nothing
    twice. A failed e-mail leaves its registration unmarked, to be tried on the next run.
    """
    due = Registration.objects.filter(
        status=Status.REGISTERED,
        reminder_sent_at__isnull=True,
        session__starts_at__gt=now,
        session__starts_at__lte=now + within,
    )
    reminded = emailed = failed = 0
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                registration = (
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("participant", "session")
                    .filter(pk=pk)
                    .first()
                )
                if registration is None:
                    continue  # reminded meanwhile, cancelled, or being reminded by another run
                session, user = registration.session, registration.participant
                notify([user], kind=Notification.Kind.TEACHING_REMINDER, session=session)
                registration.reminder_sent_at = timezone.now()
                registration.save(update_fields=["reminder_sent_at"])
                sent = send_session_email(user=user, session=session, template="reminder")
        except Exception:
            logger.exception("Teaching reminder for registration %s failed", pk)
            failed += 1
            continue
        reminded += 1
        emailed += int(sent)
    return ReminderReport(reminded=reminded, emailed=emailed, failed=failed)
