"""The handover from the practice track to the pain clinic: the referral and its triage."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smertespor.tracks.models.courses import Course
from smertespor.validators import no_nul_bytes


class Handover(models.Model):
    """The referral from the practice track to the pain clinic, with the course so far
    snapshotted when it was made (Sundhedsstyrelsen, vejledning nr. 9523/2019: when
    responsibility moves, the plan, goal, expected duration and planned follow-up go along)."""

    class Kind(models.TextChoices):
        RULE = "rule", _("Proposed by the 3-month rule, confirmed by the GP")
        EARLY = "early", _("Early, by the GP")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting triage")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned to the practice track")
        WITHDRAWN = "withdrawn", _("Withdrawn (course ended)")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="handovers")
    clinic = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="received_handovers"
    )
    kind = models.CharField(_("handed over"), max_length=8, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=4000, blank=True, validators=[no_nul_bytes])
    proposed_at = models.DateTimeField(_("handed over at"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(_("the course so far"))
    gp_comment = models.TextField(
        _("GP's comment"), max_length=4000, blank=True, validators=[no_nul_bytes]
    )
    expected_duration = models.CharField(
        _("expected duration"), max_length=200, blank=True, validators=[no_nul_bytes]
    )
    planned_follow_up = models.CharField(
        _("planned follow-up"), max_length=500, blank=True, validators=[no_nul_bytes]
    )
    comment_updated_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(
        _("triage"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advice = models.TextField(
        _("advice to the GP"), max_length=4000, blank=True, validators=[no_nul_bytes]
    )
    hospital_course = models.OneToOneField(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origin_handover",
    )

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["clinic", "decision", "proposed_at", "id"], name="handover_intake"
            ),
            models.Index(fields=["course", "-proposed_at"], name="handover_course"),
            # The clinic's count of handovers to triage: the pending ones and their courses
            # from the index alone (the scope is checked on each course's patient).
            models.Index(
                fields=["clinic", "course"],
                condition=Q(decision="pending"),
                name="handover_pending_clinic",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(decision="pending"),
                name="one_pending_handover_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.kind} {self.decision}"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING
