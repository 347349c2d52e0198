"""Courses (forløb), their follow-up visits, alerts, handovers and the timeline.

The states and transitions are the domain's (`domain.course_states`); these models store
them, with the constraints the database can keep: one open course per patient, scores in
range, a practice-track course has a deadline.
"""

from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from domain.course_states import HOSPITAL_STATUSES, OPEN_STATUSES, PRACTICE_STATUSES
from domain.scores import peg_score
from smertespor.validators import no_nul_bytes


class DecimalDigits(TypedDict):
    max_digits: int
    decimal_places: int


# OMEQ in mg/day: stored rounded *up* to 4 decimals, so rounding never makes a dose look lower.
OMEQ_DIGITS: DecimalDigits = {"max_digits": 14, "decimal_places": 4}
SCORE_0_10 = [MinValueValidator(0), MaxValueValidator(10)]
# A sanity bound on the planned interval (half a year), not a clinical limit.
MAX_INTERVAL_DAYS = 183


class Track(models.TextChoices):
    PRACTICE = "practice", _("Practice track")
    HOSPITAL = "hospital", _("Hospital track")


class Status(models.TextChoices):
    """The values of `domain.course_states.CourseStatus`, with the labels the UI shows."""

    ACTIVE = "active", _("Active")
    HANDOVER_REVIEW = "handover_review", _("Handover proposed by the 3-month rule: the GP decides")
    HANDOVER_PROPOSED = "handover_proposed", _("Handed over, awaiting the clinic's triage")
    RETURNED_TO_PRACTICE_TRACK = "returned_to_practice_track", _("Returned to the practice track")
    SUCCEEDED = "succeeded", _("Succeeded")
    MOVED_TO_HOSPITAL_TRACK = "moved_to_hospital_track", _("Moved to the hospital track")
    ACCEPTED = "accepted", _("Accepted by the clinic")
    NEEDS_ASSESSED = "needs_assessed", _("Needs assessed")
    PLAN_ACTIVE = "plan_active", _("Course plan active")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended")


class GoalKind(models.TextChoices):
    STOP = "stop", _("Stop the opioid")
    TARGET = "target", _("Reach a target dose")


class OmeqSource(models.TextChoices):
    MEDICATION_LIST = "medication_list", _("Computed from the medication list")
    ENTERED = "entered", _("Entered (no medication list recorded)")


class Actor(models.TextChoices):
    SYSTEM = "system", _("Smertespor (the 3-month rule)")
    PRACTICE = "practice", _("General practice")
    CLINIC = "clinic", _("Pain clinic")


# Plain strings, so migrations do not depend on the domain's enum.
OPEN = sorted(s.value for s in OPEN_STATUSES)
PRACTICE = sorted(s.value for s in PRACTICE_STATUSES)
HOSPITAL = sorted(s.value for s in HOSPITAL_STATUSES)


