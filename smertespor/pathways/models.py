"""The low back pain pathway: its published versions (the TOML text, checked by
`domain.pathway`), a patient's enrolment (which keeps the version it started on), the
stratification behind its level, each actor's part (start, plan, end) and the timeline."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from domain.pathway import Pathway, parse_pathway
from smertespor.definition_files import DefinitionVersion
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

TEXT_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000


class PathwayVersion(DefinitionVersion):
    """One published version of a pathway: the file as the administrator gave it."""

    pathway_id = models.CharField(_("pathway"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("pathway file (TOML)"), validators=[no_nul_bytes])

    class Meta(DefinitionVersion.Meta):
        verbose_name = _("pathway version")
        verbose_name_plural = _("pathway versions")
        constraints = [
            models.UniqueConstraint(fields=["pathway_id", "version"], name="pathway_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id} {self.version}"

    @cached_property
    def definition(self) -> Pathway:
        """The pathway as data (checked when it was published)."""
        return parse_pathway(self.text)


class LevelBasis(models.TextChoices):
    INSTRUMENT = "instrument", _("Screening result")
    CLINICAL = "clinical", _("Clinical judgement")


class Enrolment(models.Model):
    """A patient in the pathway, coordinated by their GP (tovholder)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the pathway")
        ENDED = "ended", _("Ended")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="pathway_enrolments"
    )
    pathway = models.ForeignKey(PathwayVersion, on_delete=models.PROTECT, related_name="enrolments")
    coordinator_practice = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_on = models.DateField(_("enrolled"))
    enrolled_at = models.DateTimeField(_("recorded"))
    level = models.CharField(_("level"), max_length=40)
    level_basis = models.CharField(_("level from"), max_length=16, choices=LevelBasis.choices)
    level_reason = models.TextField(
        _("reason for the level"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        validators=[no_nul_bytes],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(
        _("why it ended"), max_length=REASON_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    version = version_field()

    class Meta:
        verbose_name = _("pathway enrolment")
        verbose_name_plural = _("pathway enrolments")
        ordering = ["-enrolled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="one_active_pathway_enrolment",
            )
        ]
        indexes = [
            models.Index(fields=["coordinator_practice", "status"], name="enrolment_practice"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} ↔ {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Screening(models.Model):
    """A stratification instrument's answers and result (the working behind a level)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="screenings")
    instrument = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=40)
    answers = models.JSONField(_("answers"))
    total = models.PositiveSmallIntegerField(_("total score"))
    subscale = models.PositiveSmallIntegerField(_("subscale score"))
    outcome = models.CharField(_("result"), max_length=40)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total}/{self.subscale} → {self.outcome}"


class Part(models.Model):
    """One organisation's part in a stage: involved by the GP (expected), started with a
    plan, ended with its outcome, each reported back to the GP."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        ACTIVE = "active", _("Under way")
        ENDED = "ended", _("Ended")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="parts")
    stage = models.CharField(_("stage"), max_length=40)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    involved_at = models.DateTimeField(_("involved"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    plan = models.TextField(
        _("plan"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    outcome = models.TextField(
        _("outcome"), max_length=TEXT_MAX_LENGTH, blank=True, validators=[no_nul_bytes]
    )
    version = version_field()

    class Meta:
        verbose_name = _("part of the pathway")
        verbose_name_plural = _("parts of the pathway")
        ordering = ["involved_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "stage", "organisation"],
                condition=~models.Q(status="ended"),
                name="one_open_part_per_stage_and_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.organisation_id} ({self.status})"


class Event(models.Model):
    """The timeline: who did what in the pathway, when and why."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        LEVEL_SET = "level_set", _("Level set")
        INVOLVED = "involved", _("Involved")
        STARTED = "started", _("Started")
        PLANNED = "planned", _("Plan reported")
        ENDED = "ended", _("Ended")
        PATHWAY_ENDED = "pathway_ended", _("Pathway ended")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), blank=True, validators=[no_nul_bytes])
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pathway event")
        verbose_name_plural = _("pathway events")
        ordering = ["-on", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"
