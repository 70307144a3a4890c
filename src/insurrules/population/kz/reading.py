"""Read each query's routes at its own month, as :mod:`insurrules.kz.decide` reads one case.

The population engine (:mod:`insurrules.population.kz.engine`) builds the facts of a chunk of
queries and runs :func:`insurrules.kz.law.routes` over them; this module reads the result per
query: insured or not, the basis, the state category, the grace period in force, the insured run
around the month asked about, the state-paid months of its year, and for a refusal the facts
:func:`insurrules.kz.decide.why_not` words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from insurrules.kz.decide import GraceAt
from insurrules.kz.law import KzFacts, KzRoutes, own_payments
from insurrules.kz.params import KzParams, kz_params
from insurrules.parameters import RuleSet
from insurrules.population.arrays import NO_MONTH, ArrayOps

__all__ = ["Chunk", "Read", "Refusal", "read"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Chunk:
    lo: int
    hi: int
    ops: ArrayOps
    facts: KzFacts[Any]
    end: Ints  # the last month of each query's own frame (kz/facts.py)
    month: Ints  # the month asked about


@dataclass
class Refusal:
    """What :func:`insurrules.kz.decide.why_not` reads, for one query nobody insures."""

    paid_now: bool
    debt: list[int]
    grace: GraceAt | None
    any_paid: bool
    de_months: list[int]


@dataclass
class Read:
    """What a decision reads at the month asked about, per query of a chunk."""

    insured: Bools
    basis: npt.NDArray[np.int8]  # index into BASES, -1 none
    category: npt.NDArray[np.int16]  # index into the routes' categories, -1 none
    grace: npt.NDArray[np.int16]  # -1 none
    run_lo: Ints
    run_hi: Ints
    open_end: Bools
    state_months: dict[str, Ints]  # budget -> months state-paid in the year asked about
    refusals: dict[int, Refusal]  # chunk position -> why no route holds


def _grace_laws(p: KzParams, months: Ints) -> tuple[Ints, Ints, Ints]:
    """``(G, G_ext, run)`` in force in each month (:meth:`KzParams.grace_at`)."""
    distinct, back = np.unique(months, return_inverse=True)
    laws = np.array([p.grace_at(int(m)) for m in distinct], dtype=np.int64).reshape(-1, 3)
    return laws[back, 0], laws[back, 1], laws[back, 2]


def read(
    chunk: Chunk,
    r: KzRoutes[Any],
    rules: RuleSet,
    out_of_scope: Bools,
    extras: bool,
    why: bool,
    known_state_months: dict[str, Ints] | None = None,
) -> Read:
    """Read the routes at each query's month the way :func:`insurrules.kz.decide.decide_kz`
    does. ``known_state_months``: the state-paid months of routes with the same categories."""
    ops = chunk.ops
    m0 = chunk.month
    insured = ops.holds_each(r.insured, m0) & ~out_of_scope

    held = [
        ops.holds_each(t, m0) for t in (r.transition, r.state, r.contributions, r.prepaid, r.grace)
    ]
    basis = np.full(ops.persons, -1, dtype=np.int8)
    for i in reversed(range(len(held))):
        basis[held[i]] = i
    basis[~insured] = -1

    category = np.full(ops.persons, -1, dtype=np.int16)
    for i in reversed(range(len(r.categories))):
        category[ops.holds_each(r.categories[i].months, m0)] = i
    category[out_of_scope] = -1

    # grace: G for L, the last month <= m0 where route 3 or 4 holds (decide._grace_at)
    last = ops.last_at_or_before(r.hold, m0)
    has = (last != NO_MONTH) & ~out_of_scope
    p = kz_params(rules)
    g, ge, n = _grace_laws(p, m0)
    grace = np.where(has, g, -1).astype(np.int16)
    extended = np.zeros(ops.persons, dtype=np.bool_)
    for run in np.unique(n[(ge > g) & (n > 0)]).tolist():
        reached = r.runs.get(run)  # routes() keeps the runs it computed
        if reached is None:
            own, skip = own_payments(chunk.facts, r.state, ops, p)
            reached = ops.runs_reaching(own, skip, run)
        ext = has & (n == run) & (ge > g) & ops.holds_each(reached, last)
        extended |= ext
        grace[ext] = ge[ext]

    lo, hi = ops.run_around(r.insured, m0)
    # decide() reads a run reaching the end of the person's own frame as open-ended; the
    # months up to that end are the same in this (longer) frame, so the test is the same.
    open_end = hi >= chunk.end

    state_months: dict[str, Ints] = {}
    if extras:
        state_months = known_state_months or _state_months(chunk, r, m0)

    refusals: dict[int, Refusal] = {}
    if why:
        asked = np.flatnonzero(~insured & ~out_of_scope)
        if asked.size:
            refusals = _refusals(chunk, r, p, asked, last, grace, extended)
    return Read(insured, basis, category, grace, lo, hi, open_end, state_months, refusals)


def _state_months(chunk: Chunk, r: KzRoutes[Any], m0: Ints) -> dict[str, Ints]:
    """Per budget: the months of the year asked about that the state pays for (each month to
    the first category holding it, as decisions report the category)."""
    ops = chunk.ops
    first = m0 - m0 % 12
    words = slice(None)
    if first.size and first.min() == first.max():
        # one year for all: only the (one or two) words holding it are read
        lo = max(int(first[0]) - ops.origin, 0) // 64
        hi = min(max(int(first[0]) + 11 - ops.origin, 0) // 64, ops.words - 1)
        words = slice(lo, hi + 1)

    def cut(x: Any) -> Any:
        return np.broadcast_to(x, ops.shape)[words]

    alive = cut(ops.months(first, first + 11)) & cut(chunk.facts.alive) & cut(chunk.facts.born)
    taken = np.zeros_like(alive)
    by_budget: dict[str, Any] = {}
    for cat in r.categories:
        months = cut(cat.months)
        new = months & ~taken & alive
        taken |= months
        by_budget[cat.budget] = new if cat.budget not in by_budget else by_budget[cat.budget] | new
    return {b: np.bitwise_count(x).sum(axis=0, dtype=np.int64) for b, x in by_budget.items()}


def _refusals(
    chunk: Chunk,
    r: KzRoutes[Any],
    p: KzParams,
    asked: Ints,
    last: Ints,
    grace: npt.NDArray[np.int16],
    extended: Bools,
) -> dict[int, Refusal]:
    """The facts :func:`~insurrules.kz.decide.why_not` reads, for the queries in ``asked``
    (read as :func:`insurrules.kz.decide._decision` reads them for one case)."""
    ops = chunk.ops
    sub = ArrayOps(ops.origin, ops.length, asked.size)
    m0 = chunk.month[asked]
    paid = np.broadcast_to(chunk.facts.paid, ops.shape)[:, asked]
    due = np.broadcast_to(r.due, ops.shape)[:, asked]
    debt_lo = m0 - p.debt_window + 1
    if p.prepaid_cancels_debt:
        # D-1 alternative: debt from before the start of a prepaid window is annulled
        starts = np.broadcast_to(r.prepaid_starts, ops.shape)[:, asked]
        last_start = sub.last_at_or_before(starts, m0)
        debt_lo = np.where(last_start != NO_MONTH, np.maximum(debt_lo, last_start), debt_lo)
    debt = due & sub.not_(paid) & sub.months(debt_lo, m0 - 1)
    year = m0 - m0 % 12
    de = np.broadcast_to(chunk.facts.de_requests, ops.shape)[:, asked] & sub.months(year, year + 11)
    debt_cells = np.nonzero(sub.to_bool(debt))
    de_cells = np.nonzero(sub.to_bool(de))
    debt_of: dict[int, list[int]] = {}
    for k, i in zip(debt_cells[0].tolist(), debt_cells[1].tolist(), strict=True):
        debt_of.setdefault(k, []).append(ops.origin + i)
    de_of: dict[int, list[int]] = {}
    for k, i in zip(de_cells[0].tolist(), de_cells[1].tolist(), strict=True):
        de_of.setdefault(k, []).append(ops.origin + i)
    paid_now: list[bool] = sub.holds_each(paid, m0).tolist()
    any_paid: list[bool] = np.asarray(paid.any(axis=0)).tolist()
    out: dict[int, Refusal] = {}
    for k, pos in enumerate(asked.tolist()):
        g = int(grace[pos])
        out[pos] = Refusal(
            paid_now=paid_now[k],
            debt=debt_of.get(k, []),
            grace=GraceAt(int(last[pos]), g, bool(extended[pos])) if g >= 0 else None,
            any_paid=any_paid[k],
            de_months=de_of.get(k, []),
        )
    return out
