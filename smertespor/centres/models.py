"""The interdisciplinary course at a pain centre: the course, its team, its plan of modules,
its appointments, its outcome measures and the discharge summary (epikrise) to the GP.

A course is anchored on the patient, the centre, the centre's open care relation (the
referrals app opens it when a referral is sent) and the accepted referral it answers.
States and module codes come from the domain (`domain.centre_course`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from domain.centre_course import AppointmentStatus, CentreCourseStatus, Discipline
from domain.outcomes import Timepoint
from smertespor.tracks.models.courses import OMEQ_DIGITS
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field


class Status(models.TextChoices):
    PLANNED = CentreCourseStatus.PLANNED.value, _("Planned")
    ACTIVE = CentreCourseStatus.ACTIVE.value, _("Active")
    DISCHARGED = CentreCourseStatus.DISCHARGED.value, _("Discharged")
    CANCELLED = CentreCourseStatus.CANCELLED.value, _("Cancelled")


OPEN = (Status.PLANNED, Status.ACTIVE)


class TeamDiscipline(models.TextChoices):
    DOCTOR = Discipline.DOCTOR.value, _("Doctor")
    PSYCHOLOGIST = Discipline.PSYCHOLOGIST.value, _("Psychologist")
    PHYSIOTHERAPIST = Discipline.PHYSIOTHERAPIST.value, _("Physiotherapist")
    NURSE = Discipline.NURSE.value, _("Nurse")
    SOCIAL_WORKER = Discipline.SOCIAL_WORKER.value, _("Social worker")


class AppointmentState(models.TextChoices):
    BOOKED = AppointmentStatus.BOOKED.value, _("Booked")
    ATTENDED = AppointmentStatus.ATTENDED.value, _("Attended")
    CANCELLED = AppointmentStatus.CANCELLED.value, _("Cancelled")


class MeasureTimepoint(models.TextChoices):
    START = Timepoint.START.value, pgettext_lazy("outcome timepoint", "Start")
    END = Timepoint.END.value, pgettext_lazy("outcome timepoint", "End")
    FOLLOW_UP = Timepoint.FOLLOW_UP.value, pgettext_lazy("outcome timepoint", "Follow-up")


class CentreCourse(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="centre_courses"
    )
    centre = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="centre_courses",
        limit_choices_to={"kind": "pain_centre"},
        verbose_name=_("pain centre"),
    )
    # The centre's open care relation the course was started on (a referral's, as a rule).
    care_relation = models.ForeignKey(
        "patients.CareRelation", on_delete=models.PROTECT, related_name="+"
    )
    # The accepted referral the course answers (null only for courses made before the
    # referrals app was joined): discharging the course discharges the referral.
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="centre_courses",
        null=True,
        blank=True,
        verbose_name=_("referral"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    goals = models.TextField(_("goals of the course"), max_length=4000, validators=[no_nul_bytes])
    planned_start = models.DateField(_("planned start"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    cancel_reason = models.TextField(
        _("reason for cancelling"), max_length=2000, blank=True, validators=[no_nul_bytes]
    )
    module_catalogue_version = models.CharField(_("module catalogue"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    status_changed_at = models.DateTimeField(_("status changed"))
    # Raised by every change of the course (smertespor.versions): a stale write is refused.
    version = version_field()

    class Meta:
        verbose_name = _("pain centre course")
        verbose_name_plural = _("pain centre courses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "centre"],
                condition=models.Q(status__in=["planned", "active"]),
                name="one_open_centre_course_per_centre",
            ),
        ]
        indexes = [models.Index(fields=["centre", "status"], name="centrecourse_centre_status")]

    def __str__(self) -> str:
        return f"{self.centre} · {self.patient_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class CourseEvent(models.Model):
    """Who did what to the course, when and why (the course's timeline)."""

    course = models.ForeignKey(CentreCourse, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    occurred_at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.kind}"


class TeamMember(models.Model):
    course = models.ForeignKey(CentreCourse, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(_("discipline"), max_length=32, choices=TeamDiscipline.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))
    # Taken off the team: the row stays as the team's history (who, when, why).
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
            # One place per person among those on the team: a removed person may come back.
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_centre_team_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_discipline_display()})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class PlannedModule(models.Model):
    """A module of the course plan (its code from `domain/data/centre_modules.toml`)."""

    course = models.ForeignKey(CentreCourse, on_delete=models.PROTECT, related_name="modules")
    code = models.CharField(_("module"), max_length=40)
    note = models.TextField(_("note"), max_length=2000, blank=True, validators=[no_nul_bytes])
    # The medication review and taper module follows the patient's taper plan (tapering app).
    taper_plan = models.ForeignKey(
        "tapering.TaperPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taper plan"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))

    class Meta:
        verbose_name = _("planned module")
        verbose_name_plural = _("planned modules")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="one_module_of_a_kind"),
        ]

    def __str__(self) -> str:
        return self.code


