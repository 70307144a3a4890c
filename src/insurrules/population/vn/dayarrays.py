"""Day operations for a population: values are ``numpy`` arrays, one element per lane.

`ArrayDayOps` is the population backend of `insurrules.vn.dayops.DayOps`; every
operation has the meaning of the same-named `ScalarDayOps`
method, applied to every element at once (a lane is a person, or a person's k-th purchase).
The card rules of `insurrules.vn.cards` run unchanged on it. The two backends are tested
against each other (``tests/population/test_vn_dayarrays.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from insurrules.parameters import RuleSet
from insurrules.vn.dayops import (
    CalendarArithmetic,
    add_months_arithmetic,
    civil_arithmetic,
    day_number,
    day_of_arithmetic,
    month_end,
    parameter_steps,
)

__all__ = ["ARRAYS", "ArrayDayOps"]


_FIRST_YEAR, _LAST_YEAR = 1800, 2300  # the calendar tables; days outside are computed


class ArrayDayOps:
    """Day operations over ``numpy`` arrays (day numbers as ``int64``).

    ``civil``, ``day_of`` and ``add_months`` read tables of the years 1800-2299 computed once by
    the one calendar definition (`civil_arithmetic`...); days
    outside them (the ``NO_DAY``/``OPEN`` markers) are computed by it directly.
    """

    __slots__ = ()
    _tables: tuple[Any, ...] | None = None

    @classmethod
    def _calendar(cls) -> tuple[Any, ...]:
        if cls._tables is None:
            first = day_number(dt.date(_FIRST_YEAR, 1, 1))
            days = np.arange(first, day_number(dt.date(_LAST_YEAR, 1, 1)), dtype=np.int32)
            year, month, day = civil_arithmetic(_ARITHMETIC, days)
            years = np.arange(_FIRST_YEAR, _LAST_YEAR, dtype=np.int32)
            month_starts = day_of_arithmetic(
                _ARITHMETIC, np.repeat(years, 12), np.tile(np.arange(1, 13), years.size), 1
            )
            month_ends = month_end(
                _ARITHMETIC, np.repeat(years, 12), np.tile(np.arange(1, 13), years.size)
            )
            index = (year - _FIRST_YEAR) * 12 + month - 1  # month of each day, from 1800-01
            cls._tables = (
                first,
                year,
                month,
                day,
                month_starts,
                index,
                month_ends - month_starts + 1,
            )
        return cls._tables

    def add_months(self, day: Any, months: Any) -> Any:
        first, _, _, d, month_starts, index, lengths = self._calendar()
        day = np.asarray(day)
        at = day - first
        inside = (at >= 0) & (at < d.shape[0])
        target = index[np.where(inside, at, 0)] + months
        inside &= (target >= 0) & (target < month_starts.shape[0])
        if inside.all():
            return month_starts[target] + np.minimum(d[at], lengths[target]) - 1
        # the NO_DAY/OPEN markers (and days past the tables): computed directly
        at, target = np.where(inside, at, 0), np.where(inside, target, 0)
        out = month_starts[target] + np.minimum(d[at], lengths[target]) - 1
        outside = np.flatnonzero(~inside)
        shift = months if np.ndim(months) == 0 else np.asarray(months)[outside]
        out[outside] = add_months_arithmetic(_ARITHMETIC, day[outside], shift)
        return out

    def civil(self, day: Any) -> tuple[Any, Any, Any]:
        first, year, month, d, *_ = self._calendar()
        at = np.asarray(day) - first
        inside = (at >= 0) & (at < year.shape[0])
        if inside.all():
            return year[at], month[at], d[at]
        slow = civil_arithmetic(_ARITHMETIC, np.asarray(day))
        i = np.where(inside, at, 0)
        y, m, dd = (np.where(inside, t[i], v) for t, v in zip((year, month, d), slow, strict=True))
        return y, m, dd

    def day_of(self, year: Any, month: Any, d: Any) -> Any:
        month_starts = self._calendar()[4]
        at = (np.asarray(year) - _FIRST_YEAR) * 12 + np.asarray(month) - 1
        inside = (at >= 0) & (at < month_starts.shape[0])
        if np.all(inside):
            return month_starts[at] + d - 1
        slow = day_of_arithmetic(_ARITHMETIC, year, month, d)
        return np.where(inside, month_starts[np.where(inside, at, 0)] + d - 1, slow)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return np.where(cond, a, b)

    @staticmethod
    def not_(x: Any) -> Any:
        return np.logical_not(x)

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return np.minimum(a, b)

    @staticmethod
    def any(x: Any) -> bool:
        return bool(np.any(x))

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    @staticmethod
    def value_on(rules: RuleSet, name: str, day: Any, convert: Callable[[Any], int] = int) -> Any:
        starts, values = parameter_steps(rules, name, convert)
        if len(values) == 1:
            return values[0]
        at = np.searchsorted(np.asarray(starts, dtype=np.int32), day, side="right") - 1
        return np.asarray(values, dtype=np.int32)[np.maximum(at, 0)]


class _Arithmetic(CalendarArithmetic, ArrayDayOps):
    """The array operations computing the calendar directly (builds the tables)."""

    __slots__ = ()


_ARITHMETIC = _Arithmetic()
ARRAYS = ArrayDayOps()
