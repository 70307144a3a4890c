"""Evaluate a whole population through the kz-osms law, the same definitions as ``decide()``.

The tables become :class:`~insurrules.kz.law.KzFacts` of boolean arrays (the population
counterpart of :mod:`insurrules.kz.facts`, with the same filters: payments that arrived after
``as_of`` and care requests made after it are left out), :func:`insurrules.kz.law.routes` runs
over :class:`~insurrules.population.arrays.ArrayOps`, and the timelines are read at the month of
``as_of`` as :mod:`insurrules.kz.decide` reads them for one person.

The frame of months: it starts no later than 2019-01 and no later than the first payment month,
so every window and unbroken-payment run looks back as far as in a single decision (months before
the first payment can only break a run). It ends, for each person, at least where
:func:`insurrules.kz.facts.build_facts` ends that person's frame (the last finite fact plus the
longest window and grace), so that ``insured_until`` is null exactly when ``decide()`` says so.
Persons are processed in chunks sorted by that end month, so a newborn's long frame (to the 18th
birthday) does not lengthen everybody's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError
from insurrules.kz.law import KzFacts, KzRoutes, own_payments, routes
from insurrules.kz.params import kz_params
from insurrules.kz.rules import default_rules
from insurrules.months import month_index
from insurrules.parameters import RuleSet
from insurrules.population.arrays import NO_MONTH, AdvanceRecords, ArrayOps, pack
from insurrules.population.tables import (
    NO_DAY,
    NO_MONTH_INDEX,
    PAYERS,
    Population,
    PopulationError,
    day_numbers,
    month_numbers,
    payer_codes,
    record_rows,
)

__all__ = ["BASES", "RESULT_COLUMNS", "evaluate"]

#: Result columns of :func:`evaluate`, in order.
RESULT_COLUMNS = (
    "id",
    "status",
    "basis",
    "state_category",
    "budget",
    "grace_months",
    "insured_from",
    "insured_until",
    "renew_by",
    "error",
)
#: Routes in the order the first holding one is the basis (kz.md).
BASES = ("transition", "state_funded", "contributions", "prepaid", "grace_period")

_FULL = ("citizen", "kandas", "permanent_resident")
_NEVER = ("temporary_resident", "outside_scheme")
_LATEST_ORIGIN = 2019 * 12  # 2019-01
_NO_END = NO_MONTH_INDEX  # open-ended spans and "never died" (a month index)
_NO_DAY = NO_DAY
_EPOCH = dt.date(1970, 1, 1)
#: Cells (persons x months) per chunk: small enough for the CPU caches to help.
_CHUNK_CELLS = 1 << 23

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def _month_expr(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise PopulationError([f"as_of: expected a date, got a date-time {value}"])
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PopulationError([f"as_of: expected an ISO date YYYY-MM-DD, got {value!r}"]) from None


@dataclass
class _Prepared:
    """The population as flat arrays, in processing order, ready to be cut into chunks."""

    n: int
    valid: npt.NDArray[np.bool_]
    birth_m: Ints
    child_last: Ints
    death_m: Ints
    full: npt.NDArray[np.bool_]
    eaeu: npt.NDArray[np.bool_]
    end: Ints  # last month each person's frame must reach
    origin: int
    paid: npt.NDArray[np.uint64]  # packed timelines over the widest frame (words, n)
    work_paid: npt.NDArray[np.uint64]
    # small tables, sorted by position: (pos, columns...)
    advance: tuple[Ints, ...]
    memberships: tuple[Ints, ...]  # pos, code index, first month, last month
    codes: tuple[str, ...]
    de_requests: tuple[Ints, ...]
    de_level: tuple[Ints, ...]


def _ints(values: Any) -> Ints:
    if isinstance(values, pl.Series):
        values = values.to_numpy()
    return np.asarray(values).astype(np.int64, copy=False)


_days = day_numbers
_months = month_numbers


@dataclass
class _Index:
    """What does not depend on ``as_of`` or the rules: computed once per population."""

    rows: dict[str, Ints]  # table -> person row of each record
    birth_day: Ints
    death_day: Ints
    full: Bools  # citizen, kandas, permanent resident
    eaeu: Bools
    never: Bools  # temporary residents, outside the scheme
    pay_month: Ints
    pay_day: Ints
    pay_arrival: Ints  # month of paid_on
    payer: npt.NDArray[np.int8]  # index into PAYERS, -1 unknown
    mem_code: npt.NDArray[np.str_]
    mem_lo: Ints
    mem_hi: Ints
    wel_level: npt.NDArray[np.str_]
    wel_start: Ints
    wel_end: Ints
    req_day: Ints


def _index(pop: Population) -> _Index:
    cached = pop.cache.get("engine_index")
    if isinstance(cached, _Index):
        return cached
    rows = record_rows(pop)
    pay_day = _days(pop.payments["paid_on"])
    residency = pop.persons["residency"].cast(pl.String)
    index = _Index(
        rows={k: _ints(v) for k, v in rows.items()},
        birth_day=_days(pop.persons["birth_date"]),
        death_day=_days(pop.persons["death_date"]),
        full=residency.is_in(list(_FULL)).to_numpy(),
        eaeu=(residency == "eaeu_worker").to_numpy(),
        never=residency.is_in(list(_NEVER)).to_numpy(),
        pay_month=_months(_days(pop.payments["month"])),
        pay_day=pay_day,
        pay_arrival=_months(pay_day),
        payer=payer_codes(pop.payments["payer"]),
        mem_code=pop.memberships["code"].cast(pl.String).to_numpy().astype(str),
        mem_lo=_months(_days(pop.memberships["start"])),
        mem_hi=_months(_days(pop.memberships["end"])),
        wel_level=pop.welfare_levels["level"].cast(pl.String).to_numpy().astype(str),
        wel_start=_days(pop.welfare_levels["start"]),
        wel_end=_days(pop.welfare_levels["end"]),
        req_day=_days(pop.care_requests["date"]),
    )
    pop.cache["engine_index"] = index
    return index


def _prepare(pop: Population, as_of: dt.date, rules: RuleSet) -> tuple[_Prepared, Ints]:
    ix = _index(pop)
    m0 = month_index(as_of)
    day0 = (as_of - _EPOCH).days
    n = pop.persons.height
    valid = pop.row_errors.is_null().to_numpy().astype(np.bool_)

    params = kz_params(rules)
    work_payers = params.de_work_payers
    prepaid_payers = params.prepaid_payers
    prepaid_from = (params.prepaid_from - _EPOCH).days
    levels = params.de_levels
    child_age = params.child_age

    def known(table: str, extra: npt.NDArray[np.bool_] | None = None) -> Ints:
        return np.flatnonzero(known_mask(table, extra))

    def known_mask(table: str, extra: npt.NDArray[np.bool_] | None = None) -> Bools:
        rows = ix.rows[table]
        ok: Bools = rows >= 0
        if not valid.all():
            ok[ok] = valid[rows[ok]]
        if extra is not None:
            ok &= extra
        return ok

    # payments known on as_of (kz/facts.py: paid_on <= as_of); boolean masks keep it sequential
    pay = known_mask("payments", ix.pay_day <= day0)
    # the payments table is the largest: its independent passes run on two threads (numpy
    # releases the GIL in them)
    pool = ThreadPoolExecutor(max_workers=1)
    rows_months = pool.submit(lambda: (ix.rows["payments"][pay], ix.pay_month[pay]))
    payer = ix.payer[pay]  # -1: unknown payer, in no set

    def payer_mask(names: frozenset[str]) -> npt.NDArray[np.bool_]:
        # a few int8 comparisons stream faster than a table lookup (which widens the index)
        out: npt.NDArray[np.bool_] = np.zeros(payer.shape, dtype=np.bool_)
        for code, name in enumerate(PAYERS):
            if name in names:
                out |= payer == code
        return out

    work = payer_mask(work_payers)
    adv = payer_mask(prepaid_payers)
    adv &= ix.pay_day[pay] >= prepaid_from
    pay_arrival = ix.pay_arrival[pay]
    pay_row, pay_m = rows_months.result()
    mem = known("memberships")
    wel = known("welfare_levels")
    req = known("care_requests", ix.req_day <= day0)
    req_row, req_day = ix.rows["care_requests"][req], ix.req_day[req]

    # care requests made at level D/E (the level on the day of the request)
    wel_row = ix.rows["welfare_levels"][wel]
    de_wel = np.isin(ix.wel_level[wel], list(levels))
    de_req_rows: list[Ints] = []
    de_req_months: list[Ints] = []
    if req.size and wel.size:
        order_w = np.argsort(wel_row, kind="stable")
        w_rows = wel_row[order_w]
        starts = np.searchsorted(w_rows, req_row, side="left")
        stops = np.searchsorted(w_rows, req_row, side="right")
        most = int((stops - starts).max()) if starts.size else 0
        hit = np.zeros(req.size, dtype=np.bool_)
        for k in range(most):
            j = np.minimum(starts + k, w_rows.size - 1)
            w = wel[order_w[j]]
            inside = (
                (starts + k < stops)
                & (ix.wel_start[w] <= req_day)
                & (req_day <= ix.wel_end[w])
                & np.isin(ix.wel_level[w], list(levels))
            )
            hit |= inside
        de_req_rows.append(req_row[hit])
        de_req_months.append(_months(req_day[hit]))

    # the frame each person needs (kz/facts.py: last finite fact + reach)
    birth_m = _months(ix.birth_day)
    child_last = birth_m + 12 * child_age
    last = np.maximum(np.maximum(child_last, m0), params.law_last_month)
    mem_row = ix.rows["memberships"][mem]
    for rows, months in (
        (mem_row, ix.mem_lo[mem]),
        (mem_row, ix.mem_hi[mem]),
        (req_row, _months(req_day)),
        (wel_row, _months(ix.wel_start[wel])),
        (wel_row, _months(ix.wel_end[wel])),
    ):
        finite = months < _NO_END
        np.maximum.at(last, rows[finite], months[finite])
    origin = min(_LATEST_ORIGIN, int(pay_m.min())) if pay_m.size else _LATEST_ORIGIN
    # paid months as bits, in input row order, over the months payments cover only (chunks
    # pad them to their own frames)
    width = (int(pay_m.max()) if pay_m.size else origin) - origin + 1
    pay_ops = ArrayOps(origin, width, n)
    cells = pay_row * width
    cells += pay_m
    cells -= origin

    def packed(cells: Ints) -> npt.NDArray[np.uint64]:
        bits = np.zeros(n * width, dtype=np.bool_)
        bits[cells] = True
        return pack(bits.reshape(n, width), pay_ops.words)

    paid_job = pool.submit(packed, cells)
    work_rows = packed(cells[work])
    paid_rows = paid_job.result()
    pool.shutdown()
    del cells
    last_paid = pay_ops.last(paid_rows)
    last = np.where(last_paid != NO_MONTH, np.maximum(last, last_paid), last)
    end = last + params.reach

    order = np.argsort(np.where(valid, end, -1), kind="stable")
    pos_of = np.empty(n, dtype=np.int64)
    pos_of[order] = np.arange(n, dtype=np.int64)

    def by_pos(rows: Ints, *cols: Ints) -> tuple[Ints, ...]:
        pos = pos_of[rows]
        sort = np.argsort(pos, kind="stable")
        return (pos[sort], *(np.asarray(c)[sort] for c in cols))

    codes = tuple(sorted(set(ix.mem_code[mem].tolist())))
    code_idx = (
        np.searchsorted(np.array(codes, dtype=str), ix.mem_code[mem])
        if codes
        else np.zeros(0, dtype=np.int64)
    )
    death_m = _months(ix.death_day)
    adv_keep = adv & (pay_arrival < pay_m)
    return _Prepared(
        n=n,
        valid=valid[order],
        birth_m=birth_m[order],
        child_last=child_last[order],
        death_m=death_m[order],
        full=ix.full[order],
        eaeu=ix.eaeu[order],
        end=end[order],
        origin=origin,
        paid=paid_rows[:, order],
        work_paid=work_rows[:, order],
        advance=by_pos(pay_row[adv_keep], pay_m[adv_keep], pay_arrival[adv_keep]),
        memberships=by_pos(mem_row, code_idx, ix.mem_lo[mem], ix.mem_hi[mem]),
        codes=codes,
        de_requests=by_pos(
            np.concatenate(de_req_rows) if de_req_rows else np.zeros(0, dtype=np.int64),
            np.concatenate(de_req_months) if de_req_months else np.zeros(0, dtype=np.int64),
        ),
        de_level=by_pos(
            wel_row[de_wel],
            _months(ix.wel_start[wel][de_wel]),
            _months(ix.wel_end[wel][de_wel]),
        ),
    ), order


@dataclass
class _Chunk:
    lo: int
    hi: int
    ops: ArrayOps
    facts: KzFacts[Any]
    end: Ints  # the last month of each person's own frame (kz/facts.py)


def _slice(table: tuple[Ints, ...], lo: int, hi: int) -> tuple[Ints, ...]:
    pos = table[0]
    a, b = np.searchsorted(pos, [lo, hi])
    return (pos[a:b] - lo, *(col[a:b] for col in table[1:]))


def _chunk_facts(p: _Prepared, lo: int, hi: int) -> _Chunk:
    count = hi - lo
    last = int(p.end[lo:hi].max())
    ops = ArrayOps(p.origin, last - p.origin + 1, count)

    def cut(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        out = np.zeros(ops.shape, dtype=np.uint64)
        words = min(ops.words, bits.shape[0])
        out[:words] = bits[:words, lo:hi]
        out &= ops.full()
        return out

    rows, month, arrival = _slice(p.advance, lo, hi)
    mrows, code, mlo, mhi = _slice(p.memberships, lo, hi)
    memberships = {}
    for i, name in enumerate(p.codes):
        sel = code == i
        if sel.any():
            memberships[name] = ops.from_spans(mrows[sel], mlo[sel], mhi[sel])
    drows, dmonth = _slice(p.de_requests, lo, hi)
    lrows, llo, lhi = _slice(p.de_level, lo, hi)
    death = p.death_m[lo:hi]
    birth = p.birth_m[lo:hi]
    facts: KzFacts[Any] = KzFacts(
        full_participant=ops.flag(p.full[lo:hi]),
        eaeu_worker=ops.flag(p.eaeu[lo:hi]),
        alive=ops.until(death),
        before_death=ops.until(death - 1),
        born=ops.since(birth),
        child=ops.months(birth, p.child_last[lo:hi]),
        paid=cut(p.paid),
        work_paid=cut(p.work_paid),
        advance=AdvanceRecords(rows, month, arrival),
        memberships=memberships,
        de_requests=ops.from_cells(drows, dmonth),
        de_level=ops.from_spans(lrows, llo, lhi),
    )
    return _Chunk(lo, hi, ops, facts, p.end[lo:hi])


@dataclass
class _Read:
    """What a decision reads at the month of ``as_of``, per person of a chunk."""

    insured: npt.NDArray[np.bool_]
    basis: npt.NDArray[np.int8]  # index into BASES, -1 none
    category: npt.NDArray[np.int16]  # index into the routes' categories, -1 none
    grace: npt.NDArray[np.int16]  # -1 none
    run_lo: Ints
    run_hi: Ints
    open_end: npt.NDArray[np.bool_]
    state_months: dict[str, Ints]  # budget -> months state-paid in the year of as_of


def _read(
    chunk: _Chunk,
    r: KzRoutes[Any],
    rules: RuleSet,
    m0: int,
    never: npt.NDArray[np.bool_],
    dead: npt.NDArray[np.bool_],
    extras: bool,
) -> _Read:
    """Read the routes at ``m0`` the way :func:`insurrules.kz.decide.decide_kz` does."""
    ops = chunk.ops
    out_of_scope = never | dead
    insured = ops.holds(r.insured, m0) & ~out_of_scope

    held = [ops.holds(t, m0) for t in (r.transition, r.state, r.contributions, r.prepaid, r.grace)]
    basis = np.full(ops.persons, -1, dtype=np.int8)
    for i in reversed(range(len(held))):
        basis[held[i]] = i
    basis[~insured] = -1

    category = np.full(ops.persons, -1, dtype=np.int16)
    for i in reversed(range(len(r.categories))):
        category[ops.holds(r.categories[i].months, m0)] = i
    category[out_of_scope] = -1

    # grace: G for L, the last month <= m0 where route 3 or 4 holds (decide._grace_at)
    last = ops.last_at_or_before(r.hold, m0)
    has = (last != NO_MONTH) & ~out_of_scope
    p = kz_params(rules)
    g, ge, n = p.grace_at(m0)
    grace = np.where(has, g, -1).astype(np.int16)
    if ge > g and n:
        reached = r.runs.get(n)  # routes() keeps the runs it computed
        if reached is None:
            own, skip = own_payments(chunk.facts, r.state, ops, p)
            reached = ops.runs_reaching(own, skip, n)
        ext = has & ops.holds_each(reached, last)
        grace[ext] = ge

    lo, hi = ops.run_around(r.insured, m0)
    # decide() reads a run reaching the end of the person's own frame as open-ended; the
    # months up to that end are the same in this (longer) frame, so the test is the same.
    open_end = hi >= chunk.end

    state_months: dict[str, Ints] = {}
    if extras:
        year = ops.months(m0 - m0 % 12, m0 - m0 % 12 + 11)
        alive = chunk.facts.alive & chunk.facts.born
        taken = ops.empty()
        for cat in r.categories:
            new = cat.months & ops.not_(taken) & alive & year
            taken = taken | cat.months
            counted = ops.count(new)
            state_months[cat.budget] = state_months.get(cat.budget, 0) + counted
    return _Read(insured, basis, category, grace, lo, hi, open_end, state_months)


def _chunks(p: _Prepared) -> Iterator[tuple[int, int]]:
    lo = 0
    first_valid = int(np.argmax(p.valid)) if p.valid.any() else p.n
    lo = first_valid
    while lo < p.n:
        length = int(p.end[lo] - p.origin + 1)
        size = max(256, _CHUNK_CELLS // max(length, 1))
        hi = min(p.n, lo + size)
        yield lo, hi
        lo = hi


def evaluate_arrays(
    pop: Population,
    as_of: dt.date | str,
    rules: RuleSet | None = None,
    *,
    extras: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """:func:`evaluate`, optionally with the months the state pays in the year of ``as_of``
    (``state_months_<budget>`` columns, used by :func:`~insurrules.population.compare`)."""
    day = _as_date(as_of)
    rules = rules or default_rules()
    if rules.scheme != pop.scheme:
        raise RulesError(f"rules are for {rules.scheme}, but the population is {pop.scheme}")
    benefits_start = kz_params(rules).benefits_start
    if day < benefits_start:
        raise PopulationError(
            [f"as_of: {day} is too early: kz-osms benefits start on {benefits_start.isoformat()}"]
        )
    m0 = month_index(day)
    p, order = _prepare(pop, day, rules)
    n = p.n
    insured = np.zeros(n, dtype=np.bool_)
    basis = np.full(n, -1, dtype=np.int8)
    category = np.full(n, -1, dtype=np.int16)
    grace = np.full(n, -1, dtype=np.int16)
    run_lo = np.full(n, NO_MONTH, dtype=np.int64)
    run_hi = np.full(n, NO_MONTH, dtype=np.int64)
    open_end = np.zeros(n, dtype=np.bool_)
    budgets = sorted({period.budget for c in rules.categories for period in c.periods})
    state_months = {b: np.zeros(n, dtype=np.int64) for b in budgets}
    never_all = _index(pop).never[order]
    death = pop.persons["death_date"]
    dead_all = (death.is_not_null() & (death < day)).to_numpy()[order]

    def work(span: tuple[int, int]) -> tuple[int, int, _Read, list[tuple[str, str]]]:
        lo, hi = span
        chunk = _chunk_facts(p, lo, hi)
        r = routes(chunk.facts, chunk.ops, rules)
        read = _read(chunk, r, rules, m0, never_all[lo:hi], dead_all[lo:hi], extras)
        return lo, hi, read, [(c.code, c.budget) for c in r.categories]

    labels: dict[tuple[str, str], int] = {}

    spans = list(_chunks(p))
    done = 0
    with ThreadPoolExecutor(max_workers=threads or 2) as pool:
        for lo, hi, read, cats in pool.map(work, spans):
            ids = np.array([labels.setdefault(c, len(labels)) for c in cats] + [-1])
            insured[lo:hi] = read.insured
            basis[lo:hi] = read.basis
            category[lo:hi] = ids[read.category]
            grace[lo:hi] = read.grace
            run_lo[lo:hi] = read.run_lo
            run_hi[lo:hi] = read.run_hi
            open_end[lo:hi] = read.open_end
            for b, months in read.state_months.items():
                state_months[b][lo:hi] = months
            done += hi - lo
            if progress is not None:
                progress(done, n)

    # back to input order
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n, dtype=np.int64)
    valid = p.valid[back]
    cat_idx = category[back]
    names = list(labels)
    cat_series = pl.Series(cat_idx.astype(np.int64))
    keys = list(range(len(names)))
    frame = pl.DataFrame(
        {
            "_valid": valid,
            "_insured": insured[back],
            "_basis": basis[back],
            "_cat": cat_series.replace_strict(
                keys, [c for c, _ in names], default=None, return_dtype=pl.String
            ),
            "_budget": cat_series.replace_strict(
                keys, [b for _, b in names], default=None, return_dtype=pl.String
            ),
            "_grace": grace[back],
            "_lo": np.maximum(run_lo[back], _LATEST_ORIGIN),
            "_hi": np.maximum(run_hi[back], _LATEST_ORIGIN),
            "_open": open_end[back],
        }
    )
    base = pop.persons.select("id", "birth_date", "death_date").hstack(frame)
    result = _result(base, benefits_start, pop.row_errors)
    if extras:
        result = result.with_columns(
            pl.Series(f"state_months_{b}", np.where(valid, state_months[b][back], 0))
            for b in budgets
        )
    return result


def _first_day(idx: pl.Expr) -> pl.Expr:
    return pl.date(idx // 12, idx % 12 + 1, 1)


def _result(base: pl.DataFrame, benefits_start: dt.date, errors: pl.Series) -> pl.DataFrame:
    ok = pl.col("_valid")
    insured = ok & pl.col("_insured")
    start = pl.max_horizontal(
        _first_day(pl.col("_lo")), pl.col("birth_date"), pl.lit(benefits_start)
    )
    end_of_run = _first_day(pl.col("_hi") + 1).dt.offset_by("-1d")
    until = (
        pl.when(pl.col("_open"))
        .then(pl.col("death_date"))
        .otherwise(pl.min_horizontal(end_of_run, pl.col("death_date")))
    )
    basis_names = pl.Series(list(BASES), dtype=pl.String)
    out = base.with_columns(errors.alias("error")).select(
        pl.col("id"),
        pl.when(ok)
        .then(pl.when(pl.col("_insured")).then(pl.lit("insured")).otherwise(pl.lit("not_insured")))
        .alias("status"),
        pl.when(insured & (pl.col("_basis") >= 0))
        .then(
            pl.col("_basis")
            .cast(pl.Int64)
            .replace_strict(
                list(range(len(BASES))), basis_names, default=None, return_dtype=pl.String
            )
        )
        .alias("basis"),
        pl.when(ok).then(pl.col("_cat")).alias("state_category"),
        pl.when(ok).then(pl.col("_budget")).alias("budget"),
        pl.when(ok & (pl.col("_grace") >= 0))
        .then(pl.col("_grace").cast(pl.Int64))
        .alias("grace_months"),
        pl.when(insured).then(start).alias("insured_from"),
        pl.when(insured).then(until).alias("insured_until"),
        pl.when(insured).then(until).alias("renew_by"),
        pl.col("error"),
    )
    return out


def evaluate(
    population: Population, as_of: dt.date | str, rules: RuleSet | None = None
) -> pl.DataFrame:
    """Decide every person of ``population`` on ``as_of``; one row per person, input order.

    Columns: ``id``, ``status`` (``insured``/``not_insured``), ``basis``, ``state_category``,
    ``budget``, ``grace_months``, ``insured_from``, ``insured_until``, ``renew_by``, ``error``.
    A person whose records are invalid keeps a row with ``status`` null and ``error`` naming the
    field and the reason. The routes are those of :mod:`insurrules.kz.law`, the single definition
    ``decide()`` uses; for every valid row, the values equal ``insurrules.decide(population.case(
    id, as_of), rules)`` (property-tested).

    >>> from insurrules.population import synthetic, evaluate
    >>> result = evaluate(synthetic(1000, seed=1), "2026-03-15")
    >>> result.columns[:3]
    ['id', 'status', 'basis']
    """
    return evaluate_arrays(population, as_of, rules)
