"""Retirement age by sex and birth date (R6.4), for information only.

The state category is "receives a pension" (given as a membership ``pension_recipient``); this
helper tells when a person reaches the general retirement age. Women's age rose by half a year a
year from 2018 (58.5) to 61 in 2023, is frozen at 61 for 2023-2027 (Law of 26.12.2022
No. 168-VII), then rises again to 63 in 2031 (Social Code art. 207; Lada.kz/Tengri 09.10.2025).
Early pensions (e.g. mothers of five or more children, nuclear-test zone residents) are not
modelled here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from dateutil.relativedelta import relativedelta

__all__ = ["RetirementAge", "retirement_age", "retirement_date"]

#: (first year in which the age is reached, women's age in months); men: 63 throughout.
_WOMEN: tuple[tuple[int, int], ...] = (
    (0, 58 * 12),
    (2018, 58 * 12 + 6),
    (2019, 59 * 12),
    (2020, 59 * 12 + 6),
    (2021, 60 * 12),
    (2022, 60 * 12 + 6),
    (2023, 61 * 12),
    (2028, 61 * 12 + 6),
    (2029, 62 * 12),
    (2030, 62 * 12 + 6),
    (2031, 63 * 12),
)
_MEN = 63 * 12


class RetirementAge(tuple[int, int]):
    """Years and months, e.g. ``(61, 0)``."""

    __slots__ = ()

    @property
    def years(self) -> int:
        return self[0]

    @property
    def months(self) -> int:
        return self[1]


def _women_age_months(birth_date: dt.date) -> int:
    # The schedule is by the year in which the age is reached: the first entry whose age is
    # reached within that entry's years applies.
    for i, (year, months) in enumerate(_WOMEN):
        reached = birth_date + relativedelta(months=months)
        next_year = _WOMEN[i + 1][0] if i + 1 < len(_WOMEN) else 10_000
        if year <= reached.year < next_year:
            return months
    return _WOMEN[-1][1]  # pragma: no cover - the entries leave no gap


def retirement_age(sex: Literal["male", "female"], birth_date: dt.date) -> RetirementAge:
    """The general retirement age for a person (R6.4).

    >>> retirement_age("female", dt.date(1965, 3, 1))
    (61, 0)
    >>> retirement_age("female", dt.date(1970, 1, 1))
    (63, 0)
    >>> retirement_age("male", dt.date(1960, 5, 5))
    (63, 0)
    """
    if sex not in ("male", "female"):
        raise ValueError(f"sex: expected 'male' or 'female', got {sex!r}")
    months = _MEN if sex == "male" else _women_age_months(birth_date)
    return RetirementAge(divmod(months, 12))


def retirement_date(sex: Literal["male", "female"], birth_date: dt.date) -> dt.date:
    """The date the general retirement age is reached."""
    age = retirement_age(sex, birth_date)
    return birth_date + relativedelta(years=age.years, months=age.months)
