"""Monthly timelines: the small interface every month-based rule is written against.

A *timeline* says, for each month of a frame, whether something holds (paid, due, covered...).
The rules of a scheme are written once against the operations below; the operations exist
twice, with identical meaning, tested against each other:

* [`BitOps`][insurrules.timeline.BitOps] here: one person, a timeline is a Python ``int`` used as a
  bit set (bit ``i`` = month ``origin + i``). Fast for single cases and free of dependencies.
* ``insurrules.population.arrays.ArrayOps``: a population, a timeline is a boolean ``numpy``
  array of shape ``(persons, months)`` (optional ``population`` extra).

Rules combine timelines with ``&`` and ``|`` (valid for both representations) and use
``ops.not_`` for negation. Operations take an optional ``before`` value: what months before the
frame count as (e.g. "settled" before the scheme existed).

*Reading* a timeline at the month asked about gives person-level values: a ``bool`` or ``int``
for one person, a ``(persons,)`` array for a population (the month asked may differ per person).
Person-level values combine with ``&``, ``|``, comparisons and integer arithmetic (valid for
both); [`TimelineOps.where`][insurrules.timeline.TimelineOps.where],
[`unless`][insurrules.timeline.TimelineOps.unless], [`later`][insurrules.timeline.TimelineOps.later]
and [`earlier`][insurrules.timeline.TimelineOps.earlier] stand in for ``if``, ``and not``, ``max``
and ``min``. A month that does not exist (nothing holds) is
[`NO_MONTH`][insurrules.timeline.NO_MONTH], earlier than every real month.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol

__all__ = ["NO_MONTH", "BitOps", "LaneOps", "TimelineBuild", "TimelineOps"]

#: "No month" in person-level month results (``last_at_or_before`` when nothing holds); earlier
#: than every month index, so ``later(m, NO_MONTH) == m``.
NO_MONTH = -1


class TimelineBuild(Protocol):
    """The operations that build timelines from timelines (what the routes of a scheme use)."""

    origin: int
    length: int

    def empty(self) -> Any: ...
    def full(self) -> Any: ...
    def not_(self, x: Any) -> Any: ...
    def months(self, first: int | None, last: int | None) -> Any: ...
    def since(self, first: Any) -> Any: ...
    def until(self, last: Any) -> Any: ...
    def flag(self, value: Any) -> Any: ...
    def shift(self, x: Any, k: int, before: bool = False) -> Any: ...
    def window_any(self, x: Any, n: int) -> Any: ...
    def window_all(self, x: Any, n: int, before: bool = False) -> Any: ...
    def carry(self, x: Any, block: Any, n: int) -> Any: ...
    def year_starts(self) -> Any: ...
    def runs_reaching(self, x: Any, skip: Any, n: int) -> Any: ...
    def advance_windows(self, records: Any, n: int) -> Any: ...
    def surely_empty(self, x: Any) -> bool: ...
    def frame_key(self) -> Hashable | None: ...


class TimelineOps(TimelineBuild, Protocol):
    """The operations a rule may use (see the module docstring): building, and reading."""

    # reading at a month per person (see the module docstring)
    def holds_each(self, x: Any, months: Any) -> Any: ...
    def last_at_or_before(self, x: Any, month: Any) -> Any: ...
    def run_around(self, x: Any, month: Any) -> tuple[Any, Any]: ...
    def first_holding(self, timelines: Sequence[Any], months: Any) -> Any: ...
    def any_each(self, x: Any) -> Any: ...
    def where(self, cond: Any, a: Any, b: Any) -> Any: ...
    def unless(self, x: Any, cond: Any) -> Any: ...
    def later(self, a: Any, b: Any) -> Any: ...
    def earlier(self, a: Any, b: Any) -> Any: ...
    def distinct(self, values: Any) -> list[int]: ...
    def per_month(self, f: Callable[[int], tuple[int, ...]], months: Any) -> tuple[Any, ...]: ...


class BitOps:
    """Timeline operations for one person: timelines are ``int`` bit sets."""

    __slots__ = ("_full", "length", "origin")

    def __init__(self, origin: int, length: int) -> None:
        self.origin = origin
        self.length = length
        self._full = (1 << length) - 1

    # -- constructors ------------------------------------------------------------------------
    def empty(self) -> int:
        return 0

    def full(self) -> int:
        return self._full

    def not_(self, x: int) -> int:
        return self._full ^ x

    def bit(self, month: int) -> int:
        """The timeline of a single month (absolute index); 0 outside the frame."""
        i = month - self.origin
        return 1 << i if 0 <= i < self.length else 0

    def months(self, first: int | None, last: int | None) -> int:
        """Months ``first..last`` (absolute indices, inclusive; ``None`` = open)."""
        # comparisons rather than min() and max(): a decision asks for a dozen spans
        lo = 0 if first is None or first <= self.origin else first - self.origin
        hi = self.length - 1
        if last is not None and last - self.origin < hi:
            hi = last - self.origin
        if hi < lo:
            return 0
        return ((1 << (hi - lo + 1)) - 1) << lo

    def since(self, first: int) -> int:
        return self.months(first, None)

    def until(self, last: int) -> int:
        return self.months(None, last)

    def flag(self, value: bool) -> int:
        """A person-level fact as a timeline: every month, or none."""
        return self._full if value else 0

    def surely_empty(self, x: int) -> bool:
        """``x`` holds in no month: a rule may skip work whose result would be empty (a
        backend may also answer False, which says nothing)."""
        return not x

    def frame_key(self) -> Hashable | None:
        """Equal for backends whose timelines of the same months are the same immutable values
        (a rule may keep a timeline that depends on the frame only); None: keep nothing."""
        return BitOps, self.origin, self.length

    def from_months(self, months: Iterable[int]) -> int:
        origin, length = self.origin, self.length
        x = 0
        for i in {m - origin for m in months}:
            if 0 <= i < length:
                x |= 1 << i
        return x

    # -- operations ----------------------------------------------------------------------------
    def shift(self, x: int, k: int, before: bool = False) -> int:
        """Value at month m is ``x`` at m-k (k > 0: later); months before the frame = ``before``."""
        out = (x << k) & self._full
        if before:
            out |= ((1 << k) - 1) & self._full
        return out

    def window_any(self, x: int, n: int) -> int:
        """True at m when ``x`` holds in some month of m-n+1..m."""
        out = x
        span = 1
        # doubling: after each step ``out`` covers windows of length ``span``
        while span * 2 <= n:
            out |= out << span
            span *= 2
        if span < n:
            out |= out << (n - span)
        return out & self._full

    def window_all(self, x: int, n: int, before: bool = False) -> int:
        """True at m when ``x`` holds in every month of m-n+1..m (months before frame=before)."""
        missing = self._full ^ x
        if not before:
            # months before the frame are missing: the first n-1 months cannot have a full window
            return self._full ^ (self.window_any(missing, n) | ((1 << min(n - 1, self.length)) - 1))
        return self._full ^ self.window_any(missing, n)

    def carry(self, x: int, block: int, n: int) -> int:
        """``x`` carried forward up to ``n`` months through months not in ``block``.

        True at m when x holds at some j in m-n..m and no month in j+1..m is in ``block``.
        """
        out = x
        open_ = self._full ^ block
        for _ in range(n):
            nxt = x | ((out << 1) & open_)
            nxt &= self._full
            if nxt == out:
                break
            out = nxt
        return out

    def year_starts(self) -> int:
        """The January months of the frame."""
        first_jan = (-self.origin) % 12
        count = len(range(first_jan, self.length, 12))
        # one bit every 12: the geometric series 1 + 2^12 + 2^24 + ... in three big-int steps
        return ((1 << (12 * count)) - 1) // 4095 << first_jan

    def runs_reaching(self, x: int, skip: int, n: int) -> int:
        """True at m when the last ``n`` months up to m that are not in ``skip`` all hold in ``x``.

        Months in ``skip`` neither count nor break the run (kz D-2). Months before the frame
        break it.
        """
        if n <= 0:
            return self._full
        if not skip:
            return self.window_all(x, n)
        out = 0
        run = 0
        for i in range(self.length):
            b = 1 << i
            if skip & b:
                pass
            elif x & b:
                run += 1
            else:
                run = 0
            if run >= n:
                out |= b
        return out

    def advance_windows(self, records: Sequence[tuple[int, int]], n: int) -> int:
        """Months P where each of P..P+n-1 has a record that arrived before P.

        ``records`` are ``(month, arrival_month)`` pairs (absolute indices); a record counts for
        window start P only when ``arrival_month < P``.
        """
        if not records:
            return 0
        earliest: dict[int, int] = {}
        for month, arrival in records:
            if arrival < month and earliest.get(month, month) > arrival:
                earliest[month] = arrival
        out = 0
        for p in earliest:
            if all(earliest.get(p + k, p) < p for k in range(n)):
                i = p - self.origin
                if 0 <= i < self.length:
                    out |= 1 << i
        return out

    # -- reading: person-level values are ``bool`` and ``int`` -----------------------------------
    def holds(self, x: int, month: int) -> bool:
        i = month - self.origin
        return 0 <= i < self.length and bool((x >> i) & 1)

    holds_each = holds

    def last_at_or_before(self, x: int, month: int) -> int:
        """The last month <= ``month`` where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH]."""
        i = month - self.origin
        if i < 0:
            return NO_MONTH
        y = x & ((1 << (min(i, self.length - 1) + 1)) - 1)
        return self.origin + y.bit_length() - 1 if y else NO_MONTH

    def run_around(self, x: int, month: int) -> tuple[int, int]:
        """The maximal run of months holding ``x`` that contains ``month`` (``lo``, ``hi``);
        both [`NO_MONTH`][insurrules.timeline.NO_MONTH] when ``x`` does not hold in ``month``."""
        if not self.holds(x, month):
            return NO_MONTH, NO_MONTH
        i = month - self.origin
        below = self._full ^ x
        low_gap = below & ((1 << i) - 1)
        lo = low_gap.bit_length()  # first month after the last gap below i
        high_gap = (below >> i) << i
        hi = (high_gap & -high_gap).bit_length() - 2 if high_gap else self.length - 1
        return self.origin + lo, self.origin + hi

    def first_holding(self, timelines: Sequence[int], months: int) -> int:
        """The index of the first of ``timelines`` holding in ``months``, else -1."""
        i = months - self.origin
        if 0 <= i < self.length:
            for k, x in enumerate(timelines):
                if (x >> i) & 1:
                    return k
        return -1

    def any_each(self, x: int) -> bool:
        """Does ``x`` hold in some month."""
        return x != 0

    @staticmethod
    def where(cond: bool, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def unless(x: bool, cond: bool) -> bool:
        return x and not cond

    @staticmethod
    def later(a: int, b: int) -> int:
        return a if a >= b else b

    @staticmethod
    def earlier(a: int, b: int) -> int:
        return a if a <= b else b

    @staticmethod
    def distinct(values: int) -> list[int]:
        return [values]

    @staticmethod
    def per_month(f: Callable[[int], tuple[int, ...]], months: int) -> tuple[int, ...]:
        """``f`` (a function of one month giving integers) at the month asked about."""
        return f(months)

    def months_in(self, x: int) -> list[int]:
        out = []
        origin = self.origin
        while x:
            low = x & -x
            out.append(origin + low.bit_length() - 1)
            x ^= low
        return out


class LaneOps:
    """Timeline operations for one person under several states of knowledge at once.

    A timeline is an ``int`` holding ``lanes`` [`BitOps`][insurrules.timeline.BitOps] timelines
    of the same frame side by side, each in ``64 * words`` bits: bit ``k * stride + i`` is month
    ``origin + i`` in lane ``k``; the bits of a lane past ``length`` are always 0, so a lane is
    whole 64-bit words (the layout of one person's column in
    ``insurrules.population.arrays.ArrayOps``). Each operation means, lane by lane, what the same
    ``BitOps`` operation means (tested lane by lane against it): a shift masks off what would
    cross into the next lane. One evaluation of the routes over lanes gives, in lane ``k``, the
    routes of the facts known in state ``k`` (a coverage timeline: one lane per day on which what
    is known changes). Reading is done on one lane at a time, with
    [`lane`][insurrules.timeline.LaneOps.lane] and a ``BitOps`` of the same frame, or on the
    words of every lane at once.
    """

    __slots__ = (
        "_above",
        "_full",
        "_rep",
        "lanes",
        "length",
        "origin",
        "single",
        "stride",
        "words",
    )

    def __init__(self, origin: int, length: int, lanes: int) -> None:
        self.origin = origin
        self.length = length
        self.lanes = lanes
        self.words = max(1, -(-length // 64))
        self.stride = 64 * self.words
        #: the operations of one lane (the patterns every lane shares are built there)
        self.single = BitOps(origin, length)
        self._rep = sum(1 << (k * self.stride) for k in range(lanes))  # bit 0 of every lane
        self._full = self.single.full() * self._rep
        self._above: dict[int, int] = {}

    # -- lanes ---------------------------------------------------------------------------------
    def replicate(self, x: int) -> int:
        """The one-lane timeline ``x`` in every lane."""
        return x * self._rep

    def lane(self, x: int, k: int) -> int:
        """Lane ``k`` of ``x``, a timeline of ``single``."""
        return (x >> (k * self.stride)) & self.single.full()

    def split(self, x: int) -> list[int]:
        """Every lane of ``x``, in order (``[lane(x, k) for k in range(lanes)]``)."""
        raw = x.to_bytes(self.lanes * self.stride // 8, "little")
        size = self.stride // 8
        return [int.from_bytes(raw[i : i + size], "little") for i in range(0, len(raw), size)]

    def stack(self, per_lane: Sequence[int]) -> int:
        """One-lane timelines, lane ``k`` from ``per_lane[k]``."""
        out = 0
        for k, x in enumerate(per_lane):
            out |= x << (k * self.stride)
        return out

    def known(self, new: Sequence[int]) -> int:
        """Lane ``k`` holds what ``new[0..k]`` hold: what became known by state ``k``."""
        out = seen = 0
        for k, x in enumerate(new):
            seen |= x
            out |= seen << (k * self.stride)
        return out

    def _from(self, k: int) -> int:
        """Months from the ``k``-th of each lane on: where a ``k``-month shift may land."""
        mask = self._above.get(k)
        if mask is None:
            mask = self._above[k] = self.replicate(self.single.since(self.origin + k))
        return mask

    # -- constructors (every lane the same) ----------------------------------------------------
    def empty(self) -> int:
        return 0

    def full(self) -> int:
        return self._full

    def not_(self, x: int) -> int:
        return self._full ^ x

    def months(self, first: int | None, last: int | None) -> int:
        return self.replicate(self.single.months(first, last))

    def since(self, first: int) -> int:
        return self.months(first, None)

    def until(self, last: int) -> int:
        return self.months(None, last)

    def flag(self, value: bool) -> int:
        return self._full if value else 0

    def surely_empty(self, x: int) -> bool:
        return not x

    def frame_key(self) -> Hashable | None:
        return LaneOps, self.origin, self.length, self.lanes

    def from_months(self, months: Iterable[int]) -> int:
        return self.replicate(self.single.from_months(months))

    def year_starts(self) -> int:
        return self.replicate(self.single.year_starts())

    # -- operations, lane by lane --------------------------------------------------------------
    def shift(self, x: int, k: int, before: bool = False) -> int:
        out = (x << k) & self._from(k)
        if before:
            out |= self.replicate(((1 << k) - 1) & self.single.full())
        return out

    def window_any(self, x: int, n: int) -> int:
        out = x
        span = 1
        # doubling as in BitOps, each step masked so that no lane spills into the next
        while span * 2 <= n:
            out |= (out << span) & self._from(span)
            span *= 2
        if span < n:
            out |= (out << (n - span)) & self._from(n - span)
        return out & self._full

    def window_all(self, x: int, n: int, before: bool = False) -> int:
        missing = self._full ^ x
        if not before:
            first = self.replicate((1 << min(n - 1, self.length)) - 1)
            return self._full ^ (self.window_any(missing, n) | first)
        return self._full ^ self.window_any(missing, n)

    def carry(self, x: int, block: int, n: int) -> int:
        out = x
        open_ = (self._full ^ block) & self._from(1)
        for _ in range(n):
            nxt = x | ((out << 1) & open_)
            if nxt == out:
                break
            out = nxt
        return out

    def runs_reaching(self, x: int, skip: int, n: int) -> int:
        if n <= 0:
            return self._full
        if not skip:
            return self.window_all(x, n)
        # the run counter walks month by month: lane by lane, each distinct lane once
        done: dict[tuple[int, int], int] = {}
        per_lane = []
        for k in range(self.lanes):
            key = (self.lane(x, k), self.lane(skip, k))
            got = done.get(key)
            if got is None:
                got = done[key] = self.single.runs_reaching(key[0], key[1], n)
            per_lane.append(got)
        return self.stack(per_lane)

    def advance_windows(self, records: Sequence[Sequence[tuple[int, int]]], n: int) -> int:
        """``records[k]``: the ``(month, arrival_month)`` records that became known in state
        ``k`` (lane ``k`` reads those of ``records[0..k]``)."""
        seen: list[tuple[int, int]] = []
        windows = 0
        per_lane = []
        for k, new in enumerate(records):
            if new or k == 0:
                seen.extend(new)
                windows = self.single.advance_windows(seen, n)
            per_lane.append(windows)
        return self.stack(per_lane)
