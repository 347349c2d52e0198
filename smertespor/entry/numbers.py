"""Decimals as text: one way for people (localised), one way for JSON (exact, dot).

People see a dose as "52,5" in Danish and "52.5" in English, never "52.50" or "7,00":
trailing zeros say nothing clinically and make tables noisy. JSON keeps the exact value as a
string so no client turns 0.1 into 0.1000000000000000055.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

from django.utils.formats import number_format
from django.utils.translation import npgettext


def _plain(value: Decimal, places: int | None) -> Decimal:
    """``value`` rounded to ``places`` (if given) without trailing zeros, never in E-notation.

    Works in a context wide enough for the number, so no digit is lost to the default
    28-digit precision.
    """
    digits = len(value.as_tuple().digits) + abs(value.adjusted()) + (places or 0) + 2
    with localcontext() as context:
        context.prec = max(28, digits)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        normalised = value.normalize()
        # normalize() writes 100 as 1E+2; quantize back to an integer exponent.
        exponent = normalised.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            return normalised.quantize(Decimal(1))
        return normalised


def as_decimal(value: Decimal | int | float | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def for_people(value: Decimal | int | float | str | None, places: int | None = None) -> str:
    """``value`` in the active language's format, at most ``places`` decimals, no trailing zeros.

    Anything that is not a finite number shows as an empty string.
    """
    number = as_decimal(value)
    if number is None:
        return ""
    plain = _plain(number, places)
    exponent = plain.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number_format(plain, decimal_pos=decimals, use_l10n=True, force_grouping=False)


def for_json(value: Decimal | int | float | str | None, places: int | None = None) -> str | None:
    """``value`` as an exact JSON string with a dot ("52.5"), or None."""
    number = as_decimal(value)
    if number is None:
        return None
    return format(_plain(number, places), "f")


def json_number(value: Decimal | int) -> str:
    """A number that is known to be finite as an exact JSON string ("52.5", "100")."""
    return format(_plain(Decimal(value), None), "f")


def size_for_people(size: int) -> str:
    """A file size in the locale, one decimal at most and no padding zero: "50 MB", "1,5 MB"
    (Django's ``filesizeformat`` writes "50,0 MB")."""
    value = Decimal(max(size, 0))
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{for_people(value, 1 if unit != 'bytes' else 0)}\xa0{unit}"


def times_for_people(value: Decimal | int | float | str | None) -> str:
    """How many times, for "at most … a day": "2" in English, "1 gang" / "2 gange" in Danish
    (the plural follows the number; anything but exactly one is plural)."""
    text = for_people(value)
    if not text:
        return ""
    count = 1 if as_decimal(value) == 1 else 2
    return npgettext("times a day", "%(count)s", "%(count)s", count) % {"count": text}
