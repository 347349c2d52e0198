"""Screening of dispensing data: the imported extracts, each run, and what a run found.

A run stores counts per practice (every opioid user) and one finding per flagged person: the
pseudonym, never a CPR number; a practice matches its own patients to findings by computing
the same pseudonym (`smertespor.evaluation.screening_matching`).
"""

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DispensingExtract(models.Model):
    """An accepted dispensing extract, stored as Parquet under MEDIA_ROOT."""

    original_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(_("stored as"), max_length=255, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveBigIntegerField(_("rows"))
    first_date = models.DateField(_("first dispensing"))
    last_date = models.DateField(_("last dispensing"))
    uploaded_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("dispensing extract")
        verbose_name_plural = _("dispensing extracts")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class ScreeningRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    extract = models.ForeignKey(DispensingExtract, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    settings = models.JSONField(_("settings"))
    conversion_table = models.CharField(_("conversion table"), max_length=100)
    rows_read = models.PositiveBigIntegerField(_("rows read"), default=0)
    rows_screened = models.PositiveBigIntegerField(_("rows screened"), default=0)
    opioid_users = models.PositiveIntegerField(_("opioid users"), default=0)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    started_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.extract} ({self.started_at:%Y-%m-%d})"


class ScreeningPracticeCount(models.Model):
    """Opioid users and each flag for one practice (provider number) in one run."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="practices")
    provider_number = models.CharField(_("provider number"), max_length=6)
    opioid_users = models.PositiveIntegerField()
    long_term = models.PositiveIntegerField()
    high_dose = models.PositiveIntegerField()
    comedication = models.PositiveIntegerField()
    several_prescribers = models.PositiveIntegerField()
    scheduled_short_acting = models.PositiveIntegerField()
    any_flag = models.PositiveIntegerField()

    class Meta:
        ordering = ["provider_number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "provider_number"], name="screening_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider_number}: {self.opioid_users}"


class ScreeningFinding(models.Model):
    """One flagged person in one run, by pseudonym."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="findings")
    person_id = models.CharField(_("pseudonym"), max_length=64)
    provider_number = models.CharField(_("provider number"), max_length=6)
    longest_era_days = models.PositiveIntegerField(_("longest period (days)"))
    max_daily_omeq = models.DecimalField(
        _("highest daily OMEQ (mg)"), max_digits=9, decimal_places=2, null=True
    )
    is_long_term = models.BooleanField(_("long-term use"))
    is_high_dose = models.BooleanField(_("high dose"))
    has_comedication = models.BooleanField(_("with benzodiazepine, z-drug or gabapentinoid"))
    has_several_prescribers = models.BooleanField(_("several prescribers"))
    has_scheduled_short_acting = models.BooleanField(_("short-acting on a schedule"))

    class Meta:
        ordering = ["person_id"]
        indexes = [
            models.Index(fields=["run", "provider_number"], name="finding_run_practice"),
            models.Index(fields=["run", "person_id"], name="finding_run_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id[:8]}… ({self.provider_number})"


class ScreeningInvitation(models.Model):
    """A GP invited a matched patient to the practice track from a screening finding."""

    finding = models.ForeignKey(ScreeningFinding, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    practice = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"))

    class Meta:
        verbose_name = _("screening invitation")
        verbose_name_plural = _("screening invitations")
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "patient"], name="screening_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} ({self.invited_at:%Y-%m-%d})"
