"""The patient record and the care relations that let other organisations see it."""

import uuid

from django.conf import settings
from django.core.validators import EmailValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smertespor.validators import no_nul_bytes
from smertespor.versions import version_field

phone_validator = RegexValidator(
    r"^\+?[0-9 ]{8,20}$",
    _("Enter a phone number of 8 to 20 digits (spaces and a leading + allowed)."),
)


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    # Opaque id: the CPR number never appears in a URL.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cpr = models.CharField(_("CPR number"), max_length=10, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=[no_nul_bytes])
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    listed_practice = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="listed_patients",
        verbose_name=_("listed practice"),
        limit_choices_to={"kind": "gp_practice"},
    )
    address = models.CharField(_("address"), max_length=200, blank=True, validators=[no_nul_bytes])
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[no_nul_bytes, phone_validator]
    )
    email = models.EmailField(
        _("e-mail"), max_length=254, blank=True, validators=[no_nul_bytes, EmailValidator()]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every change of the details (smertespor.versions): a stale edit is refused.
    version = version_field()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["name"]
        indexes = [models.Index(fields=["listed_practice", "name"], name="patient_practice_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def cpr_formatted(self) -> str:
        return f"{self.cpr[:6]}-{self.cpr[6:]}"

    @property
    def cpr_masked(self) -> str:
        return f"{self.cpr[:6]}-****"


class CareRelation(models.Model):
    """An organisation treating a patient: opened by a course, referral, advice request or a
    hospital department's contact (admission or outpatient visit, `departments`)."""

    class Reason(models.TextChoices):
        COURSE = "course", _("Course")
        REFERRAL = "referral", _("Referral")
        ADVICE_REQUEST = "advice_request", _("Advice request")
        HOSPITAL_CONTACT = "hospital_contact", _("Hospital contact")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_relations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="care_relations"
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    opened_at = models.DateTimeField(_("opened"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("care relation")
        verbose_name_plural = _("care relations")
        indexes = [
            models.Index(fields=["organisation", "patient"], name="carerel_org_patient"),
            # The access scope (`patients.access.scope_patient_ids`) reads only open relations.
            models.Index(
                fields=["organisation", "patient"],
                condition=models.Q(closed_at__isnull=True),
                name="carerel_open_org_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.patient_id} ({self.reason})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class RegistrationRequest(models.Model):
    """A practice's registration of a CPR number that belongs to a patient outside its scope.

    The practice was told only that the registration was sent for review; the request waits
    here for the patient's current practice (the one they are listed at, who sees them
    anyway) to decide it: the patient has moved to the requesting practice (the listing is
    transferred) or not (declined). One pending request per patient and practice, however
    often it is tried.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        CLOSED = "closed", _("Closed")
        TRANSFERRED = "transferred", _("Patient moved to the requesting practice")
        DECLINED = "declined", _("Declined")

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="registration_requests"
    )
    practice = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="registration_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Kept with the request for the deciding practice; never sent to the requesting one.
    decision_reason = models.CharField(
        _("reason"), max_length=500, blank=True, validators=[no_nul_bytes]
    )
    # Raised by the decision: of two staff deciding at once, one wins (smertespor.versions).
    version = version_field()

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "practice"],
                condition=models.Q(status="pending"),
                name="one_pending_registration_per_practice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice} → {self.patient_id} ({self.status})"
