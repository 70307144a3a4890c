"""A vn-bhyt population's tables read once into compact arrays, and the columnar screen.

[`load`][insurrules.population.vn.loading.load] makes one pass over each table as given, in
batches of only the columns the engine and the screen read (a Parquet extract is never held whole
in memory; text columns are read as the dictionaries Parquet stores, so a payer code or an amount
is read once per distinct value, not once per record), and turns every record into a few numbers:
the person's row, day numbers, codes, and whether each value is plain
([`insurrules.population.values`][insurrules.population.values]). Ids of 12 ASCII digits are
matched as numbers ([`digit_keys`][insurrules.population.tableset.digit_keys]).

The numbers are those the tables in the schema's types hold (the same readers), so the card
chain reads from them what it read from the typed tables.
[`screen`][insurrules.population.vn.loading.screen] then marks the persons whose values are
plain and whose records pass the checks that relate them as vouched for. It only ever vouches:
every other person is judged by the case model ([`VnCase`][insurrules.vn.case.VnCase]), whose
words are the row error (`VnPopulation.row_errors`). A property test holds the screen to the
model (``tests/population/test_vn_tables.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from insurrules.population.pages import with_engine_memory
from insurrules.population.sources import TableSource
from insurrules.population.tableset import PersonRows, digit_keys
from insurrules.population.values import NO_DAY, amounts, codes, days, wholes
from insurrules.population.vn.schema import (
    MEMBERSHIP_CODES,
    OPEN_STATE_GROUPS,
    PAYERS,
    SEXES,
    VN_SCHEMA,
)
from insurrules.vn.case import CARD_RULES_START
from insurrules.vn.rules import SUPPORT_GROUPS, default_rules

__all__ = ["Loaded", "Persons", "Records", "Spans", "covering", "load", "screen"]

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I16 = npt.NDArray[np.int16]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_EPOCH = dt.date(1970, 1, 1)
_CARD_START = (CARD_RULES_START - _EPOCH).days


@dataclass(frozen=True)
class Persons:
    """Per person: the id as text, day numbers (missing: ``values.NO_DAY``), and which of the
    person's own values are plain (``ok``)."""

    ids: pl.Series
    birth: I32
    death: I32
    ok: Bools


@dataclass(frozen=True)
class Records:
    """One table's records: the person row of each (-1: no such person), named columns, and
    which records' values are plain (``ok``)."""

    rows: I32
    columns: dict[str, npt.NDArray[Any]]
    ok: Bools

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.columns[name]


@dataclass(frozen=True)
class Loaded:
    """Everything [`load`][insurrules.population.vn.loading.load] read."""

    persons: Persons
    lookup: PersonRows
    #: ``paid_on`` (day), ``months`` (-1: null), ``payer`` (index in ``PAYERS``, -1: other)
    payments: Records
    #: ``code`` (index in ``MEMBERSHIP_CODES``, -1: other), ``start``, ``end`` (days)
    memberships: Records


def _column(batch: pa.RecordBatch | pa.Table, name: str) -> pa.Array:
    col = batch.column(name)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def _given(batch: pa.RecordBatch, name: str) -> Bools:
    return ~np.asarray(_column(batch, name).is_null().to_numpy(zero_copy_only=False), np.bool_)


def _batches(source: TableSource, table: str) -> Iterator[pa.RecordBatch]:
    columns = list(VN_SCHEMA[table])
    # Parquet keeps text dictionary-encoded per row group (codes, amounts and a person's records'
    # ids repeat): read so, each distinct value is read once per group, not once per record
    yield from source.batches(columns, dictionary=[c for c in columns if c != "id"])


def _read(
    source: TableSource,
    table: str,
    kinds: dict[str, npt.DTypeLike],
    read: Callable[[pa.RecordBatch], dict[str, npt.NDArray[Any]]],
) -> dict[str, npt.NDArray[Any]]:
    """``read`` of each batch, written into arrays of the whole table (of dtypes ``kinds``)."""
    total = len(source)
    out = {name: np.empty(total, dtype=kind) for name, kind in kinds.items()}
    at = 0
    for batch in _batches(source, table):
        part = slice(at, at + batch.num_rows)
        for name, values in read(batch).items():
            out[name][part] = values
        at += batch.num_rows
    if at != total:  # pragma: no cover - the row count of a dataset changed while read
        raise ValueError(f"{table}: {total} rows announced, {at} read")
    return out


