"""Referral to an interdisciplinary pain centre, in MedCom's model so the FHIR mapping is
direct: `Referral` is the ServiceRequest (the content the national referral guidance asks
for, plus what the pain centres ask for), `TriageTask` is a Task (each decision on it: who,
when, why), `ReferralCommunication` is a Communication (the dialogue, supplement requests
and answers) and `ReferralAttachment` its attached documents (PDF and images)."""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from domain.referral_criteria import CriteriaSet, parse_criteria
from domain.referral_states import ReferralEvent, ReferralStatus
from smertespor.definition_files import DefinitionVersion
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

TEXT_MAX_LENGTH = 4000
SHORT_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 10_000


class Status(models.TextChoices):
    DRAFT = ReferralStatus.DRAFT.value, _("Draft")
    RECEIVED = ReferralStatus.RECEIVED.value, _("Received")
    IN_TRIAGE = ReferralStatus.IN_TRIAGE.value, _("In triage")
    AWAITING_INFORMATION = ReferralStatus.AWAITING_INFORMATION.value, _("Awaiting information")
    ACCEPTED = ReferralStatus.ACCEPTED.value, _("Accepted")
    REJECTED = ReferralStatus.REJECTED.value, _("Rejected")
    APPOINTMENT_BOOKED = ReferralStatus.APPOINTMENT_BOOKED.value, _("First appointment booked")
    DISCHARGED = ReferralStatus.DISCHARGED.value, _("Discharged")
    WITHDRAWN = ReferralStatus.WITHDRAWN.value, _("Withdrawn")


class Event(models.TextChoices):
    SEND = ReferralEvent.SEND.value, _("Sent")
    START_TRIAGE = ReferralEvent.START_TRIAGE.value, _("Triage started")
    REQUEST_INFORMATION = ReferralEvent.REQUEST_INFORMATION.value, _("Information requested")
    SUPPLEMENT = ReferralEvent.SUPPLEMENT.value, _("Information supplied")
    ACCEPT = ReferralEvent.ACCEPT.value, _("Accepted")
    REJECT = ReferralEvent.REJECT.value, _("Rejected")
    FORWARD = ReferralEvent.FORWARD.value, _("Forwarded")
    BOOK_FIRST_APPOINTMENT = (
        ReferralEvent.BOOK_FIRST_APPOINTMENT.value,
        _("First appointment booked"),
    )
    DISCHARGE = ReferralEvent.DISCHARGE.value, _("Discharged")
    WITHDRAW = ReferralEvent.WITHDRAW.value, _("Withdrawn")


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class WorkStatus(models.TextChoices):
    WORKING = "working", _("Working")
    PART_TIME_SICK_LEAVE = "part_time_sick_leave", _("Part-time sick leave")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    FLEXJOB = "flexjob", _("Flexjob")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    PENSION = "pension", _("Early retirement or old-age pension")
    OTHER = "other", _("Other")


class RejectionReason(models.TextChoices):
    """MedCom's reasons for refusing a referral."""

    INDICATION = "indication", _("Indication: the criteria are not met")
    CAPACITY = "capacity", _("Capacity: no room within a reasonable time")
    WRONG_TRACK = "wrong_track", _("Wrong track: another offer fits better")


class CriteriaVersion(DefinitionVersion):
    """One published version of the specialty-plan criteria (`domain.referral_criteria`):
    the file as the administrator gave it. Referrals are judged on the newest; a sent
    referral keeps the one it was judged on."""

    source = models.TextField(_("source"), blank=True)
    text = models.TextField(_("criteria file (TOML)"), validators=[no_nul_bytes])

    class Meta(DefinitionVersion.Meta):
        verbose_name = _("referral criteria version")
        verbose_name_plural = _("referral criteria versions")
        constraints = [models.UniqueConstraint(fields=["version"], name="criteria_version_unique")]

    def __str__(self) -> str:
        return self.version

    @cached_property
    def definition(self) -> CriteriaSet:
        """The criteria as data (checked when they were published)."""
        return parse_criteria(self.text)


