"""A kz-osms population's records read into compact arrays, screened, and judged by the model.

Reading ([`load`][insurrules.population.kz.loading.load]) makes one pass over each table as given,
in batches of columns (a Parquet extract is never held whole in memory), turning every record into a
few numbers: the person's row, day and month numbers, codes. On the way, a columnar *screen* marks
each person whose every value is plain and whose records pass the checks that relate them (dates
after birth, end after start, no overlapping welfare levels, no two records alike) as *vouched for*.
The screen only ever vouches: every person it does not vouch for is judged by the case model
([`insurrules.kz.case.KzCase`][insurrules.kz.case.KzCase], through
[`insurrules.population.model_check`][insurrules.population.model_check]) on the case document built
from the tables as given, and the model's error lines become that person's ``error``. A person the
model accepts after all (a form the screen does not read, a date before 1900...) enters the arrays
from the validated case, so the engine reads what ``decide()`` reads.

A property test (tests/population/test_screen.py) holds the screen to the model: a person is
vouched for only when the model accepts the case, and ``error`` is the model's error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from insurrules.kz.case import BENEFITS_START, FIRST_CONTRIBUTION_MONTH, KzCase
from insurrules.kz.iin_columns import iin_frame
from insurrules.population.kz.cells import Cells, PartCells, expand
from insurrules.population.kz.tables import (
    DEFAULT_RESIDENCY,
    LEVELS,
    MEMBERSHIP_CODES,
    PAYERS,
    RESIDENCIES,
    SCHEMA,
    SEXES,
    TABLES,
    Population,
)
from insurrules.population.model_check import judge
from insurrules.population.sources import TableSource
from insurrules.population.tableset import PersonRows, PopulationError, month_numbers
from insurrules.population.values import (
    NO_DAY,
    Memo,
    codes,
    days,
    given,
    read_codes,
    read_days,
    read_months,
    unvouched_amounts,
)

__all__ = [
    "NO_PAYER",
    "PAY_MONTH0",
    "Loaded",
    "Records",
    "load",
    "record_positions",
    "rows_ascending",
]

Ints = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]
_EPOCH = dt.date(1970, 1, 1)
_MALE = SEXES.index("male")
#: month and day numbers are kept relative to these in the duplicate key
_KEY_MONTH0 = 1800 * 12
_KEY_DAY0 = (dt.date(1800, 1, 1) - _EPOCH).days


@dataclass
class Records:
    """One table's records as arrays: ``rows`` (person row of each) and named columns."""

    rows: I32
    columns: dict[str, npt.NDArray[Any]]
    #: the rows never decrease (each person's records together, persons in order), when known
    #: from reading them: a check over tens of millions of records is then not made again
    ascending: bool | None = None

    def kept(self, keep: Bools | None, extra: Records | None) -> Records:
        """The records of persons ``keep`` (by row), followed by ``extra``."""
        if keep is None and extra is None:
            return self
        mask = keep[self.rows] if keep is not None else slice(None)
        parts = [Records(self.rows[mask], {k: v[mask] for k, v in self.columns.items()})]
        if extra is not None:
            parts.append(extra)
        return Records(
            np.concatenate([p.rows for p in parts]).astype(np.int32),
            {
                k: np.concatenate([p.columns[k] for p in parts]).astype(v.dtype)
                for k, v in self.columns.items()
            },
        )


@dataclass
class Loaded:
    """Everything [`load`][insurrules.population.kz.loading.load] read: per person, and each table's
    records (valid persons')."""

    errors: pl.Series
    vouched: Bools  # persons the screen vouched for (the others were judged by the model)
    valid: Bools
    birth_day: Ints
    death_day: Ints
    residency: I8  # index into RESIDENCIES
    payments: Records  # month (from PAY_MONTH0), day, payer (index into PAYERS)
    #: positions in ``payments`` of the records that arrived in a month before the month they pay
    #: for (and of the records of persons the model judged), increasing; None: any may be one
    early: Ints | None
    memberships: Records  # code (index into MEMBERSHIP_CODES), start, end (day numbers)
    welfare_levels: Records  # level (index into LEVELS), start, end
    care_requests: Records  # day
    #: the cells of every valid person's payments, when built while reading (`load`): then
    #: ``payments`` holds only the records of the persons ``complete`` and those early
    paid_cells: Cells | None = None
    #: per person, whether all their payment records are in ``payments`` (None: everyone's)
    complete: Bools | None = None


def _arrow(frame: pl.DataFrame) -> pa.Table:
    return frame.to_arrow()


def _column(table: pa.Table | pa.RecordBatch, name: str) -> pa.Array:
    col = table.column(name)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _has(table: pa.Table | pa.RecordBatch, name: str) -> bool:
    return name in table.schema.names


