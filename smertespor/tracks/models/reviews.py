"""What the 3-month rule found at a deadline, and what the GP decided about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smertespor.tracks.models.courses import OMEQ_DIGITS, Course
from smertespor.tracks.models.handovers import Handover
from smertespor.validators import no_nul_bytes


class RuleReview(models.Model):
    """One deadline judged by the rule (`domain.tracks.check_progress`): on plan, the course
    stays in the practice track (`kept`); otherwise a proposal waits for the GP (`pending`),
    who hands the patient over (`confirmed`, with the handover) or keeps the course with a
    reason (`dismissed`). A course that succeeds or ends meanwhile closes it (`closed`)."""

    class Progress(models.TextChoices):
        """The values of `domain.tracks.Progress`, with the labels the UI shows."""

        ON_PLAN = "on_plan", _("On plan")
        BEHIND_PLAN = "behind_plan", _("Behind the taper plan")
        NO_PLAN = "no_plan", _("No taper plan to judge by")
        NO_FOLLOW_UP = "no_follow_up", _("No recent follow-up")
        SUBSTITUTION_TREATMENT = "substitution_treatment", _("On substitution treatment")

    class Outcome(models.TextChoices):
        KEPT = "kept", _("Kept in the practice track: on plan")
        PENDING = "pending", _("Proposed: awaiting the GP's decision")
        CONFIRMED = "confirmed", _("Handed over: the GP confirmed")
        DISMISSED = "dismissed", _("Kept in the practice track by the GP")
        CLOSED = "closed", _("Closed: the course succeeded or ended")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="rule_reviews")
    deadline = models.DateField(_("deadline judged"))
    reviewed_at = models.DateTimeField(_("reviewed"))
    progress = models.CharField(_("progress"), max_length=32, choices=Progress.choices)
    latest_visit_on = models.DateField(_("latest visit"), null=True, blank=True)
    latest_omeq_mg_per_day = models.DecimalField(
        _("OMEQ at the latest visit (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    follow_up_due_on = models.DateField(_("next visit due"), null=True, blank=True)
    expected_mg_per_day = models.DecimalField(
        _("the plan's dose (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    allowed_mg_per_day = models.DecimalField(
        _("on plan up to (mg/day)"), null=True, blank=True, **OMEQ_DIGITS
    )
    tolerance_percent = models.DecimalField(
        _("tolerance (per cent of the plan's start)"), max_digits=6, decimal_places=2, null=True
    )
    plan = models.CharField(_("taper plan"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("why"), max_length=4000, blank=True, validators=[no_nul_bytes])
    handover = models.OneToOneField(
        Handover,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rule_review",
    )

    class Meta:
        verbose_name = _("3-month rule review")
        verbose_name_plural = _("3-month rule reviews")
        ordering = ["-deadline", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "reviewed_at"], name="rulereview_outcome"),
        ]
        constraints = [
            # The rule judges each deadline of a course once, however often the job runs.
            models.UniqueConstraint(
                fields=["course", "deadline"], name="one_rule_review_per_deadline"
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(outcome="pending"),
                name="one_pending_proposal_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.deadline} {self.outcome}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING
