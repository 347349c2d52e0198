"""``{% load numbers %}``: ``{{ value|number }}`` or ``{{ value|number:1 }}`` in the locale."""

from __future__ import annotations

from decimal import Decimal

from django import template

from smertespor.entry.numbers import for_people, times_for_people

register = template.Library()


@register.filter
def number(value: Decimal | int | float | str | None, places: int | None = None) -> str:
    return for_people(value, places)


@register.filter
def times(value: Decimal | int | float | str | None) -> str:
    """A count of times in "at most … a day": "1 gang", "2 gange" in Danish."""
    return times_for_people(value)
