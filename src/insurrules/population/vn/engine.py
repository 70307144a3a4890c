"""Evaluate a whole vn-bhyt population through the same card rules as ``decide()``.

vn-bhyt cover is a chain of cards built purchase by purchase (each card's start depends on the
end of the cards before it, R7), so the engine does not re-state the law over arrays: the tables
are cut per person into the chain's own inputs ([`Purchase`][insurrules.vn.cards.Purchase] records
known on ``as_of``, state-paid spans from
[`insurrules.vn.decide.spans_of`][insurrules.vn.decide.spans_of]), and each person's chain is built
by [`insurrules.vn.cards.build_chain`][insurrules.vn.cards.build_chain] and read on ``as_of`` by
[`insurrules.vn.decide.cover_on`][insurrules.vn.decide.cover_on] — the very functions
[`insurrules.decide`][insurrules.api.decide] runs. The columnar part is everything around them:
validation ([`VnPopulation.row_errors`][insurrules.population.vn.tables.VnPopulation.row_errors]),
filtering, grouping and the result table. Persons without purchases and with the same birth date,
death date and memberships share one chain.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

from insurrules.errors import RulesError, mask_text
from insurrules.parameters import RuleSet
from insurrules.population.tableset import PopulationError, as_of_date
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.cards import Purchase, build_chain, child_card_end
from insurrules.vn.case import CARD_RULES_START
from insurrules.vn.decide import Cover, cover_on, spans_of
from insurrules.vn.rules import default_rules

__all__ = ["evaluate_vn"]

#: Result columns of `evaluate_vn`: those of the kz-osms ``evaluate()``, in order.


class _Membership(NamedTuple):
    """A membership row as [`spans_of`][insurrules.vn.decide.spans_of] reads it."""

    code: str
    start: dt.date
    end: dt.date | None


def _bounds(rows: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.intp]:
    """Start offsets of each person's records in ``rows`` (sorted), plus the end: n + 1 values."""
    return np.searchsorted(rows, np.arange(n + 1, dtype=np.int64), side="left")


