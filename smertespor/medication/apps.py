from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicationConfig(AppConfig):
    name = "smertespor.medication"
    label = "medication"
    verbose_name = _("Medication and OMEQ")
