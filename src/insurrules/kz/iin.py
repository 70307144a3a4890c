"""Kazakhstan individual identification numbers (ИИН): check digit, birth date and sex.

An IIN is 12 digits: ``YYMMDD`` birth date, a 7th digit giving century and sex (1/2: 1800s
male/female, 3/4: 1900s, 5/6: 2000s), a 4-digit serial, and a check digit computed by the
standard two-pass weighted mod-11 algorithm (weights 1..11, then 3..11,1,2; a remainder of 10 on
both passes means the number is never issued).
Source: Law RK 'On national registers of identification numbers' No. 223-II of 12.01.2007 and the
Government rules for forming IINs; the algorithm is the one published for IIN/BIN validation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import Literal

from insurrules.errors import mask_id

__all__ = [
    "CENTURY_SEX",
    "FIRST_WEIGHTS",
    "SECOND_WEIGHTS",
    "IinInfo",
    "check_digit",
    "iin_problem",
    "make_iin",
    "parse_iin",
    "read_iin",
]

#: weights of the two passes of the check digit
FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_W1, _W2 = FIRST_WEIGHTS, SECOND_WEIGHTS
_OFFSET1, _OFFSET2 = 48 * sum(_W1), 48 * sum(_W2)  # ord("0") times each weight
#: the 7th digit: the century of birth and the sex
CENTURY_SEX: dict[str, tuple[int, Literal["male", "female"]]] = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}


@dataclass(frozen=True, slots=True)
class IinInfo:
    birth_date: dt.date
    sex: Literal["male", "female"]


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or ``None`` when no valid IIN can have them."""
    if len(first11) != 11:
        raise ValueError(f"expected the first 11 digits of an IIN, got {len(first11)} characters")
    # map() in C: the IIN of every case document decided is checked here. ASCII digits are
    # read as their byte codes, each 48 more than its digit (the offset is taken off once)
    ascii_digits = first11.isascii() and first11.isdigit()
    digits: Sequence[int] = first11.encode() if ascii_digits else list(map(int, first11))
    rem: int = (sum(map(mul, digits, _W1)) - (_OFFSET1 if ascii_digits else 0)) % 11
    if rem == 10:
        rem = (sum(map(mul, digits, _W2)) - (_OFFSET2 if ascii_digits else 0)) % 11
        if rem == 10:
            return None
    return rem


def parse_iin(iin: str) -> IinInfo:
    """Validate an IIN and read its birth date and sex; ``ValueError`` says what is wrong.

    An IIN is 12 ASCII digits (``"٨٧٠٤..."`` or full-width digits are not an IIN).
    """
    if not isinstance(iin, str):
        raise ValueError(f"an IIN is 12 digits as text, got {type(iin).__name__}")
    if len(iin) != 12 or not (iin.isascii() and iin.isdigit()):
        raise ValueError(f"an IIN is 12 digits (ASCII 0-9), got {mask_id(iin[:40])}")
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise ValueError(f"IIN {mask_id(iin)} has an invalid check digit")
    if iin[6] not in CENTURY_SEX:
        raise ValueError(
            f"IIN {mask_id(iin)}: 7th digit must be 1-6 (century and sex), got {iin[6]}"
        )
    try:
        return read_iin(iin)
    except ValueError:
        raise ValueError(
            f"IIN {mask_id(iin)} does not start with a real birth date (YYMMDD)"
        ) from None


@lru_cache(maxsize=256)  # a case's IIN is read twice: by its id field, then by its person
def read_iin(iin: str) -> IinInfo:
    """The birth date and sex of an IIN that ``parse_iin`` accepted: its reading without the
    checks (a case's person reads the IIN its ``id`` field already checked)."""
    century, sex = CENTURY_SEX[iin[6]]
    born = dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    return IinInfo(birth_date=born, sex=sex)


def iin_problem(value: str) -> str | None:
    """Why ``value`` is not a valid IIN (the id masked), or ``None`` when it is one."""
    try:
        parse_iin(value)
    except ValueError as exc:
        return str(exc)
    return None


def make_iin(birth_date: dt.date, sex: Literal["male", "female"], serial: int = 1) -> str:
    """A valid IIN for a birth date and sex (for tests and synthetic data).

    The serial (0..9999) is moved on until the check digit exists.

    >>> make_iin(dt.date(1987, 4, 12), "female", 4501)
    '870412445016'
    """
    century = (birth_date.year // 100) * 100
    codes = {v: k for k, v in CENTURY_SEX.items()}
    if (century, sex) not in codes:
        raise ValueError(f"birth_date: no IIN century digit for {birth_date.year}")
    for step in range(10_000):
        number = (serial + step) % 10_000
        first11 = f"{birth_date:%y%m%d}{codes[(century, sex)]}{number:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return first11 + str(digit)
    raise ValueError("no valid IIN serial")  # pragma: no cover - some serial always works
