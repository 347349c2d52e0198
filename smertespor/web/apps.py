from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "smertespor.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from smertespor.entry.converters import IdConverter

        # Before any URLconf is read: every app's urls.py writes ids as `<id:...>`.
        register_converter(IdConverter, "id")