class Appointment(models.Model):
    course = models.ForeignKey(CentreCourse, on_delete=models.PROTECT, related_name="appointments")
    module = models.ForeignKey(
        PlannedModule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("module"),
    )
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("with"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AppointmentState.choices, default="booked"
    )
    status_note = models.CharField(_("note"), max_length=500, blank=True, validators=[no_nul_bytes])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = version_field()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["course", "starts_at"], name="centre_appt_course_time")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} ({self.status})"


class OutcomeMeasurement(models.Model):
    """One instrument's answers and score at one timepoint of the course."""

    course = models.ForeignKey(CentreCourse, on_delete=models.PROTECT, related_name="measurements")
    instrument = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(max_length=40)
    timepoint = models.CharField(_("timepoint"), max_length=16, choices=MeasureTimepoint.choices)
    answers = models.JSONField(_("answers"))
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2)
    measured_on = models.DateField(_("measured on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("outcome measurement")
        verbose_name_plural = _("outcome measurements")
        ordering = ["instrument", "measured_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "instrument", "timepoint"], name="one_score_per_timepoint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.timepoint}: {self.score}"


class DischargeSummary(models.Model):
    """The epikrise to the GP, who takes over. Sent once; it discharges the course."""

    course = models.OneToOneField(
        CentreCourse, on_delete=models.PROTECT, related_name="discharge_summary"
    )
    sent_to = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="centre_discharge_summaries",
        verbose_name=_("sent to"),
    )
    course_summary = models.TextField(
        _("course and treatment"), max_length=8000, validators=[no_nul_bytes]
    )
    plan_after = models.TextField(
        _("plan for the GP, who takes over"), max_length=4000, validators=[no_nul_bytes]
    )
    municipality_continues = models.TextField(
        _("the municipality continues"), max_length=2000, blank=True, validators=[no_nul_bytes]
    )
    physiotherapy_continues = models.TextField(
        _("physiotherapy continues"), max_length=2000, blank=True, validators=[no_nul_bytes]
    )
    # The medication list at discharge with each line's OMEQ working, frozen when sent
    # (`tracks.discharge.discharge_medication`): never re-typed.
    medication = models.JSONField(_("medication at discharge"), default=dict, blank=True)
    omeq_at_discharge_mg_per_day = models.DecimalField(
        _("OMEQ at discharge (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    omeq_table = models.CharField(_("conversion table"), max_length=100, blank=True)
    omeq_snapshot = models.ForeignKey(
        "medication.OmeqSnapshot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The outcome measures as they stood when sent.
    outcomes = models.JSONField(_("outcome measures"), default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    acknowledged_at = models.DateTimeField(_("received by the GP"), null=True, blank=True)

    class Meta:
        verbose_name = _("discharge summary")
        verbose_name_plural = _("discharge summaries")
        indexes = [models.Index(fields=["sent_to", "-sent_at"], name="centre_summary_sent_to")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.sent_at:%Y-%m-%d}"
