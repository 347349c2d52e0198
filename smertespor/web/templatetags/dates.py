"""``{% load dates %}``: ``{{ value|day }}`` shows a date or an ISO date string (as kept in
snapshots) in the user's short date format; ``{{ value|day:"DATE_FORMAT" }}`` the long one."""

from __future__ import annotations

from django import template

from smertespor.entry.dates import day_for_people

register = template.Library()


@register.filter
def day(value: object, format_name: str = "SHORT_DATE_FORMAT") -> str:
    return day_for_people(value, format_name)
