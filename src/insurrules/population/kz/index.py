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
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.kz.cells import Cells, _among, cell_sets, expand
from insurrules.population.kz.loading import (
    NO_PAYER,
    PAY_MONTH0,
    Loaded,
    load,
    paid_frame,
    record_positions,
)
from insurrules.population.kz.tables import (
    LEVELS,
    MEMBERSHIP_CODES,
    PAYERS,
    Population,
)
from insurrules.population.pages import with_engine_memory
from insurrules.population.tableset import NO_MONTH_INDEX, month_numbers

__all__ = [
    "ByRow",
    "Cells",  # (from insurrules.population.kz.cells)
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
    #: per person, whether all their records are here (None: every record is); the others'
    #: are read again when needed (`PopulationIndex.payments`)
    complete: Bools | None = None

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
            complete=loaded.complete,
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
        return PaymentRecords.of(load(pop))  # every record

    def __reduce__(self) -> tuple[type[_Reread], tuple[Population | None]]:
        return (_Reread, (self._pop(),))


_REREADING = threading.Lock()
_NOBODY = np.zeros(0, dtype=np.int64)


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

    def payments(self, persons: Ints | None = None) -> PaymentRecords:
        """The payment records (all of those of the persons at rows ``persons``; None: every
        record), read again from the tables if they were released or are not all here (once,
        when several threads ask at the same time)."""
        with _REREADING:
            held = self.records
            if (
                held is not None
                and held.complete is not None
                and (persons is None or not bool(held.complete[persons].all()))
            ):
                self.records = None
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
        pay = self.payments(persons)
        at = record_positions(pay.rows, persons, pay.ascending)
        (cells,) = cell_sets(
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
        (cells,) = cell_sets(
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
        pay = self.payments(_NOBODY)  # (the records found early are always there)
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


@with_engine_memory
def population_index(pop: Population) -> PopulationIndex:
    """The index of ``pop``, built on first use and kept in ``pop.cache``."""
    found = pop.cache.get("engine_index")
    if isinstance(found, PopulationIndex):
        return found
    from insurrules.kz.params import kz_params
    from insurrules.kz.rules import default_rules

    # frames start no later than the parameters' latest origin and never after the first payment
    # (any earlier origin reads the same: months before a first payment only break runs)
    latest = kz_params(default_rules()).frame_origin
    loaded = load(pop, frame_origin=latest)  # the cells of every payment built while read
    n = loaded.valid.size
    records = PaymentRecords.of(loaded)
    if loaded.paid_cells is not None:
        origin, width = loaded.paid_cells.origin, loaded.paid_cells.width
    else:
        pay_month = records.month
        without_payer = records.some_without_payer
        months_paid = pay_month[records.payer != NO_PAYER] if without_payer else pay_month
        origin, width = paid_frame([months_paid], [months_paid], latest)
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
    if loaded.paid_cells is not None:
        index.cache[("cells", None)] = loaded.paid_cells
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
