from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "smertespor.accounts"
    label = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        # The receivers: axes lockout → audit log; the second factor's step at login.
        from smertespor.accounts import mfa, signals  # noqa: F401
