"""Field types every app's API schemas share: exact decimals in and out, coded values.

- `ExactNumber` (input): a JSON number or a decimal string ("2.5"); a JSON number is read
  through its shortest decimal text, so 0.1 is exactly 0.1. Non-finite values, booleans,
  digits other than ASCII 0-9 and numbers of 100 000 000 or more (no stored number has more
  than 8 digits before the point; 1e308 or 10^32 made the save fail, issue 12) are refused.
- `DecimalText` (output): an exact decimal string with a dot ("52.5"), never a binary float.
- `Id` (input): a database id, 1 to 2^63 - 1.
- `one_of(values)` / `coded(choices)`: the allowed values written into the field's own schema,
  not into a shared component whose name ("Status", "Kind") another app could take.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django.db import models
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from smertespor.entry.numbers import json_number

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
# A database id: a 10^400 in a list of ids made the query overflow (issue 12).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
_MAX_TEXT = 40
# Below 10^8: every decimal column holds at most 12 digits with 4 decimals.
MAX_DIGITS_BEFORE_POINT = 8
_ASK = 'give a number such as 10 or "2.5"'


def _refuse(kind: str, message: str) -> PydanticCustomError:
    # A code of its own, so `problems.schema_errors` says it in the user's language.
    return PydanticCustomError(kind, message)


def exact_decimal(value: object) -> Decimal:
    """``value`` as an exact, finite Decimal below 10^8, or an error saying what to give."""
    if isinstance(value, bool):
        raise _refuse("number_parsing", "give a number, not true or false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if len(str(abs(value))) > MAX_DIGITS_BEFORE_POINT:  # also before a 10^400 is converted
            raise _refuse("number_too_large", "the number is too large")
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse("number_not_finite", "give a finite number")
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    elif isinstance(value, str) and len(value) <= _MAX_TEXT and value.isascii():
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise _refuse("number_parsing", _ASK) from None
    else:
        raise _refuse("number_parsing", _ASK)
    if not number.is_finite():
        raise _refuse("number_not_finite", "give a finite number")
    if number and number.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        raise _refuse("number_too_large", "the number is too large")
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