def _optional_days(table: pa.Table | pa.RecordBatch, name: str) -> tuple[I32, Bools]:
    """Day numbers of an optional date column, and where a value is there but not vouched."""
    n = table.num_rows
    if not _has(table, name):
        return np.full(n, NO_DAY, dtype=np.int32), np.zeros(n, dtype=np.bool_)
    col = _column(table, name)
    values, ok = days(col)
    return values, given(col) & ~ok


def _persons(source: TableSource, ids: pl.Series) -> tuple[pl.Series, Bools, Ints, Ints, I8, I8]:
    """ids, vouched, birth and death days, sex and residency codes of every person (``ids``:
    as the population read them; the other columns are read here, as given)."""
    frame = source.frame([c for c in SCHEMA["persons"] if c in source.schema and c != "id"])
    table = _arrow(frame)
    iin = iin_frame(ids)
    birth, ok = days(_column(table, "birth_date"))
    death, bad_death = _optional_days(table, "death_date")
    sex = codes(_column(table, "sex"), SEXES)
    if _has(table, "residency"):
        column = _column(table, "residency")
        residency = codes(column, RESIDENCIES)
        present = given(column)
    else:
        residency = np.full(ids.len(), -1, dtype=np.int8)
        present = np.zeros(ids.len(), dtype=np.bool_)
    ok &= sex >= 0
    ok &= ~bad_death & (death >= birth)
    ok &= ~present | (residency >= 0)
    residency = np.where(present, residency, RESIDENCIES.index(DEFAULT_RESIDENCY)).astype(np.int8)
    # the IIN: valid, and agreeing with birth_date and sex (KzPerson)
    ok &= iin["valid"].to_numpy()
    iin_birth = iin["birth_date"].cast(pl.Int32).fill_null(NO_DAY).to_numpy()
    ok &= iin_birth == birth
    ok &= iin["male"].fill_null(False).to_numpy() == (sex == _MALE)
    return ids, ok, birth.astype(np.int64), death.astype(np.int64), sex, residency


def _periods(
    source: TableSource,
    table_name: str,
    code: str,
    names: tuple[str, ...],
    ids: PersonRows,
    birth: Ints,
) -> tuple[Records, Bools]:
    """A table of periods (code, start, end): its records and which of them are vouched."""
    frame = source.frame([c for c in SCHEMA[table_name] if c in source.schema])
    table = _arrow(frame)
    rows = ids.rows(_column(table, "person_id"))
    found = codes(_column(table, code), names)
    start, ok = days(_column(table, "start"))
    end, bad_end = _optional_days(table, "end")
    ok &= (found >= 0) & ~bad_end & (end >= start)
    safe = np.maximum(rows, 0)
    if table_name == "memberships":
        ok &= start >= birth[safe]
    records = Records(rows, {"code": found, "start": start, "end": end})
    if table_name == "welfare_levels" and rows.size > 1:
        ok &= ~overlapping(rows, start, end)
    return records, ok


def overlapping(rows: I32, start: I32, end: I32) -> Bools:
    """Periods that overlap another period of the same person (ends inclusive, null open)."""
    order = np.lexsort((start, rows))
    r, s, e = rows[order], start[order].astype(np.int64), end[order].astype(np.int64)
    # the latest end so far within each person, in start order: a period overlaps an earlier
    # one exactly when it starts on or before that end
    shifted = e.copy()
    same = np.zeros(r.size, dtype=np.bool_)
    same[1:] = r[1:] == r[:-1]
    run_end = np.empty(r.size, dtype=np.int64)
    # running maximum restarting at each person: offset by the person's rank (ends < 2**32)
    rank = np.cumsum(~same) - 1
    np.maximum.accumulate(rank * (1 << 33) + shifted, out=run_end)
    run_end -= rank * (1 << 33)
    hit = np.zeros(r.size, dtype=np.bool_)
    hit[1:] = same[1:] & (s[1:] <= run_end[:-1])
    out = np.zeros(r.size, dtype=np.bool_)
    out[order] = hit
    # the earlier period of an overlapping pair is as invalid (the person is judged anyway)
    return out


def _care(source: TableSource, ids: PersonRows, birth: Ints) -> tuple[Records, Bools]:
    frame = source.frame([c for c in SCHEMA["care_requests"] if c in source.schema])
    table = _arrow(frame)
    rows = ids.rows(_column(table, "person_id"))
    day, ok = days(_column(table, "date"))
    ok &= day >= birth[np.maximum(rows, 0)]
    return Records(rows, {"day": day}), ok


