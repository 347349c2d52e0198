"""``{% load numbers %}``: ``{{ value|number }}`` or ``{{ value|number:1 }}`` in the locale."""

from __future__ import annotations

from decimal import Decimal

from django import template

from smertespor.entry.numbers import for_people

register = template.Library()


@register.filter
def number(value: Decimal | int | float | str | None, places: int | None = None) -> str:
    return for_people(value, places)
