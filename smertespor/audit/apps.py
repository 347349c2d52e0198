from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "smertespor.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from smertespor.audit.logging import install_cpr_masking

        install_cpr_masking()