class Course(models.Model):
    """A patient's course in one track. A practice-track course that moves to the hospital
    track is closed, and the hospital-track course points back at it (`previous_course`)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="responsible_courses",
        verbose_name=_("responsible organisation"),
    )
    # The pain clinic that supports a practice-track course and receives its handover.
    clinic = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="supported_courses",
        verbose_name=_("pain clinic"),
    )
    previous_course = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_courses",
        verbose_name=_("previous course"),
    )
    start_date = models.DateField(_("start date"))
    baseline_omeq_mg_per_day = models.DecimalField(_("baseline OMEQ (mg/day)"), **OMEQ_DIGITS)
    baseline_omeq_source = models.CharField(
        _("baseline OMEQ from"), max_length=16, choices=OmeqSource.choices
    )
    baseline_omeq_table = models.CharField(_("conversion table"), max_length=100, blank=True)
    baseline_peg_pain = models.PositiveSmallIntegerField(_("PEG: pain"), validators=SCORE_0_10)
    baseline_peg_enjoyment = models.PositiveSmallIntegerField(
        _("PEG: enjoyment of life"), validators=SCORE_0_10
    )
    baseline_peg_activity = models.PositiveSmallIntegerField(
        _("PEG: general activity"), validators=SCORE_0_10
    )
    baseline_nrs = models.PositiveSmallIntegerField(_("pain NRS"), validators=SCORE_0_10)
    # ATC codes of the co-medication at the start: a later benzodiazepine is "new" against it.
    baseline_atc_codes = models.JSONField(default=list, blank=True)
    goal_kind = models.CharField(_("goal"), max_length=8, choices=GoalKind.choices)
    goal_target_mg_per_day = models.DecimalField(
        _("target OMEQ (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    follow_up_interval_days = models.PositiveSmallIntegerField(
        _("planned follow-up interval (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INTERVAL_DAYS)],
    )
    plan_note = models.TextField(_("plan"), max_length=4000, blank=True, validators=[no_nul_bytes])
    # Stored for indexable worklists; `tracks.rules` keeps them in step with the settings.
    deadline = models.DateField(_("3-month deadline"), null=True, blank=True)
    # The day the course was last kept in the practice track after a deadline (on plan, or by
    # the GP): the next deadline is a review one period later.
    review_from = models.DateField(_("kept in the practice track on"), null=True, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    current_omeq_mg_per_day = models.DecimalField(
        _("OMEQ at the last visit (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    status_changed_at = models.DateTimeField(_("status changed"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Optimistic locking: every write names the version it read; a stale one is a conflict.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-start_date"], name="course_patient_start"),
            models.Index(
                fields=["responsible_organisation", "status", "next_follow_up_on"],
                name="course_org_status_next",
            ),
            models.Index(
                fields=["responsible_organisation", "status", "deadline"],
                name="course_org_status_deadline",
            ),
            models.Index(fields=["clinic", "status"], name="course_clinic_status"),
            models.Index(fields=["status", "deadline"], name="course_status_deadline"),
            # The clinic worklist counts its courses by status and checks each one's patient
            # against the scope: this answers both from the index alone (no table reads).
            models.Index(
                fields=["responsible_organisation", "track", "status", "patient"],
                name="course_org_track_status_pat",
            ),
            # A handover's or an appointment's patient, looked up by course for the scope
            # check row by row (`patients.access.in_scope_row_by_row`), from the index alone.
            models.Index(fields=["id", "patient"], name="course_id_patient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=OPEN),
                name="one_open_course_per_patient",
                violation_error_message=_("The patient already has an open course."),
            ),
            models.CheckConstraint(
                condition=Q(track="practice", status__in=PRACTICE)
                | Q(track="hospital", status__in=HOSPITAL),
                name="course_status_belongs_to_track",
            ),
            models.CheckConstraint(
                condition=Q(track="hospital") | Q(deadline__isnull=False),
                name="practice_course_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(goal_kind="stop", goal_target_mg_per_day__isnull=True)
                | Q(goal_kind="target", goal_target_mg_per_day__gt=0),
                name="course_goal_is_stop_or_target",
            ),
            models.CheckConstraint(
                condition=Q(baseline_omeq_mg_per_day__gte=0), name="course_baseline_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(baseline_peg_pain__lte=10)
                & Q(baseline_peg_enjoyment__lte=10)
                & Q(baseline_peg_activity__lte=10)
                & Q(baseline_nrs__lte=10),
                name="course_baseline_scores_0_10",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="course_version_positive"),
        ]

    def __str__(self) -> str:
        started = date_format(self.start_date, "SHORT_DATE_FORMAT")
        return f"{self.get_track_display()} {started} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_practice_track(self) -> bool:
        return self.track == Track.PRACTICE

    @property
    def baseline_peg_items(self) -> tuple[int, int, int]:
        return (self.baseline_peg_pain, self.baseline_peg_enjoyment, self.baseline_peg_activity)

    @property
    def baseline_peg_score(self) -> Decimal:
        return peg_score(*self.baseline_peg_items)


class FollowUp(models.Model):
    """One follow-up visit: the regimen actually taken (via the medication list), scores."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="follow_ups")
    visit_on = models.DateField(_("visit date"))
    actor = models.CharField(_("recorded by"), max_length=16, choices=Actor.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    omeq_mg_per_day = models.DecimalField(_("OMEQ (mg/day)"), **OMEQ_DIGITS)
    omeq_source = models.CharField(_("OMEQ from"), max_length=16, choices=OmeqSource.choices)
    omeq_table = models.CharField(_("conversion table"), max_length=100, blank=True)
    peg_pain = models.PositiveSmallIntegerField(
        _("PEG: pain"), null=True, blank=True, validators=SCORE_0_10
    )
    peg_enjoyment = models.PositiveSmallIntegerField(
        _("PEG: enjoyment of life"), null=True, blank=True, validators=SCORE_0_10
    )
    peg_activity = models.PositiveSmallIntegerField(
        _("PEG: general activity"), null=True, blank=True, validators=SCORE_0_10
    )
    nrs = models.PositiveSmallIntegerField(
        _("pain NRS"), null=True, blank=True, validators=SCORE_0_10
    )
    sows_total = models.PositiveSmallIntegerField(_("SOWS total"), null=True, blank=True)
    sows_items = models.JSONField(_("SOWS items"), null=True, blank=True)
    cows_total = models.PositiveSmallIntegerField(_("COWS total"), null=True, blank=True)
    cows_items = models.JSONField(_("COWS items"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True, validators=[no_nul_bytes])
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    # The co-medication ATC codes after this visit: the next visit's "new sedative" baseline.
    atc_codes = models.JSONField(default=list, blank=True)
    medication_changes = models.JSONField(_("medication changes"), default=list, blank=True)
    # Substitution treatment is left out of OMEQ, so a visit on it never counts as stopped.
    on_substitution_treatment = models.BooleanField(_("on substitution treatment"), default=False)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["visit_on", "pk"]
        indexes = [models.Index(fields=["course", "visit_on"], name="followup_course_visit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    peg_pain__isnull=True, peg_enjoyment__isnull=True, peg_activity__isnull=True
                )
                | Q(
                    peg_pain__lte=10,
                    peg_enjoyment__lte=10,
                    peg_activity__lte=10,
                ),
                name="followup_peg_all_or_none",
            ),
            models.CheckConstraint(
                condition=Q(nrs__isnull=True) | Q(nrs__lte=10), name="followup_nrs_0_10"
            ),
            models.CheckConstraint(
                condition=Q(sows_total__isnull=True) | Q(sows_total__lte=64),
                name="followup_sows_0_64",
            ),
            models.CheckConstraint(
                condition=Q(cows_total__isnull=True) | Q(cows_total__lte=48),
                name="followup_cows_0_48",
            ),
            models.CheckConstraint(
                condition=Q(omeq_mg_per_day__gte=0), name="followup_omeq_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.visit_on}"

    @property
    def peg_items(self) -> tuple[int, int, int] | None:
        if self.peg_pain is None or self.peg_enjoyment is None or self.peg_activity is None:
            return None
        return (self.peg_pain, self.peg_enjoyment, self.peg_activity)

    @property
    def peg_score(self) -> Decimal | None:
        items = self.peg_items
        return peg_score(*items) if items else None


class Alert(models.Model):
    """An alert a visit raised (`domain.follow_up.AlertCode`), until someone acknowledges it.
    The missed-visit alert is not stored: it follows from `Course.next_follow_up_on`."""

    class Code(models.TextChoices):
        PEG_WORSENED = "peg_worsened", _("PEG worse by 2 points or more")
        WITHDRAWAL_MODERATE_OR_ABOVE = (
            "withdrawal_moderate_or_above",
            _("Withdrawal score moderate or above"),
        )
        NEW_BENZODIAZEPINE_OR_Z_DRUG = (
            "new_benzodiazepine_or_z_drug",
            _("New benzodiazepine or z-drug"),
        )
        MISSED_FOLLOW_UP = "missed_follow_up", _("Missed follow-up")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="alerts")
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    code = models.CharField(_("alert"), max_length=40, choices=Code.choices)
    params = models.JSONField(default=dict, blank=True)
    raised_on = models.DateField(_("raised"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["course", "acknowledged_at"], name="alert_course_ack")]

    def __str__(self) -> str:
        return f"{self.code} {self.raised_on}"


class TimelineEvent(models.Model):
    """Who did what to a course, when and why: every transition and every recorded step."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Course started")
        FOLLOW_UP = "follow_up", _("Follow-up recorded")
        ALERT_ACKNOWLEDGED = "alert_acknowledged", _("Alert acknowledged")
        HANDOVER_UPDATED = "handover_updated", _("Handover letter updated")
        TEAM_MEMBER_ADDED = "team_member_added", _("Team member added")
        APPOINTMENT_ADDED = "appointment_added", _("Appointment booked")
        TEAM_MEMBER_REMOVED = "team_member_removed", _("Team member removed")
        APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
        DISCHARGE_SUMMARY = "discharge_summary", _("Discharge summary sent")
        KEPT_ON_PLAN = "kept_on_plan", _("Kept in the practice track: on plan")
        # the transitions (`domain.course_states.CourseEvent`)
        RECORD_SUCCESS = "record_success", _("Success recorded")
        PROPOSE_HANDOVER = "propose_handover", _("Handover proposed by the 3-month rule")
        HAND_OVER_EARLY = "hand_over_early", _("Handed over early")
        CONFIRM_HANDOVER = "confirm_handover", _("Handover confirmed by the GP")
        KEEP_IN_PRACTICE = "keep_in_practice", _("Kept in the practice track by the GP")
        ACCEPT = "accept", _("Accepted by the clinic")
        RETURN_TO_PRACTICE = "return_to_practice", _("Returned to the practice track")
        ASSESS_NEEDS = "assess_needs", _("Needs assessed")
        ACTIVATE_PLAN = "activate_plan", _("Course plan activated")
        COMPLETE = "complete", _("Completed")
        END = "end", _("Ended")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="timeline")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="course_timeline"
    )
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    from_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    actor = models.CharField(_("by"), max_length=16, choices=Actor.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"))
    reason = models.TextField(_("why"), max_length=4000, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("course event")
        verbose_name_plural = _("course events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-occurred_at"], name="timeline_patient"),
            models.Index(fields=["course", "-occurred_at"], name="timeline_course"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.kind}"

    @property
    def is_transition(self) -> bool:
        return bool(self.to_status)