#: payments' months are kept as months from 1800-01 in 16 bits (the months a case may carry)
PAY_MONTH0 = _KEY_MONTH0
#: The day number of the first day of each month from PAY_MONTH0 (every month an int16 holds).
_FIRST_DAYS = (
    np.arange(PAY_MONTH0 - 1970 * 12, PAY_MONTH0 - 1970 * 12 + (1 << 15))
    .astype("datetime64[M]")
    .astype("datetime64[D]")
    .astype(np.int32)
)
#: An upper bound of ``_FIRST_DAYS[m]`` in 32-bit arithmetic: ``(m * 487 >> 4) + _FIRST_DAY_BOUND``
#: (30.4375 days a month, a little more than the calendar's mean; the constant makes it a bound
#: over every month). Records paid before the bound are few, and only they are looked up in the
#: calendar: a few passes over a part instead of a lookup per record.
_FIRST_DAY_BOUND = int(
    (_FIRST_DAYS.astype(np.int64) - (np.arange(1 << 15, dtype=np.int64) * 487 >> 4)).max()
)
#: the payer code of a record kept in place for a person the model refused: no payer's (and
#: below every payer's)
NO_PAYER = -1
#: threads that read payment parts (Parquet decoding, numpy and polars release the GIL)
_READERS = 2


@dataclass
class _Runs:
    """Each run of one person's records (a person's records may make several runs, one a part
    when they straddle parts): the person's row, where the run starts and how long it is, its
    least day paid, and its least and greatest month (from PAY_MONTH0)."""

    rows: I32
    start: Ints
    length: Ints
    least_day: I32
    least_month: npt.NDArray[np.int16]
    most_month: npt.NDArray[np.int16]

    @classmethod
    def joined(cls, parts: list[_Runs]) -> _Runs:
        parts = sorted(parts, key=lambda run: int(run.start[0]) if run.start.size else -1)
        kinds = {f.name: getattr(_NO_RUNS, f.name) for f in fields(cls)}
        return cls(
            **{
                name: np.concatenate([getattr(run, name) for run in parts] or [empty])
                for name, empty in kinds.items()
            }
        )

    def positions(self, judged: Ints) -> Ints:
        """The positions of the records of the persons ``judged`` (rows, increasing), in order
        (the runs' rows never decrease)."""
        lo = np.searchsorted(self.rows, judged.astype(self.rows.dtype), side="left")
        hi = np.searchsorted(self.rows, judged.astype(self.rows.dtype), side="right")
        _, chosen = expand(lo, hi)
        start = self.start.take(chosen)
        _, at = expand(start, start + self.length.take(chosen))
        return at


_NO_RUNS = _Runs(
    np.zeros(0, np.int32),
    np.zeros(0, np.int64),
    np.zeros(0, np.int64),
    np.zeros(0, np.int32),
    np.zeros(0, np.int16),
    np.zeros(0, np.int16),
)


@dataclass
class _Payments:
    """What [`_payments`][insurrules.population.kz.loading._payments] read."""

    #: every record, or (cells built while reading) only the records of the persons
    #: ``complete``, those found early (see ``early``) and those of the persons ``straddling``,
    #: in the order read
    records: Records
    unvouched: I32  # rows of persons with a record not vouched for
    twins: I32  # rows of persons who may have two records alike
    #: the positions in ``records`` of the records that arrived in a month before the month
    #: they pay for (the few the prepaid route may count: found while each part is at hand,
    #: not in another pass)
    early: Ints
    runs: _Runs
    #: the cells of every record, built while reading (None: read later from ``records``)
    cells: PartCells | None = None
    #: where ``records`` are not all: per person, whether all of theirs are there
    complete: Bools | None = None
    #: records of persons not in persons
    orphans: int = 0
    #: the persons whose records straddle parts (with ``cells``: all their records are in
    #: ``records``, and their cells are still to be made)
    straddling: Ints | None = None

    def before_birth(self, birth: Ints) -> I32:
        """The rows of persons with a record paid, or paying for a month, before they were
        born or before the scheme (a row of -1, no such person, is refused in load())."""
        who = self.runs.rows
        # the earliest month a record may pay for: the month of birth, not before the scheme
        earliest = np.maximum(month_numbers(birth), FIRST_CONTRIBUTION_MONTH.index) - PAY_MONTH0
        early = self.runs.least_day < birth.take(who)
        early |= self.runs.least_month < earliest.take(who)
        return np.unique(who[early]).astype(np.int32)


