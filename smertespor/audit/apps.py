from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _narrow_app_role(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After ``migrate --database owner``: the app's role (the default connection's user)
    gets DML on new tables, but only INSERT and SELECT on the audit tables."""
    from smertespor.audit.roles import grant_app_privileges

    connection = connections[using]
    app_role = connections[DEFAULT_DB_ALIAS].settings_dict.get("USER")
    if (
        using == DEFAULT_DB_ALIAS
        or connection.vendor != "postgresql"
        or not app_role
        or app_role == connection.settings_dict.get("USER")
    ):
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
