"""Populations: the same rules as [`insurrules.decide`][insurrules.api.decide], over whole tables.

kz-osms populations (`Population`) run through the columnar engine; vn-bhyt populations
(`VnPopulation`) through the vn card chain, purchase by purchase for all persons at once
(`evaluate_vn`); `evaluate` takes either.

Needs the optional ``population`` extra (``pip install insurrules[population]``: numpy, polars,
pyarrow); the Dask entry point needs ``insurrules[dask]`` and plots ``insurrules[plot]``.

>>> from insurrules.population import synthetic, evaluate
>>> pop = synthetic(2_000, seed=3, as_of="2026-03-15")
>>> result = evaluate(pop, "2026-03-15")
>>> result.height == len(pop)
True

Names are imported on first use, so ``import insurrules.population`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insurrules.population.comparison import Comparison, compare
    from insurrules.population.evaluation import evaluate
    from insurrules.population.kz.index import build_index, row_errors
    from insurrules.population.kz.synthesis import synthetic
    from insurrules.population.kz.tables import Population
    from insurrules.population.on_dask import evaluate_dask
    from insurrules.population.tableset import PopulationError
    from insurrules.population.vn.engine import evaluate_vn
    from insurrules.population.vn.households import household_renewal
    from insurrules.population.vn.synthesis import synthetic_vn
    from insurrules.population.vn.tables import VnPopulation

__all__ = [
    "Comparison",
    "Population",
    "PopulationError",
    "VnPopulation",
    "build_index",
    "compare",
    "evaluate",
    "evaluate_dask",
    "evaluate_vn",
    "household_renewal",
    "row_errors",
    "synthetic",
    "synthetic_vn",
]

_WHERE = {
    "Population": "kz.tables",
    "PopulationError": "tableset",
    "evaluate": "evaluation",
    "build_index": "kz.index",
    "row_errors": "kz.index",
    "compare": "comparison",
    "Comparison": "comparison",
    "synthetic": "kz.synthesis",
    "evaluate_dask": "on_dask",
    "VnPopulation": "vn.tables",
    "evaluate_vn": "vn.engine",
    "household_renewal": "vn.households",
    "synthetic_vn": "vn.synthesis",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'insurrules.population' has no attribute {name!r}")
    return getattr(importlib.import_module(f"insurrules.population.{module}"), name)
