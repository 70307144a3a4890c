"""What the engine needs from a population's tables that no question changes, built once.

The population engine answers *queries*: a person (a row of ``persons``) and a day ``as_of``.
Whatever does not depend on the day or on the rules is computed here once per
[`Population`][insurrules.population.kz.tables.Population] and kept in its ``cache``: the person row
of every record, dates as day and month numbers, and records grouped by person
([`ByRow`][insurrules.population.kz.index.ByRow]), so that a query gathers its person's records with
two index lookups instead of filtering a table.

Payments are the bulk of the data (tens of millions of rows). They become
[`Cells`][insurrules.population.kz.index.Cells]: one entry per paid (person, month) with the day the
first payment for it arrived, plus a bit-packed timeline of all of them. A query on day ``d`` needs
the cells that arrived by ``d``; for most queries that is nearly all of a person's cells, so the
engine starts from the packed timeline and clears the few that arrived later (or, when fewer arrived
by ``d``, sets those instead). Which payers count (all of them, payments from work, advance
payments) depends on the rules, so cells are kept per set of payers.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.arrays import NO_MONTH, ArrayOps
from insurrules.population.kz.loading import (
    NO_PAYER,
    PAY_MONTH0,
    Loaded,
    load,
    record_positions,
    rows_ascending,
)
from insurrules.population.kz.tables import (
    LEVELS,
    MEMBERSHIP_CODES,
    PAYERS,
    Population,
)
from insurrules.population.pages import with_small_pages
from insurrules.population.tableset import NO_MONTH_INDEX, month_numbers

__all__ = [
    "ByRow",
    "Cells",
    "PaymentRecords",
    "PopulationIndex",
    "build_index",
    "expand",
    "population_index",
    "row_errors",
]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]

_EPOCH = dt.date(1970, 1, 1)


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
class ByRow:
    """Records sorted by person row: those of row ``r`` are ``starts[r]:starts[r + 1]``."""

    starts: Ints
    columns: dict[str, npt.NDArray[Any]]

    @classmethod
    def build(cls, rows: Ints, persons: int, **columns: npt.NDArray[Any]) -> ByRow:
        order = np.argsort(rows, kind="stable")
        # each row's first record: the counts of the rows before it (one pass over the
        # records, not a search per person)
        starts = np.zeros(persons + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=persons)[:persons], out=starts[1:])
        return cls(starts, {k: v[order] for k, v in columns.items()})

    def of(self, rows: Ints) -> tuple[Ints, dict[str, npt.NDArray[Any]]]:
        """The records of each queried row: (query number of each, their columns)."""
        owner, position = expand(self.starts[rows], self.starts[rows + 1])
        return owner, {k: v[position] for k, v in self.columns.items()}

    def __len__(self) -> int:
        return int(self.starts[-1])


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


def _cells(
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
    repeats allowed; only the records ``keep`` when given (see `_cell_sets`)."""
    if keep is None:
        return _cell_sets(rows, months, days, persons, origin, width, month0=month0)[0]
    return _cell_sets(
        rows,
        months,
        days,
        persons,
        origin,
        width,
        month0=month0,
        codes=keep.view(np.int8),
        sets=[frozenset({1})],
    )[0]


def _among(codes: npt.NDArray[np.int8], chosen: frozenset[int]) -> Bools:
    """Which ``codes`` are among ``chosen``: a comparison per chosen code (a handful),
    vectorised; a lookup by byte is several times slower on tens of millions of records."""
    found: Bools = np.zeros(codes.size, dtype=np.bool_)
    for code in sorted(chosen):
        found |= codes == code
    return found


