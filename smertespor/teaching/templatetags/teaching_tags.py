"""Small template helpers for the teaching pages."""

from decimal import Decimal

from django import template

from smertespor.accounts.models import Requester
from smertespor.entry.numbers import for_people
from smertespor.teaching.permissions import can_organise_teaching, can_take_part_in_teaching

register = template.Library()


@register.simple_tag
def teaching_role(user: Requester) -> str:
    """Which side of teaching ``user`` is on: "clinic", "practice" or ""."""
    if can_organise_teaching(user):
        return "clinic"
    if can_take_part_in_teaching(user):
        return "practice"
    return ""


@register.filter
def percent(value: Decimal | None) -> str:
    """0.2537 -> "25" (the share as a whole percentage, written for people)."""
    if value is None:
        return ""
    return for_people(value * 100, 0)
