"""Taper plans: the request a GP made, the steps it generated, and every change of status.

A plan stores both its request (the regimen as it was, the target and the pace, the table
and catalogue versions) so it can be generated again, and the steps generated (doses in
marketed strengths, OMEQ, what to prescribe), so the plan the patient was given stays
exactly as printed even when the catalogue or the conversion tables change later.
"""

from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field


class _Digits(TypedDict):
    max_digits: int
    decimal_places: int


OMEQ_DIGITS: _Digits = {"max_digits": 24, "decimal_places": 10}  # as medication.OmeqSnapshot
REASON_MAX_LENGTH = 1000


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ABANDONED = "abandoned", _("Abandoned")
    SUPERSEDED = "superseded", _("Replaced by an adjusted version")


# A paused plan is still the patient's plan (the dose holds), so it counts as in force.
IN_FORCE = [Status.ACTIVE.value, Status.PAUSED.value]
CLOSED = [Status.COMPLETED.value, Status.ABANDONED.value, Status.SUPERSEDED.value]


class TargetKind(models.TextChoices):
    STOP = "stop", _("Stop")
    OMEQ = "omeq", _("A target OMEQ")
    DOSE = "dose", _("A target dose of one product")


class StepBasis(models.TextChoices):
    STARTING_DOSE = "starting_dose", _("of the starting dose")
    CURRENT_DOSE = "current_dose", _("of the current dose")


