"""Populations: the same kz-osms rules as :func:`insurrules.decide`, over whole tables.

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
    from insurrules.population.engine import evaluate
    from insurrules.population.on_dask import evaluate_dask
    from insurrules.population.synthesis import synthetic
    from insurrules.population.tables import Population, PopulationError

__all__ = [
    "Comparison",
    "Population",
    "PopulationError",
    "compare",
    "evaluate",
    "evaluate_dask",
    "synthetic",
]

_WHERE = {
    "Population": "tables",
    "PopulationError": "tables",
    "evaluate": "engine",
    "compare": "comparison",
    "Comparison": "comparison",
    "synthetic": "synthesis",
    "evaluate_dask": "on_dask",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'insurrules.population' has no attribute {name!r}")
    return getattr(importlib.import_module(f"insurrules.population.{module}"), name)
