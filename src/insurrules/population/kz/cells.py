"""Paid cells: the (person row, month) pairs some payment paid for, each with the day the first
of them arrived, and a bit-packed timeline per person
([`Cells`][insurrules.population.kz.cells.Cells]).

One builder makes them ([`_CellBuilder`][insurrules.population.kz.cells._CellBuilder]), from
records of whole persons in chunks: from a table of payment records after it is read
([`cell_sets`][insurrules.population.kz.cells.cell_sets]), or part by part while the records are
read ([`PartCells`][insurrules.population.kz.cells.PartCells]: the records need not be kept).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from insurrules.population.arrays import NO_MONTH, ArrayOps

__all__ = ["Cells", "PartCells", "cell_sets", "cells_of_records", "expand"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]


def expand(starts: Ints, stops: Ints) -> tuple[Ints, Ints]:
    """For ranges ``starts[i]..stops[i]`` (exclusive): the owner ``i`` and position of each item."""
    counts = stops - starts
    total = int(counts.sum())
    owner = np.repeat(np.arange(starts.size, dtype=np.int64), counts)
    if total == 0:
        return owner, np.zeros(0, dtype=np.int64)
    offset = np.cumsum(counts) - counts
    position = np.arange(total, dtype=np.int64) - np.repeat(offset - starts, counts)
    return owner, position


@dataclass(frozen=True)
class Cells:
    """Paid (person row, month) cells, each with the day its first payment arrived.

    ``rows_bits``: every cell as packed timelines from ``origin``, one row per person; the cells
    of row ``r`` are ``first[r]:stop[r]``, in order of arrival: ``day`` (the arrival day) is
    sorted within each row, so the cells that arrived by day ``d`` are the first ones up to a
    binary search; ``col``: each cell's month (months from ``origin``). Per cell, six bytes: on
    tens of millions of cells the memory is the cost (fresh memory is slow to touch). Positions
    no row owns may lie between the rows' cells (each builder of the table wrote where its
    records would fit, rather than the cells being copied together afterwards).
    """

    origin: int
    width: int
    rows_bits: Words  # (persons, words): one person's words together, gathered in one read
    first: Ints
    stop: Ints
    day: npt.NDArray[np.int32]
    col: npt.NDArray[np.int16]
    #: per cell, the last month (from ``origin``) among the row's cells up to it
    last_so_far: npt.NDArray[np.int16]

    def packed(self) -> Cells:
        """The same cells with no position between them (what a pickle holds: the unowned
        positions were never written, and are not the population's to send anywhere)."""
        counts = self.stop - self.first
        if int(counts.sum()) == self.day.size:
            return self
        _, at = expand(self.first, self.stop)
        stop = np.cumsum(counts)
        return Cells(
            self.origin,
            self.width,
            self.rows_bits,
            stop - counts,
            stop,
            self.day.take(at),
            self.col.take(at),
            self.last_so_far.take(at),
        )

    def __reduce__(self) -> tuple[Any, ...]:
        packed = self.packed()
        return (Cells, tuple(getattr(packed, f.name) for f in fields(Cells)))

    def cut(self, rows: Ints, days: Ints) -> tuple[Ints, Ints, Ints]:
        """Per query: the row's first cell, the first cell that arrived after the day, the end."""
        first, stop = self.first[rows], self.stop[rows]
        cut = stop.copy()
        if self.day.size == 0:
            return first, cut, stop
        after = days + 1
        # only where the row's last cell arrived after the day is a search needed: a binary
        # search within each row's few cells (all rows at once), which stays near each row's
        # cells in memory instead of searching the whole table
        late = np.flatnonzero((stop > first) & (self.day[np.maximum(stop - 1, 0)] >= after))
        if late.size:
            lo, hi, target = first[late], stop[late] - 1, after[late]
            while True:
                open_ = lo < hi
                if not open_.any():
                    break
                mid = (lo + hi) >> 1
                before = self.day[mid] < target
                lo = np.where(open_ & before, mid + 1, lo)
                hi = np.where(open_ & ~before, mid, hi)
            cut[late] = lo
        return first, cut, stop

    def last_known(
        self, rows: Ints, days: Ints, cut: tuple[Ints, Ints, Ints] | None = None
    ) -> Ints:
        """Per query: the last month of the row's cells that arrived by the day (or NO_MONTH).

        ``cut``: `cut` of the same queries, when already known.
        """
        first, at, _ = cut if cut is not None else self.cut(rows, days)
        if self.day.size == 0:
            return np.full(rows.size, NO_MONTH, dtype=np.int64)
        last = self.last_so_far[np.maximum(at - 1, 0)].astype(np.int64) + self.origin
        out: Ints = np.where(at > first, last, NO_MONTH)
        return out

    def known(self, rows: Ints, days: Ints, cut: tuple[Ints, Ints, Ints] | None = None) -> Words:
        """Per query ``(rows[q], days[q])``: the packed cells of that row arrived by that day.

        ``cut``: `cut` of the same queries, when already known.
        """
        first, at, stop = cut if cut is not None else self.cut(rows, days)
        some = np.flatnonzero(at > first)
        if some.size * 4 < rows.size:  # few queries know a cell (payments from work): only theirs
            out = np.zeros((self.rows_bits.shape[1], rows.size), dtype=np.uint64)
            if some.size:
                out[:, some] = self._known(rows[some], first[some], at[some], stop[some])
            return out
        return self._known(rows, first, at, stop)

    def _known(self, rows: Ints, first: Ints, at: Ints, stop: Ints) -> Words:
        from_all = stop - at <= at - first  # clear the late cells, or set the known ones
        out = np.ascontiguousarray(self.rows_bits[rows].T)
        out[:, ~from_all] = 0
        owner, position = expand(np.where(from_all, at, first), np.where(from_all, stop, at))
        if owner.size:
            col = self.col[position].astype(np.int64)
            bit = np.left_shift(np.uint64(1), (col % 64).astype(np.uint64))
            np.bitwise_xor.at(out, (col // 64, owner), bit)  # each cell once: xor flips it
        return out


#: records per chunk when cells are built: the temporaries stay small, in the caches and below
#: the allocator's threshold for fresh memory (each fresh page costs a fault; reused ones do not)
_CELL_CHUNK = 1 << 17
#: threads that build cells (a set of payers each; one set alone: two halves of the persons)
_BUILDERS = 2


def cells_of_records(
    rows: npt.NDArray[np.integer[Any]],
    months: npt.NDArray[np.integer[Any]],
    days: npt.NDArray[np.integer[Any]],
    persons: int,
    origin: int,
    width: int,
    *,
    month0: int = 0,
    keep: Bools | None = None,
) -> Cells:
    """The cells of payment records (row, month ``month0 + months``, day paid), any order,
    repeats allowed; only the records ``keep`` when given (see `cell_sets`)."""
    codes = None if keep is None else keep.view(np.int8)
    sets: list[frozenset[int] | None] = [None] if keep is None else [frozenset({1})]
    found = cell_sets(
        rows, months, days, persons, origin, width, month0=month0, codes=codes, sets=sets
    )
    return found[0]


def _among(codes: npt.NDArray[np.int8], chosen: frozenset[int]) -> Bools:
    """Which ``codes`` are among ``chosen``: a comparison per chosen code (a handful),
    vectorised; a lookup by byte is several times slower on tens of millions of records."""
    found: Bools = np.zeros(codes.size, dtype=np.bool_)
    for code in sorted(chosen):
        found |= codes == code
    return found


def _chunks(rows: npt.NDArray[np.integer[Any]], lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """``lo:hi`` (rows never decreasing) in chunks of about `_CELL_CHUNK` records, each ending
    with a whole person."""
    at = lo
    while at < hi:
        stop = min(at + _CELL_CHUNK, hi)
        if stop < hi:
            stop = int(np.searchsorted(rows[:hi], rows[stop - 1], side="right"))
        yield at, stop
        at = stop


def cell_sets(
    rows: npt.NDArray[np.integer[Any]],
    months: npt.NDArray[np.integer[Any]],
    days: npt.NDArray[np.integer[Any]],
    persons: int,
    origin: int,
    width: int,
    *,
    month0: int = 0,
    codes: npt.NDArray[np.int8] | None = None,
    sets: list[frozenset[int] | None] | None = None,
    ascending: bool | None = None,
) -> list[Cells]:
    """The cells of payment records (row, month ``month0 + months``, day paid), any order,
    repeats allowed, for each of ``sets``: the ``codes`` (one per record: its payer) whose
    records count, or None (all records). One pass over the records serves every set.
    ``ascending``: whether ``rows`` never decrease, when known (`Records.ascending`).

    Records are taken in chunks of whole persons (by row), so that the temporaries stay small
    whatever the population: in the usual layout (by person, month, day) a chunk's cells are
    the first record of each run of (row, month), already in order; otherwise a chunk is sorted.
    Records are picked by position (``take``), never by a boolean mask: on tens of millions of
    records a mask's unpredictable branches cost several times more.
    """
    chosen: list[frozenset[int] | None] = [None] if sets is None else sets
    rows = np.asarray(rows)
    months, days = np.asarray(months), np.asarray(days)
    if not (_ascending(rows) if ascending is None else ascending):
        order = np.argsort(rows, kind="stable")
        rows, months, days = rows[order], months[order], days[order]
        codes = None if codes is None else codes[order]
        del order
    n = rows.size
    bounds = [0, *(stop for _, stop in _chunks(rows, 0, n))]

    # each set on threads of its own, a set alone in two halves of the persons: numpy releases
    # the GIL in the passes over a chunk, and the halves write disjoint rows of one table
    parts = max(1, _BUILDERS // len(chosen)) if len(bounds) > 2 else 1
    cut = [bounds[len(bounds) * i // parts] for i in range(parts)] + [n]
    tables = [_CellTable(persons, origin, width, n) for _ in chosen]

    def build(job: tuple[int, int]) -> _CellBuilder:
        which, part = job
        payers, lo, hi = chosen[which], cut[part], cut[part + 1]
        builder = _CellBuilder(tables[which], lo, hi, month0 - origin)
        for at, stop in pairwise(b for b in bounds if lo <= b <= hi):
            r, m, d = rows[at:stop], months[at:stop], days[at:stop]
            if payers is None:
                builder.add(r, m, d)
                continue
            assert codes is not None
            picked = np.flatnonzero(_among(codes[at:stop], payers))
            builder.add(r.take(picked), m.take(picked), d.take(picked))
        return builder

    jobs = [(which, part) for which in range(len(chosen)) for part in range(parts)]
    if len(jobs) == 1:
        built = [build(jobs[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(len(jobs), _BUILDERS)) as pool:
            built = list(pool.map(build, jobs))
    return [
        table.cells(built[which * parts : (which + 1) * parts])
        for which, table in enumerate(tables)
    ]


def _ascending(rows: npt.NDArray[np.integer[Any]]) -> bool:
    return rows.size < 2 or bool(np.all(rows[1:] >= rows[:-1]))


#: _BIT[k]: the word with bit k set
_BIT = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))


class _CellTable:
    """What the builders of one set of payers share: the packed timeline of every person
    (``width`` months from ``origin``), where each person's cells are (``first``,
    ``stop``: none, for a person without), and the arrays of the cells. Each builder writes the
    rows of its own persons and its cells from a position of its own (where its records start:
    there are at most as many cells as records), so nothing is copied together afterwards: on
    tens of millions of cells a copy is mostly fresh memory to fault in, on one thread."""

    def __init__(self, persons: int, origin: int, width: int, capacity: int) -> None:
        self.origin, self.width = origin, width
        self.words = words = ArrayOps(origin, width, persons).words
        self.rows_bits = np.zeros((persons, words), dtype=np.uint64)
        self.first = np.zeros(persons, dtype=np.int64)
        self.stop = np.zeros(persons, dtype=np.int64)
        # at most one cell per record: the untouched positions never become resident memory
        self.day = np.empty(capacity, dtype=np.int32)
        self.col = np.empty(capacity, dtype=np.int16)
        self.last = np.empty(capacity, dtype=np.int16)  # written only where a month goes back

    def cells(self, builders: list[_CellBuilder]) -> Cells:
        """The cells of ``builders``."""
        gone_back = any(b.last is not None for b in builders)
        for b in builders:
            if gone_back and b.last is None:  # the months never went back: each is the last
                b.last = self.last[b.at : b.at + b.filled]
                b.last[:] = b.col[: b.filled]
        return Cells(
            self.origin,
            self.width,
            self.rows_bits,
            self.first,
            self.stop,
            self.day,
            self.col,
            self.last if gone_back else self.col,
        )


class _CellBuilder:
    """The cells of one set of payers for some persons, added chunk by chunk of whole persons
    (each person in one chunk), written from position ``at`` of the table's arrays on (its
    records' ``at:stop``)."""

    def __init__(self, table: _CellTable, at: int, stop: int, shift: int) -> None:
        self.shift, self.at, self.table = shift, at, table
        self.rows_bits = table.rows_bits
        self.day = table.day[at:stop]
        self.col = table.col[at:stop]
        self._last = table.last[at:stop]
        self.last: npt.NDArray[np.int16] | None = None
        self.filled = 0
        #: rows with a cell outside the table's timeline (their bits are not set)
        self.outside: list[npt.NDArray[np.integer[Any]]] = []

    def add(
        self,
        r: npt.NDArray[np.integer[Any]],
        m: npt.NDArray[np.integer[Any]],
        d: npt.NDArray[np.integer[Any]],
    ) -> None:
        if r.size == 0:
            return
        same_row = r[1:] == r[:-1]
        new_month = m[1:] != m[:-1]
        later = (m[1:] > m[:-1]) | (~new_month & (d[1:] >= d[:-1]))
        if not bool(np.all(later | ~same_row)):
            order = np.lexsort((d, m, r))
            r, m, d = r[order], m[order], d[order]
            same_row = r[1:] == r[:-1]
            new_month = m[1:] != m[:-1]
        head = np.empty(r.size, dtype=np.bool_)
        head[0] = True
        np.logical_or(new_month, ~same_row, out=head[1:])
        at = np.flatnonzero(head)  # the first (earliest) record of each cell
        del head, same_row, new_month
        cr = r.take(at)
        months = m.take(at)
        months += self.shift  # months from the origin: 0..width, in 16 bits whatever came in
        cc = months.astype(np.int16, copy=False)
        cd = d.take(at).astype(np.int32, copy=False)
        del at
        self._bits(cr, cc)
        same = cr[1:] == cr[:-1]
        starts = np.flatnonzero(~same)
        starts += 1
        starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts))
        # each row's cells: where they start (a row is in one chunk), and end
        k, f = cc.size, self.filled
        begin = starts + (self.at + f)
        owners = cr.take(starts).astype(np.int64)
        self.table.first[owners] = begin
        self.table.stop[owners[:-1]] = begin[1:]
        self.table.stop[owners[-1]] = self.at + f + k
        if bool(np.any(same & (cd[1:] < cd[:-1]))):  # a late payment: arrival order differs
            order = np.lexsort((cd, cr))  # stable: cells of one day stay in month order
            cc, cd = cc[order], cd[order]
        self.day[f : f + k] = cd
        self.col[f : f + k] = cc
        # the last month so far within each row: the months themselves while they never go
        # back within a row (paid month after month); else a running maximum per row
        back = same & (cc[1:] < cc[:-1])
        going_back = bool(back.any())
        if going_back and self.last is None:
            self.last = self._last
            self.last[:f] = self.col[:f]
        if self.last is not None:
            if going_back:
                local = (cr - cr[0]).astype(np.int64)
                running = (local << 16) + cc
                np.maximum.accumulate(running, out=running)
                running -= local << 16
                self.last[f : f + k] = running
            else:
                self.last[f : f + k] = cc
        self.filled += k

    def _bits(self, cr: npt.NDArray[np.integer[Any]], cc: npt.NDArray[np.int16]) -> None:
        """Set the bits of cells (row ``cr``, month ``cc``), in row order, each cell once: the
        bits of one (row, word) are summed (each bit once: the sum is the union). A cell outside
        the table's timeline sets none (its row is noted in ``outside``)."""
        if int(cc.min()) < 0 or int(cc.max()) >= 64 * self.table.words:
            inside = (cc >= 0) & (cc < 64 * self.table.words)
            self.outside.append(np.unique(cr[~inside]))
            picked = np.flatnonzero(inside)
            cr, cc = cr.take(picked), cc.take(picked)
            if cr.size == 0:
                return
        word = (cc >> 6).astype(np.int64)
        bit = _BIT.take(cc & 63)
        first = np.empty(cr.size, dtype=np.bool_)
        first[0] = True
        np.logical_or(cr[1:] != cr[:-1], word[1:] != word[:-1], out=first[1:])
        groups = np.flatnonzero(first)
        self.rows_bits[cr.take(groups), word.take(groups)] = np.add.reduceat(bit, groups)


class PartCells:
    """The cells of every payment, built part by part while the records are read, so that the
    records themselves need not be kept (on tens of millions of records, keeping them is most
    of the memory and of the time spent faulting it in).

    Each part gives its records in row order ([`add_part`][insurrules.population.kz.cells.
    PartCells.add_part]). A person whose records run on into the next part, or whose records the
    model read (a person the screen did not vouch for), has their cells made again from the
    records they have in the end ([`rebuild`][insurrules.population.kz.cells.PartCells.rebuild]).
    The timeline starts at ``origin`` (before any month a valid record may pay for) and is
    ``words`` long; [`finish`][insurrules.population.kz.cells.PartCells.finish] moves the cells
    to the frame's own origin and width once the valid persons' months are known.
    """

    def __init__(self, persons: int, origin: int, words: int, records: int, month0: int) -> None:
        # the rebuilt persons' cells come after the parts': at most as many as records again
        # (untouched positions are never resident)
        self.table = _CellTable(persons, origin, 64 * words, 2 * records + 1)
        self.shift = month0 - origin
        self.builders: list[_CellBuilder] = []
        self.extra_at = records
        self._lock = threading.Lock()

    def add_part(
        self,
        at: int,
        r: npt.NDArray[np.integer[Any]],
        m: npt.NDArray[np.integer[Any]],
        d: npt.NDArray[np.integer[Any]],
    ) -> None:
        """The cells of a part of the records (its records ``at:at + r.size``; ``r`` never
        decreasing)."""
        if r.size == 0:
            return
        builder = _CellBuilder(self.table, at, at + r.size, self.shift)
        for lo, hi in _chunks(r, 0, r.size):
            builder.add(r[lo:hi], m[lo:hi], d[lo:hi])
        with self._lock:
            self.builders.append(builder)

    def rebuild(
        self,
        rows: Ints,
        r: npt.NDArray[np.integer[Any]],
        m: npt.NDArray[np.integer[Any]],
        d: npt.NDArray[np.integer[Any]],
    ) -> None:
        """The cells of the persons ``rows`` made again from the records ``r, m, d`` (theirs
        only, ``r`` never decreasing): a person of ``rows`` without a record has none."""
        table = self.table
        table.first[rows] = 0
        table.stop[rows] = 0
        table.rows_bits[rows] = 0
        if r.size == 0:
            return
        builder = _CellBuilder(table, self.extra_at, table.day.size, self.shift)
        for lo, hi in _chunks(r, 0, r.size):
            builder.add(r[lo:hi], m[lo:hi], d[lo:hi])
        self.extra_at += builder.filled
        self.builders.append(builder)

    def finish(self, origin: int, width: int) -> Cells:
        """The cells on the timeline of ``width`` months from ``origin`` (every valid cell's
        month within it)."""
        table, builders = self.table, self.builders
        delta = origin - table.origin
        persons = table.rows_bits.shape[0]
        words = ArrayOps(origin, width, persons).words
        for b in builders:  # months from the new origin
            b.col[: b.filled] -= delta
            if b.last is not None:
                b.last[: b.filled] -= delta
        if delta >= 0 and delta + width <= table.width:
            bits = _shifted(table.rows_bits, delta, words)
            outside = [rows for b in builders for rows in b.outside]
            redo = np.unique(np.concatenate(outside)) if outside else np.zeros(0, np.int64)
        else:  # pragma: no cover - a valid month before the scheme or decades ahead
            bits = np.zeros((persons, words), dtype=np.uint64)
            redo = np.arange(persons, dtype=np.int64)
        table.origin, table.width, table.words, table.rows_bits = origin, width, words, bits
        if redo.size:
            bits[redo] = 0
            owner, position = expand(table.first[redo], table.stop[redo])
            col = table.col[position].astype(np.int64)
            inside = np.flatnonzero((col >= 0) & (col < 64 * words))  # (refused persons': none)
            owner, col = redo[owner.take(inside)], col.take(inside)
            np.bitwise_or.at(bits, (owner, col >> 6), _BIT[col & 63])
        return table.cells(builders)


def _shifted(bits: Words, delta: int, words: int) -> Words:
    """Packed timelines (one row per person) read from month ``delta`` on, ``words`` long."""
    whole, part = divmod(delta, 64)
    out = np.zeros((bits.shape[0], words), dtype=np.uint64)
    for j in range(words):
        if j + whole < bits.shape[1]:
            out[:, j] = bits[:, j + whole] >> np.uint64(part)
        if part and j + whole + 1 < bits.shape[1]:
            out[:, j] |= bits[:, j + whole + 1] << np.uint64(64 - part)
    return out