class TaperPlan(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="taper_plans"
    )
    # The organisation that made the plan: its contact details go on the patient's handout.
    practice = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The patient's tracks course (forløb) open when the plan was made: "the linked taper plan".
    course = models.ForeignKey(
        "tracks.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="taper_plans",
        verbose_name=_("course"),
    )
    previous_plan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjusted_versions",
        verbose_name=_("adjusted from"),
    )
    version_number = models.PositiveSmallIntegerField(_("version"), default=1)
    # Not the plan's number in its chain of adjustments (version_number) but the record's:
    # raised by every status change, so a stale one is refused (smertespor.versions).
    version = version_field()
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    # --- the request ------------------------------------------------------------------
    # [{"kind": "scheduled", "product_id", "strength", "morning", "noon", "evening", "night",
    #   "source_line_id"} | {"kind": "prn", "product_id", "strength", "units_per_dose",
    #   "max_doses_per_day", "source_line_id"}], numbers as exact decimal strings.
    lines = models.JSONField(_("regimen at the start"))
    target_kind = models.CharField(_("target"), max_length=8, choices=TargetKind.choices)
    target_omeq_mg_per_day = models.DecimalField(
        _("target OMEQ (mg/day)"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    target_product_id = models.CharField(_("target product"), max_length=64, blank=True)
    target_daily_amount = models.DecimalField(
        _("target amount a day"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    step_percent = models.DecimalField(
        _("step (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    step_basis = models.CharField(_("step basis"), max_length=16, choices=StepBasis.choices)
    interval_days = models.PositiveSmallIntegerField(_("interval (days)"))
    slow_down_below_percent = models.DecimalField(
        _("slow down below (% of start)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    slow_down_step_percent = models.DecimalField(
        _("slower steps (% of the step)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # [{"step": 3, "extra_days": 14} | {"first_day": "2026-07-01", "last_day": "2026-07-21"}]
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    order = models.JSONField(_("products reduced first"), default=list, blank=True)
    # Never stop a product from more than this (issue 11); empty for plans made before it.
    stop_threshold_mg_per_day = models.DecimalField(
        _("stop from at most (mg OMEQ/day)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField(_("start date"))
    made_on = models.DateField(_("made on"))  # the "today" the plan was generated with
    conversion_table = models.ForeignKey(
        "medication.ConversionTableVersion", on_delete=models.PROTECT, related_name="+"
    )
    table_id = models.CharField(_("table id"), max_length=64)
    table_version = models.CharField(_("table version"), max_length=32)
    catalogue_id = models.CharField(_("catalogue"), max_length=64)
    catalogue_version = models.CharField(_("catalogue version"), max_length=32)
    thresholds = models.JSONField(_("OMEQ thresholds"))

    # --- what was generated -----------------------------------------------------------
    baseline = models.JSONField(_("doses at the start"))
    baseline_omeq_mg_per_day = models.DecimalField(_("OMEQ at the start"), **OMEQ_DIGITS)
    final_omeq_mg_per_day = models.DecimalField(_("OMEQ at the end"), **OMEQ_DIGITS)
    last_change_date = models.DateField(_("last change"))
    step_count = models.PositiveSmallIntegerField(_("steps"))
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    # The switches to a finer product the plan makes (see plan_rows.switch_json).
    switches = models.JSONField(_("switches"), default=list, blank=True)
    excluded_lines = models.JSONField(_("lines not tapered"), default=list, blank=True)

    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        verbose_name = _("taper plan")
        verbose_name_plural = _("taper plans")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "status"], name="taperplan_patient_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=IN_FORCE),
                name="one_active_taper_plan_per_patient",
                violation_error_message=_("The patient already has an active taper plan."),
            ),
            models.CheckConstraint(
                condition=Q(step_percent__gt=0) & Q(step_percent__lte=50),
                name="taper_step_above_0_at_most_50",
            ),
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="taper_interval_1_day"),
            models.CheckConstraint(
                condition=Q(target_kind="stop")
                | Q(target_kind="omeq", target_omeq_mg_per_day__gte=0)
                | Q(target_kind="dose", target_daily_amount__gte=0) & ~Q(target_product_id=""),
                name="taper_target_has_its_value",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CLOSED) | Q(ended_on__isnull=True),
                name="taper_only_closed_plans_end",
            ),
            models.CheckConstraint(
                condition=Q(version_number__gte=1), name="taper_version_positive"
            ),
        ]

    def __str__(self) -> str:
        started = date_format(self.start_date, "SHORT_DATE_FORMAT")
        return f"{_('Taper plan')} {started} v{self.version_number}"

    @property
    def is_in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class StepKind(models.TextChoices):
    REDUCE = "reduce", _("Reduce")
    EVERY_OTHER_DAY = "every_other_day", _("Every other day")
    STOP = "stop", _("Stop")
    SWITCH = "switch", _("Switch to a finer product")


class TaperPlanStep(models.Model):
    """One dated step as generated: the doses by time of day in marketed strengths."""

    plan = models.ForeignKey(TaperPlan, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("step"))
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)  # None: the last step
    omeq_mg_per_day = models.DecimalField(_("OMEQ incl. as-needed (mg/day)"), **OMEQ_DIGITS)
    scheduled_omeq_mg_per_day = models.DecimalField(_("scheduled OMEQ (mg/day)"), **OMEQ_DIGITS)
    percent_of_start = models.DecimalField(_("% of start"), max_digits=6, decimal_places=1)
    cut_mg_per_day = models.DecimalField(_("cut (mg OMEQ/day)"), **OMEQ_DIGITS)
    cut_limit_mg_per_day = models.DecimalField(_("step size (mg OMEQ/day)"), **OMEQ_DIGITS)
    pause_days = models.PositiveSmallIntegerField(_("pause (days)"), default=0)
    reduced_product_id = models.CharField(_("product reduced"), max_length=64)
    reduced_is_prn = models.BooleanField(default=False)
    doses = models.JSONField(_("doses"))  # see tapering.plan_rows.dose_json
    supply = models.JSONField(_("to prescribe"), default=list)
    supply_days = models.PositiveSmallIntegerField(_("prescribed for (days)"), default=0)
    notes = models.JSONField(_("notes"), default=list)  # [{"code", "params"}]
    warnings = models.JSONField(_("OMEQ warnings"), default=list)  # [{"code", "params"}]

    class Meta:
        verbose_name = _("taper step")
        verbose_name_plural = _("taper steps")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_taper_step_per_number"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="taper_step_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.start_date}"


class TaperPlanEvent(models.Model):
    """Who changed a plan's status, when and why (creation included)."""

    plan = models.ForeignKey(TaperPlan, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    occurred_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        verbose_name = _("taper plan status change")
        verbose_name_plural = _("taper plan status changes")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status or '-'} -> {self.to_status}"
