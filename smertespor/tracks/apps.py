from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracksConfig(AppConfig):
    name = "smertespor.tracks"
    label = "tracks"
    verbose_name = _("Practice and hospital tracks")
