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


_ONES = np.uint64(2**64 - 1)

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
        # word by word: the months from ``first`` on are the bits from ``first - base`` up, those
        # up to ``last`` the bits below ``last - base + 1`` (offsets clipped to 0..64)
        out = np.empty(self.shape, dtype=np.uint64)
        out[:] = self._mask[:, None]
        edge = 64 * self.words
        offsets = np.int16 if edge < np.iinfo(np.int16).max else np.int64
        if first is not None:
            lo = np.clip(np.asarray(first, dtype=np.int64) - self.origin, 0, edge).astype(offsets)
            for i in range(self.words):
                out[i] &= _ONES << np.clip(lo - 64 * i, 0, 64).astype(np.uint8)
        if last is not None:
            hi = np.clip(np.asarray(last, dtype=np.int64) - self.origin + 1, 0, edge).astype(
                offsets
            )
            for i in range(self.words):
                out[i] &= _ONES >> (64 - np.clip(hi - 64 * i, 0, 64)).astype(np.uint8)
        return out

    def since(self, first: Any) -> Timeline:
        return self.months(first, None)

    def until(self, last: Any) -> Timeline:
        return self.months(None, last)

    def flag(self, value: Any) -> Timeline:
        """A person-level fact as a timeline: every month, or none (per person)."""
        if np.ndim(value) == 0:
            return self.full() if bool(value) else self.empty()
        on = np.asarray(value, dtype=np.bool_).reshape(1, -1)
        out: Timeline = np.where(on, self._mask[:, None], np.uint64(0))
        return out

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
        first = np.broadcast_to(np.asarray(first, dtype=np.int64), rows.shape)
        last = np.broadcast_to(np.asarray(last, dtype=np.int64), rows.shape)
        if rows.size > 1 and (rows[1:] < rows[:-1]).any():
            order = np.argsort(rows, kind="stable")
            rows, first, last = rows[order], first[order], last[order]
        spans = ArrayOps(self.origin, self.length, rows.size).months(first, last)
        # each person's spans are consecutive: one ``|`` over each run of them
        starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        if starts.size < rows.size:
            spans = np.bitwise_or.reduceat(spans, starts, axis=1)
        out[:, rows[starts]] = spans
        return out

    # -- operations ----------------------------------------------------------------------------
    def shift(self, x: Timeline, k: int, before: bool = False) -> Timeline:
        """Value at month m is ``x`` at m-k (k > 0: later); months before the frame = ``before``."""
        if k < 0:
            raise ValueError(f"shift needs k >= 0, got {k}")
        out = np.zeros(self.shape, dtype=np.uint64)
        self._or_shifted(out, x, k)
        if before and k:
            self._or_rows(out, self._span_row(self.origin, self.origin + k - 1))
        return out

    def _or_shifted(self, out: Timeline, x: Timeline, k: int) -> None:
        """``out |= shift(x, k)``, in place; ``x`` may be ``out`` itself.

        Word row by word row from the last: row i reads rows i-q and i-q-1 of ``x`` only, which
        are not yet written when ``x`` is ``out``; one row of scratch instead of a shifted copy
        of the whole timeline.
        """
        w = self.words
        q, r = divmod(k, 64)
        if q >= w:
            return
        src = np.broadcast_to(x, self.shape)
        if r == 0:
            out[q:] |= src[: w - q]
        else:
            scratch = np.empty(self.persons, dtype=np.uint64)
            left, right = np.uint64(r), np.uint64(64 - r)
            for i in range(w - 1, q - 1, -1):
                np.left_shift(src[i - q], left, out=scratch)
                out[i] |= scratch
                if i > q:
                    np.right_shift(src[i - q - 1], right, out=scratch)
                    out[i] |= scratch
        out[-1] &= self._mask[-1]  # bits shifted past the frame

    def _or_rows(self, out: Timeline, column: Timeline) -> None:
        """``out |= column`` for a ``(words,)`` column, touching only its nonzero words."""
        for i in np.flatnonzero(column).tolist():
            out[i] |= column[i]

    def _and_rows(self, out: Timeline, column: Timeline) -> None:
        """``out &= column`` for a ``(words,)`` column, touching only the words it clears in."""
        for i in np.flatnonzero(column != self._mask).tolist():
            out[i] &= column[i]

    def window_any(self, x: Timeline, n: int) -> Timeline:
        """True at m when ``x`` holds in some month of m-n+1..m."""
        x = np.broadcast_to(x, self.shape)
        people = np.flatnonzero(x.any(axis=0))
        if people.size < self.persons // 2:  # spread only the persons with a month to spread
            out = np.zeros(self.shape, dtype=np.uint64)
            if people.size:
                part = np.array(x[:, people], dtype=np.uint64)
                ArrayOps(self.origin, self.length, people.size)._spread(part, n)
                out[:, people] = part
            return out
        out = np.array(x, dtype=np.uint64)
        self._spread(out, n)
        return out

    def _spread(self, out: Timeline, n: int) -> None:
        """``out = window_any(out, n)``, in place (doubling: after each step ``out`` covers
        windows of length ``span``)."""
        span = 1
        while span * 2 <= n:
            self._or_shifted(out, out, span)
            span *= 2
        if span < n:
            self._or_shifted(out, out, n - span)

    def window_all(self, x: Timeline, n: int, before: bool = False) -> Timeline:
        """True at m when ``x`` holds in every month of m-n+1..m (months before frame=before)."""
        out = self.not_(x)
        self._spread(out, n)
        out ^= self._mask[:, None]
        if not before and n > 1:
            self._and_rows(out, self._span_row(self.origin + n - 1, None))
        return out

    def carry(self, x: Timeline, block: Timeline, n: int) -> Timeline:
        """``x`` carried forward up to ``n`` months through months not in ``block``.

        True at m when x holds at some j in m-n..m and no month in j+1..m is in ``block``: the
        last month L <= m where x holds is in m-n..m (``window_any(x, n + 1)``) and no month of
        L+1..m is in ``block`` (x reaches m through months not in ``block``: ``_reach``).
        """
        n = min(n, self.length)
        x = np.broadcast_to(x, self.shape)
        block = np.broadcast_to(block, self.shape)
        if _is_constant(block) and not block[:, 0].any():
            return self.window_any(x, n + 1)  # nothing blocks: only the n months bound it
        people = np.flatnonzero(x.any(axis=0))
        if people.size < self.persons // 2:  # carry only the persons it can reach
            out = np.zeros(self.shape, dtype=np.uint64)
            if people.size:
                sub = ArrayOps(self.origin, self.length, people.size)
                out[:, people] = sub._carry(x[:, people], block[:, people], n)
            return out
        return self._carry(x, block, n)

    def _carry(self, x: Timeline, block: Timeline, n: int) -> Timeline:
        out = self._reach(x, block)
        if n < self.length - 1:  # else every month of the frame up to m is within n of m
            out &= self.window_any(x, n + 1)
        return out

    def _reach(self, x: Timeline, block: Timeline) -> Timeline:
        """True at m when x holds at some j <= m and no month in j+1..m is in ``block``.

        In ``t = x | ~block`` a run of set bits is the months that a month of x in it reaches,
        from that month to the run's end; adding ``x`` to ``t`` (one integer of ``words`` words,
        with their carries) clears each run from its first month of x up and sets the month
        after it: the changed bits, with x and within t, are the months reached.
        """
        t = self.not_(block)
        t |= x
        out = np.empty(self.shape, dtype=np.uint64)
        carry: Bools | None = None
        for i in range(self.words):
            total = np.add(t[i], x[i], out=out[i])
            over = total < t[i]
            if carry is not None:
                total += carry
                over |= carry & (total == 0)
            carry = over
            total ^= t[i]
            total |= x[i]
            total &= t[i]
        return out

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
        if n <= 0:
            return np.array(self.full())
        x = np.broadcast_to(x, self.shape)
        skip = np.broadcast_to(skip, self.shape)
        # without skipped months the run is an n-month window (as in BitOps), done on the words
        # for every person (no month in x: no run either way), then replaced where months skip
        out = self.window_all(x, n)
        people = np.flatnonzero(x.any(axis=0) & skip.any(axis=0))
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
        out: Bools = (word & np.uint64(1 << (i % 64))) != 0
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
        out: Bools = (word & np.uint64(1 << (i % 64))) != 0
        return out

    def last(self, x: Timeline) -> Months:
        """Per person: the last month where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH]."""
        return self._scan(x, self.origin, self.origin + self.length - 1, last=True)

    def first(self, x: Timeline) -> Months:
        """Per person: the first month where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH]."""
        return self._scan(x, self.origin, self.origin + self.length - 1, last=False)

    def _scan(self, x: Timeline, lo: int, hi: int, *, last: bool, gaps: bool = False) -> Months:
        """Per person: the last (or first) month of ``lo..hi`` where ``x`` holds (with ``gaps``:
        where it does not), else [`NO_MONTH`][insurrules.timeline.NO_MONTH].

        Only the words holding ``lo..hi`` are read, each once: the word where the month lies,
        then the month within it (``lo``/``hi``: one month for all).
        """
        x = np.broadcast_to(x, self.shape)
        lo, hi = max(lo, self.origin), min(hi, self.origin + self.length - 1)
        if hi < lo:
            return np.full(self.persons, NO_MONTH, dtype=np.int64)
        span = self._span_row(lo, hi)
        words = range((lo - self.origin) // 64, (hi - self.origin) // 64 + 1)
        word = np.full(self.persons, -1, dtype=np.int64)
        value = np.zeros(self.persons, dtype=np.uint64)
        v = np.empty(self.persons, dtype=np.uint64)
        found = np.empty(self.persons, dtype=np.bool_)
        # the word found last is kept: the latest word for ``last``, the earliest otherwise
        for i in words if last else reversed(words):
            if gaps:
                np.bitwise_xor(x[i], span[i], out=v)  # ~x within the span
            np.bitwise_and(v if gaps else x[i], span[i], out=v)
            np.not_equal(v, 0, out=found)
            np.copyto(word, i, where=found)
            np.copyto(value, v, where=found)
        if last:
            bit = _bit_length(value) - 1
        else:  # the bits below the lowest set bit, counted
            bit = np.bitwise_count(~value & (value - np.uint64(1))).astype(np.int64)
        month = self.origin + 64 * word + bit
        month[word < 0] = NO_MONTH
        return month

    @staticmethod
    def _one(month: Any) -> Any:
        """``month`` as one month when it is the same for every person."""
        if np.ndim(month) and month.size and month.min() == month.max():
            return int(month[0])
        return month

    def last_at_or_before(self, x: Timeline, month: Any) -> Months:
        """Per person: the last month <= ``month`` where ``x`` holds, else
        [`NO_MONTH`][insurrules.timeline.NO_MONTH].

        ``month``: one month for all, or an array with one per person.
        """
        month = self._one(month)
        if np.ndim(month) == 0:
            return self._scan(x, self.origin, int(month), last=True)
        return self.last(x & self.months(None, month))

    def run_around(self, x: Timeline, month: Any) -> tuple[Months, Months]:
        """Per person: the maximal run holding ``x`` that contains ``month`` (``lo``, ``hi``).

        ``month``: one month for all, or one per person. Meaningful only where ``x`` holds in
        it; elsewhere both are [`NO_MONTH`][insurrules.timeline.NO_MONTH].
        """
        month = self._one(month)
        if np.ndim(month) == 0:
            held = self.holds(x, month)
            end = self.origin + self.length - 1
            below = self._scan(x, self.origin, month - 1, last=True, gaps=True)
            above = self._scan(x, month + 1, end, last=False, gaps=True)
        else:
            held = self.holds_each(x, month)
            gaps = self.not_(x)
            below = self.last(gaps & self.months(None, month - 1))
            above = self.first(gaps & self.months(month + 1, None))
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
            np.copyto(out, k, where=self.holds_each(timelines[k], months))
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
        values = np.asarray(values)
        if values.size and values.min() == values.max():  # one value for all (no sort)
            return [values.flat[0].item()]
        found: list[int] = np.unique(values).tolist()
        return found

    def per_month(self, f: Callable[[int], tuple[int, ...]], months: Any) -> tuple[Months, ...]:
        """``f`` (a function of one month giving integers) at each person's month, computed once
        per distinct month."""
        month = self._one(np.asarray(months, dtype=np.int64))
        if np.ndim(month) == 0:  # one month for all (no sort)
            return tuple(np.full(np.shape(months), v, dtype=np.int64) for v in f(int(month)))
        distinct, back = np.unique(np.asarray(months, dtype=np.int64), return_inverse=True)
        table = np.array([f(int(m)) for m in distinct], dtype=np.int64).reshape(distinct.size, -1)
        return tuple(table[back, k] for k in range(table.shape[1]))


def _is_constant(x: Timeline) -> bool:
    """Every person's column is the same (a broadcast constant such as ``empty``/``months``)."""
    return x.ndim == 2 and x.strides[1] == 0


def _bit_length(value: Timeline) -> Months:
    """``int.bit_length`` of each uint64.

    The exponent of the nearest float64: that of ``value``, or one more where ``value`` (past 53
    bits) rounds up to a power of two, which the bits above it then show (``value >> (e - 1)``
    is 0).
    """
    e = np.frexp(value.astype(np.float64))[1].astype(np.int64)
    e -= (value >> np.maximum(e - 1, 0).astype(np.uint64)) == 0
    np.maximum(e, 0, out=e)  # value 0: exponent 0, less the one taken off
    return e
