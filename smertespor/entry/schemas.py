"""Field types every app's API schemas share: exact decimals in and out, coded values.

- `ExactNumber` (input): a JSON number or a decimal string ("2.5"); a JSON number is read
  through its shortest decimal text, so 0.1 is exactly 0.1. Non-finite values, booleans and
  digits other than ASCII 0-9 are refused.
- `DecimalText` (output): an exact decimal string with a dot ("52.5"), never a binary float.
- `one_of(values)` / `coded(choices)`: the allowed values written into the field's own schema,
  not into a shared component whose name ("Status", "Kind") another app could take.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.db import models
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from smertespor.entry.numbers import json_number

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
_MAX_TEXT = 40
_ASK = 'give a number such as 10 or "2.5"'


def exact_decimal(value: object) -> Decimal:
    """``value`` as an exact, finite Decimal, or ValueError with what to give instead."""
    if isinstance(value, bool):
        raise ValueError("give a number, not true or false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("give a finite number")
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    elif isinstance(value, str) and len(value) <= _MAX_TEXT and value.isascii():
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(_ASK) from None
    else:
        raise ValueError(_ASK)
    if not number.is_finite():
        raise ValueError("give a finite number")
    return number


ExactNumber = Annotated[
    Decimal,
    BeforeValidator(exact_decimal),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}],
            "description": "A JSON number or an exact decimal string.",
        }
    ),
]
DecimalText = Annotated[
    Decimal,
    PlainSerializer(json_number, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DECIMAL_PATTERN,
            "description": "An exact decimal number as text.",
        }
    ),
]


def one_of(values: Iterable[str], description: str = "") -> WithJsonSchema:
    """The OpenAPI schema of a coded text: its allowed values (and what they mean)."""
    schema: dict[str, Any] = {"type": "string", "enum": [str(v) for v in values]}
    if description:
        schema["description"] = description
    return WithJsonSchema(schema)


def coded(choices: type[models.TextChoices], description: str = "") -> WithJsonSchema:
    """`one_of` for a model's TextChoices."""
    return one_of(choices.values, description)
