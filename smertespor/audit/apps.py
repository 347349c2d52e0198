from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _narrow_app_role(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After a migrate as the tables' owner: the app's role (``DATABASE_APP_ROLE``) gets DML
    on new tables, but only INSERT and SELECT on the audit tables."""
    from smertespor.audit.roles import grant_app_privileges

    connection = connections[using]
    app_role = settings.DATABASE_APP_ROLE
    if connection.vendor != "postgresql" or not app_role:
        return
    with connection.cursor() as cursor:
        grant_app_privileges(cursor, app_role)


class AuditConfig(AppConfig):
    name = "smertespor.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from smertespor.audit.logging import install_cpr_masking

        install_cpr_masking()
        post_migrate.connect(_narrow_app_role, sender=self)
