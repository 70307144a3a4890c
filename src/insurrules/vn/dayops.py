"""Day operations: the small interface the vn card chain is written against ([vn-bhyt rules:
Time model][vn-rules-time-model]).

The card rules (`insurrules.vn.cards`) are written once over *day numbers* (days since
1970-01-01, the physical value of a polars ``Date``) and a handful of operations; the operations
exist twice, with identical meaning, tested against each other:

* `ScalarDayOps` here: one person, a value is a Python ``int`` (or ``bool``); no
  dependency beyond the standard library, so ``decide()`` keeps the core small.
* ``insurrules.population.vn.dayarrays.ArrayDayOps``: a population, a value is a ``numpy``
  array with one element per person (or per purchase) being stepped (``population`` extra).

Rules combine values with ``+ - // % < <= == & |`` (valid for both) and use the operations for
the rest: ``where`` (no ``if``), ``minimum``/``maximum``, ``not_``, ``any`` (does it hold for
some lane: skips work no lane needs) and ``value_on`` (a dated parameter in force on each day,
with its value converted by a function given once).

The calendar arithmetic below (`civil`, `day_of`, `add_months`) is written once
for both backends: it uses only integer arithmetic and those operations.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from insurrules.parameters import RuleSet

__all__ = [
    "NO_DAY",
    "OPEN",
    "CalendarArithmetic",
    "DayOps",
    "ScalarDayOps",
    "add_months",
    "add_months_arithmetic",
    "civil",
    "civil_arithmetic",
    "date_of",
    "day_number",
    "day_of",
    "day_of_arithmetic",
    "month_end",
]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
#: "no day": before every card (no previous card, no end yet seen)
NO_DAY = -1_000_000
#: "no known end": after every card (an open-ended state-paid period)
OPEN = 100_000_000


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - _EPOCH_ORDINAL


def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(int(day) + _EPOCH_ORDINAL)


class DayOps(Protocol):
    """The operations a card rule may use (see the module docstring)."""

    def where(self, cond: Any, a: Any, b: Any) -> Any: ...
    def not_(self, x: Any) -> Any: ...
    def minimum(self, a: Any, b: Any) -> Any: ...
    def maximum(self, a: Any, b: Any) -> Any: ...
    def value_on(
        self, rules: RuleSet, name: str, day: Any, convert: Callable[[Any], int] = int
    ) -> Any: ...
    def any(self, x: Any) -> bool: ...
    def civil(self, day: Any) -> tuple[Any, Any, Any]: ...
    def day_of(self, year: Any, month: Any, d: Any) -> Any: ...
    def add_months(self, day: Any, months: Any) -> Any: ...


def civil(ops: DayOps, day: Any) -> tuple[Any, Any, Any]:
    """(year, month, day-of-month) of a day number."""
    return ops.civil(day)


def day_of(ops: DayOps, year: Any, month: Any, d: Any) -> Any:
    """The day number of a calendar date; ``d`` may be any day of the month, or 0 (the day
    before the 1st)."""
    return ops.day_of(year, month, d)


def civil_arithmetic(ops: DayOps, day: Any) -> tuple[Any, Any, Any]:
    """(year, month, day-of-month) of a day number (H. Hinnant's ``civil_from_days``): the one
    definition of the calendar; both backends compute with it."""
    z = day + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = ops.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + ops.where(m <= 2, 1, 0)
    return y, m, d


def day_of_arithmetic(ops: DayOps, year: Any, month: Any, d: Any) -> Any:
    """The day number of a calendar date (H. Hinnant's ``days_from_civil``)."""
    y = year - ops.where(month <= 2, 1, 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def month_end(ops: DayOps, year: Any, month: Any) -> Any:
    """The last day of a month."""
    return day_of(ops, year + ops.where(month == 12, 1, 0), month % 12 + 1, 1) - 1


def add_months(ops: DayOps, day: Any, months: Any) -> Any:
    """``day`` plus ``months`` calendar months, clamped to the month's end ([vn-bhyt rules: Time
    model][vn-rules-time-model]:
    31 Jan + 1 month = 28/29 Feb, as ``dateutil.relativedelta``; a property test checks it)."""
    return ops.add_months(day, months)


def add_months_arithmetic(ops: DayOps, day: Any, months: Any) -> Any:
    """`add_months` computed from the calendar definition."""
    y, m, d = civil(ops, day)
    total = y * 12 + (m - 1) + months
    year, month = total // 12, total % 12 + 1
    days_in_month = month_end(ops, year, month) - day_of(ops, year, month, 0)
    return day_of(ops, year, month, ops.minimum(d, days_in_month))


class CalendarArithmetic:
    """``civil``, ``day_of`` and ``add_months`` computed from the calendar definition (for
    any backend whose ``where``/``minimum`` fit its values)."""

    __slots__ = ()

    def civil(self, day: Any) -> tuple[Any, Any, Any]:
        return civil_arithmetic(self, day)  # type: ignore[arg-type]

    def day_of(self, year: Any, month: Any, d: Any) -> Any:
        return day_of_arithmetic(self, year, month, d)  # type: ignore[arg-type]

    def add_months(self, day: Any, months: Any) -> Any:
        return add_months_arithmetic(self, day, months)  # type: ignore[arg-type]


class ScalarDayOps(CalendarArithmetic):
    """Day operations for one person: values are Python ``int``/``bool``."""

    __slots__ = ()

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def not_(x: Any) -> bool:
        return not x

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return a if a <= b else b

    @staticmethod
    def any(x: Any) -> bool:
        return bool(x)

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return a if a >= b else b

    def value_on(
        self, rules: RuleSet, name: str, day: Any, convert: Callable[[Any], int] = int
    ) -> Any:
        """``convert(value)`` of parameter ``name`` in force on ``day``; before its first date,
        its first value (as `insurrules.vn.rules.value_on`)."""
        starts, values = parameter_steps(rules, name, convert)
        return values[max(0, bisect.bisect_right(starts, day) - 1)]


def parameter_steps(
    rules: RuleSet, name: str, convert: Callable[[Any], int]
) -> tuple[list[int], list[int]]:
    """The start day numbers of a parameter's values, and each value converted (computed once
    per rule set, which is immutable)."""
    key = f"vn.dayops:{name}:{convert.__module__}.{convert.__qualname__}"
    found: tuple[list[int], list[int]] | None = rules.cache.get(key)
    if found is None:
        param = rules[name]
        found = (
            [day_number(v.start) for v in param.values],
            [convert(v.value) for v in param.values],
        )
        rules.cache[key] = found
    return found


#: the ops of ``decide()`` (stateless)
SCALAR = ScalarDayOps()