def _payments(
    source: TableSource,
    ids: PersonRows,
    kept: Bools | None = None,
    cells: PartCells | None = None,
) -> _Payments:
    """Payment records read part by part (see `_Payments`), checked against nothing but
    themselves: the persons' table is read meanwhile, on another thread.

    Parts are read on two threads, each decoding its part. Without ``cells``, each part is
    written straight into its own slice of arrays of every record (no array per column and
    part: on tens of millions of records fresh memory is what costs most). With ``cells``, each
    part's cells are built from it (`PartCells`) and only the records the index reads again
    are kept: those of the persons ``kept``, those found early, and those at each part's ends
    (of a person whose records run on into the next part). That needs every person's records
    together, persons in the order of ``persons``: otherwise they are read again, all kept (None
    is returned). A value not vouched for only marks its person, whom the model then judges.
    """
    total = len(source)
    keep_all = cells is None
    if keep_all:
        rows = np.empty(total, dtype=np.int32)
        month = np.empty(total, dtype=np.int16)
        day = np.empty(total, dtype=np.int32)
        payer = np.empty(total, dtype=np.int8)
    unvouched: list[I32] = []
    twins: list[I32] = []
    early_at: list[Ints] = []
    runs: list[_Runs] = []
    edges: list[_Edges] = []
    subsets: list[tuple[Ints, I32, npt.NDArray[np.int16], I32, I8, Bools]] = []
    orphans: list[int] = []
    # each part's months and payers are mostly the last part's: each text is read once
    month_memo: Memo = {}
    payer_memo: Memo = {}

    def read(at: int, n: int, part_of: Callable[[], pa.RecordBatch | pa.Table]) -> None:
        batch = part_of()  # decoded here, on this thread
        if batch.num_rows != n:  # pragma: no cover - the file changed while read
            raise PopulationError([f"payments: {n} rows announced, {batch.num_rows} read"])
        if n == 0:
            return
        if keep_all:
            part = slice(at, at + n)
            r, m, d, p = rows[part], month[part], day[part], payer[part]
        else:  # the part's own arrays (the allocator hands the last part's memory again)
            r = np.empty(n, dtype=np.int32)
            m = np.empty(n, dtype=np.int16)
            d = np.empty(n, dtype=np.int32)
            p = np.empty(n, dtype=np.int8)
        ids.rows(_column(batch, "person_id"), out=r)
        found = [
            read_months(_column(batch, "month"), m, PAY_MONTH0, month_memo),
            read_days(_column(batch, "paid_on"), d),
            unvouched_amounts(_column(batch, "amount")),
            read_codes(_column(batch, "payer"), PAYERS, p, payer_memo),
        ]
        if int(r.min()) < 0:  # a reduction: no mask over every record
            orphans.append(int((r < 0).sum()))
        same = r[1:] == r[:-1]
        # each run of one person's records: its least day and month, checked against the
        # person's birth once the persons are read
        starts = np.flatnonzero(~same)
        starts += 1
        starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts))
        heads = r.take(starts)  # each run's person row
        lengths = np.diff(np.append(starts, n))
        runs.append(
            _Runs(
                heads,
                starts + at,
                lengths,
                np.minimum.reduceat(d, starts),
                np.minimum.reduceat(m, starts),
                np.maximum.reduceat(m, starts),
            )
        )
        for where in found:
            if where is not None:
                unvouched.append(np.unique(r[where]))
        del found
        bound = m * np.int32(487)
        bound >>= 4
        bound += np.int32(_FIRST_DAY_BOUND)
        maybe = np.flatnonzero(d < bound)
        del bound
        maybe = maybe[d.take(maybe) < _FIRST_DAYS.take(m.take(maybe))]
        key = _month_day(m, d)
        # grouped (each person's records together, persons ascending): the runs' rows rise,
        # a look at the few runs rather than at every record
        grouped = bool(np.all(heads[1:] > heads[:-1]))
        ordered = grouped and not bool(np.any(same & (key[1:] < key[:-1])))
        if ordered:
            # in order, two records alike are neighbours: among the records of one day, the
            # pairs are compared by payer, and a run of three or more goes to the model
            alike = same & (key[1:] == key[:-1])
            if alike.any():
                twice = r[1:][alike & (p[1:] == p[:-1])]
                longer = r[2:][alike[1:] & alike[:-1]]
                twins.append(np.unique(np.concatenate([twice, longer])))
        elif grouped:  # each person's records together: compared within this part
            local = (r.astype(np.int64) - int(r[0])) << 32
            local += _record_key(m, d, p)
            twins.append(np.unique(r[pl.Series(local).is_duplicated().to_numpy()]))
        edges.append(_Edges.of(at, grouped, ordered, r, key, p))
        if keep_all:
            early_at.append(maybe + at)
            return
        if not grouped:  # read again, every record kept (see above)
            return
        assert cells is not None and kept is not None
        cells.add_part(at, r, m, d)
        # the records read again: the kept persons', the early ones, those at the part's ends
        chosen = np.flatnonzero(kept.take(np.maximum(heads, 0)) & (heads >= 0))
        ends = [0, starts.size - 1] if starts.size > 1 else [0]
        runs_kept = np.union1d(chosen, ends)
        first = starts.take(runs_kept)
        _, inside = expand(first, first + lengths.take(runs_kept))
        at_kept = np.union1d(inside, maybe)
        subsets.append(
            (
                at_kept + at,
                r.take(at_kept),
                m.take(at_kept),
                d.take(at_kept),
                p.take(at_kept),
                np.isin(at_kept, maybe, assume_unique=True),
            )
        )

    at = 0
    with ThreadPoolExecutor(max_workers=_READERS) as pool:
        pending = []
        for n, part_of in _parts(source):
            pending.append(pool.submit(read, at, n, part_of))
            at += n
            if len(pending) > 2 * _READERS:  # a few parts in flight: memory stays bounded
                pending.pop(0).result()
        for job in pending:
            job.result()
    if at != total:  # pragma: no cover - the row count of a dataset changed while read
        raise PopulationError([f"payments: {total} rows announced, {at} read"])
    edges.sort()
    # each part's rows are grouped exactly when they never decrease in it
    ascending = all(e.grouped for e in edges) and all(a.last <= b.first for a, b in pairwise(edges))
    if not keep_all and not ascending:  # each person's records not together: all kept
        return _payments(source, ids)
    if ascending:
        # a person's records may straddle two parts
        twins.extend(
            np.array([a.last], dtype=np.int32)
            for a, b in pairwise(edges)
            if a.last == b.first and a.may_repeat_in(b)
        )
    joined_runs = _Runs.joined(runs)
    if keep_all:
        pay = Records(rows, {"month": month, "day": day, "payer": payer}, ascending=ascending)
        if not ascending:  # records not grouped by person: compared all at once
            twins = [_duplicates(pay)]
        # each part's positions are increasing: the parts in order make them all so
        early_at.sort(key=lambda a: int(a[0]) if a.size else -1)
        early = np.concatenate(early_at) if early_at else np.zeros(0, dtype=np.int64)
        return _Payments(
            pay, _joined(unvouched), _joined(twins), early, joined_runs, orphans=sum(orphans)
        )
    assert cells is not None and kept is not None
    subsets.sort(key=lambda part: int(part[0][0]) if part[0].size else -1)
    kinds = (np.int64, np.int32, np.int16, np.int32, np.int8, np.bool_)
    _, r, m, d, p, is_early = (
        np.concatenate([part[i] for part in subsets] or [np.zeros(0, kind)])
        for i, kind in enumerate(kinds)
    )
    # a person whose records straddle parts: their cells are made again from all their records
    # (the parts' ends are kept), with the judged persons' (see `_judged_payments`)
    straddling = np.unique(
        np.array([a.last for a, b in pairwise(edges) if a.last == b.first], dtype=np.int64)
    )
    pay = Records(r, {"month": m, "day": d, "payer": p}, ascending=True)
    return _Payments(
        pay,
        _joined(unvouched),
        _joined(twins),
        np.flatnonzero(is_early),
        joined_runs,
        cells=cells,
        complete=kept,
        orphans=sum(orphans),
        straddling=straddling,
    )


