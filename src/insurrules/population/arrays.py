"""Timeline operations for a population: timelines are bit-packed arrays ``(words, persons)``.

[`ArrayOps`][insurrules.population.arrays.ArrayOps] is the population backend of
[`insurrules.timeline.TimelineOps`][insurrules.timeline.TimelineOps]; every operation has the
meaning of the same-named [`BitOps`][insurrules.timeline.BitOps] method, applied to every person at
once. A timeline is a ``uint64`` array of shape ``(words, persons)``: bit ``i % 64`` of ``x[i // 64,
p]`` is month ``origin + i`` of person ``p`` (the bit-set idea of ``BitOps``, one column per
person), so ``&``, ``|`` and shifts touch 64 months per machine word, and each word row is
contiguous over persons (long, vectorisable loops); bits past the frame are always 0. ``to_bool``
and ``from_bool`` convert to and from boolean ``(persons, months)`` arrays. The two backends are
tested against each other on random timelines (``tests/population/test_arrays.py``).

Constant timelines (``empty``, ``full``, ``months``, ``year_starts``) are read-only broadcast views:
rules combine timelines with ``&``/``|`` and never write into them.

Person-level values may be per-person arrays: ``since``/``until``/``months`` accept month-index
arrays of shape ``(persons,)`` and ``flag`` a boolean array of that shape.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from insurrules.timeline import NO_MONTH

__all__ = ["NO_MONTH", "AdvanceRecords", "ArrayOps", "pack", "unpack"]

Timeline = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]
Months = npt.NDArray[np.int64]


class AdvanceRecords:
    """Payment records for the prepaid route: ``(person row, month, arrival month)`` arrays."""

    __slots__ = ("arrival", "month", "row")

    def __init__(self, row: Any, month: Any, arrival: Any) -> None:
        self.row = np.asarray(row, dtype=np.int64)
        self.month = np.asarray(month, dtype=np.int64)
        self.arrival = np.asarray(arrival, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.row.shape[0])


#: _LOW[k]: the k lowest bits set (k = 0..64)
_LOW = np.array([(1 << k) - 1 for k in range(65)], dtype=np.uint64)


def pack(bits: Bools, words: int) -> Timeline:
    """Boolean ``(persons, months)`` -> packed ``(words, persons)`` (month i = bit i)."""
    rows = bits.shape[0]
    packed = np.packbits(bits, axis=1, bitorder="little")
    out = np.zeros((rows, words * 8), dtype=np.uint8)
    out[:, : packed.shape[1]] = packed
    return np.ascontiguousarray(out.view(np.uint64).T)


def unpack(x: Timeline, length: int) -> Bools:
    """Packed ``(words, persons)`` -> boolean ``(persons, length)``."""
    raw = np.ascontiguousarray(np.asarray(x, dtype=np.uint64).T).view(np.uint8)
    return np.unpackbits(raw, axis=1, count=length, bitorder="little").view(np.bool_)


class ArrayOps:
    """Timeline operations over ``persons`` and ``length`` months from ``origin``."""

    __slots__ = ("_cols", "_mask", "length", "origin", "persons", "shape", "words")

    def __init__(self, origin: int, length: int, persons: int) -> None:
        self.origin = origin
        self.length = length
        self.persons = persons
        self.words = max(1, -(-length // 64))
        self.shape = (self.words, persons)
        self._cols = np.arange(origin, origin + length, dtype=np.int64)
        self._mask = self._span_row(origin, origin + length - 1)

    # -- conversions -------------------------------------------------------------------------
    def from_bool(self, bits: Any) -> Timeline:
        """A packed timeline from a boolean ``(persons, length)`` array."""
        return pack(np.asarray(bits, dtype=np.bool_), self.words)

    def to_bool(self, x: Timeline) -> Bools:
        """The boolean ``(persons, length)`` array of a timeline."""
        return unpack(np.broadcast_to(x, self.shape), self.length)

    def _span_row(self, first: int | None, last: int | None) -> Timeline:
        """Months ``first..last`` (inclusive) as one ``(words,)`` column of words."""
        base = self.origin + 64 * np.arange(self.words, dtype=np.int64)
        lo = 0 if first is None else first
        hi = self.origin + self.length - 1 if last is None else last
        hi = min(hi, self.origin + self.length - 1)
        lo_bit = np.clip(lo - base, 0, 64)
        hi_bit = np.clip(hi - base + 1, 0, 64)
        row = _LOW[hi_bit] & ~_LOW[lo_bit]
        return np.where(hi_bit > lo_bit, row, np.uint64(0)).astype(np.uint64)

    def _const(self, column: Timeline) -> Timeline:
        return np.broadcast_to(column[:, None], self.shape)

    # -- constructors ------------------------------------------------------------------------
    def empty(self) -> Timeline:
        return np.broadcast_to(np.uint64(0), self.shape)

    def full(self) -> Timeline:
        return self._const(self._mask)

    def not_(self, x: Timeline) -> Timeline:
        out: Timeline = x ^ self._mask[:, None]
        return out

    def months(self, first: Any, last: Any) -> Timeline:
        """Months ``first..last`` (absolute indices, inclusive; ``None`` = open).

        Scalars give the same months to every person; ``(persons,)`` arrays one span each.
        """
        if (first is None or np.ndim(first) == 0) and (last is None or np.ndim(last) == 0):
            return self._const(
                self._span_row(
                    None if first is None else int(first), None if last is None else int(last)
                )
            )
        base = self.origin + 64 * np.arange(self.words, dtype=np.int64)[:, None]
        top = self.origin + self.length - 1
        lo = (
            np.zeros((1, 1), dtype=np.int64)
            if first is None
            else np.asarray(first, dtype=np.int64).reshape(1, -1)
        )
        hi = (
            np.full((1, 1), top, dtype=np.int64)
            if last is None
            else np.minimum(np.asarray(last, dtype=np.int64).reshape(1, -1), top)
        )
        lo_bit = np.clip(lo - base, 0, 64)
        hi_bit = np.clip(hi - base + 1, 0, 64)
        out = np.where(hi_bit > lo_bit, _LOW[hi_bit] & ~_LOW[lo_bit], np.uint64(0))
        return np.ascontiguousarray(np.broadcast_to(out, self.shape), dtype=np.uint64)

    def since(self, first: Any) -> Timeline:
        return self.months(first, None)

    def until(self, last: Any) -> Timeline:
        return self.months(None, last)

    def flag(self, value: Any) -> Timeline:
        """A person-level fact as a timeline: every month, or none (per person)."""
        if np.ndim(value) == 0:
            return self.full() if bool(value) else self.empty()
        on = np.asarray(value, dtype=np.bool_).reshape(1, -1)
        return np.where(on, self._mask[:, None], np.uint64(0)).astype(np.uint64)

    def from_cells(self, rows: Any, months: Any) -> Timeline:
        """True at each ``(person, month)`` pair (absolute month indices; others ignored)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(months, dtype=np.int64) - self.origin
        keep = (cols >= 0) & (cols < self.length)
        out = np.zeros(self.shape, dtype=np.uint64)
        rows, cols = rows[keep], cols[keep]
        bit = np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64))
        np.bitwise_or.at(out, (cols // 64, rows), bit)
        return out

    def from_spans(self, rows: Any, first: Any, last: Any) -> Timeline:
        """True in months ``first..last`` (inclusive) of each person; spans may repeat a person."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(self.shape, dtype=np.uint64)
        if rows.size == 0:
            return out
        people, local = np.unique(rows, return_inverse=True)
        spans = ArrayOps(self.origin, self.length, rows.size).months(
            np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)
        )
        merged = np.zeros((people.size, self.words), dtype=np.uint64)
        np.bitwise_or.at(merged, local, np.ascontiguousarray(spans.T))
        out[:, people] = merged.T
        return out

    # -- operations ----------------------------------------------------------------------------
    def shift(self, x: Timeline, k: int, before: bool = False) -> Timeline:
        """Value at month m is ``x`` at m-k (k > 0: later); months before the frame = ``before``."""
        if k < 0:
            raise ValueError(f"shift needs k >= 0, got {k}")
        w = self.words
        q, r = divmod(k, 64)
        out = np.empty(self.shape, dtype=np.uint64)
        if q >= w:
            out[:] = 0
        else:
            src = np.broadcast_to(x, self.shape)[: w - q]
            out[:q] = 0
            if r == 0:
                out[q:] = src
            else:
                np.left_shift(src, np.uint64(r), out=out[q:])
                if q + 1 < w:
                    out[q + 1 :] |= src[: w - q - 1] >> np.uint64(64 - r)
            out[-1] &= self._mask[-1]  # bits shifted past the frame
        if before and k:
            out |= self._span_row(self.origin, self.origin + k - 1)[:, None]
        return out

    def window_any(self, x: Timeline, n: int) -> Timeline:
        """True at m when ``x`` holds in some month of m-n+1..m."""
        out = np.array(np.broadcast_to(x, self.shape), dtype=np.uint64)
        span = 1
        while span * 2 <= n:
            out |= self.shift(out, span)
            span *= 2
        if span < n:
            out |= self.shift(out, n - span)
        return out

    def window_all(self, x: Timeline, n: int, before: bool = False) -> Timeline:
        """True at m when ``x`` holds in every month of m-n+1..m (months before frame=before)."""
        out = self.not_(self.window_any(self.not_(x), n))
        if not before and n > 1:
            out &= self._span_row(self.origin + n - 1, None)[:, None]
        return out

    def carry(self, x: Timeline, block: Timeline, n: int) -> Timeline:
        """``x`` carried forward up to ``n`` months through months not in ``block``.

        True at m when x holds at some j in m-n..m and no month in j+1..m is in ``block``.
        Computed by doubling: ``R_k`` (reach k months) and ``O_k`` (k open months ending at m)
        combine as ``R_{a+b}[m] = R_b[m] | (R_a[m-b] & O_b[m])``.
        """
        n = min(n, self.length)
        x = np.broadcast_to(x, self.shape)
        people = np.flatnonzero(x.any(axis=0))
        if people.size < self.persons // 2:  # carry only the persons it can reach
            out = np.zeros(self.shape, dtype=np.uint64)
            if people.size:
                sub = ArrayOps(self.origin, self.length, people.size)
                out[:, people] = sub._carry(
                    x[:, people], np.broadcast_to(block, self.shape)[:, people], n
                )
            return out
        return self._carry(x, block, n)

    def _carry(self, x: Timeline, block: Timeline, n: int) -> Timeline:
        open_ = self.not_(block)
        res = np.array(np.broadcast_to(x, self.shape), dtype=np.uint64)
        res_open = self.full()
        res_k = 0
        pw = res | (self.shift(res, 1) & open_)
        pw_open = open_
        p = 1
        while n:
            if n & 1:
                if res_k == 0:
                    res, res_open = pw, pw_open
                else:
                    res = pw | (self.shift(res, p) & pw_open)
                    res_open = pw_open & self.shift(res_open, p, before=True)
                res_k += p
            n >>= 1
            if n:
                pw, pw_open = (
                    pw | (self.shift(pw, p) & pw_open),
                    pw_open & self.shift(pw_open, p, before=True),
                )
                p *= 2
        return np.array(np.broadcast_to(res, self.shape), dtype=np.uint64)

    @staticmethod
    def surely_empty(x: Timeline) -> bool:
        """Never claimed: arrays are always evaluated (a population's timelines are rarely
        empty for every person, and a scan would cost what it saves)."""
        return False

    @staticmethod
    def frame_key() -> Hashable | None:
        """None: arrays are mutable, and one population's frame is evaluated once."""
        return None

    def year_starts(self) -> Timeline:
        """The January months of the frame."""
        return self._const(pack((self._cols % 12 == 0)[None, :], self.words)[:, 0])

    def runs_reaching(self, x: Timeline, skip: Timeline, n: int) -> Timeline:
        """True at m when the last ``n`` months up to m that are not in ``skip`` all hold in ``x``.

        Months in ``skip`` neither count nor break the run; months before the frame break it.
        With ``c`` the running count of counted months, the run at m is ``c[m] - c[b]`` for the
        last breaking month b (``c`` never decreases, so ``c[b]`` is a running maximum).
        Only persons with some month in ``x`` can have a run.
        """
        out = np.zeros(self.shape, dtype=np.uint64)
        if n <= 0:
            return out | self._mask[:, None]
        x = np.broadcast_to(x, self.shape)
        skip = np.broadcast_to(skip, self.shape)
        has_x = x.any(axis=0)
        has_skip = skip.any(axis=0)
        # without skipped months the run is an n-month window (as in BitOps), done on the words
        plain = np.flatnonzero(has_x & ~has_skip)
        if plain.size:
            sub = ArrayOps(self.origin, self.length, plain.size)
            out[:, plain] = sub.window_all(x[:, plain], n)
        people = np.flatnonzero(has_x & has_skip)
        if people.size == 0:
            return out
        sub = ArrayOps(self.origin, self.length, people.size)
        counted = ~sub.to_bool(skip[:, people])
        held = sub.to_bool(x[:, people])
        small = self.length < np.iinfo(np.int16).max
        dtype = np.int16 if small else np.int32
        count: npt.NDArray[np.signedinteger[Any]] = np.cumsum(counted, axis=1, dtype=dtype)
        breaks = counted & ~held
        at_break = count * breaks
        np.maximum.accumulate(at_break, axis=1, out=at_break)
        count -= at_break
        out[:, people] = pack(count >= n, self.words)
        return out

    def advance_windows(self, records: AdvanceRecords, n: int) -> Timeline:
        """Months P where each of P..P+n-1 has a record that arrived before P.

        A record counts for window start P only when its arrival month is before P; only the
        earliest arrival per (person, month) matters. Months P..P+n-1 may lie past the frame.
        """
        out = np.zeros(self.shape, dtype=np.uint64)
        if len(records) == 0 or n <= 0:
            return out
        keep = records.arrival < records.month
        rows, month, arrival = records.row[keep], records.month[keep], records.arrival[keep]
        cols = month - self.origin
        width = self.length + n - 1
        inside = (cols >= 0) & (cols < width)
        rows, cols, arrival = rows[inside], cols[inside], arrival[inside]
        if rows.size == 0:
            return out
        people, local = np.unique(rows, return_inverse=True)
        big = np.iinfo(np.int64).max
        earliest = np.full((people.size, width), big, dtype=np.int64)
        np.minimum.at(earliest, (local, cols), arrival)
        # latest[P] = max earliest arrival over P..P+n-1 (forward window, by doubling)
        latest = earliest
        span = 1
        while span * 2 <= n:
            nxt = np.full_like(latest, big)
            nxt[:, : width - span] = latest[:, span:]
            latest = np.maximum(latest, nxt)
            span *= 2
        if span < n:
            nxt = np.full_like(latest, big)
            nxt[:, : width - (n - span)] = latest[:, n - span :]
            latest = np.maximum(latest, nxt)
        out[:, people] = pack(latest[:, : self.length] < self._cols[None, :], self.words)
        return out

    # -- reading ----------------------------------------------------------------------------------
    def holds(self, x: Timeline, month: int) -> Bools:
        """Per person: does ``x`` hold in ``month``."""
        i = month - self.origin
        if not 0 <= i < self.length:
            return np.zeros(self.persons, dtype=np.bool_)
        word = np.broadcast_to(x, self.shape)[i // 64]
        out: Bools = ((word >> np.uint64(i % 64)) & np.uint64(1)).astype(np.bool_)
        return out

    def holds_each(self, x: Timeline, months: Any) -> Bools:
        """Per person p: does ``x`` hold in ``months[p]`` (months outside the frame: False)."""
        months = np.asarray(months, dtype=np.int64)
        # persons asking about the same month usually come in runs: read a word row per run
        changes = np.flatnonzero(months[1:] != months[:-1]) + 1
        if changes.size < 32:
            out = np.empty(self.persons, dtype=np.bool_)
            bounds = [0, *changes.tolist(), self.persons]
            for a, b in pairwise(bounds):
                if b > a:
                    out[a:b] = self._holds_slice(x, int(months[a]), a, b)
            return out
        i = months - self.origin
        inside = (i >= 0) & (i < self.length)
        j = np.where(inside, i, 0)
        word = np.broadcast_to(x, self.shape)[j // 64, np.arange(self.persons)]
        bit = ((word >> (j % 64).astype(np.uint64)) & np.uint64(1)).astype(np.bool_)
        found: Bools = inside & bit
        return found

    def _holds_slice(self, x: Timeline, month: int, a: int, b: int) -> Bools:
        i = month - self.origin
        if not 0 <= i < self.length:
            return np.zeros(b - a, dtype=np.bool_)
        word = np.broadcast_to(x, self.shape)[i // 64, a:b]
        out: Bools = ((word >> np.uint64(i % 64)) & np.uint64(1)).astype(np.bool_)
        return out

    def last(self, x: Timeline) -> Months:
        """Per person: the last month where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH]."""
        x = np.broadcast_to(x, self.shape)
        nonzero = x != 0
        found = nonzero.any(axis=0)
        word = self.words - 1 - np.argmax(nonzero[::-1], axis=0)
        value = x[word, np.arange(self.persons)]
        month = self.origin + 64 * word + _bit_length(value) - 1
        return np.where(found, month, NO_MONTH).astype(np.int64)

    def first(self, x: Timeline) -> Months:
        """Per person: the first month where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH]."""
        x = np.broadcast_to(x, self.shape)
        nonzero = x != 0
        found = nonzero.any(axis=0)
        word = np.argmax(nonzero, axis=0)
        value = x[word, np.arange(self.persons)]
        lowest = value & (~value + np.uint64(1))  # the lowest set bit alone
        month = self.origin + 64 * word + _bit_length(lowest) - 1
        return np.where(found, month, NO_MONTH).astype(np.int64)

    @staticmethod
    def _one(month: Any) -> Any:
        """``month`` as one month when it is the same for every person."""
        if np.ndim(month) and month.size and month.min() == month.max():
            return int(month[0])
        return month

    def _until_mask(self, month: Any) -> Timeline:
        """Months up to ``month`` (one for all, or one per person)."""
        month = self._one(month)
        if np.ndim(month) == 0:
            return self._span_row(None, int(month))[:, None]
        return self.months(None, month)

    def _from_mask(self, month: Any) -> Timeline:
        month = self._one(month)
        if np.ndim(month) == 0:
            return self._span_row(int(month), None)[:, None]
        return self.months(month, None)

    def last_at_or_before(self, x: Timeline, month: Any) -> Months:
        """Per person: the last month <= ``month`` where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH].

        ``month``: one month for all, or an array with one per person.
        """
        month = self._one(month)
        if np.ndim(month) == 0 and int(month) < self.origin:
            return np.full(self.persons, NO_MONTH, dtype=np.int64)
        return self.last(x & self._until_mask(month))

    def run_around(self, x: Timeline, month: Any) -> tuple[Months, Months]:
        """Per person: the maximal run holding ``x`` that contains ``month`` (``lo``, ``hi``).

        ``month``: one month for all, or one per person. Meaningful only where ``x`` holds in
        it; elsewhere both are [`NO_MONTH`][insurrules.timeline.NO_MONTH].
        """
        month = self._one(month)
        held = self.holds(x, month) if np.ndim(month) == 0 else self.holds_each(x, month)
        gaps = self.not_(x)
        below = self.last(gaps & self._until_mask(np.asarray(month) - 1))
        above = self.first(gaps & self._from_mask(np.asarray(month) + 1))
        lo = np.where(below == NO_MONTH, self.origin, below + 1)
        hi = np.where(above == NO_MONTH, self.origin + self.length - 1, above - 1)
        return (
            np.where(held, lo, NO_MONTH).astype(np.int64),
            np.where(held, hi, NO_MONTH).astype(np.int64),
        )

    def first_holding(self, timelines: Sequence[Timeline], months: Any) -> Months:
        """Per person: the index of the first of ``timelines`` holding in ``months[p]``, else -1."""
        out = np.full(self.persons, -1, dtype=np.int64)
        for k in reversed(range(len(timelines))):
            out[self.holds_each(timelines[k], months)] = k
        return out

    def any_each(self, x: Timeline) -> Bools:
        """Per person: does ``x`` hold in some month."""
        found: Bools = np.asarray(np.broadcast_to(x, self.shape).any(axis=0))
        return found

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return np.where(cond, a, b)

    @staticmethod
    def unless(x: Any, cond: Any) -> Bools:
        out: Bools = np.asarray(x) & ~np.asarray(cond)
        return out

    @staticmethod
    def later(a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    @staticmethod
    def earlier(a: Any, b: Any) -> Any:
        return np.minimum(a, b)

    @staticmethod
    def distinct(values: Any) -> list[int]:
        found: list[int] = np.unique(values).tolist()
        return found

    @staticmethod
    def per_month(f: Callable[[int], tuple[int, ...]], months: Any) -> tuple[Months, ...]:
        """``f`` (a function of one month giving integers) at each person's month, computed once
        per distinct month."""
        distinct, back = np.unique(np.asarray(months, dtype=np.int64), return_inverse=True)
        table = np.array([f(int(m)) for m in distinct], dtype=np.int64).reshape(distinct.size, -1)
        return tuple(table[back, k] for k in range(table.shape[1]))


def _bit_length(value: Timeline) -> Months:
    """``int.bit_length`` of each uint64 (exact: each 32-bit half fits a float64 mantissa)."""
    high = (value >> np.uint64(32)).astype(np.float64)
    low = (value & np.uint64(0xFFFFFFFF)).astype(np.float64)
    out: Months = np.where(high > 0, 32 + np.frexp(high)[1], np.frexp(low)[1]).astype(np.int64)
    return out
