"""Danish formats: Django's own ("6. december 2026", "06.12.2026"), named here so both
languages' date formats are read in one place."""

from django.conf.locale.da.formats import *  # type: ignore[import-untyped]  # noqa: F403