@dataclass(frozen=True)
class _Edges:
    """What a part of the payments tells about the persons at its ends: whether its records
    come grouped by person, and in (month, day) order within each; its first and last row;
    the key (`_month_day`) and payers of its leading and trailing runs of records of one day."""

    at: int
    grouped: bool
    ordered: bool
    first: int
    last: int
    lead: tuple[int, tuple[int, ...]]
    trail: tuple[int, tuple[int, ...]]
    one_run: bool  # the whole part is one run (it may continue beyond both ends)

    @classmethod
    def of(
        cls, at: int, grouped: bool, ordered: bool, r: I32, key: npt.NDArray[np.uint32], p: I8
    ) -> _Edges:
        def run(i: int, step: int) -> list[int]:
            found = [int(p[i])]
            j = i + step
            while 0 <= j < r.size and r[j] == r[i] and key[j] == key[i] and len(found) < 8:
                found.append(int(p[j]))
                j += step
            return found

        lead, trail = run(0, 1), run(r.size - 1, -1)
        return cls(
            at,
            grouped,
            ordered,
            int(r[0]),
            int(r[-1]),
            (int(key[0]), tuple(lead)),
            (int(key[-1]), tuple(trail)),
            len(lead) >= r.size,
        )

    def __lt__(self, other: _Edges) -> bool:
        return self.at < other.at

    def may_repeat_in(self, after: _Edges) -> bool:
        """Whether the person straddling this part and the next may have two records alike
        (both in order: exactly when the day ending this part starts the next with a payer
        of its own again; otherwise, or when a part is one run, may be)."""
        if not (self.ordered and after.ordered) or self.one_run or after.one_run:
            return True
        (end, trail), (start, lead) = self.trail, after.lead
        if end != start:
            return end > start
        both = trail + lead
        return len(both) > 2 or len(set(both)) < len(both)


def _joined(parts: list[I32]) -> I32:
    if not parts:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.concatenate(parts)).astype(np.int32)


def _month_day(m: npt.NDArray[np.int16], d: I32) -> npt.NDArray[np.uint32]:
    """(month, day) in 32 bits that sort like the pair (12 bits of months from 1800, 17 of
    days from 1800: the dates a case may carry)."""
    key: npt.NDArray[np.uint32] = m.astype(np.uint32)
    key &= (1 << 12) - 1
    key <<= 17
    key |= (d - _KEY_DAY0).astype(np.uint32) & ((1 << 17) - 1)
    return key