class Referral(models.Model):
    """A GP's referral of a patient to a pain centre (FHIR ServiceRequest)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referrals"
    )
    practice = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring practice"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referrer"),
    )
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("recipient"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.ROUTINE
    )
    # The guidance's content (Sundhedsstyrelsen / MedCom: the referral's mandatory parts).
    contact = models.CharField(
        _("contact person and how to reach the patient"),
        max_length=SHORT_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    diagnosis_code = models.CharField(_("diagnosis (ICD-10)"), max_length=10, blank=True)
    diagnosis_text = models.CharField(
        _("diagnosis"), max_length=SHORT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    comorbidity = models.TextField(
        _("comorbidity"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    history = models.TextField(
        _("history and findings"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    question = models.TextField(
        _("question to the centre"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    results = models.TextField(
        _("results of tests"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    interpreter_language = models.CharField(
        _("interpreter needed (language)"),
        max_length=100,
        blank=True,
        validators=[no_nul_bytes],
    )
    special_needs = models.TextField(
        _("special needs"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    # What the pain centres ask for.
    pain_since = models.DateField(_("pain since"), null=True, blank=True)
    function_and_work = models.TextField(
        _("function and work"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    work_status = models.CharField(
        _("work status"), max_length=32, choices=WorkStatus.choices, blank=True
    )
    social_situation = models.TextField(
        _("social situation"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    earlier_treatment = models.TextField(
        _("earlier treatment"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    earlier_centre_courses = models.TextField(
        _("earlier pain-centre courses"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    patient_expectations = models.TextField(
        _("the patient's expectations"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    gp_expectations = models.TextField(
        _("the GP's expectations"),
        max_length=TEXT_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    # The specialty-plan criteria: the referrer's answers ({code: {answer, options, evidence}})
    # and, once sent, the checklist as evaluated (domain.referral_criteria) with the version
    # it was judged on (`criteria_definition`, its number also in `criteria_version`).
    criteria_answers = models.JSONField(_("criteria answers"), default=dict, blank=True)
    criteria_version = models.CharField(max_length=40, blank=True)
    criteria_definition = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
        verbose_name=_("criteria version"),
    )
    criteria_result = models.JSONField(_("criteria"), default=list, blank=True)
    criteria_missing = models.JSONField(default=list, blank=True)
    # Sent although a criterion is not met or unknown: the referrer's reason, flagged to the centre.
    criteria_exception_reason = models.TextField(
        _("why send with criteria missing"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    # What Smertespor knew when it was sent (medication, OMEQ, taper plans, course, scores,
    # advice): pre-filled, never re-typed; a draft shows the live values instead.
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The centre's decision (the latest TriageTask says who and why).
    triage_priority = models.CharField(
        _("priority at the centre"), max_length=16, choices=Priority.choices, blank=True
    )
    expected_wait_weeks = models.PositiveSmallIntegerField(
        _("expected waiting time (weeks)"), null=True, blank=True
    )
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "status", "sent_at"], name="referral_worklist"),
            models.Index(fields=["practice", "-created_at"], name="referral_practice"),
            models.Index(fields=["patient", "-created_at"], name="referral_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False),
                name="referral_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "discharged", "withdrawn"])
                | Q(closed_at__isnull=False),
                name="referral_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.recipient_id} ({self.status})"

    @property
    def domain_status(self) -> ReferralStatus:
        return ReferralStatus(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status in {Status.REJECTED, Status.DISCHARGED, Status.WITHDRAWN}

    @property
    def is_flagged(self) -> bool:
        """Sent with a criterion not met or unknown (the centre sees the reason)."""
        return bool(self.criteria_missing) and self.status != Status.DRAFT


class TriageTask(models.Model):
    """One step of the referral (FHIR Task): who did what, when, why, to whom."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="tasks")
    event = models.CharField(_("step"), max_length=32, choices=Event.choices)
    from_status = models.CharField(max_length=24, choices=Status.choices)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    advice_to_gp = models.TextField(
        _("advice to the GP"), max_length=REASON_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    forwarded_to = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded to"),
    )
    priority = models.CharField(_("priority"), max_length=16, choices=Priority.choices, blank=True)
    expected_wait_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    appointment_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("triage step")
        verbose_name_plural = _("triage steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.event}"


class Side(models.TextChoices):
    PRACTICE = "practice", _("General practice")
    CENTRE = "centre", _("Pain centre")


class ReferralCommunication(models.Model):
    """A message in the referral's thread (FHIR Communication)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        INFORMATION_REQUEST = "information_request", _("Request for information")
        SUPPLEMENT = "supplement", _("Supplementary information")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="communications")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, validators=[no_nul_bytes])
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("referral message")
        verbose_name_plural = _("referral messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.kind}"


def attachment_path(instance: "ReferralAttachment", filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"referrals/{uuid.uuid4().hex}.{extension}"


class ReferralAttachment(models.Model):
    """A PDF or image sent with the referral or a message, checked by its content
    (`advice.attachments`); served only through an access-checked view."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="attachments")
    communication = models.ForeignKey(
        ReferralCommunication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, validators=[no_nul_bytes])
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
