"""Timeline operations for a population: timelines are boolean arrays ``(persons, months)``.

:class:`ArrayOps` is the population backend of :class:`insurrules.timeline.TimelineOps`; every
operation has the meaning of the same-named :class:`~insurrules.timeline.BitOps` method, applied
to each person (row) at once. Column ``i`` is month ``origin + i``. The two backends are tested
against each other on random timelines (``tests/population/test_arrays.py``).

Constant timelines (``empty``, ``full``, ``months``, ``year_starts``) are read-only broadcast views:
rules combine timelines with ``&``/``|`` and never write into them.

Person-level values may be per-person arrays: ``since``/``until``/``months`` accept month-index
arrays of shape ``(persons,)`` and ``flag`` a boolean array of that shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["NO_MONTH", "AdvanceRecords", "ArrayOps"]

Timeline = npt.NDArray[np.bool_]
Months = npt.NDArray[np.int64]

#: "No month" in per-person month results (``last_at_or_before`` when nothing holds).
NO_MONTH = -1


class AdvanceRecords:
    """Payment records for the prepaid route: ``(person row, month, arrival month)`` arrays."""

    __slots__ = ("arrival", "month", "row")

    def __init__(self, row: Any, month: Any, arrival: Any) -> None:
        self.row = np.asarray(row, dtype=np.int64)
        self.month = np.asarray(month, dtype=np.int64)
        self.arrival = np.asarray(arrival, dtype=np.int64)

    def __len__(self) -> int:
        return int(self.row.shape[0])


class ArrayOps:
    """Timeline operations over ``persons`` rows and ``length`` months from ``origin``."""

    __slots__ = ("_cols", "length", "origin", "persons", "shape")

    def __init__(self, origin: int, length: int, persons: int) -> None:
        self.origin = origin
        self.length = length
        self.persons = persons
        self.shape = (persons, length)
        self._cols = np.arange(origin, origin + length, dtype=np.int64)

    # -- constructors ------------------------------------------------------------------------
    def _const(self, row: npt.NDArray[np.bool_]) -> Timeline:
        return np.broadcast_to(row[None, :], self.shape)

    def empty(self) -> Timeline:
        return np.broadcast_to(np.False_, self.shape)

    def full(self) -> Timeline:
        return np.broadcast_to(np.True_, self.shape)

    def not_(self, x: Timeline) -> Timeline:
        return ~x

    def months(self, first: Any, last: Any) -> Timeline:
        """Months ``first..last`` (absolute indices, inclusive; ``None`` = open).

        Scalars give the same months to every person; ``(persons,)`` arrays one span each.
        """
        if (first is None or np.ndim(first) == 0) and (last is None or np.ndim(last) == 0):
            cols = self._cols
            row = np.ones(self.length, dtype=np.bool_)
            if first is not None:
                row &= cols >= first
            if last is not None:
                row &= cols <= last
            return self._const(row)
        out = np.ones(self.shape, dtype=np.bool_)
        if first is not None:
            out &= self._cols[None, :] >= np.asarray(first, dtype=np.int64).reshape(-1, 1)
        if last is not None:
            out &= self._cols[None, :] <= np.asarray(last, dtype=np.int64).reshape(-1, 1)
        return out

    def since(self, first: Any) -> Timeline:
        return self.months(first, None)

    def until(self, last: Any) -> Timeline:
        return self.months(None, last)

    def flag(self, value: Any) -> Timeline:
        """A person-level fact as a timeline: every month, or none (per person)."""
        if np.ndim(value) == 0:
            return self.full() if bool(value) else self.empty()
        return np.broadcast_to(np.asarray(value, dtype=np.bool_).reshape(-1, 1), self.shape)

    def from_cells(self, rows: Any, months: Any) -> Timeline:
        """True at each ``(row, month)`` pair (absolute month indices; outside the frame ignored)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(months, dtype=np.int64) - self.origin
        keep = (cols >= 0) & (cols < self.length)
        flat = np.zeros(self.persons * self.length, dtype=np.bool_)
        flat[rows[keep] * self.length + cols[keep]] = True
        return flat.reshape(self.shape)

    def from_spans(self, rows: Any, first: Any, last: Any) -> Timeline:
        """True in months ``first..last`` (inclusive) of each row; spans may repeat a row."""
        rows = np.asarray(rows, dtype=np.int64)
        lo = np.clip(np.asarray(first, dtype=np.int64) - self.origin, 0, self.length)
        hi = np.clip(np.asarray(last, dtype=np.int64) - self.origin + 1, 0, self.length)
        keep = lo < hi
        width = self.length + 1
        size = self.persons * width
        starts = np.bincount(rows[keep] * width + lo[keep], minlength=size)
        ends = np.bincount(rows[keep] * width + hi[keep], minlength=size)
        depth = np.cumsum((starts - ends).reshape(self.persons, width), axis=1)
        return depth[:, : self.length] > 0

    # -- operations ----------------------------------------------------------------------------
    def shift(self, x: Timeline, k: int, before: bool = False) -> Timeline:
        """Value at month m is ``x`` at m-k (k > 0: later); months before the frame = ``before``."""
        if k <= 0:
            if k == 0:
                return np.array(x, dtype=np.bool_)
            raise ValueError(f"shift needs k >= 0, got {k}")
        out = np.empty(self.shape, dtype=np.bool_)
        k = min(k, self.length)
        out[:, :k] = before
        out[:, k:] = x[:, : self.length - k]
        return out

    def window_any(self, x: Timeline, n: int) -> Timeline:
        """True at m when ``x`` holds in some month of m-n+1..m."""
        out = np.array(x, dtype=np.bool_)
        span = 1
        while span * 2 <= n:
            out = out | self.shift(out, span)
            span *= 2
        if span < n:
            out = out | self.shift(out, n - span)
        return out

    def window_all(self, x: Timeline, n: int, before: bool = False) -> Timeline:
        """True at m when ``x`` holds in every month of m-n+1..m (months before frame=before)."""
        out = ~self.window_any(~x, n)
        if not before:
            out[:, : min(max(n - 1, 0), self.length)] = False
        return out

    def carry(self, x: Timeline, block: Timeline, n: int) -> Timeline:
        """``x`` carried forward up to ``n`` months through months not in ``block``.

        True at m when x holds at some j in m-n..m and no month in j+1..m is in ``block``.
        Computed by doubling: ``R_k`` (reach k months) and ``O_k`` (k open months ending at m)
        combine as ``R_{a+b}[m] = R_b[m] | (R_a[m-b] & O_b[m])``.
        """
        n = min(n, self.length)
        open_: Timeline = ~block
        res: Timeline = np.array(x, dtype=np.bool_)
        res_open: Timeline = np.ones(self.shape, dtype=np.bool_)
        res_k = 0
        pw: Timeline = x | (self.shift(x, 1) & open_)
        pw_open = open_
        p = 1
        while n:
            if n & 1:
                if res_k == 0:
                    res, res_open = np.array(pw), np.array(pw_open)
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
        return res

    def year_starts(self) -> Timeline:
        """The January months of the frame."""
        return self._const(self._cols % 12 == 0)

    def runs_reaching(self, x: Timeline, skip: Timeline, n: int) -> Timeline:
        """True at m when the last ``n`` months up to m that are not in ``skip`` all hold in ``x``.

        Months in ``skip`` neither count nor break the run; months before the frame break it.
        The run length at m is the number of counted months since the last breaking month.
        """
        counted = ~skip
        count = np.cumsum(counted, axis=1, dtype=np.int32)
        breaker = counted & ~x
        last_break = np.where(breaker, np.arange(self.length, dtype=np.int32)[None, :], -1)
        np.maximum.accumulate(last_break, axis=1, out=last_break)
        at_break = np.take_along_axis(count, np.maximum(last_break, 0), axis=1)
        at_break[last_break < 0] = 0
        return (count - at_break) >= n

    def advance_windows(self, records: AdvanceRecords, n: int) -> Timeline:
        """Months P where each of P..P+n-1 has a record that arrived before P.

        A record counts for window start P only when its arrival month is before P; only the
        earliest arrival per (person, month) matters. Months P..P+n-1 may lie past the frame.
        """
        out = np.zeros(self.shape, dtype=np.bool_)
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
        starts = latest[:, : self.length] < self._cols[None, :]
        out[people] = starts
        return out

    # -- reading ----------------------------------------------------------------------------------
    def holds(self, x: Timeline, month: int) -> npt.NDArray[np.bool_]:
        """Per person: does ``x`` hold in ``month``."""
        i = month - self.origin
        if not 0 <= i < self.length:
            return np.zeros(self.persons, dtype=np.bool_)
        return np.array(x[:, i], dtype=np.bool_)

    def last_at_or_before(self, x: Timeline, month: int) -> Months:
        """Per person: the last month <= ``month`` where ``x`` holds, else :data:`NO_MONTH`."""
        i = month - self.origin
        if i < 0:
            return np.full(self.persons, NO_MONTH, dtype=np.int64)
        part = x[:, : min(i, self.length - 1) + 1]
        rev = part[:, ::-1]
        found = rev.any(axis=1)
        last = part.shape[1] - 1 - np.argmax(rev, axis=1)
        return np.where(found, last + self.origin, NO_MONTH).astype(np.int64)

    def run_around(self, x: Timeline, month: int) -> tuple[Months, Months]:
        """Per person: the maximal run holding ``x`` that contains ``month`` (``lo``, ``hi``).

        Meaningful only where ``holds(x, month)``; elsewhere both are :data:`NO_MONTH`.
        """
        i = month - self.origin
        held = self.holds(x, month)
        lo = np.full(self.persons, NO_MONTH, dtype=np.int64)
        hi = np.full(self.persons, NO_MONTH, dtype=np.int64)
        if not held.any():
            return lo, hi
        below = ~x[:, :i][:, ::-1]
        gap_below = below.any(axis=1)
        lo_i = np.where(gap_below, i - np.argmax(below, axis=1), 0)
        above = ~x[:, i:]
        gap_above = above.any(axis=1)
        hi_i = np.where(gap_above, i + np.argmax(above, axis=1) - 1, self.length - 1)
        lo[held] = lo_i[held] + self.origin
        hi[held] = hi_i[held] + self.origin
        return lo, hi
