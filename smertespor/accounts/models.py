"""Who uses Smertespor: regions, organisations (with SOR code) and users with one role."""

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smertespor.validators import no_nul_bytes

sor_code_validator = RegexValidator(r"^\d{6,18}$", _("A SOR code is 6 to 18 digits."))
provider_number_validator = RegexValidator(
    r"^\d{6}$", _("A provider number (ydernummer) is 6 digits.")
)


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True, validators=[no_nul_bytes])
    code = models.CharField(_("region code"), max_length=4, unique=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GP_PRACTICE = "gp_practice", _("General practice")
        PAIN_CLINIC = "pain_clinic", _("Pain clinic")
        PAIN_CENTRE = "pain_centre", _("Interdisciplinary pain centre")
        HOSPITAL_DEPARTMENT = "hospital_department", _("Hospital department")
        MUNICIPALITY = "municipality", _("Municipality")
        PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy / chiropractic")
        REGIONAL_ADMINISTRATION = "regional_administration", _("Regional administration")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200, validators=[no_nul_bytes])
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    sor_code = models.CharField(
        _("SOR code"), max_length=18, unique=True, validators=[sor_code_validator]
    )
    provider_number = models.CharField(
        _("provider number (ydernummer)"),
        max_length=6,
        blank=True,
        validators=[provider_number_validator],
        help_text=_("Required for general practices."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True, validators=[no_nul_bytes])
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[no_nul_bytes])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_number"],
                condition=~models.Q(provider_number=""),
                name="unique_provider_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="gp_practice") | ~models.Q(provider_number=""),
                name="gp_practice_has_provider_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gp_practice(self) -> bool:
        return self.kind == self.Kind.GP_PRACTICE

    @property
    def is_hospital_department(self) -> bool:
        return self.kind == self.Kind.HOSPITAL_DEPARTMENT


class Role(models.TextChoices):
    GP = "gp", _("General practitioner")
    PRACTICE_NURSE = "practice_nurse", _("Practice nurse")
    CLINIC_DOCTOR = "clinic_doctor", _("Pain clinic doctor")
    CLINIC_NURSE = "clinic_nurse", _("Pain clinic nurse")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    # A doctor of a hospital department that treats these patients (spine centre,
    # orthopaedics, a medical ward): asks the pain clinic for advice about the patients in
    # the department's care and takes part in teaching, as a GP does.
    HOSPITAL_DOCTOR = "hospital_doctor", _("Hospital department doctor")
    SECRETARY = "secretary", _("Secretary")
    PLANNER = "planner", _("Planner")
    ADMIN = "admin", _("Administrator")


# Roles that never see patient-level data (aggregates and configuration only).
NON_CLINICAL_ROLES = frozenset({Role.PLANNER, Role.ADMIN})


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_clinical(self) -> bool:
        return self.role not in NON_CLINICAL_ROLES and self.organisation_id is not None

    # What the Django admin may show an administrator comes from the role, not from
    # permission rows anyone could grant (see permissions.ADMINISTRATOR_ADMIN_PERMISSIONS).
    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        from smertespor.accounts.permissions import role_admin_permissions

        if self.is_active and perm in role_admin_permissions(self):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        from smertespor.accounts.permissions import role_admin_permissions

        prefix = f"{app_label}."
        if self.is_active and any(p.startswith(prefix) for p in role_admin_permissions(self)):
            return True
        return super().has_module_perms(app_label)


# Who a request comes from: a user, or nobody yet (the login page, a refused API call).
Requester = User | AnonymousUser


class RoleChangeRequest(models.Model):
    """A change of another user's role, organisation or task permissions, proposed by one
    administrator and approved or rejected by a second one. Only approval changes the user;
    proposal and decision are written to the audit log (who, whom, from, to)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="role_change_requests",
        verbose_name=_("user"),
    )
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed"))
    reason = models.TextField(_("reason"), max_length=1000, validators=[no_nul_bytes])
    from_role = models.CharField(_("from role"), max_length=32, blank=True)
    to_role = models.CharField(_("to role"), max_length=32, choices=Role.choices)
    from_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("from organisation"),
    )
    to_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to organisation"),
    )
    # Task permissions (e.g. signing off conversion tables) as "app_label.codename".
    from_permissions = models.JSONField(_("from permissions"), default=list, blank=True)
    to_permissions = models.JSONField(_("to permissions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(
        _("note"), max_length=1000, blank=True, validators=[no_nul_bytes]
    )

    class Meta:
        verbose_name = _("role change request")
        verbose_name_plural = _("role change requests")
        ordering = ["-proposed_at"]
        constraints = [
            # One open request per user: a second proposal waits for the first decision.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_role_change_per_user",
            ),
            # The four-eyes rule, held by the database too.
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("proposed_by")),
                name="role_change_decided_by_a_second_administrator",
            ),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("proposed_by")),
                name="role_change_not_proposed_for_oneself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.to_role} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def from_permission_labels(self) -> list[str]:
        from smertespor.accounts.labels import permission_labels

        return permission_labels(self.from_permissions)

    @property
    def to_permission_labels(self) -> list[str]:
        from smertespor.accounts.labels import permission_labels

        return permission_labels(self.to_permissions)

    @property
    def from_role_label(self) -> str:
        return str(Role(self.from_role).label) if self.from_role in Role.values else ""
