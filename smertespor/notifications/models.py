"""In-app notifications: one row per recipient, shown in the list and counted in the header.

The text is stored as its English source string with parameters and translated when shown,
so each reader sees it in their own language. Texts name no patient: a notification is also
sent by e-mail, which leaves Smertespor.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smertespor.validators import no_nul_bytes

TEXT_MAX_LENGTH = 500
URL_MAX_LENGTH = 500


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        # Not "notifications": the teaching app's own notification table uses that name.
        related_name="inbox",
        verbose_name=_("recipient"),
    )
    # A stable code naming what happened ("advice_answered"); apps define their own.
    kind = models.CharField(_("kind"), max_length=64)
    text = models.CharField(_("text"), max_length=TEXT_MAX_LENGTH, validators=[no_nul_bytes])
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # A path inside Smertespor ("/advice/12/"), never another site.
    url = models.CharField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="inbox_unread"),
            models.Index(fields=["recipient", "-created_at"], name="inbox_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def message(self) -> str:
        """The text in the reader's language, its parameters filled in."""
        if not self.params:
            return gettext(self.text)
        # A translation with a broken placeholder must not hide the notification.
        for text in (gettext(self.text), self.text):
            try:
                return text % self.params
            except (KeyError, TypeError, ValueError):
                continue
        return self.text