def evaluate_vn(
    population: VnPopulation, as_of: dt.date | str, rules: RuleSet | None = None
) -> pl.DataFrame:
    """Decide every person of a vn-bhyt ``population`` on ``as_of``; one row per person, in
    input order.

    Columns as the kz-osms ``evaluate()``: ``id``, ``status`` (``insured``/``not_insured``),
    ``basis`` (``card`` or ``state_funded``), ``state_category`` (the fully state-paid group
    whose card is valid on ``as_of``), ``budget`` (``state``), ``grace_months`` (always null: no
    grace in BHYT), ``insured_from``, ``insured_until``, ``renew_by``, ``error``. A person whose
    records are invalid keeps a row with ``status`` null and ``error`` naming the field and the
    reason. For every valid row the values equal ``insurrules.decide(population.case(id, as_of),
    rules)`` (property-tested): the chain is built and read by the functions ``decide()`` uses.

    >>> from insurrules.population.vn.synthesis import synthetic_vn
    >>> result = evaluate_vn(synthetic_vn(500, seed=1), "2026-03-15")
    >>> result.columns[:3], result.height
    (['id', 'status', 'basis'], 500)
    """
    day = as_of_date(as_of)
    rule_set = rules or default_rules()
    if rule_set.scheme != population.scheme:
        raise RulesError(
            f"rules are for {rule_set.scheme}, but the population is {population.scheme}"
        )
    if day < CARD_RULES_START:
        raise PopulationError(
            [f"as_of: {day} is too early: the card rules modelled start on {CARD_RULES_START}"]
        )
    n = len(population)
    errors = population.row_errors
    valid = errors.is_null().to_numpy()
    rows = population.record_rows()

    pay_row = rows["payments"]
    pay = (
        population.payments.select("paid_on", "months", pl.col("payer").cast(pl.String))
        .with_columns(pl.Series("_row", pay_row))
        .with_columns(
            # a purchase's place among the person's payments, as in the case document
            pl.int_range(pl.len(), dtype=pl.Int64).over("_row").alias("_i"),
        )
        .filter(pl.Series(valid[np.maximum(pay_row, 0)] & (pay_row >= 0)))
        .filter(pl.col("paid_on") <= day)
        .sort("_row", "_i")
    )
    pay_bounds = _bounds(pay["_row"].to_numpy(), n).tolist()
    # plain columns; each person's Purchase records are made in turn (less memory at once)
    pay_i, pay_day = pay["_i"].to_list(), pay["paid_on"].to_list()
    pay_months, pay_payer = pay["months"].to_list(), pay["payer"].to_list()

    mem_row = rows["memberships"]
    mem = (
        population.memberships.select(pl.col("code").cast(pl.String), "start", "end")
        .with_columns(pl.Series("_row", mem_row))
        .filter(pl.Series(valid[np.maximum(mem_row, 0)] & (mem_row >= 0)))
        .sort("_row", maintain_order=True)
    )
    mem_bounds = _bounds(mem["_row"].to_numpy(), n).tolist()
    memberships = [
        _Membership(code, start, end)
        for code, start, end in zip(
            mem["code"].to_list(), mem["start"].to_list(), mem["end"].to_list(), strict=True
        )
    ]

    births = population.persons["birth_date"].to_list()
    deaths = population.persons["death_date"].to_list()
    child_ends: dict[dt.date, dt.date] = {}
    # persons without purchases often share a birth date: their chains are computed once
    seen: dict[object, Cover | str] = {}
    status: list[str | None] = [None] * n
    basis: list[str | None] = [None] * n
    category: list[str | None] = [None] * n
    budget: list[str | None] = [None] * n
    insured_from: list[dt.date | None] = [None] * n
    insured_until: list[dt.date | None] = [None] * n
    failed: list[str | None] = [None] * n
    for r in np.flatnonzero(valid).tolist():
        lo, hi = pay_bounds[r], pay_bounds[r + 1]
        bought = [
            Purchase(pay_i[k], pay_day[k], pay_months[k], pay_payer[k]) for k in range(lo, hi)
        ]
        held = memberships[mem_bounds[r] : mem_bounds[r + 1]]
        birth, death = births[r], deaths[r]
        key = None if bought else (birth, death, tuple(held))
        cover = None if key is None else seen.get(key)
        if cover is None:
            end = child_ends.get(birth)
            if end is None:
                end = child_ends[birth] = child_card_end(birth, rule_set)
            try:
                chain = build_chain(bought, spans_of(birth, held, rule_set, end), rule_set)
                cover = cover_on(chain, day, death, rule_set)
            except RulesError as exc:
                cover = mask_text(str(exc))
            if key is not None:
                seen[key] = cover
        if isinstance(cover, str):
            failed[r] = cover
            continue
        status[r] = "insured" if cover.insured else "not_insured"
        basis[r] = cover.basis
        category[r] = cover.state_category
        budget[r] = cover.budget
        insured_from[r] = cover.insured_from
        insured_until[r] = cover.insured_until

    error = errors
    if any(f is not None for f in failed):
        error = pl.Series("error", failed, dtype=pl.String).fill_null(errors)
    until = pl.Series("insured_until", insured_until, dtype=pl.Date)
    return pl.DataFrame(
        [
            population.persons["id"].cast(pl.String).alias("id"),
            pl.Series("status", status, dtype=pl.String),
            pl.Series("basis", basis, dtype=pl.String),
            pl.Series("state_category", category, dtype=pl.String),
            pl.Series("budget", budget, dtype=pl.String),
            pl.Series("grace_months", [None] * n, dtype=pl.Int64),
            pl.Series("insured_from", insured_from, dtype=pl.Date),
            until,
            until.alias("renew_by"),
            error.alias("error"),
        ]
    )
