"""Advice (sparring): a practice's question to the pain clinic, the conversation, its
attachments, and the knowledge-base articles written from answered questions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from smertespor.advice.categories import CATEGORY_CHOICES
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

SUBJECT_MAX_LENGTH = 200
MESSAGE_MAX_LENGTH = 10_000
ARTICLE_MAX_LENGTH = 20_000


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    AWAITING_GP = "awaiting_gp", _("Awaiting the GP")
    CLOSED = "closed", _("Closed")


# The clinic owes a reply in these statuses: they count against the response-time target.
WITH_CLINIC = (Status.NEW, Status.ASSIGNED)
OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ANSWERED, Status.AWAITING_GP)


class Channel(models.TextChoices):
    WRITTEN = "written", _("Written")
    TELEPHONE = "telephone", _("Telephone")


class Outcome(models.TextChoices):
    """The GP's one close-out question (after Champlain BASE eConsult's close-out survey)."""

    ADVICE_SUFFICIENT = "advice_sufficient", _("The advice was sufficient")
    HOSPITAL_TRACK = "hospital_track", _("The patient will be handed over to the hospital track")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("The patient is referred elsewhere")


class AdviceRequest(models.Model):
    """A question from a general practice to a pain clinic, about a patient or in general."""

    practice = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="advice_requests_asked",
        verbose_name=_("practice"),
    )
    clinic = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="advice_requests_received",
        verbose_name=_("pain clinic"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advice_requests",
        verbose_name=_("patient"),
    )
    # The patient's course, when the GP says the question is about it. PROTECT like the
    # patient: a course that a clinic advised on is part of the record and is never deleted.
    course = models.ForeignKey(
        "tracks.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advice_requests",
        verbose_name=_("course"),
    )
    subject = models.CharField(
        _("subject"), max_length=SUBJECT_MAX_LENGTH, validators=[no_nul_bytes]
    )
    category = models.CharField(_("category"), max_length=32, choices=CATEGORY_CHOICES)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WRITTEN
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    # The patient's medication, OMEQ, warnings and course when the question was asked.
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    asked_at = models.DateTimeField(_("asked"))
    # The clinic's reply is due by the end of this day (working days, holidays excluded);
    # moved on when the GP asks a follow-up question after an answer.
    due_on = models.DateField(_("reply due"))
    first_response_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    response_working_days = models.PositiveIntegerField(
        _("response time (working days)"), null=True, blank=True
    )
    last_activity_at = models.DateTimeField(_("last activity"))
    overdue_notified_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(
        _("note on the outcome"), max_length=500, blank=True, validators=[no_nul_bytes]
    )
    # Raised by every reply, assignment and closing (smertespor.versions): whoever writes
    # has read the thread as it is. The overdue reminder's bookkeeping does not raise it.
    version = version_field()

    class Meta:
        verbose_name = _("advice request")
        verbose_name_plural = _("advice requests")
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "status", "due_on"], name="advice_clinic_worklist"),
            models.Index(fields=["practice", "-asked_at"], name="advice_practice_asked"),
            models.Index(fields=["patient", "-asked_at"], name="advice_patient_asked"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False, outcome__gt="")
                | (~Q(status="closed") & Q(closed_at__isnull=True, outcome="")),
                name="advice_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True, response_working_days__isnull=True)
                | Q(first_response_at__isnull=False, response_working_days__isnull=False),
                name="advice_response_time_with_reply",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_with_clinic(self) -> bool:
        return self.status in WITH_CLINIC

    @property
    def has_patient(self) -> bool:
        return self.patient_id is not None


class AdviceMessage(models.Model):
    class Side(models.TextChoices):
        PRACTICE = "practice", _("General practice")
        CLINIC = "clinic", _("Pain clinic")

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        ANSWER = "answer", _("Advice")
        CLARIFICATION = "clarification", _("Question to the GP")

    request = models.ForeignKey(AdviceRequest, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.WRITTEN
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, validators=[no_nul_bytes])
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("advice message")
        verbose_name_plural = _("advice messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"], name="advice_message_thread")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


def attachment_path(instance: "AdviceAttachment", filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"advice/{uuid.uuid4().hex}.{extension}"


class AdviceAttachment(models.Model):
    """A PDF or image, checked by its content; served only through an access-checked view."""

    message = models.ForeignKey(AdviceMessage, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, validators=[no_nul_bytes])
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Article(models.Model):
    """A knowledge-base text for all GPs, written anew from an answered request.

    Published only when a second clinician (not the one who submitted it) approves it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        PUBLISHED = "published", _("Published")

    clinic = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="advice_articles"
    )
    source_request = models.ForeignKey(
        AdviceRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("written from request"),
    )
    title = models.CharField(_("title"), max_length=SUBJECT_MAX_LENGTH, validators=[no_nul_bytes])
    body = models.TextField(_("text"), max_length=ARTICLE_MAX_LENGTH, validators=[no_nul_bytes])
    category = models.CharField(_("category"), max_length=32, choices=CATEGORY_CHOICES)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The submitter confirmed that no warning points at patient data.
    warnings_checked = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Raised by every edit, submission and approval (smertespor.versions): a colleague
    # approves the text they read, and two editors do not overwrite each other.
    version = version_field()

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["-published_at", "-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "category", "-published_at"], name="article_listing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(approved_by__isnull=False, published_at__isnull=False),
                name="article_published_is_approved",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("submitted_by")),
                name="article_approved_by_a_second_clinician",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