def _record_key(m: npt.NDArray[np.int16], d: I32, p: I8) -> npt.NDArray[np.uint32]:
    """(month, day, payer) in 32 bits that sort like the tuple (`_month_day` and 3 bits of
    payer)."""
    key = _month_day(m, d)
    key <<= 3
    key |= p.astype(np.uint32) & 7
    return key


def _parts(source: TableSource) -> Iterator[tuple[int, Callable[[], pa.RecordBatch | pa.Table]]]:
    columns = list(SCHEMA["payments"])
    # Parquet keeps text dictionary-encoded per row group (ids, months, amounts, payers repeat):
    # read so, each distinct value is read once per group instead of once per record
    yield from source.parts(columns, dictionary=columns)


def _duplicates(pay: Records) -> I32:
    """Rows of persons with two records alike in (month, day, payer), in any order."""
    low = _record_key(pay.columns["month"], pay.columns["day"], pay.columns["payer"])
    key = pay.rows.astype(np.int64) << 32
    key += low
    twice = pl.Series(key).is_duplicated().to_numpy()
    return np.unique(pay.rows[twice])


def _orphans(name: str, rows: I32, problems: list[str]) -> None:
    if rows.size == 0 or int(rows.min()) >= 0:  # a reduction: no mask over every record
        return
    unknown = int((rows < 0).sum())
    if unknown:
        problems.append(f"{name}.person_id: {unknown} row(s) for persons not in persons")


def _others(
    pop: Population, lookup: PersonRows
) -> tuple[
    tuple[pl.Series, Bools, Ints, Ints, I8, I8],
    tuple[Records, Bools],
    tuple[Records, Bools],
    tuple[Records, Bools],
]:
    """The persons, their memberships, welfare levels and care requests (see `load`)."""
    persons = _persons(pop.sources["persons"], pop.ids)
    birth = persons[2]
    return (
        persons,
        _periods(
            pop.sources["memberships"], "memberships", "code", MEMBERSHIP_CODES, lookup, birth
        ),
        _periods(pop.sources["welfare_levels"], "welfare_levels", "level", LEVELS, lookup, birth),
        _care(pop.sources["care_requests"], lookup, birth),
    )


#: the 64-bit words of the timeline cells are first built on (see `load`): from the scheme's
#: first month of contributions, 256 months (to 2038); a valid month outside costs a rebuild
_FIRST_WORDS = 4


def load(pop: Population, frame_origin: int | None = None) -> Loaded:
    """Read, screen and (where the screen cannot vouch) judge every person's records.

    ``frame_origin``: build the cells of every payment while reading (on a timeline from this
    month or from the first month paid for, if earlier), and keep only the records the index
    reads again (`_payments`). None: keep every record.
    """
    lookup = pop.person_rows()
    persons = len(pop.ids)
    kept = cells = None
    if frame_origin is not None:
        # the persons whose payments from work the rules may read: those with a care request
        care = _arrow(pop.sources["care_requests"].frame(["person_id"]))
        asked = lookup.rows(_column(care, "person_id"))
        kept = np.zeros(persons, dtype=np.bool_)
        kept[asked[asked >= 0]] = True
        start = min(frame_origin, FIRST_CONTRIBUTION_MONTH.index)
        total = len(pop.sources["payments"])
        cells = PartCells(persons, start, _FIRST_WORDS, total, PAY_MONTH0)
    # the persons and the smaller tables on another thread while the payments are read (each
    # waits on its own kernels part of the time: the two share both cores)
    with ThreadPoolExecutor(max_workers=1) as side:
        others = side.submit(_others, pop, lookup)
        paid = _payments(pop.sources["payments"], lookup, kept, cells)
        (ids, vouched, birth, death, _, residency), (mem, mem_ok), (wel, wel_ok), (req, req_ok) = (
            others.result()
        )
    pay, twins, early = paid.records, paid.twins, paid.early
    pay_unvouched = np.union1d(paid.unvouched, paid.before_birth(birth))
    n = ids.len()
    problems: list[str] = []
    if paid.orphans:
        problems.append(f"payments.person_id: {paid.orphans} row(s) for persons not in persons")
    for name, records in zip(TABLES[2:], (mem, wel, req), strict=True):
        _orphans(name, records.rows, problems)
    if problems:
        raise PopulationError(problems)
    for records, ok in ((mem, mem_ok), (wel, wel_ok), (req, req_ok)):
        if not ok.all():
            vouched[records.rows[~ok]] = False
    vouched[pay_unvouched] = False
    vouched[twins] = False

    errors: dict[int, str] = {}  # by row: the few refused persons' errors
    judged = np.flatnonzero(~vouched)
    valid = vouched.copy()
    extra: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES[1:]}
    if judged.size:
        positions = {
            name: record_positions(table.rows, judged, table.ascending)
            for name, table in zip(TABLES[2:], (mem, wel, req), strict=True)
        }
        positions["payments"] = (
            paid.runs.positions(judged)
            if paid.cells is not None
            else record_positions(pay.rows, judged, pay.ascending)
        )
        documents = pop.case_documents(judged.tolist(), positions)
        as_of = BENEFITS_START  # the row check does not depend on the day asked about
        verdicts = judge({**d, "as_of": as_of} for d in documents)
        for row, (case, error) in zip(judged.tolist(), verdicts, strict=True):
            if case is None:
                assert error is not None  # the model's words for what it refused
                errors[row] = error
                continue
            assert isinstance(case, KzCase)
            valid[row] = True
            _from_case(row, case, birth, death, residency, extra)
    keep = vouched if judged.size else None
    payments = pay
    early_known: Ints | None = early
    paid_cells: Cells | None = None
    if paid.cells is not None:
        assert frame_origin is not None
        payments, early_known, paid_cells = _judged_payments(
            paid, paid.cells, judged, valid, extra["payments"], frame_origin
        )
    elif judged.size:
        if _in_place(pay, judged, valid, extra["payments"]):
            # the judged persons' records now hold what the model read: each may be early
            early_known = np.union1d(early, positions["payments"])
        else:
            payments = pay.kept(keep, _extra(extra["payments"], pay))
            early_known = None
    complete = None
    if paid.complete is not None:
        complete = paid.complete.copy()
        complete[judged] = True  # (what the model read of them is all there)
    return Loaded(
        errors=_errors(n, errors),
        vouched=vouched,
        valid=valid,
        birth_day=birth,
        death_day=death,
        residency=residency,
        payments=payments,
        early=early_known,
        memberships=mem.kept(keep, _extra(extra["memberships"], mem)),
        welfare_levels=wel.kept(keep, _extra(extra["welfare_levels"], wel)),
        care_requests=req.kept(keep, _extra(extra["care_requests"], req)),
        paid_cells=paid_cells,
        complete=complete,
    )


