"""Conversion tables, administrator-added products, patients' medication lines and OMEQ snapshots.

Clinical numbers live in the domain core's data files; these models store what a region does
with them: which table version it signed off, what each patient takes, and every OMEQ the
system computed (each naming the table version that produced it).
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from domain.omeq import DoseUnit, Route, RuleKind
from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

if TYPE_CHECKING:
    from smertespor.accounts.models import User

# The table a region uses until an administrator signs one off: the only shipped table
# with ketobemidone (Ketogan), which Danish GPs prescribe.
DEFAULT_TABLE_ID = "nordic"

version_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    _("A version is letters, digits, dots, hyphens and underscores (max 32)."),
)
table_id_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("A table id is lower-case letters, digits and hyphens, e.g. cdc-2022."),
)


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


class ConversionTableVersion(models.Model):
    """One version of a conversion table. Shipped and signed-off versions never change."""

    class Origin(models.TextChoices):
        BUILTIN = "builtin", _("Shipped with Smertespor")
        REGIONAL_COPY = "regional_copy", _("Regional copy")

    table_id = models.CharField(
        _("table id"), max_length=64, validators=[table_id_validator, no_nul_bytes]
    )
    version = models.CharField(
        _("version"), max_length=32, validators=[version_validator, no_nul_bytes]
    )
    title = models.CharField(_("title"), max_length=300, validators=[no_nul_bytes])
    source = models.TextField(_("source"), max_length=2000, validators=[no_nul_bytes])
    published = models.DateField(_("published"))
    note = models.TextField(_("note"), max_length=4000, blank=True, validators=[no_nul_bytes])
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    # Counts the saved edits of a draft: a sign-off names the revision its signer reviewed.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    is_active_for_region = models.BooleanField(
        _("the region's active table"),
        default=False,
        help_text=_(
            "Every OMEQ the system stores uses the active table. Until a table is signed off, "
            "the shipped 'nordic' table is used: the only one with a factor for ketobemidone."
        ),
    )

    class Meta:
        verbose_name = _("conversion table version")
        verbose_name_plural = _("conversion table versions")
        ordering = ["table_id", "-published", "created_at"]
        # Given to the clinicians a region names to sign tables off (administrators may by
        # their role); see medication.permissions.can_sign_off_conversion_tables.
        permissions = [
            ("sign_off_conversion_table", _("Can sign off a conversion table someone else drafted"))
        ]
        constraints = [
            models.UniqueConstraint(fields=["table_id", "version"], name="unique_table_version"),
            models.UniqueConstraint(
                fields=["is_active_for_region"],
                condition=Q(is_active_for_region=True),
                name="one_active_conversion_table",
            ),
            models.CheckConstraint(
                condition=Q(is_active_for_region=False) | Q(signed_off_at__isnull=False),
                name="active_table_is_signed_off",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True, signed_off_by__isnull=True)
                | Q(signed_off_at__isnull=False, signed_off_by__isnull=False),
                name="sign_off_names_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table_id} {self.version}"

    @property
    def is_builtin(self) -> bool:
        return self.origin == self.Origin.BUILTIN

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def is_draft(self) -> bool:
        """A regional copy not yet signed off: the only kind whose factors may be edited."""
        return self.origin == self.Origin.REGIONAL_COPY and self.signed_off_at is None


class ConversionTableDraftStep(models.Model):
    """Who drafted a table version, and when: the copy, then each saved edit. Whoever signs a
    version off must not be among them (two people for every change of the region's table)."""

    class Kind(models.TextChoices):
        COPIED = "copied", _("Copied")
        EDITED = "edited", _("Edited")

    table = models.ForeignKey(
        ConversionTableVersion, on_delete=models.PROTECT, related_name="draft_steps"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    revision = models.PositiveIntegerField(_("revision"))

    class Meta:
        verbose_name = _("draft step")
        verbose_name_plural = _("draft steps")
        ordering = ["table", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.table_id} {self.kind} r{self.revision}"


class ConversionRule(models.Model):
    """One row of a table version, as `ConversionTable.to_rows()` gives it."""

    table = models.ForeignKey(
        ConversionTableVersion, on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveIntegerField()
    substance = models.CharField(_("substance"), max_length=64, validators=[no_nul_bytes])
    route = models.CharField(_("route"), max_length=16, choices=_choices(Route))
    kind = models.CharField(_("kind"), max_length=16, choices=_choices(RuleKind))
    factor = models.DecimalField(
        _("factor"), max_digits=12, decimal_places=6, null=True, blank=True
    )
    per_unit = models.CharField(_("per"), max_length=8, choices=_choices(DoseUnit), blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True, validators=[no_nul_bytes])
    # Dose bands as exact decimal strings: [{"from_morphine_mg_per_day": "30", "factor": "5"}].
    bands = models.JSONField(_("dose bands"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True, validators=[no_nul_bytes])

    class Meta:
        verbose_name = _("conversion rule")
        verbose_name_plural = _("conversion rules")
        ordering = ["table", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "substance", "route"], name="one_rule_per_substance_route"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} {self.route} ({self.table})"


class CatalogueProduct(models.Model):
    """A product an administrator added to the shipped catalogue: one CSV row, checked by
    `domain.catalogue.parse_products_csv` before it is saved."""

    product_id = models.CharField(_("product id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    brands = models.CharField(_("brands"), max_length=500, blank=True)
    atc = models.CharField(_("ATC code"), max_length=7)
    category = models.CharField(_("category"), max_length=16)
    form = models.CharField(_("form"), max_length=32)
    route = models.CharField(_("route"), max_length=16)
    release = models.CharField(_("release"), max_length=16)
    unit = models.CharField(_("unit"), max_length=8)
    strengths = models.CharField(_("strengths"), max_length=200)
    strength_labels = models.CharField(_("strength labels"), max_length=300, blank=True)
    substance = models.CharField(_("substance"), max_length=64)
    other_ingredients = models.CharField(_("other ingredients"), max_length=300, blank=True)
    splittable = models.BooleanField(_("may be split"), default=False)
    patch_change_hours = models.PositiveIntegerField(
        _("patch change (hours)"), null=True, blank=True
    )
    is_substitution = models.BooleanField(_("substitution product"), default=False)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("added product")
        verbose_name_plural = _("added products")
        ordering = ["name", "product_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.product_id})"


class MedicationLine(models.Model):
    """One product a patient takes. Changes are kept (record history); ending a line keeps it."""

    class Indication(models.TextChoices):
        PAIN = "pain", _("Pain")
        SUBSTITUTION = "opioid_use_disorder", _("Opioid substitution treatment")

    class Source(models.TextChoices):
        """Where the line came from (FMK's own import plugs in here once it has certificates)."""

        TYPED = "typed", _("Typed in Smertespor")
        FMK_IMPORT = "fmk_import", _("Imported from FMK")
        FHIR_IMPORT = "fhir_import", _("Imported as FHIR")
        CSV_IMPORT = "csv_import", _("Imported from a CSV file")

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="medication_lines"
    )
    product_id = models.CharField(_("product"), max_length=64)
    strength = models.DecimalField(_("strength"), max_digits=12, decimal_places=4)
    units_per_dose = models.DecimalField(
        _("units per dose"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Tablets, capsules, patches or ml per dose."),
    )
    doses_per_day = models.DecimalField(
        _("doses per day"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(48)],
    )
    prn = models.BooleanField(_("as needed (PRN)"), default=False)
    max_doses_per_day = models.DecimalField(
        _("maximum doses per day"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(48)],
    )
    indication = models.CharField(
        _("indication"), max_length=32, choices=Indication.choices, default=Indication.PAIN
    )
    start_date = models.DateField(_("start date"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=200, blank=True, validators=[no_nul_bytes]
    )
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[no_nul_bytes])
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.TYPED
    )
    # When the line was last checked against an outside list (an import that matched it).
    reconciled_at = models.DateTimeField(_("last reconciled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Raised by every change and by ending the line (smertespor.versions).
    version = version_field()

    history = HistoricalRecords()
    # Set before a save so that the history row names who made the change (simple_history).
    _history_user: "User | None"

    class Meta:
        verbose_name = _("medication line")
        verbose_name_plural = _("medication lines")
        ordering = ["start_date", "pk"]
        indexes = [models.Index(fields=["patient", "ended_on"], name="medline_patient_ended")]
        constraints = [
            models.CheckConstraint(
                condition=Q(units_per_dose__gt=0), name="units_per_dose_positive"
            ),
            models.CheckConstraint(
                condition=Q(doses_per_day__isnull=True) | Q(doses_per_day__gt=0),
                name="doses_per_day_positive",
            ),
            models.CheckConstraint(
                condition=Q(prn=True, max_doses_per_day__gt=0)
                | Q(prn=False, max_doses_per_day__isnull=True),
                name="prn_line_has_a_maximum",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
                name="line_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.strength}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class OmeqSnapshot(models.Model):
    """The patient's OMEQ as computed when the medication list changed (the chart's points)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="omeq_snapshots"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    conversion_table = models.ForeignKey(
        ConversionTableVersion, on_delete=models.PROTECT, related_name="snapshots"
    )
    # The table's id and version as text too: a snapshot reads on its own.
    table_id = models.CharField(_("table id"), max_length=64)
    table_version = models.CharField(_("table version"), max_length=32)
    is_computable = models.BooleanField(_("computable"), default=True)
    scheduled_mg_per_day = models.DecimalField(
        _("scheduled OMEQ (mg/day)"), max_digits=24, decimal_places=10, null=True
    )
    max_mg_per_day = models.DecimalField(
        _("maximum OMEQ incl. PRN (mg/day)"), max_digits=24, decimal_places=10, null=True
    )
    warning_codes = models.JSONField(_("warnings"), default=list)
    problems = models.JSONField(_("problems"), default=list)
    line_count = models.PositiveIntegerField(_("current lines"), default=0)

    class Meta:
        verbose_name = _("OMEQ snapshot")
        verbose_name_plural = _("OMEQ snapshots")
        ordering = ["recorded_at", "pk"]
        indexes = [
            models.Index(fields=["patient", "-recorded_at"], name="omeqsnap_patient_recorded")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_computable=False)
                | Q(scheduled_mg_per_day__isnull=False, max_mg_per_day__isnull=False),
                name="computable_snapshot_has_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.recorded_on} {self.max_mg_per_day}"
