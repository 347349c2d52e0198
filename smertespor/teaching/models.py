"""Teaching sessions for general practice, who signed up, who came, and what they thought.

No patient data lives here. Registrations name clinicians, so lists of them are shown only
to the organising clinic and to the participant themself.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smertespor.teaching.topics import Topic
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

MAX_CAPACITY = 500
# The roll can be taken as people arrive, from this long before the start.
ATTENDANCE_OPENS_BEFORE_START = timedelta(hours=1)
MAX_DURATION_MINUTES = 12 * 60
web_url_validator = URLValidator(schemes=["http", "https"])


class SessionSeries(models.Model):
    """Sessions created together from one form: a monthly programme, say."""

    class Repeat(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every second week")
        MONTHLY = "monthly", _("Every month, on the same weekday (e.g. the second Tuesday)")

    title = models.CharField(_("title"), max_length=200, validators=[no_nul_bytes])
    repeat = models.CharField(_("repeat"), max_length=16, choices=Repeat.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = _("session series")

    def __str__(self) -> str:
        return self.title


class Audience(models.TextChoices):
    GPS = "gps", _("General practitioners")
    PRACTICE_NURSES = "practice_nurses", _("Practice nurses")
    HOSPITAL_DEPARTMENTS = "hospital_departments", _("Hospital departments")


# Audience value -> the session's flag for it.
AUDIENCE_FIELDS = {
    Audience.GPS: "for_gps",
    Audience.PRACTICE_NURSES: "for_practice_nurses",
    Audience.HOSPITAL_DEPARTMENTS: "for_hospital_departments",
}


class TeachingSession(models.Model):
    series = models.ForeignKey(
        SessionSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("series"),
    )
    organiser = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="teaching_sessions",
        verbose_name=_("organiser"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[no_nul_bytes])
    description = models.TextField(
        _("description"),
        max_length=5000,
        blank=True,
        validators=[no_nul_bytes, MaxLengthValidator(5000)],
    )
    for_gps = models.BooleanField(_("for general practitioners"), default=False)
    for_practice_nurses = models.BooleanField(_("for practice nurses"), default=False)
    for_hospital_departments = models.BooleanField(_("for hospital departments"), default=False)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    location = models.CharField(_("place"), max_length=200, blank=True, validators=[no_nul_bytes])
    online_url = models.URLField(
        _("online link"), max_length=500, blank=True, validators=[web_url_validator]
    )
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="teaching_sessions_taught",
        verbose_name=_("teachers"),
    )
    external_teachers = models.CharField(
        _("other teachers"), max_length=300, blank=True, validators=[no_nul_bytes]
    )
    # Bumped on every change: the SEQUENCE calendar programs use to replace an older copy.
    revision = models.PositiveIntegerField(default=0, editable=False)
    # Raised by every change of the session in the same checked UPDATE
    # (smertespor.versions): two organisers editing at once do not overwrite each other.
    version = version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("teaching session")
        verbose_name_plural = _("teaching sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="teaching_session_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="teaching_session_capacity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="teaching_session_duration_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(location="") | ~Q(online_url=""),
                name="teaching_session_has_place_or_link",
            ),
            models.CheckConstraint(
                condition=Q(for_gps=True)
                | Q(for_practice_nurses=True)
                | Q(for_hospital_departments=True),
                name="teaching_session_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def hours(self) -> Decimal:
        return education_hours(self.duration_minutes)

    @property
    def places_left(self) -> int:
        registered = getattr(self, "registered_count", None)
        if registered is None:
            registered = self.registrations.filter(status=Registration.Status.REGISTERED).count()
        return max(self.capacity - registered, 0)

    @property
    def is_attendance_open(self) -> bool:
        return self.starts_at - ATTENDANCE_OPENS_BEFORE_START <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def topic_values(self) -> list[str]:
        return [row.topic for row in self.topics.all()]

    @property
    def topic_labels(self) -> list[str]:
        return [str(Topic(value).label) for value in sorted(self.topic_values)]

    @property
    def audience(self) -> list[str]:
        return [str(value) for value, field in AUDIENCE_FIELDS.items() if getattr(self, field)]

    @property
    def audience_labels(self) -> list[str]:
        return [str(Audience(value).label) for value in self.audience]


def education_hours(minutes: int) -> Decimal:
    """Minutes of teaching as hours, to the hundredth (90 min = 1.50 h)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


class SessionTopic(models.Model):
    session = models.ForeignKey(TeachingSession, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["session", "topic"], name="one_tag_per_topic"),
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


class SessionMaterial(models.Model):
    """A file (PDF or image, kept in the database like the sessions) or a link."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    session = models.ForeignKey(TeachingSession, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[no_nul_bytes])
    url = models.URLField(_("link"), max_length=500, blank=True, validators=[web_url_validator])
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="link", content__isnull=True) & ~Q(url="")
                | Q(kind="file", content__isnull=False, url=""),
                name="material_is_a_file_or_a_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """One clinician's place (or place in the queue) at one session; attendance is marked here."""

    class Status(models.TextChoices):
        # "Registered" alone already means "created" elsewhere in the catalogue.
        REGISTERED = "registered", pgettext_lazy("teaching registration status", "Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        TeachingSession, on_delete=models.PROTECT, related_name="registrations"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="teaching_registrations",
        verbose_name=_("participant"),
    )
    # The practice the participant worked in when they signed up: hours stay credited there.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="teaching_registrations",
        verbose_name=_("practice"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # When they last signed up: the waiting list is served in this order.
    queued_at = models.DateTimeField(_("signed up"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("moved up from the waiting list"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "pk"]
        indexes = [
            models.Index(fields=["session", "status", "queued_at"], name="teaching_reg_queue"),
        ]
        constraints = [
            # No double booking: one row per person and session, whatever its status.
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_registration_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | ~Q(status="cancelled"),
                name="cancelled_registration_has_no_attendance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.session} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class Feedback(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (poor) to 5 (excellent)."),
    )
    comment = models.TextField(
        _("comment"),
        max_length=2000,
        blank=True,
        validators=[no_nul_bytes, MaxLengthValidator(2000)],
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5"


class Invitation(models.Model):
    session = models.ForeignKey(
        TeachingSession, on_delete=models.CASCADE, related_name="invitations"
    )
    practice = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="teaching_invitations",
        verbose_name=_("practice"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "practice"], name="one_invitation_per_practice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice} → {self.session}"