def _judged_payments(
    paid: _Payments,
    cells: PartCells,
    judged: Ints,
    valid: Bools,
    found: list[tuple[Any, ...]],
    frame_origin: int,
) -> tuple[Records, Ints, Cells]:
    """With cells built while reading: the kept records and the cells, the judged persons'
    made again from what the model read (a person it refused: none), on the timeline of every
    valid person's months (from ``frame_origin`` or the first month paid for, if earlier)."""
    pay = paid.records
    model = _extra(found, pay)
    if model is None:
        model = Records(
            np.zeros(0, np.int32),
            {name: np.zeros(0, column.dtype) for name, column in pay.columns.items()},
        )
    # made again: the cells of the persons straddling parts (from all their records, kept) and
    # of the judged persons (from what the model read), in row order
    straddling = paid.straddling if paid.straddling is not None else np.zeros(0, np.int64)
    redo = np.union1d(straddling, judged)
    if redo.size:
        theirs = np.flatnonzero(np.isin(pay.rows, np.setdiff1d(straddling, judged)))
        again = Records(
            np.concatenate([pay.rows.take(theirs), model.rows]),
            {
                name: np.concatenate([column.take(theirs), model.columns[name]])
                for name, column in pay.columns.items()
            },
        )
        order = np.argsort(again.rows, kind="stable")
        cells.rebuild(
            redo,
            again.rows.take(order),
            again.columns["month"].take(order),
            again.columns["day"].take(order),
        )
    # the kept records: the judged persons' replaced by what the model read (each may be
    # early); no more of the others than the early ones and those of the persons kept
    assert paid.complete is not None
    judged_too = np.isin(pay.rows, judged)
    is_early_read = np.zeros(pay.rows.size, dtype=np.bool_)
    is_early_read[paid.early] = True
    stays = np.flatnonzero(
        ~judged_too & (is_early_read | paid.complete.take(np.maximum(pay.rows, 0)))
    )
    early = np.flatnonzero(is_early_read.take(stays))
    order = np.argsort(np.concatenate([pay.rows.take(stays), model.rows]), kind="stable")
    is_early = np.zeros(stays.size + model.rows.size, dtype=np.bool_)
    is_early[early] = True
    is_early[stays.size :] = True
    records = Records(
        np.concatenate([pay.rows.take(stays), model.rows]).take(order),
        {
            name: np.concatenate([column.take(stays), model.columns[name]]).take(order)
            for name, column in pay.columns.items()
        },
        ascending=True,
    )
    # the timeline: every valid person's months (the judged persons' as the model read them)
    runs = paid.runs
    counted = valid.take(runs.rows) & ~np.isin(runs.rows, judged)
    least = [runs.least_month[counted], model.columns["month"]]
    most = [runs.most_month[counted], model.columns["month"]]
    origin, width = paid_frame(least, most, frame_origin)
    return records, np.flatnonzero(is_early.take(order)), cells.finish(origin, width)


