"""Either scheme's population decided on one day:
[`evaluate`][insurrules.population.evaluation.evaluate] picks the engine."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.kz.engine import evaluate_arrays
from insurrules.population.kz.tables import Population
from insurrules.population.synthetic_date import warn_if_after
from insurrules.population.tableset import as_of_date

if TYPE_CHECKING:
    from insurrules.population.vn.tables import VnPopulation

__all__ = ["evaluate"]


def evaluate(
    population: Population | VnPopulation, as_of: dt.date | str, rules: RuleSet | None = None
) -> pl.DataFrame:
    """Decide every person of ``population`` on ``as_of``; one row per person, input order.

    A [`VnPopulation`][insurrules.population.vn.tables.VnPopulation] (vn-bhyt) goes to
    [`evaluate_vn`][insurrules.population.vn.engine.evaluate_vn], which runs the vn card chain
    over all persons at once.

    Columns: ``id``, ``status`` (``insured``/``not_insured``), ``basis``, ``state_category``,
    ``budget``, ``grace_months``, ``insured_from``, ``insured_until``, ``renew_by``, ``error``.
    A person whose records are invalid keeps a row with ``status`` null and ``error`` naming the
    field and the reason. The routes are those of [`insurrules.kz.law`][insurrules.kz.law], the
    single definition ``decide()`` uses; for every valid row, the values equal
    ``insurrules.decide(population.case( id, as_of), rules)`` (property-tested).

    >>> from insurrules.population import synthetic, evaluate
    >>> result = evaluate(synthetic(1000, seed=1), "2026-03-15")
    >>> result.columns[:3]
    ['id', 'status', 'basis']
    """
    warn_if_after(population, as_of_date(as_of))
    if isinstance(population, Population):
        return evaluate_arrays(population, as_of, rules)
    # the vn engine is imported when a vn population comes (a kz run does not wait for it)
    from insurrules.population.vn.engine import evaluate_vn
    from insurrules.population.vn.tables import VnPopulation

    if not isinstance(population, VnPopulation):
        raise TypeError(
            f"evaluate() takes a Population or a VnPopulation, not {type(population).__name__}"
        )
    return evaluate_vn(population, as_of, rules)
