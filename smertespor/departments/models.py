"""A hospital department's contact with a patient (an admission or an outpatient course):
while it is open the department has a care relation to the patient, sees the record, and
may ask the pain clinic for advice about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

REASON_MAX_LENGTH = 300


class HospitalContact(models.Model):
    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        OUTPATIENT = "outpatient", _("Outpatient course")

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="hospital_contacts",
        verbose_name=_("patient"),
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="hospital_contacts",
        verbose_name=_("department"),
    )
    # The department's access to the patient: opened with the contact, closed when it ends.
    care_relation = models.OneToOneField(
        "patients.CareRelation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of contact"), max_length=16, choices=Kind.choices)
    reason = models.CharField(
        _("reason for the contact"), max_length=REASON_MAX_LENGTH, validators=[no_nul_bytes]
    )
    started_on = models.DateField(_("started"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    # Raised by ending the contact (smertespor.versions): of two colleagues, one ends it.
    version = version_field()

    class Meta:
        verbose_name = _("hospital contact")
        verbose_name_plural = _("hospital contacts")
        ordering = ["-started_on", "-pk"]
        constraints = [
            # One open contact per patient and department, however often it is recorded.
            models.UniqueConstraint(
                fields=["patient", "department"],
                condition=Q(ended_at__isnull=True),
                name="one_open_hospital_contact",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_on__isnull=True)
                | Q(ended_at__isnull=False, ended_on__isnull=False),
                name="hospital_contact_ended_with_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["department", "started_on"],
                condition=Q(ended_at__isnull=True),
                name="hospital_contact_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} ↔ {self.patient_id} ({self.kind})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
