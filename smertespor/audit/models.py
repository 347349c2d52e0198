"""The append-only audit log of every access to patient data, keyed and sealed.

How the rows, the seals and the anchors hold against the database's owner:
docs/audit-log.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smertespor.audit.labels import object_label


class AuditEvent(models.Model):
    """One row per view, search, change, export or refused attempt, and one per patient a
    list or worklist showed.

    Rows are inserted without a lock: ``sequence`` comes from a database sequence (PostgreSQL)
    and ``row_mac`` is an HMAC of the row's content, sequence included, under the key
    ``key_id`` (``smertespor.audit.keys``), which the database never holds. Rows are never
    updated or deleted (database triggers refuse it; on PostgreSQL the app's role may only
    INSERT and SELECT). ``AuditSeal`` rows chain them in order afterwards.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        SEARCH = "search", _("Searched")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        EXPORT = "export", _("Exported")
        REFUSED = "refused", _("Refused")
        LOGIN_LOCKED_OUT = "login_locked_out", _("Login locked out")
        MFA_ENROLLED = "mfa_enrolled", _("Second factor set up")
        MFA_FAILED = "mfa_failed", _("Second factor refused")
        MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Recovery code used")
        LISTED = "listed", _("Saw you in a list")

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    username = models.CharField(max_length=150, blank=True, editable=False)
    role = models.CharField(max_length=32, blank=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
        editable=False,
    )
    action = models.CharField(max_length=32, choices=Action.choices, editable=False)
    object_type = models.CharField(max_length=64, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    request_id = models.CharField(max_length=36, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, editable=False)
    detail = models.JSONField(default=dict, editable=False)
    key_id = models.CharField(max_length=32, editable=False)
    row_mac = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["patient", "-sequence"], name="audit_patient_seq")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}"

    @property
    def object_label(self) -> str:
        return object_label(self.object_type)

    @property
    def role_label(self) -> str:
        from smertespor.accounts.models import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role


class AuditSeal(models.Model):
    """One link of the hash chain over the audit rows, written by ``manage.py seal_audit_log``.

    A seal covers every sequence number from ``first_sequence`` to ``last_sequence``: each is
    either a row (``row_count`` of them, digested in order by their sequence and MAC) or a
    number no row took (``skipped``: ranges left by rolled-back transactions). ``seal_mac``
    is an HMAC over all of it and the previous seal's MAC. Append-only like the rows.
    """

    first_sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    last_sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    row_count = models.PositiveIntegerField(editable=False)
    skipped = models.JSONField(default=list, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    previous_mac = models.CharField(max_length=64, unique=True, editable=False)
    sealed_at = models.DateTimeField(editable=False)
    key_id = models.CharField(max_length=32, editable=False)
    seal_mac = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["first_sequence"]

    def __str__(self) -> str:
        return f"seal #{self.first_sequence}-#{self.last_sequence}"
