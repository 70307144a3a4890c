"""Read a chunk of queries with [`insurrules.kz.reading.read`][insurrules.kz.reading.read], the
reading of ``decide()``.

The population engine ([`insurrules.population.kz.engine`][insurrules.population.kz.engine]) builds
the facts of a chunk of queries and runs [`insurrules.kz.law.routes`][insurrules.kz.law.routes] over
them; the decision's values at each query's own day come from
[`insurrules.kz.reading`][insurrules.kz.reading] (the same function ``decide()`` calls, here on
arrays). What this module adds is only what a population needs besides: the state-paid months of the
year asked about (for cost estimates) and, for the refusals to be worded, the months of each refused
query as lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from insurrules.kz.law import KzFacts, KzRoutes
from insurrules.kz.params import kz_params
from insurrules.kz.reading import Asked, KzReading, owed
from insurrules.kz.reading import read as read_at
from insurrules.parameters import RuleSet
from insurrules.population.arrays import ArrayOps
from insurrules.timeline import NO_MONTH

__all__ = ["Chunk", "Read", "Refusal", "read"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Chunk:
    lo: int
    hi: int
    ops: ArrayOps
    facts: KzFacts[Any]
    asked: Asked  # per query: the day asked about, birth, death, scope, own frame end


@dataclass
class Refusal:
    """What [`insurrules.kz.decide.why_not`][insurrules.kz.decide.why_not] reads, for one query
    nobody insures."""

    paid_now: bool
    debt: list[int]
    grace: tuple[int, int, bool] | None  # (L, G, extended)
    any_paid: bool
    de_months: list[int]


@dataclass
class Read:
    """The decision's values per query of a chunk, and what a population adds."""

    at: KzReading
    state_months: dict[str, Ints]  # budget -> months state-paid in the year asked about
    refusals: dict[int, Refusal]  # chunk position -> why no route holds


def read(
    chunk: Chunk,
    r: KzRoutes[Any],
    rules: RuleSet,
    extras: bool,
    why: bool,
    known_state_months: dict[str, Ints] | None = None,
) -> Read:
    """Read the routes at each query's day as ``decide()`` does. ``known_state_months``: the
    state-paid months of routes with the same categories."""
    p = kz_params(rules)
    at = read_at(r, chunk.facts, chunk.ops, p, chunk.asked)
    state_months: dict[str, Ints] = {}
    if extras:
        state_months = known_state_months or _state_months(chunk, r, chunk.asked.month)
    refusals: dict[int, Refusal] = {}
    if why:
        asked = np.flatnonzero(~at.insured & ~at.excluded)
        if asked.size:
            refusals = _refusals(chunk, r, rules, asked, at)
    return Read(at, state_months, refusals)


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
    chunk: Chunk, r: KzRoutes[Any], rules: RuleSet, asked: Ints, at: KzReading
) -> dict[int, Refusal]:
    """The facts [`why_not`][insurrules.kz.decide.why_not] reads, for the queries in ``asked``
    ([`insurrules.kz.reading.owed`][insurrules.kz.reading.owed] on their columns)."""
    ops = chunk.ops
    sub = ArrayOps(ops.origin, ops.length, asked.size)

    def cols(x: Any) -> Any:
        return np.broadcast_to(x, ops.shape)[:, asked]

    found = owed(
        cols(chunk.facts.paid),
        cols(r.due),
        cols(r.prepaid_starts),
        cols(chunk.facts.de_requests),
        sub,
        kz_params(rules),
        chunk.asked.month[asked],
    )
    debt_of = _months_of(sub, found.debt)
    de_of = _months_of(sub, found.de_requests)
    paid_now: list[bool] = np.asarray(found.paid_now).tolist()
    any_paid: list[bool] = np.asarray(found.any_paid).tolist()
    last, grace, extended = at.last_hold, at.grace, at.extended
    out: dict[int, Refusal] = {}
    for k, pos in enumerate(asked.tolist()):
        g = int(grace[pos])
        out[pos] = Refusal(
            paid_now=paid_now[k],
            debt=debt_of.get(k, []),
            grace=(int(last[pos]), g, bool(extended[pos]))
            if g >= 0 and last[pos] != NO_MONTH
            else None,
            any_paid=any_paid[k],
            de_months=de_of.get(k, []),
        )
    return out


def _months_of(ops: ArrayOps, x: Any) -> dict[int, list[int]]:
    """Person -> the months where ``x`` holds (persons with none left out)."""
    cells = np.nonzero(ops.to_bool(x))
    out: dict[int, list[int]] = {}
    for k, i in zip(cells[0].tolist(), cells[1].tolist(), strict=True):
        out.setdefault(k, []).append(ops.origin + i)
    return out