def _persons(source: TableSource) -> Persons:
    ids: list[pa.Array] = []

    def read(batch: pa.RecordBatch) -> dict[str, npt.NDArray[Any]]:
        n = batch.num_rows
        id_column = _column(batch, "id")
        if isinstance(id_column, pa.DictionaryArray):
            id_column = id_column.dictionary_decode()
        ids.append(id_column.cast(pa.large_string()))
        _, ok = digit_keys(id_column)  # the 12 ASCII digits VnPerson asks for
        birth, good = days(_column(batch, "birth_date"))
        ok &= good
        ok &= codes(_column(batch, "sex"), SEXES) >= 0
        death = np.full(n, NO_DAY, dtype=np.int32)
        if "death_date" in batch.schema.names:
            death, good = days(_column(batch, "death_date"))
            ok &= ~_given(batch, "death_date") | (good & (death >= birth))
        if "household_rank" in batch.schema.names:
            rank, good = wholes(_column(batch, "household_rank"))
            ok &= ~_given(batch, "household_rank") | (good & (rank >= 1))
        return {"birth": birth, "death": death, "ok": ok}

    got = _read(source, "persons", {"birth": np.int32, "death": np.int32, "ok": np.bool_}, read)
    chunks = pa.chunked_array(ids, type=pa.large_string()) if ids else pa.array([], pa.string())
    series = pl.Series("id", chunks).cast(pl.String)
    return Persons(series, got["birth"], got["death"], got["ok"])


def _payments(source: TableSource, lookup: PersonRows) -> Records:
    def read(batch: pa.RecordBatch) -> dict[str, npt.NDArray[Any]]:
        paid, ok = days(_column(batch, "paid_on"))
        months, good = wholes(_column(batch, "months"))
        ok &= good
        # a card length is 3, 6 or 12: one that is not a plain whole number is not read
        months = np.where(good, np.clip(months, -1, 2**15), -1)
        ok &= amounts(_column(batch, "amount"))
        payer = codes(_column(batch, "payer"), PAYERS)
        ok &= payer >= 0
        return {
            "row": lookup.rows(_column(batch, "person_id")),
            "paid_on": paid,
            "months": months,
            "payer": payer,
            "ok": ok,
        }

    kinds = {"row": np.int32, "paid_on": np.int32, "months": np.int16}
    got = _read(source, "payments", {**kinds, "payer": np.int8, "ok": np.bool_}, read)
    row, ok = got.pop("row"), got.pop("ok")
    return Records(row, got, ok)


def _memberships(source: TableSource, lookup: PersonRows) -> Records:
    def read(batch: pa.RecordBatch) -> dict[str, npt.NDArray[Any]]:
        n = batch.num_rows
        start, ok = days(_column(batch, "start"))
        end = np.full(n, NO_DAY, dtype=np.int32)
        if "end" in batch.schema.names:
            end, good = days(_column(batch, "end"))
            ok &= ~_given(batch, "end") | (good & (end >= start))
        return {
            "row": lookup.rows(_column(batch, "person_id")),
            "code": codes(_column(batch, "code"), MEMBERSHIP_CODES),
            "start": start,
            "end": end,
            "ok": ok,
        }

    kinds = {"row": np.int32, "code": np.int8, "start": np.int32, "end": np.int32}
    got = _read(source, "memberships", {**kinds, "ok": np.bool_}, read)
    row, ok = got.pop("row"), got.pop("ok")
    return Records(row, got, ok)


@with_engine_memory
def load(sources: dict[str, TableSource], problems: list[str]) -> Loaded | None:
    """Read every table once; structural problems (duplicate ids, records of unknown persons)
    are appended to ``problems`` (then nothing is returned)."""
    persons = _persons(sources["persons"])
    lookup = PersonRows(persons.ids)
    repeated = lookup.repeated()
    if repeated:
        problems.append(f"persons.id: {repeated} id(s) appear more than once")
        return None
    payments = _payments(sources["payments"], lookup)
    memberships = _memberships(sources["memberships"], lookup)
    for name, records in (("payments", payments), ("memberships", memberships)):
        unknown = int((records.rows < 0).sum())
        if unknown:
            problems.append(f"{name}.person_id: {unknown} row(s) for persons not in persons")
    if problems:
        return None
    return Loaded(persons, lookup, payments, memberships)


#: payments screened per slice (see `screen`)
_SLICE = 2_000_000


def _card_length_allowed(paid: I32, months: I16) -> Bools:
    """Is each card length one of ``vn.household.periods`` in force on its payment day (rules as
    shipped, as `VnPayment` checks it)?"""
    values = default_rules()["vn.household.periods"].values
    starts = np.array([(v.start - _EPOCH).days for v in values], dtype=np.int64)
    which = np.maximum(np.searchsorted(starts, paid, side="right") - 1, 0)
    allowed = np.zeros(np.shape(months), dtype=np.bool_)
    for i, v in enumerate(values):
        allowed |= (which == i) & np.isin(months, [int(m) for m in v.value or ()])
    return allowed


def _person_key(rows: I32, day: I32) -> I64:
    """(row, day) as one integer that sorts like the pair (rows >= 0, any int32 day)."""
    key = rows.astype(np.int64) << 32
    key += day.astype(np.int64) + 2**31
    return key


