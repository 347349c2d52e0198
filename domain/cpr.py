"""CPR numbers (the Danish civil registration number): validation and what they encode.

The birth century comes from the 7th digit (CPR-kontoret's rule, as python-stdnum applies
it). No modulus-11 check: numbers without it have been issued since 2007.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum import exceptions as stdnum_exceptions
from stdnum.dk import cpr as stdnum_cpr

from domain.errors import DomainError


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class InvalidCpr(DomainError):
    code = "invalid_cpr"


@dataclass(frozen=True)
class Cpr:
    number: str  # ten digits, no hyphen
    birth_date: date
    sex: Sex

    @property
    def formatted(self) -> str:
        return f"{self.number[:6]}-{self.number[6:]}"

    @property
    def masked(self) -> str:
        return f"{self.number[:6]}-****"


def parse_cpr(text: str, *, today: date) -> Cpr:
    """Validate a CPR number typed as DDMMYYSSSS or DDMMYY-SSSS; refuse future birth dates."""
    number = stdnum_cpr.compact(text)
    if len(number) != 10:
        raise InvalidCpr("A CPR number has 10 digits (DDMMYY-SSSS).", code="cpr_length")
    if not number.isdigit() or not number.isascii():
        raise InvalidCpr("A CPR number has only digits (DDMMYY-SSSS).", code="cpr_format")
    try:
        birth_date = stdnum_cpr.get_birth_date(number)
    except stdnum_exceptions.ValidationError:
        raise InvalidCpr(
            "The first six digits are not a valid birth date.", code="cpr_birth_date"
        ) from None
    if birth_date > today:
        raise InvalidCpr("The birth date lies in the future.", code="cpr_future")
    sex = Sex.MALE if int(number[9]) % 2 == 1 else Sex.FEMALE
    return Cpr(number=number, birth_date=birth_date, sex=sex)


def birth_century(seventh_digit: int, two_digit_year: int) -> int:
    """The century a CPR number's birth year falls in (CPR-kontoret's published table)."""
    if not 0 <= seventh_digit <= 9 or not 0 <= two_digit_year <= 99:
        raise ValueError("digit 0-9 and year 00-99 expected")
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if two_digit_year <= 36 else 1900
    return 2000 if two_digit_year <= 57 else 1800
