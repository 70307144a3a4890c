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
from insurrules.kz.law import KzFacts, KzRoutes, routes
from insurrules.kz.rules import default_rules
from insurrules.months import month_index
from insurrules.parameters import RuleSet
from insurrules.population.arrays import NO_MONTH, AdvanceRecords, ArrayOps
from insurrules.population.tables import Population, PopulationError

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
_NO_END = 10**6  # open-ended spans and "never died"
#: Cells (persons x months) per chunk: small enough for the CPU caches to help.
_CHUNK_CELLS = 1 << 22

Ints = npt.NDArray[np.int64]


def _month_expr(col: str) -> pl.Expr:
    return (pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1)


def _max_param(rules: RuleSet, name: str) -> int:
    return max((v.value or 0) for v in rules[name].values)


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
    """The population as flat arrays (global row numbers), ready to be cut into chunks."""

    n: int
    valid: npt.NDArray[np.bool_]
    birth_m: Ints
    child_last: Ints
    death_m: Ints
    full: npt.NDArray[np.bool_]
    eaeu: npt.NDArray[np.bool_]
    end: Ints  # last month each person's frame must reach
    origin: int
    paid: npt.NDArray[np.uint8]  # packed bits (n, ceil(width / 8))
    work_paid: npt.NDArray[np.uint8]
    width: int
    # small tables, sorted by position in the chunk order: (pos, columns...)
    advance: tuple[Ints, Ints, Ints]
    memberships: tuple[Ints, Ints, Ints, Ints]  # pos, code index, start, end
    codes: tuple[str, ...]
    de_requests: tuple[Ints, Ints]
    de_level: tuple[Ints, Ints, Ints]


def _ints(series: pl.Series) -> Ints:
    return series.cast(pl.Int64).to_numpy().astype(np.int64, copy=False)


