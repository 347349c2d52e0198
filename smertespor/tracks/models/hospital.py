"""The hospital track's records: needs assessment, the team, appointments, discharge summary."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from smertespor.tracks.models.courses import OMEQ_DIGITS, Course, OmeqSource
from smertespor.validators import no_nul_bytes


class Discipline(models.TextChoices):
    """The interdisciplinary team (seed 000: doctors, nurses, psychologists, social workers,
    physiotherapists)."""

    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    SOCIAL_WORKER = "social_worker", _("Social worker")


class Intervention(models.TextChoices):
    """What the clinic can offer (seed 000: cognitive-behavioural approaches, coping and
    self-management, adjusting or tapering pain medication)."""

    SUPERVISED_TAPER = "supervised_taper", _("Supervised taper")
    CBT_GROUP = "cbt_group", _("Cognitive-behavioural group")
    SELF_MANAGEMENT_EDUCATION = "self_management_education", _("Self-management education")
    PHYSICAL_ACTIVITY = "physical_activity", _("Physical activity")
    SOCIAL_AND_WORK_SUPPORT = "social_and_work_support", _("Social and work support")


class NeedsAssessment(models.Model):
    course = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="needs_assessment")
    disciplines = models.JSONField(_("disciplines involved"))
    interventions = models.JSONField(_("interventions"))
    summary = models.TextField(
        _("assessment"), max_length=4000, blank=True, validators=[no_nul_bytes]
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"))

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return f"{self.course_id}: {', '.join(self.disciplines)}"

    def get_discipline_labels(self) -> list[str]:
        return [str(Discipline(d).label) for d in self.disciplines if d in Discipline.values]

    def get_intervention_labels(self) -> list[str]:
        return [str(Intervention(i).label) for i in self.interventions if i in Intervention.values]


class TeamMember(models.Model):
    """A named clinician of the clinic on a hospital-track course plan."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_teams"
    )
    discipline = models.CharField(_("discipline"), max_length=32, choices=Discipline.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))
    # Removed from the team: the row stays as the team's history (who was on it, until when).
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    removal_reason = models.CharField(
        _("reason for removing"), max_length=500, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["discipline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_team_place_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_discipline_display()})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Appointment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="appointments")
    # The clinic holding the appointment, stored for the clinic's "this week" list.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    discipline = models.CharField(_("discipline"), max_length=32, choices=Discipline.choices)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("with"),
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, validators=[no_nul_bytes])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"))
    # Cancelled: the row stays (shown as cancelled, with the reason), the time is free again.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=500, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["organisation", "starts_at"], name="appointment_org_time"),
            models.Index(fields=["course", "starts_at"], name="appointment_course_time"),
            # The clinic's count of this week's appointments: those not cancelled, and their
            # courses, from the index alone.
            models.Index(
                fields=["organisation", "starts_at", "course"],
                condition=Q(cancelled_at__isnull=True),
                name="appointment_org_open_time",
            ),
        ]

    def __str__(self) -> str:
        when = date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{when} {self.get_discipline_display()}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class DischargeSummary(models.Model):
    """The epikrise back to the GP, who continues the follow-up."""

    course = models.OneToOneField(
        Course, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    sent_to = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="received_discharge_summaries",
        verbose_name=_("sent to"),
    )
    summary = models.TextField(
        _("course and treatment"), max_length=8000, validators=[no_nul_bytes]
    )
    # The clinic's words on the medication; the medication itself is `medication`.
    medication_at_discharge = models.TextField(
        _("note on the medication"), max_length=4000, blank=True, validators=[no_nul_bytes]
    )
    # The medication list at discharge, frozen with each line's OMEQ working and the table
    # (`tracks.discharge.discharge_medication`): the letter reads as it was sent.
    medication = models.JSONField(_("medication at discharge"), default=dict, blank=True)
    # What the clinic changed on the list at discharge (the lines' history has the detail).
    medication_changes = models.JSONField(default=list, blank=True)
    omeq_at_discharge_mg_per_day = models.DecimalField(
        _("OMEQ at discharge (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    omeq_source = models.CharField(
        _("OMEQ from"), max_length=16, choices=OmeqSource.choices, blank=True
    )
    omeq_table = models.CharField(_("conversion table"), max_length=100, blank=True)
    # The list's OMEQ recorded at discharge (a point on the patient's OMEQ chart).
    omeq_snapshot = models.ForeignKey(
        "medication.OmeqSnapshot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("OMEQ snapshot"),
    )
    recommendations = models.TextField(
        _("recommendations for the GP's follow-up"),
        max_length=4000,
        validators=[no_nul_bytes],
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("discharge summary")
        verbose_name_plural = _("discharge summaries")
        indexes = [
            models.Index(fields=["sent_to", "-written_at"], name="discharge_sent_to"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.written_at:%Y-%m-%d}"