def _cell_sets(
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
    if not (rows_ascending(rows) if ascending is None else ascending):
        order = np.argsort(rows, kind="stable")
        rows, months, days = rows[order], months[order], days[order]
        codes = None if codes is None else codes[order]
        del order
    n = rows.size
    bounds = [0]
    while bounds[-1] < n:
        stop = min(bounds[-1] + _CELL_CHUNK, n)
        if stop < n:  # end the chunk with a whole person
            stop = int(np.searchsorted(rows, rows[stop - 1], side="right"))
        bounds.append(stop)

    # each set on threads of its own, a set alone in two halves of the persons: numpy releases
    # the GIL in the passes over a chunk, and the halves write disjoint rows of one table
    parts = max(1, _BUILDERS // len(chosen)) if len(bounds) > 2 else 1
    cut = [bounds[len(bounds) * i // parts] for i in range(parts)] + [n]
    tables = [_CellTable(persons, origin, width, n) for _ in chosen]

    def build(job: tuple[int, int]) -> _CellBuilder:
        which, part = job
        payers, lo, hi = chosen[which], cut[part], cut[part + 1]
        # the part's persons: from its first record's row (the first part: from row 0)
        row = int(rows[lo]) if part and lo < n else (0 if part == 0 else persons)
        builder = _CellBuilder(tables[which], lo, hi, row, month0 - origin)
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


#: _BIT[k]: the word with bit k set
_BIT = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))


class _CellTable:
    """What the builders of one set of payers share: the packed timeline of every person, the
    number of cells of each, and the arrays of the cells. Each builder writes the rows of its
    own persons and its cells from the position of its first record on (there are at most as
    many cells as records), so nothing is copied together afterwards: on tens of millions of
    cells a copy is mostly fresh memory to fault in, on one thread."""

    def __init__(self, persons: int, origin: int, width: int, records: int) -> None:
        self.origin, self.width = origin, width
        self.words = ArrayOps(origin, width, persons).words
        self.rows_bits = np.zeros((persons, self.words), dtype=np.uint64)
        self.counts = np.zeros(persons + 1, dtype=np.int64)
        # at most one cell per record: the untouched positions never become resident memory
        self.day = np.empty(records, dtype=np.int32)
        self.col = np.empty(records, dtype=np.int16)
        self.last = np.empty(records, dtype=np.int16)  # written only where a month goes back

    def cells(self, builders: list[_CellBuilder]) -> Cells:
        """The cells of ``builders`` (of successive persons, in order)."""
        packed = np.cumsum(self.counts)  # where each row's cells would start, packed together
        first, stop = packed[:-1].copy(), packed[1:].copy()
        ends = [b.row for b in builders[1:]] + [first.size]
        gone_back = any(b.last is not None for b in builders)
        for b, end in zip(builders, ends, strict=True):
            # the builder's rows: its cells start at its first record, not where packing
            # would put them
            shift = b.at - int(packed[b.row])
            first[b.row : end] += shift
            stop[b.row : end] += shift
            if gone_back and b.last is None:  # the months never went back: each is the last
                b.last = self.last[b.at : b.at + b.filled]
                b.last[:] = b.col[: b.filled]
        return Cells(
            self.origin,
            self.width,
            self.rows_bits,
            first,
            stop,
            self.day,
            self.col,
            self.last if gone_back else self.col,
        )


class _CellBuilder:
    """The cells of one set of payers for some persons (from row ``row`` on), added chunk by
    chunk of whole persons, in row order, written from position ``at`` (its records'
    ``at:stop``) of the table's arrays."""

    def __init__(self, table: _CellTable, at: int, stop: int, row: int, shift: int) -> None:
        self.shift, self.at, self.row = shift, at, row
        self.rows_bits, self.counts = table.rows_bits, table.counts
        self.day = table.day[at:stop]
        self.col = table.col[at:stop]
        self._last = table.last[at:stop]
        self.last: npt.NDArray[np.int16] | None = None
        self.filled = 0

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
        runs = np.flatnonzero(~same) + 1
        starts = np.concatenate(([0], runs))
        self.counts[cr.take(starts).astype(np.int64) + 1] += np.diff(np.append(starts, cr.size))
        if bool(np.any(same & (cd[1:] < cd[:-1]))):  # a late payment: arrival order differs
            order = np.lexsort((cd, cr))  # stable: cells of one day stay in month order
            cc, cd = cc[order], cd[order]
        k, f = cc.size, self.filled
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
        bits of one (row, word) are summed (each bit once: the sum is the union)."""
        word = (cc >> 6).astype(np.int64)
        bit = _BIT.take(cc & 63)
        first = np.empty(cr.size, dtype=np.bool_)
        first[0] = True
        np.logical_or(cr[1:] != cr[:-1], word[1:] != word[:-1], out=first[1:])
        groups = np.flatnonzero(first)
        self.rows_bits[cr.take(groups), word.take(groups)] = np.add.reduceat(bit, groups)


@dataclass(frozen=True)
class PaymentRecords:
    """The valid persons' payment records as the index reads them (see `load`)."""

    rows: npt.NDArray[np.int32]
    month: npt.NDArray[np.int16]  # from PAY_MONTH0
    day: npt.NDArray[np.int32]
    payer: npt.NDArray[np.int8]  # index into PAYERS
    some_without_payer: bool  # records of refused persons kept in place (payer NO_PAYER)
    #: positions of the payments that may have arrived before their month (None: any may)
    early: Ints | None
    #: the rows never decrease, when known (`Records.ascending`)
    ascending: bool | None = None

    @classmethod
    def of(cls, loaded: Loaded) -> PaymentRecords:
        pay = loaded.payments
        return cls(
            rows=pay.rows,
            month=pay.columns["month"],
            day=pay.columns["day"],
            payer=pay.columns["payer"],
            # NO_PAYER is the least code (a reduction: no mask over every record)
            some_without_payer=bool(pay.rows.size) and int(pay.columns["payer"].min()) == NO_PAYER,
            early=loaded.early,
            ascending=pay.ascending,
        )


class _Reread:
    """Reads a population's payment records again. A weak reference (the index lives in the
    population's own cache), pickled as the population itself: a pickled population's index
    reads from the copy's own tables."""

    def __init__(self, pop: Population) -> None:
        self._pop = weakref.ref(pop)

    def __call__(self) -> PaymentRecords:
        pop = self._pop()
        if pop is None:  # pragma: no cover - the index lives in the population's own cache
            raise RuntimeError("the population of this index is gone")
        return PaymentRecords.of(load(pop))

    def __reduce__(self) -> tuple[type[_Reread], tuple[Population | None]]:
        return (_Reread, (self._pop(),))


_REREADING = threading.Lock()


@dataclass
class PopulationIndex:
    """The day- and rule-independent arrays of one population (see the module docstring)."""

    persons: int
    valid: Bools
    errors: pl.Series  # per person: null, or the case model's error
    birth_day: Ints
    death_day: Ints
    birth_month: Ints
    death_month: Ints
    residency: npt.NDArray[np.int8]  # index into RESIDENCIES (the rules say each one's group)
    fact_last: Ints  # the last finite month of each person's memberships and welfare levels
    origin: int
    width: int
    #: the payment records, or None once released (`release_payments`)
    records: PaymentRecords | None
    memberships: ByRow  # code (index into codes), lo, hi (months)
    codes: tuple[str, ...]
    welfare: ByRow  # level, lo, hi (months), start day
    requests: ByRow  # day, month
    cache: dict[Any, Any]
    #: reads the payment records again (after `release_payments`)
    reread: Callable[[], PaymentRecords] | None = None

    def payments(self) -> PaymentRecords:
        """The payment records, read again from the tables if they were released (once, when
        several threads ask at the same time)."""
        with _REREADING:
            if self.records is None:
                assert self.reread is not None, "released payments need a way to read them again"
                self.records = self.reread()
            return self.records

    def release_payments(self) -> None:
        """Let go of the payment records (the bulk of the index: 11 bytes a record) once the
        cells and advance payments the rules ask for are built; they are read again only if
        other rules ask for other payers' cells."""
        if self.reread is not None:
            self.records = None

    def cells_of_persons(self, payers: frozenset[int], persons: Ints, name: Any) -> Cells:
        """The cells of the payments from ``payers`` of the persons at rows ``persons``
        (increasing) only; every other person has none. ``name``: what chose the persons (the
        cells are kept under it)."""
        key = ("cells", payers, name)
        found = self.cache.get(key)
        if isinstance(found, Cells):
            return found
        pay = self.payments()
        at = record_positions(pay.rows, persons, pay.ascending)
        (cells,) = _cell_sets(
            pay.rows.take(at),
            pay.month.take(at),
            pay.day.take(at),
            self.persons,
            self.origin,
            self.width,
            month0=PAY_MONTH0,
            codes=pay.payer.take(at),
            sets=[payers],
            ascending=pay.ascending,  # (a part of ascending rows, in order)
        )
        self.cache[key] = cells
        return cells

    def cells(self, payers: frozenset[int] | None) -> Cells:
        """Cells of the payments from ``payers`` (codes into ``PAYERS``; ``None``: all)."""
        key = ("cells", payers)
        found = self.cache.get(key)
        if isinstance(found, Cells):
            return found
        pay = self.payments()
        if payers is None and pay.some_without_payer:  # not the refused persons' placeholders
            payers = frozenset(range(len(PAYERS)))
        (cells,) = _cell_sets(
            pay.rows,
            pay.month,
            pay.day,
            self.persons,
            self.origin,
            self.width,
            month0=PAY_MONTH0,
            codes=pay.payer,
            sets=[payers],
            ascending=pay.ascending,
        )
        self.cache[key] = cells
        return cells

    def advance(self, payers: frozenset[int], since: dt.date) -> ByRow:
        """Payments that may count for the prepaid route: from ``payers``, paid on or after
        ``since``, arrived in a month before the month they pay (month, arrival month, day)."""
        key = ("advance", payers, since)
        found = self.cache.get(key)
        if isinstance(found, ByRow):
            return found
        pay = self.payments()
        candidates = pay.early
        if candidates is None:
            keep = _among(pay.payer, payers)
            keep &= pay.day >= (since - _EPOCH).days
            at = np.flatnonzero(keep)  # by position: a mask over tens of millions costs more
            del keep
        else:  # only the records that may have arrived early (found when read)
            keep = _among(pay.payer.take(candidates), payers)
            keep &= pay.day.take(candidates) >= (since - _EPOCH).days
            at = candidates[keep]
        day = pay.day.take(at).astype(np.int64)
        month = pay.month.take(at).astype(np.int64) + PAY_MONTH0
        arrival = month_numbers(day)
        early = np.flatnonzero(arrival < month)
        table = ByRow.build(
            pay.rows.take(at.take(early)).astype(np.int64),
            self.persons,
            month=month.take(early),
            arrival=arrival.take(early),
            day=day.take(early),
        )
        self.cache[key] = table
        return table

    def work_cells(self, payers: frozenset[int], levels: frozenset[str]) -> Cells:
        """The cells of the payments from work (``payers``) of the persons who made a care
        request at a welfare level in ``levels``: the law reads payments from work only where
        such a request is (`insurrules.kz.law.welfare_level_de`; a test pins it), so nobody
        else's are built."""
        requests = self.de_requests(levels)
        persons = np.flatnonzero(np.diff(requests.starts) > 0)
        return self.cells_of_persons(payers, persons, ("de_requests", levels))

    def de_requests(self, levels: frozenset[str]) -> ByRow:
        """Care requests made on a day the person's welfare level was one of ``levels``."""
        key = ("de_requests", levels)
        found = self.cache.get(key)
        if isinstance(found, ByRow):
            return found
        rows_q = np.repeat(np.arange(self.persons, dtype=np.int64), np.diff(self.requests.starts))
        day = self.requests.columns["day"]
        owner, w = self.welfare.of(rows_q)
        inside = (
            np.isin(w["level"], list(levels))
            & (w["start_day"] <= day[owner])
            & (day[owner] <= w["end_day"])
        )
        hit = np.zeros(day.size, dtype=np.bool_)
        hit[owner[inside]] = True
        table = ByRow.build(
            rows_q[hit], self.persons, day=day[hit], month=self.requests.columns["month"][hit]
        )
        self.cache[key] = table
        return table

    def de_levels(self, levels: frozenset[str]) -> ByRow:
        """Spans (months) of welfare levels in ``levels``."""
        key = ("de_levels", levels)
        found = self.cache.get(key)
        if isinstance(found, ByRow):
            return found
        rows_w = np.repeat(np.arange(self.persons, dtype=np.int64), np.diff(self.welfare.starts))
        sel = np.isin(self.welfare.columns["level"], list(levels))
        table = ByRow.build(
            rows_w[sel],
            self.persons,
            lo=self.welfare.columns["lo"][sel],
            hi=self.welfare.columns["hi"][sel],
        )
        self.cache[key] = table
        return table


@with_small_pages
def population_index(pop: Population) -> PopulationIndex:
    """The index of ``pop``, built on first use and kept in ``pop.cache``."""
    found = pop.cache.get("engine_index")
    if isinstance(found, PopulationIndex):
        return found
    from insurrules.kz.params import kz_params
    from insurrules.kz.rules import default_rules

    loaded = load(pop)
    n = loaded.valid.size
    records = PaymentRecords.of(loaded)
    pay_month = records.month
    # frames start no later than the parameters' latest origin and never after the first payment
    # (any earlier origin reads the same: months before a first payment only break runs)
    latest = kz_params(default_rules()).frame_origin
    without_payer = records.some_without_payer
    months_paid = pay_month[records.payer != NO_PAYER] if without_payer else pay_month
    if months_paid.size:
        origin = min(latest, int(months_paid.min()) + PAY_MONTH0)
        width = int(months_paid.max()) + PAY_MONTH0 - origin + 1
    else:
        origin, width = latest, 1
    del months_paid

    mem = loaded.memberships
    mem_rows = mem.rows.astype(np.int64)
    present = np.unique(mem.columns["code"])
    codes = tuple(MEMBERSHIP_CODES[i] for i in present.tolist())
    code_idx = np.searchsorted(present, mem.columns["code"]).astype(np.int64)
    mem_lo = month_numbers(mem.columns["start"].astype(np.int64))
    mem_hi = month_numbers(mem.columns["end"].astype(np.int64))
    wel = loaded.welfare_levels
    wel_rows = wel.rows.astype(np.int64)
    wel_start = wel.columns["start"].astype(np.int64)
    wel_end = wel.columns["end"].astype(np.int64)
    wel_lo, wel_hi = month_numbers(wel_start), month_numbers(wel_end)
    req = loaded.care_requests
    req_day = req.columns["day"].astype(np.int64)

    # the frame of each person reaches past every finite membership and welfare month
    # (kz/facts.py); care requests and payments count only once known, per query
    fact_last = np.full(n, -1, dtype=np.int64)
    for r, months in (
        (mem_rows, mem_lo),
        (mem_rows, mem_hi),
        (wel_rows, wel_lo),
        (wel_rows, wel_hi),
    ):
        finite = months < NO_MONTH_INDEX
        np.maximum.at(fact_last, r[finite], months[finite])

    index = PopulationIndex(
        persons=n,
        valid=loaded.valid,
        errors=loaded.errors,
        birth_day=loaded.birth_day,
        death_day=loaded.death_day,
        birth_month=month_numbers(loaded.birth_day),
        death_month=month_numbers(loaded.death_day),
        residency=loaded.residency.astype(np.int8),
        fact_last=fact_last,
        origin=origin,
        width=width,
        records=records,
        memberships=ByRow.build(mem_rows, n, code=code_idx, lo=mem_lo, hi=mem_hi),
        codes=codes,
        welfare=ByRow.build(
            wel_rows,
            n,
            level=np.array(LEVELS)[wel.columns["code"]],
            lo=wel_lo,
            hi=wel_hi,
            start_day=wel_start,
            end_day=wel_end,
        ),
        requests=ByRow.build(
            req.rows.astype(np.int64), n, day=req_day, month=month_numbers(req_day)
        ),
        cache={},
    )
    index.reread = _Reread(pop)
    pop.cache["engine_index"] = index
    return index


def row_errors(pop: Population) -> pl.Series:
    """Per person (in order): null, or the case model's error on that person's records."""
    return population_index(pop).errors


def build_index(pop: Population, rules: RuleSet | None = None) -> Population:
    """Check ``pop``'s records and build all that the engine reads under ``rules`` (default: the
    rules in force), now instead of during the first evaluation. Returns ``pop``.

    >>> from insurrules.population import build_index, synthetic
    >>> pop = build_index(synthetic(500, seed=1))
    >>> "engine_index" in pop.cache
    True
    """
    from insurrules.kz.params import kz_params
    from insurrules.kz.rules import default_rules

    def codes(names: frozenset[str]) -> frozenset[int]:
        return frozenset(i for i, name in enumerate(PAYERS) if name in names)

    p = kz_params(rules or default_rules())
    index = population_index(pop)
    index.cells(None)
    index.work_cells(codes(p.de_work_payers), frozenset(p.de_levels))
    index.advance(codes(p.prepaid_payers), p.prepaid_from)
    index.de_levels(frozenset(p.de_levels))
    index.release_payments()
    return pop
