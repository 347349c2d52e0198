"""Small template helpers for the teaching pages."""

from decimal import Decimal
from typing import Any

from django import template

from smertespor.teaching.permissions import can_organise_teaching, can_take_part_in_teaching

register = template.Library()


@register.simple_tag
def teaching_role(user: Any) -> str:
    """Which side of teaching ``user`` is on: "clinic", "practice" or ""."""
    if can_organise_teaching(user):
        return "clinic"
    if can_take_part_in_teaching(user):
        return "practice"
    return ""


@register.filter
def percent(value: Decimal | None) -> str:
    """0.2537 -> "25" (the share as a whole percentage)."""
    if value is None:
        return ""
    return str(round(value * 100))
