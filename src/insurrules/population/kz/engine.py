"""Decide many cases at once through the kz-osms law, the same definitions as ``decide()``.

The engine answers *queries*: a person (a row of the population's ``persons``) and a day. Each
query gets the facts [`insurrules.kz.facts`][insurrules.kz.facts] would build for the case
``population.case(id, day)`` — only payments paid and care requests made by that day — as bit-packed
timelines ([`ArrayOps`][insurrules.population.arrays.ArrayOps]);
[`insurrules.kz.law.routes`][insurrules.kz.law.routes] runs over them, and each query is read at its
own month as `insurrules.kz.decide` reads one case. `evaluate` asks every person about one day;
claims screening asks about each person's service dates
([`answer`][insurrules.population.kz.engine.answer]); `compare` reads the same facts under two rule
sets.

What no query changes (paid cells with their arrival days, records grouped by person) is built
once per population ([`insurrules.population.kz.index`][insurrules.population.kz.index]).

The frame of months: it starts no later than 2019-01 and no later than the first payment month,
so every window and unbroken-payment run looks back as far as in a single decision (months before
the first payment can only break a run). It ends, for each query, at least where
[`insurrules.kz.facts.build_facts`][insurrules.kz.facts.build_facts] ends that case's frame (the
last finite fact plus the longest window and grace), so that ``insured_until`` is null exactly when
``decide()`` says so. Queries are processed in chunks sorted by that end month (a newborn's long
frame, to the 18th birthday, does not lengthen everybody's) and then by the month asked about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError
from insurrules.kz.decide import GraceAt, scope_reasons, why_not
from insurrules.kz.law import KzFacts, KzRoutes, child_last_month, routes
from insurrules.kz.params import KzParams, kz_params
from insurrules.kz.reading import BASES, Asked
from insurrules.kz.rules import default_rules
from insurrules.models import Reason
from insurrules.parameters import RuleSet
from insurrules.population.arrays import AdvanceRecords, ArrayOps
from insurrules.population.kz.index import Cells, PopulationIndex, population_index
from insurrules.population.kz.reading import Chunk, Read, Refusal
from insurrules.population.kz.reading import read as read_routes
from insurrules.population.kz.tables import PAYERS, RESIDENCIES, Population
from insurrules.population.pages import with_engine_memory
from insurrules.population.tableset import NO_DAY, PopulationError, as_of_date, month_numbers

__all__ = [
    "Answers",
    "answer",
    "answer_each",
    "evaluate_each",
]

_EPOCH = dt.date(1970, 1, 1)
#: Cells (persons x months) per chunk: small enough for the CPU caches to help.
_CHUNK_CELLS = 1 << 24

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]


def _in(codes: npt.NDArray[np.int8], names: frozenset[str]) -> Bools:
    """Which residency codes (indices into RESIDENCIES) name one of ``names``."""
    lookup = np.array([r in names for r in RESIDENCIES] + [False], dtype=np.bool_)
    found: Bools = lookup[codes]  # code -1 (unknown: an invalid row) reads the last entry
    return found


def _payer_codes(names: frozenset[str]) -> frozenset[int]:
    return frozenset(i for i, name in enumerate(PAYERS) if name in names)


@dataclass
class _Queries:
    """The questions as flat arrays in processing order (by frame end), ready to be chunked.

    Query ``q`` asks about person row ``row[q]`` on day ``day[q]``; everything else is what
    [`insurrules.kz.facts.build_facts`][insurrules.kz.facts.build_facts] derives for that case.
    """

    count: int
    row: Ints
    day: Ints
    month: Ints  # the month of the day asked about
    valid: Bools
    birth_m: Ints
    child_last: Ints
    death_m: Ints
    full: Bools
    eaeu: Bools
    never: Bools
    birth_day: Ints
    death_day: Ints
    end: Ints  # last month each query's frame must reach
    origin: int
    paid: Words  # packed (words, count) over the payment months
    work_paid: Words
    # small tables sorted by query position: (pos, columns...)
    advance: tuple[Ints, ...]
    memberships: tuple[Ints, ...]  # pos, code index, first month, last month
    codes: tuple[str, ...]
    de_requests: tuple[Ints, ...]
    de_level: tuple[Ints, ...]


@dataclass
class _ByQuery:
    """What each query reads of the index's small tables (for each: the query of each record
    and the records' columns), in the queries' own order; and the cells of payments from work."""

    work_cells: Cells
    requests: tuple[Ints, dict[str, Ints]]
    advance: tuple[Ints, dict[str, Ints]]
    memberships: tuple[Ints, dict[str, Ints]]
    de_requests: tuple[Ints, dict[str, Ints]]
    de_levels: tuple[Ints, dict[str, Ints]]


def _by_query(ix: PopulationIndex, rows: Ints, params: KzParams) -> _ByQuery:
    levels = frozenset(params.de_levels)
    return _ByQuery(
        work_cells=ix.work_cells(_payer_codes(params.de_work_payers), levels),
        requests=ix.requests.of(rows),
        advance=ix.advance(_payer_codes(params.prepaid_payers), params.prepaid_from).of(rows),
        memberships=ix.memberships.of(rows),
        de_requests=ix.de_requests(levels).of(rows),
        de_levels=ix.de_levels(levels).of(rows),
    )


def _prepare(pop: Population, rows: Ints, days: Ints, rules: RuleSet) -> tuple[_Queries, Ints]:
    """The facts of each query, as [`insurrules.kz.facts`][insurrules.kz.facts] builds them for one
    case: only payments paid and care requests made by the day asked about count."""
    ix = population_index(pop)
    params = kz_params(rules)
    count = rows.size
    m0 = month_numbers(days)
    valid = ix.valid[rows]

    # each step runs on one core for the most part: the small tables on the other core
    # while the paid cells are built and read
    with ThreadPoolExecutor(max_workers=1) as side:
        small_job = side.submit(_by_query, ix, rows, params)
        paid_cells = ix.cells(None)

        # the frame each query needs (kz/facts.py: last finite fact + reach)
        birth_m = ix.birth_month[rows]
        child_last = child_last_month(birth_m, params)
        last = np.maximum(np.maximum(child_last, m0), params.law_last_month)
        np.maximum(last, ix.fact_last[rows], out=last)
        paid_cut = paid_cells.cut(rows, days)
        np.maximum(last, paid_cells.last_known(rows, days, paid_cut), out=last)
        small = small_job.result()
        # what the rules read of the payment records is built: the records themselves (the
        # bulk of the index) are let go before the routes run, and read again only for other
        # payers
        side.submit(ix.release_payments)
        owner, req = small.requests
        known = req["day"] <= days[owner]
        np.maximum.at(last, owner[known], req["month"][known])
        end = last + params.reach

        # by frame end (chunks of equal frames), then by the month asked about (runs of equal
        # months read a timeline a word row at a time)
        order = np.argsort(np.where(valid, end, -1) * (1 << 20) + m0, kind="stable")
        row = rows[order]
        day = days[order]
        # the two payment timelines on both cores (numpy releases the GIL in these passes)
        work_job = side.submit(small.work_cells.known, row, day)
        pos_of = np.empty(count, dtype=np.int64)
        pos_of[order] = np.arange(count, dtype=np.int64)

        def by_pos(owner: Ints, *cols: Ints) -> tuple[Ints, ...]:
            pos = pos_of[owner]
            sort = np.argsort(pos, kind="stable")
            return (pos[sort], *(np.asarray(c)[sort] for c in cols))

        owner, adv = small.advance
        known = adv["day"] <= days[owner]
        advance = by_pos(owner[known], adv["month"][known], adv["arrival"][known])
        owner, mem = small.memberships
        memberships = by_pos(owner, mem["code"], mem["lo"], mem["hi"])
        owner, de = small.de_requests
        known = de["day"] <= days[owner]
        de_requests = by_pos(owner[known], de["month"][known])
        owner, spans = small.de_levels
        de_level = by_pos(owner, spans["lo"], spans["hi"])
        first, at, stop = paid_cut
        paid = paid_cells.known(row, day, (first[order], at[order], stop[order]))
        work_paid = work_job.result()
    return _Queries(
        count=count,
        row=row,
        day=day,
        month=m0[order],
        valid=valid[order],
        birth_m=birth_m[order],
        child_last=child_last[order],
        death_m=ix.death_month[row],
        full=_in(ix.residency[row], params.full_residencies),
        eaeu=_in(ix.residency[row], params.paid_only_residencies),
        never=_in(ix.residency[row], params.outside_residencies),
        birth_day=ix.birth_day[row],
        death_day=ix.death_day[row],
        end=end[order],
        origin=ix.origin,
        paid=paid,
        work_paid=work_paid,
        advance=advance,
        memberships=memberships,
        codes=ix.codes,
        de_requests=de_requests,
        de_level=de_level,
    ), order


def _slice(table: tuple[Ints, ...], lo: int, hi: int) -> tuple[Ints, ...]:
    pos = table[0]
    a, b = np.searchsorted(pos, [lo, hi])
    return (pos[a:b] - lo, *(col[a:b] for col in table[1:]))


def _chunk_facts(q: _Queries, lo: int, hi: int) -> Chunk:
    count = hi - lo
    last = int(q.end[lo:hi].max())
    ops = ArrayOps(q.origin, last - q.origin + 1, count)

    def cut(bits: Words) -> Words:
        out = np.zeros(ops.shape, dtype=np.uint64)
        words = min(ops.words, bits.shape[0])
        out[:words] = bits[:words, lo:hi]
        out &= ops.full()
        return out

    rows, month, arrival = _slice(q.advance, lo, hi)
    mrows, code, mlo, mhi = _slice(q.memberships, lo, hi)
    memberships = {}
    for i, name in enumerate(q.codes):
        sel = code == i
        if sel.any():
            memberships[name] = ops.from_spans(mrows[sel], mlo[sel], mhi[sel])
    drows, dmonth = _slice(q.de_requests, lo, hi)
    lrows, llo, lhi = _slice(q.de_level, lo, hi)
    death = q.death_m[lo:hi]
    birth = q.birth_m[lo:hi]
    facts: KzFacts[Any] = KzFacts(
        full_participant=ops.flag(q.full[lo:hi]),
        eaeu_worker=ops.flag(q.eaeu[lo:hi]),
        alive=ops.until(death),
        before_death=ops.until(death - 1),
        born=ops.since(birth),
        child=ops.months(birth, q.child_last[lo:hi]),
        paid=cut(q.paid),
        work_paid=cut(q.work_paid),
        advance=AdvanceRecords(rows, month, arrival),
        memberships=memberships,
        de_requests=ops.from_cells(drows, dmonth),
        de_level=ops.from_spans(lrows, llo, lhi),
    )
    asked = Asked(
        month=q.month[lo:hi],
        day=q.day[lo:hi],
        birth_day=q.birth_day[lo:hi],
        death_day=q.death_day[lo:hi],
        outside=q.never[lo:hi],
        frame_end=q.end[lo:hi],
    )
    return Chunk(lo, hi, ops, facts, asked)


def _chunks(q: _Queries) -> Iterator[tuple[int, int]]:
    lo = int(np.argmax(q.valid)) if q.valid.any() else q.count
    while lo < q.count:
        length = int(q.end[lo] - q.origin + 1)
        size = max(256, _CHUNK_CELLS // max(length, 1))
        hi = min(q.count, lo + size)
        yield lo, hi
        lo = hi


@dataclass
class Answers:
    """The engine's answers to queries, in query order (see
    [`answer`][insurrules.population.kz.engine.answer])."""

    valid: Bools  # the person's records are valid (else every other value is meaningless)
    insured: Bools
    basis: npt.NDArray[np.int8]  # index into BASES, -1 none
    category: Ints  # index into ``categories``, -1 none
    categories: list[tuple[str, str]]  # (code, budget)
    grace: npt.NDArray[np.int16]  # grace months, -1 none
    insured_from: Ints  # day numbers, where insured
    insured_until: Ints  # day numbers, NO_DAY: none (also renew_by)
    state_months: dict[str, Ints]  # budget -> state-paid months in the year asked about
    reasons: dict[int, list[Reason]]  # query -> reasons of a refusal (``why=True``)


class _Collected:
    """The reads of every chunk under one rule set, in processing order."""

    def __init__(self, q: _Queries, rules: RuleSet, extras: bool) -> None:
        n = q.count
        self.rules = rules
        self.insured = np.zeros(n, dtype=np.bool_)
        self.basis = np.full(n, -1, dtype=np.int8)
        self.category = np.full(n, -1, dtype=np.int64)
        self.grace = np.full(n, -1, dtype=np.int16)
        self.insured_from = np.zeros(n, dtype=np.int64)
        self.insured_until = np.full(n, NO_DAY, dtype=np.int64)
        budgets = sorted({period.budget for c in rules.categories for period in c.periods})
        # state-paid months are read only for the extra columns (a reform's comparison)
        self.state_months = {b: np.zeros(n, dtype=np.int64) for b in budgets} if extras else {}
        self.refusals: dict[int, Refusal] = {}
        self.labels: dict[tuple[str, str], int] = {}

    def add(self, lo: int, hi: int, read: Read, cats: list[tuple[str, str]]) -> None:
        ids = np.array([self.labels.setdefault(c, len(self.labels)) for c in cats] + [-1])
        at = read.at
        self.insured[lo:hi] = at.insured
        self.basis[lo:hi] = at.basis
        self.category[lo:hi] = ids[at.category]
        self.grace[lo:hi] = at.grace
        self.insured_from[lo:hi] = at.insured_from
        self.insured_until[lo:hi] = at.insured_until
        for b, months in read.state_months.items():
            self.state_months[b][lo:hi] = months
        self.refusals.update({lo + k: v for k, v in read.refusals.items()})

    def answers(self, pop: Population, q: _Queries, order: Ints, why: bool) -> Answers:
        back = np.empty(q.count, dtype=np.int64)
        back[order] = np.arange(q.count, dtype=np.int64)
        reasons = (
            _refusal_reasons(pop, q, self.insured, self.refusals, self.rules, order) if why else {}
        )
        return Answers(
            valid=q.valid[back],
            insured=self.insured[back],
            basis=self.basis[back],
            category=self.category[back],
            categories=list(self.labels),
            grace=self.grace[back],
            insured_from=self.insured_from[back],
            insured_until=self.insured_until[back],
            state_months={b: np.where(q.valid, v, 0)[back] for b, v in self.state_months.items()},
            reasons=reasons,
        )


def _facts_key(rules: RuleSet) -> tuple[Any, ...]:
    """What [`_prepare`][insurrules.population.kz.engine._prepare] reads from the rules: rule sets
    that agree share the facts."""
    p = kz_params(rules)
    return (
        p.de_work_payers,
        p.prepaid_payers,
        p.prepaid_from,
        frozenset(p.de_levels),
        p.child_age,
        p.full_residencies,
        p.paid_only_residencies,
        p.outside_residencies,
        p.law_last_month,
        p.reach,
    )


def _read_chunk(
    q: _Queries, rule_sets: list[RuleSet], extras: bool, why: bool, span: tuple[int, int]
) -> tuple[int, int, list[tuple[Read, list[tuple[str, str]]]]]:
    """Build the facts of queries ``span`` once and read them under each rule set."""
    lo, hi = span
    chunk = _chunk_facts(q, lo, hi)
    reads: list[tuple[Read, list[tuple[str, str]]]] = []
    first: KzRoutes[Any] | None = None
    for rules in rule_sets:
        r = routes(chunk.facts, chunk.ops, rules, like=first)  # a grace reform reuses routes 1-4
        same_categories = first is not None and r.categories is first.categories
        read = read_routes(
            chunk,
            r,
            rules,
            extras,
            why,
            reads[0][0].state_months if same_categories else None,
        )
        first = first or r
        reads.append((read, [(k.code, k.budget) for k in r.categories]))
    return lo, hi, reads


def answer(
    pop: Population,
    rows: Ints,
    days: Ints,
    rules: RuleSet,
    *,
    extras: bool = False,
    why: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Answers:
    """Decide person ``rows[q]`` of ``pop`` on day ``days[q]`` (day numbers) for every query.

    Each query sees only the facts known on its own day, as ``decide()`` would for the case
    ``pop.case(id, day)``: one call answers a whole population on one day, or many persons on
    many days (claims screening). ``extras``: months the state pays in the year asked about;
    ``why``: for every valid query that is not insured, the reasons ``decide()`` gives for the
    refusal (the same functions of `insurrules.kz.decide`).
    """
    return answer_each(
        pop, rows, days, [rules], extras=extras, why=why, threads=threads, progress=progress
    )[0]


@with_engine_memory
def answer_each(
    pop: Population,
    rows: Ints,
    days: Ints,
    rule_sets: list[RuleSet],
    *,
    extras: bool = False,
    why: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Answers]:
    """[`answer`][insurrules.population.kz.engine.answer] under each of ``rule_sets`` (a baseline
    and a reform): rule sets that build the same facts share them, and each chunk of facts is read
    under all of them."""
    for rules in rule_sets:  # no decision before the scheme's benefits start (R5.1)
        benefits_start = kz_params(rules).benefits_start
        if days.size and int(days.min()) < (benefits_start - _EPOCH).days:
            early = _EPOCH + dt.timedelta(days=int(days.min()))
            raise PopulationError(
                [f"as_of: {early} is too early: kz-osms benefits start on {benefits_start}"]
            )
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, rules in enumerate(rule_sets):
        groups.setdefault(_facts_key(rules), []).append(i)
    out: dict[int, Answers] = {}
    for members in groups.values():
        q, order = _prepare(pop, rows, days, rule_sets[members[0]])
        collected = [_Collected(q, rule_sets[i], extras) for i in members]
        work = partial(_read_chunk, q, [c.rules for c in collected], extras, why)
        done = 0
        with ThreadPoolExecutor(max_workers=threads or 2) as pool:
            for lo, hi, reads in pool.map(work, list(_chunks(q))):
                for c, (read, cats) in zip(collected, reads, strict=True):
                    c.add(lo, hi, read, cats)
                done += hi - lo
                if progress is not None:
                    progress(done, q.count)
        for i, c in zip(members, collected, strict=True):
            out[i] = c.answers(pop, q, order, why)
    return [out[i] for i in range(len(rule_sets))]


def _refusal_reasons(
    pop: Population,
    q: _Queries,
    insured: Bools,
    refusals: dict[int, Refusal],
    rules: RuleSet,
    order: Ints,
) -> dict[int, list[Reason]]:
    """The reasons ``decide()`` gives for each valid query nobody insures, by query number."""
    refused = np.flatnonzero(q.valid & ~insured)
    if refused.size == 0:
        return {}
    people = pop.persons.select("residency", "birth_date", "death_date")[q.row[refused]]
    out: dict[int, list[Reason]] = {}
    # refusals often read alike (no payment at all, the same months of debt): write each once
    seen: dict[tuple[Any, ...], list[Reason]] = {}
    for pos, day, (residency, birth, death) in zip(
        refused.tolist(), q.day[refused].tolist(), people.iter_rows(), strict=True
    ):
        found = refusals.get(pos)
        as_of = _EPOCH + dt.timedelta(days=day)
        dead = death is not None and as_of > death
        unborn = as_of < birth
        key = (
            residency,
            death if dead else None,
            birth if unborn else None,
            as_of if dead or unborn else None,
            int(q.month[pos]),
            None
            if found is None
            else (
                found.paid_now,
                tuple(found.debt),
                found.grace,
                found.any_paid,
                tuple(found.de_months),
            ),
        )
        reasons = seen.get(key)
        if reasons is None:
            reasons = scope_reasons(str(residency), birth, death, as_of, rules)
            if found is not None:
                reasons += why_not(
                    int(q.month[pos]),
                    paid_now=found.paid_now,
                    debt=found.debt,
                    grace=None if found.grace is None else GraceAt(*found.grace),
                    any_paid=found.any_paid,
                    de_months=found.de_months,
                    rules=rules,
                )
            seen[key] = reasons
        out[int(order[pos])] = reasons
    return out


def evaluate_arrays(
    pop: Population,
    as_of: dt.date | str,
    rules: RuleSet | None = None,
    *,
    extras: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """`evaluate`, optionally with the months the state pays in the year of ``as_of``
    (``state_months_<budget>`` columns, used by
    [`compare`][insurrules.population.comparison.compare])."""
    return evaluate_each(
        pop, as_of, [rules or default_rules()], extras=extras, threads=threads, progress=progress
    )[0]


def evaluate_each(
    pop: Population,
    as_of: dt.date | str,
    rule_sets: list[RuleSet],
    *,
    extras: bool = False,
    threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[pl.DataFrame]:
    """[`evaluate_arrays`][insurrules.population.kz.engine.evaluate_arrays] under each of
    ``rule_sets``, sharing what they have in common."""
    day = as_of_date(as_of)
    for rules in rule_sets:
        if rules.scheme != pop.scheme:
            raise RulesError(f"rules are for {rules.scheme}, but the population is {pop.scheme}")
    n = len(pop)
    found = answer_each(
        pop,
        np.arange(n, dtype=np.int64),
        np.full(n, (day - _EPOCH).days, dtype=np.int64),
        rule_sets,
        extras=extras,
        threads=threads,
        progress=progress,
    )
    results = []
    for a in found:
        result = _result(pop, a)
        if extras:
            result = result.with_columns(
                pl.Series(f"state_months_{b}", months) for b, months in a.state_months.items()
            )
        results.append(result)
    return results


def _labels(values: list[str | None], index: Ints) -> pl.Series:
    """``values[index]`` as strings, null where ``index`` is -1."""
    lookup = pl.Series(values, dtype=pl.String)
    return lookup.gather(pl.Series(np.where(index >= 0, index, len(values) - 1)))


def _result(pop: Population, a: Answers) -> pl.DataFrame:
    """The result table: each answer as ``decide()`` reports it (kz/decide.py)."""
    valid = a.valid
    insured = valid & a.insured
    start = a.insured_from
    until = a.insured_until
    has_until = insured & (until != NO_DAY)
    category = np.where(valid, a.category, -1)
    status = np.where(valid, insured.astype(np.int64), -1)
    basis = np.where(insured, a.basis, -1)
    grace = np.where(valid, a.grace, -1)
    codes = [c for c, _ in a.categories]
    budgets = [b for _, b in a.categories]
    dates = pl.DataFrame(
        {
            "insured_from": np.where(insured, start, 0).astype(np.int32),
            "insured_until": np.where(has_until, until, 0).astype(np.int32),
            "_from": insured,
            "_until": has_until,
            "grace_months": grace.astype(np.int64),
        }
    ).select(
        pl.when("_from").then(pl.col("insured_from").cast(pl.Date)).alias("insured_from"),
        pl.when("_until").then(pl.col("insured_until").cast(pl.Date)).alias("insured_until"),
        pl.when(pl.col("grace_months") >= 0).then("grace_months").alias("grace_months"),
    )
    return pl.DataFrame(
        [
            pop.ids,
            _labels(["not_insured", "insured", None], status).alias("status"),
            _labels([*BASES, None], basis).alias("basis"),
            _labels([*codes, None], category).alias("state_category"),
            _labels([*budgets, None], category).alias("budget"),
            dates["grace_months"],
            dates["insured_from"],
            dates["insured_until"],
            dates["insured_until"].alias("renew_by"),
            population_index(pop).errors.alias("error"),
        ]
    )
