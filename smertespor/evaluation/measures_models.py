"""A measure's figure per organisation and month (`manage.py compute_measures`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from domain.measures import Level

FIGURE_DIGITS = {"max_digits": 20, "decimal_places": 4}


class MeasureFigure(models.Model):
    """One measure's figure for one practice, clinic, centre or region in one month.

    Computed whole for a month and replaced whole (idempotent); the definitions are in
    domain/data/measures.toml (``definition_version``)."""

    class LevelChoice(models.TextChoices):
        REGION = Level.REGION.value, _("Region")
        PRACTICE = Level.PRACTICE.value, _("General practice")
        CLINIC = Level.CLINIC.value, _("Pain clinic")
        CENTRE = Level.CENTRE.value, _("Pain centre")

    measure = models.CharField(_("measure"), max_length=40)
    month = models.DateField(_("month"))  # its first day
    level = models.CharField(_("level"), max_length=16, choices=LevelChoice.choices)
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="measure_figures"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="measure_figures",
        null=True,
        blank=True,
    )
    numerator = models.DecimalField(_("numerator"), **FIGURE_DIGITS)  # type: ignore[arg-type]
    denominator = models.DecimalField(
        _("denominator"),
        null=True,
        blank=True,
        **FIGURE_DIGITS,  # type: ignore[arg-type]
    )
    value = models.DecimalField(_("value"), null=True, blank=True, **FIGURE_DIGITS)  # type: ignore[arg-type]
    # People or events above the line (what suppression looks at) and below it.
    hits = models.PositiveIntegerField(_("counted"))
    basis = models.PositiveIntegerField(_("basis"))
    definition_version = models.CharField(max_length=40)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("measure figure")
        verbose_name_plural = _("measure figures")
        ordering = ["measure", "month", "level", "organisation_id"]
        indexes = [
            models.Index(fields=["measure", "level", "month"], name="measurefig_measure_level"),
            models.Index(fields=["organisation", "month"], name="measurefig_org_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "month", "level", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_measure_figure_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["measure", "month", "region"],
                condition=Q(organisation__isnull=True),
                name="one_measure_figure_per_region",
            ),
            models.CheckConstraint(
                condition=Q(level="region", organisation__isnull=True)
                | (~Q(level="region") & Q(organisation__isnull=False)),
                name="measure_figure_region_has_no_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.month:%Y-%m} {self.level} {self.organisation_id or ''}"