def _prepare(
    pop: Population, as_of: dt.date, rules: RuleSet
) -> tuple[_Prepared, Ints]:
    m0 = month_index(as_of)
    errors = pop.row_errors
    persons = pop.persons.select(
        _month_expr("birth_date").alias("birth_m"),
        _month_expr("death_date").alias("death_m"),
        pl.col("residency"),
        errors.is_null().alias("valid"),
    )
    n = persons.height
    valid = persons["valid"].to_numpy().astype(np.bool_)
    row_of = pop.persons.select(pl.col("id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
    valid_rows = pl.Series(np.flatnonzero(valid).astype(np.int64)).implode()

    def child(table: str, *exprs: pl.Expr) -> pl.DataFrame:
        df: pl.DataFrame = getattr(pop, table)
        return (
            df.join(row_of, left_on="person_id", right_on="id", how="inner")
            .filter(pl.col("_row").is_in(valid_rows))
            .select(pl.col("_row"), *exprs)
        )

    work_payers = list(rules["kz.welfare.work_payers"].values[-1].value)
    prepaid_payers = list(rules["kz.prepaid.payers"].values[-1].value)
    prepaid_from: dt.date = rules["kz.prepaid.start"].values[-1].value
    levels = list(rules["kz.welfare.levels_covered"].values[-1].value)
    child_age = int(rules["kz.child.age"].values[-1].value)

    pay = child(
        "payments",
        _month_expr("month").alias("m"),
        _month_expr("paid_on").alias("arrival"),
        pl.col("payer").is_in(work_payers).alias("work"),
        (pl.col("payer").is_in(prepaid_payers) & (pl.col("paid_on") >= prepaid_from)).alias(
            "adv"
        ),
        pl.col("paid_on"),
    ).filter(pl.col("paid_on") <= as_of)
    mem = child(
        "memberships",
        pl.col("code"),
        _month_expr("start").alias("lo"),
        _month_expr("end").alias("hi"),
    )
    wel = child(
        "welfare_levels",
        pl.col("level"),
        pl.col("start"),
        pl.col("end"),
        _month_expr("start").alias("lo"),
        _month_expr("end").alias("hi"),
    )
    req = child("care_requests", pl.col("date"), _month_expr("date").alias("m")).filter(
        pl.col("date") <= as_of
    )
    de_req = (
        req.join(wel, on="_row", how="inner")
        .filter(
            (pl.col("start") <= pl.col("date"))
            & (pl.col("end").is_null() | (pl.col("date") <= pl.col("end")))
            & pl.col("level").is_in(levels)
        )
        .select("_row", "m")
    )

    # last finite fact per person, as kz/facts.py computes it
    birth_m = _ints(persons["birth_m"])
    child_last = birth_m + 12 * child_age
    last = np.maximum(child_last, m0)
    facts_months = [
        pay.select("_row", "m"),
        mem.select("_row", pl.col("lo").alias("m")),
        mem.select("_row", pl.col("hi").alias("m")),
        req.select("_row", "m"),
        wel.select("_row", pl.col("lo").alias("m")),
        wel.select("_row", pl.col("hi").alias("m")),
    ]
    per_row = (
        pl.concat(facts_months).drop_nulls().group_by("_row").agg(pl.col("m").max())
    )
    if per_row.height:
        rows = _ints(per_row["_row"])
        last[rows] = np.maximum(last[rows], _ints(per_row["m"]))
    reach = (
        max(_max_param(rules, "kz.grace.months"), _max_param(rules, "kz.grace.extended_months"))
        + _max_param(rules, "kz.prepaid.months")
        + _max_param(rules, "kz.debt.window_months")
        + 13
    )
    end = last + reach

    origin = _LATEST_ORIGIN
    if pay.height:
        origin = min(origin, int(pay["m"].min()))  # type: ignore[arg-type]
    width = int(end[valid].max() - origin + 1) if valid.any() else 1

    # the order persons are processed in: by frame end, so chunks have similar frames
    order = np.argsort(np.where(valid, end, -1), kind="stable")
    pos_of = np.empty(n, dtype=np.int64)
    pos_of[order] = np.arange(n, dtype=np.int64)

    def packed(cells: pl.DataFrame) -> npt.NDArray[np.uint8]:
        rows = pos_of[_ints(cells["_row"])]
        cols = _ints(cells["m"]) - origin
        flat = np.zeros(n * width, dtype=np.bool_)
        flat[rows * width + cols] = True
        return np.packbits(flat.reshape(n, width), axis=1)

    def by_pos(df: pl.DataFrame, *cols: str) -> tuple[Ints, ...]:
        pos = pos_of[_ints(df["_row"])]
        sort = np.argsort(pos, kind="stable")
        return (pos[sort], *(_ints(df[c])[sort] for c in cols))

    codes = tuple(sorted(set(mem["code"].to_list())))
    mem = mem.with_columns(
        pl.col("code").replace_strict(codes, list(range(len(codes))), return_dtype=pl.Int64),
        pl.col("hi").fill_null(_NO_END),
    )
    adv = pay.filter(pl.col("adv") & (pl.col("arrival") < pl.col("m")))
    de_lvl = wel.filter(pl.col("level").is_in(levels)).with_columns(pl.col("hi").fill_null(_NO_END))
    residency = persons["residency"]
    death_m = persons["death_m"].fill_null(_NO_END)
    return _Prepared(
        n=n,
        valid=valid[order],
        birth_m=birth_m[order],
        child_last=child_last[order],
        death_m=_ints(death_m)[order],
        full=residency.is_in(list(_FULL)).to_numpy()[order],
        eaeu=(residency == "eaeu_worker").to_numpy()[order],
        end=end[order],
        origin=origin,
        paid=packed(pay.select("_row", "m")),
        work_paid=packed(pay.filter(pl.col("work")).select("_row", "m")),
        width=width,
        advance=by_pos(adv, "m", "arrival"),  # type: ignore[arg-type]
        memberships=by_pos(mem, "code", "lo", "hi"),  # type: ignore[arg-type]
        codes=codes,
        de_requests=by_pos(de_req, "m"),  # type: ignore[arg-type]
        de_level=by_pos(de_lvl, "lo", "hi"),  # type: ignore[arg-type]
    ), order


@dataclass
class _Chunk:
    lo: int
    hi: int
    ops: ArrayOps
    facts: KzFacts[Any]


def _slice(table: tuple[Ints, ...], lo: int, hi: int) -> tuple[Ints, ...]:
    pos = table[0]
    a, b = np.searchsorted(pos, [lo, hi])
    return (pos[a:b] - lo, *(col[a:b] for col in table[1:]))


def _chunk_facts(p: _Prepared, lo: int, hi: int) -> _Chunk:
    count = hi - lo
    last = int(p.end[lo:hi].max())
    ops = ArrayOps(p.origin, last - p.origin + 1, count)
    length = ops.length

    def unpack(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        return np.unpackbits(bits[lo:hi], axis=1, count=length).view(np.bool_)

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
        paid=unpack(p.paid),
        work_paid=unpack(p.work_paid),
        advance=AdvanceRecords(rows, month, arrival),
        memberships=memberships,
        de_requests=ops.from_cells(drows, dmonth),
        de_level=ops.from_spans(lrows, llo, lhi),
    )
    return _Chunk(lo, hi, ops, facts)


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
    on = dt.date(m0 // 12, m0 % 12 + 1, 1)
    g = rules["kz.grace.months"].at(on) or 0
    ge = rules["kz.grace.extended_months"].at(on)
    n = rules["kz.grace.extended_after_months"].at(on)
    grace = np.where(has, g, -1).astype(np.int16)
    if ge and n and ge > g:
        d2 = rules["kz.interpretation.state_months_in_run"].values[-1].value
        own = chunk.facts.paid | (r.state if d2 == "count" else ops.empty())
        skip = r.state if d2 == "skip" else ops.empty()
        reached = ops.runs_reaching(own, skip, n)
        col = np.clip(last - ops.origin, 0, ops.length - 1)
        ext = has & reached[np.arange(ops.persons), col]
        grace[ext] = ge

    lo, hi = ops.run_around(r.insured, m0)
    open_end = hi == ops.origin + ops.length - 1

    state_months: dict[str, Ints] = {}
    if extras:
        year = ops.months(m0 - m0 % 12, m0 - m0 % 12 + 11)
        alive = chunk.facts.alive & chunk.facts.born
        taken = ops.empty()
        for cat in r.categories:
            new = cat.months & ~taken & alive & year
            taken = taken | cat.months
            counted = new.sum(axis=1, dtype=np.int64)
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
    benefits_start: dt.date = rules["kz.scheme.benefits_start"].values[-1].value
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
    residency = pop.persons["residency"]
    never_all = residency.is_in(list(_NEVER)).to_numpy()[order]
    death = pop.persons["death_date"]
    dead_all = (death.is_not_null() & (death < day)).to_numpy()[order]

    def work(span: tuple[int, int]) -> tuple[int, int, _Read]:
        lo, hi = span
        chunk = _chunk_facts(p, lo, hi)
        r = routes(chunk.facts, chunk.ops, rules)
        return lo, hi, _read(chunk, r, rules, m0, never_all[lo:hi], dead_all[lo:hi], extras)

    spans = list(_chunks(p))
    done = 0
    with ThreadPoolExecutor(max_workers=threads or 2) as pool:
        for lo, hi, read in pool.map(work, spans):
            insured[lo:hi] = read.insured
            basis[lo:hi] = read.basis
            category[lo:hi] = read.category
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
    labels = [(c.code, period.budget) for c in rules.categories for period in c.periods]
    cat_series = pl.Series(cat_idx.astype(np.int64))
    keys = list(range(len(labels)))
    frame = pl.DataFrame(
        {
            "_valid": valid,
            "_insured": insured[back],
            "_basis": basis[back],
            "_cat": cat_series.replace_strict(
                keys, [c for c, _ in labels], default=None, return_dtype=pl.String
            ),
            "_budget": cat_series.replace_strict(
                keys, [b for _, b in labels], default=None, return_dtype=pl.String
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
        .then(pl.col("_basis").cast(pl.Int64).replace_strict(
            list(range(len(BASES))), basis_names, default=None, return_dtype=pl.String
        ))
        .alias("basis"),
        pl.when(ok).then(pl.col("_cat")).alias("state_category"),
        pl.when(ok).then(pl.col("_budget")).alias("budget"),
        pl.when(ok & (pl.col("_grace") >= 0)).then(pl.col("_grace").cast(pl.Int64)).alias(
            "grace_months"
        ),
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