def paid_frame(
    least: list[npt.NDArray[np.int16]], most: list[npt.NDArray[np.int16]], latest: int
) -> tuple[int, int]:
    """The timeline of the payments' cells (origin, width): from ``latest`` or the first month
    paid for, if earlier, to the last month paid for (``least``, ``most``: months from
    PAY_MONTH0, in any number of arrays; none at all: one month from ``latest``)."""
    if not sum(a.size for a in least):
        return latest, 1
    first = min(int(a.min()) for a in least if a.size) + PAY_MONTH0
    last = max(int(a.max()) for a in most if a.size) + PAY_MONTH0
    origin = min(latest, first)
    return origin, last - origin + 1


def _errors(n: int, found: dict[int, str]) -> pl.Series:
    """Per person: null, or the error ``found`` for that row."""
    errors = pl.repeat(None, n, dtype=pl.String, eager=True).alias("error")
    if not found:
        return errors
    return errors.scatter(list(found), list(found.values()))


def record_positions(rows: I32, judged: Ints, ascending: bool | None = None) -> Ints:
    """The positions of the records of the persons ``judged`` (rows, increasing);
    ``ascending``: whether ``rows`` never decrease, when known (`Records.ascending`)."""
    judged = judged.astype(rows.dtype)  # (a search in another type would convert all rows)
    if ascending is None:
        ascending = rows_ascending(rows)
    if ascending:
        lo = np.searchsorted(rows, judged, side="left")
        hi = np.searchsorted(rows, judged, side="right")
        counts = (hi - lo).astype(np.int64)
        at: Ints = np.arange(int(counts.sum()), dtype=np.int64)
        at += np.repeat(lo - (np.cumsum(counts) - counts), counts)
        return at
    found: Ints = np.flatnonzero(np.isin(rows, judged))
    return found


def rows_ascending(rows: npt.NDArray[np.integer[Any]]) -> bool:
    """Whether ``rows`` never decrease."""
    return rows.size < 2 or bool(np.all(rows[1:] >= rows[:-1]))


def _in_place(pay: Records, judged: Ints, valid: Bools, found: list[tuple[Any, ...]]) -> bool:
    """The judged persons' payment records replaced, in their own places, by what the model
    read (a person it refused: by records of no payer,
    [`NO_PAYER`][insurrules.population.kz.loading.NO_PAYER], that no set of payers holds), so
    that the arrays keep their order and are not copied. False (nothing changed) when that is
    not possible: records not grouped by person, or a person whose record count differs."""
    rows = pay.rows
    if not (rows_ascending(rows) if pay.ascending is None else pay.ascending):
        return False
    lo = np.searchsorted(rows, judged.astype(rows.dtype), side="left")
    hi = np.searchsorted(rows, judged.astype(rows.dtype), side="right")
    by_row: dict[int, list[tuple[Any, ...]]] = {}
    for record in found:
        by_row.setdefault(int(record[0]), []).append(record)
    spans = list(zip(judged.tolist(), lo.tolist(), hi.tolist(), strict=True))
    if any(valid[r] and len(by_row.get(r, ())) != b - a for r, a, b in spans):
        return False
    month, day, payer = pay.columns["month"], pay.columns["day"], pay.columns["payer"]
    for r, a, b in spans:
        if not valid[r]:
            month[a:b], day[a:b], payer[a:b] = 0, 0, NO_PAYER
            continue
        for at, (_, m, d, code) in enumerate(by_row.get(r, ()), start=a):
            month[at], day[at], payer[at] = m, d, code
    return True


def _day(value: dt.date | None) -> int:
    return NO_DAY if value is None else (value - _EPOCH).days


def _from_case(
    row: int,
    case: KzCase,
    birth: Ints,
    death: Ints,
    residency: I8,
    extra: dict[str, list[tuple[Any, ...]]],
) -> None:
    """A person the model accepted though the screen could not vouch: their values as the
    validated case has them."""
    person = case.person
    birth[row] = _day(person.birth_date)
    death[row] = _day(person.death_date)
    residency[row] = RESIDENCIES.index(person.residency)
    for p in case.payments:
        extra["payments"].append(
            (row, p.month.index - PAY_MONTH0, _day(p.paid_on), PAYERS.index(p.payer))
        )
    for m in person.memberships:
        extra["memberships"].append(
            (row, MEMBERSHIP_CODES.index(m.code), _day(m.start), _day(m.end))
        )
    for w in person.welfare_levels:
        extra["welfare_levels"].append((row, LEVELS.index(w.level), _day(w.start), _day(w.end)))
    for d in person.care_requests:
        extra["care_requests"].append((row, _day(d)))


def _extra(found: list[tuple[Any, ...]], like: Records) -> Records | None:
    if not found:
        return None
    names = list(like.columns)
    columns = list(zip(*found, strict=True))
    return Records(
        np.array(columns[0], dtype=np.int32),
        {
            name: np.array(values, dtype=like.columns[name].dtype)
            for name, values in zip(names, columns[1:], strict=True)
        },
    )