def covering(rows: I32, day: I32, span_rows: I32, start: I32, end: I32) -> tuple[Bools, I64]:
    """For each ``day`` of a person (``rows``), the latest-starting of that person's spans begun
    by then (its index) and whether it covers the day (``end`` inclusive, ``NO_DAY``: open).

    The covering span when a person's spans do not overlap (as `VnCase` has support periods);
    otherwise a covering span may be missed (the screen then leaves the person to the model).
    """
    return Spans(span_rows, start, end).covering(rows, day)


class Spans:
    """Spans of persons (``rows``, ``start``, ``end``) sorted once for `covering` lookups."""

    def __init__(self, rows: I32, start: I32, end: I32) -> None:
        self.rows, self.end = rows, end
        keys = _person_key(rows, start)
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def covering(self, rows: I32, day: I32) -> tuple[Bools, I64]:
        """`covering` of each ``day`` of a person (``rows``)."""
        if self.rows.size == 0:
            return np.zeros(rows.shape[0], dtype=np.bool_), np.zeros(rows.shape[0], dtype=np.int64)
        at = np.searchsorted(self.keys, _person_key(rows, day), side="right") - 1
        found = at >= 0
        span: I64 = self.order[np.maximum(at, 0)]
        found &= self.rows[span] == rows
        found &= (self.end[span] == NO_DAY) | (day <= self.end[span])
        return found, span


def _strictly_rising(rows: I32, day: I32) -> bool:
    """Are the records in strictly increasing (row, day) order?"""
    if rows.shape[0] < 2:
        return True
    step = np.diff(rows)
    return bool(((step > 0) | ((step == 0) & (np.diff(day) > 0))).all())


def _twice(rows: I32, day: I32) -> I32:
    """Rows of persons with two records on one day."""
    if _strictly_rising(rows, day):
        return np.zeros(0, dtype=np.int32)
    keys = np.sort(_person_key(rows, day))
    same = keys[1:] == keys[:-1]
    rows_twice: I32 = (keys[1:][same] >> 32).astype(np.int32)
    return rows_twice


@with_engine_memory
def screen(loaded: Loaded) -> Bools:
    """Persons whose records the case model surely accepts (only ever vouching)."""
    from insurrules.population.kz.loading import overlapping

    people = loaded.persons
    ok = people.ok.copy()
    birth = people.birth
    n = ok.shape[0]

    mem = loaded.memberships
    r_mem = mem.rows
    code, start, end = mem["code"], mem["start"], mem["end"]
    good = mem.ok & (code >= 0) & (start >= birth[np.maximum(r_mem, 0)])
    # the child card is derived from the birth date: an explicit one goes to the model
    good &= code != MEMBERSHIP_CODES.index("child_under_6")
    ok[r_mem[~good]] = False
    support = np.isin(code, [MEMBERSHIP_CODES.index(c) for c in SUPPORT_GROUPS])
    if support.sum() > 1:
        clash = overlapping(r_mem[support], start[support], end[support])
        ok[r_mem[support][clash]] = False
    open_state = np.isin(code, [MEMBERSHIP_CODES.index(c) for c in OPEN_STATE_GROUPS]) & (
        end == NO_DAY
    )

    pay = loaded.payments
    r = pay.rows
    paid, months, payer = pay["paid_on"], pay["months"], pay["payer"]
    spans = Spans(r_mem[support], start[support], end[support])
    in_state = np.zeros(n, dtype=np.bool_)
    in_state[r_mem[open_state]] = True
    rising = True
    # payments slice by slice: a slice's arrays stay below glibc's largest mmap threshold, so
    # their memory is reused instead of page-faulted in afresh (as the engine's parts: chain.py)
    for a in range(0, r.shape[0], _SLICE):
        part = slice(a, a + _SLICE)
        rows, day = r[part], paid[part]
        good = pay.ok[part] & (day >= np.maximum(birth[np.maximum(rows, 0)], _CARD_START))
        good &= _card_length_allowed(day, months[part])
        # a supported purchase needs a support group on its day (VnCase); vouched when one of
        # the person's support memberships covers it, else the model judges
        asks = np.flatnonzero(payer[part] == PAYERS.index("supported"))
        if asks.size:
            covered, _ = spans.covering(rows[asks], day[asks])
            good[asks[~covered]] = False
        ok[rows[~good]] = False
        # purchases of a person in an open-ended state-paid group: the model decides (R1)
        ok[rows[in_state[np.maximum(rows, 0)]]] = False
        # the slice with the record before it: two records on one day show as no rise
        edge = slice(max(a - 1, 0), a + _SLICE)
        rising = rising and _strictly_rising(r[edge], paid[edge])
    if not rising:
        ok[_twice(r, paid)] = False
    return ok
