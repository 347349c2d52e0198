"""The subjects the clinic teaches and advises on: tags on teaching sessions and, later, the
categories of advice requests. One list, so a practice's questions point to a session."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    TAPER_STRATEGY = "taper_strategy", _("Taper strategy")
    SWITCHING = "switching", _("Switching or conversion between opioids")
    WITHDRAWAL = "withdrawal", _("Withdrawal symptoms")
    ADDICTION_PSYCHIATRY = "addiction_psychiatry", _("Addiction or psychiatric comorbidity")
    ALTERNATIVES = "alternatives", _("Alternatives to opioids")
    LOW_BACK_PAIN = "low_back_pain", _("Low back pain pathway")
    OTHER = "other", _("Other")
