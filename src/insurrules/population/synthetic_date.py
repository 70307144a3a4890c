"""The day a synthetic population was made for, and the warning when it is asked about later.

A synthetic population's histories stop at the ``as_of`` it was made for: nobody pays after it.
Evaluated on a later day, everyone seems to have stopped paying — a decline that is an artefact of
the data, not of the rules. [`synthetic`][insurrules.population.kz.synthesis.synthetic] and
[`synthetic_vn`][insurrules.population.vn.synthesis.synthetic_vn] record the day
(``cache["synthetic_as_of"]``; in a folder written by ``insurrules synthesize``, the file
``synthetic.json``), and [`evaluate`][insurrules.population.evaluation.evaluate] and
[`compare`][insurrules.population.comparison.compare] warn with
[`SyntheticDateWarning`][insurrules.population.synthetic_date.SyntheticDateWarning].

>>> import warnings
>>> from insurrules.population import evaluate, synthetic
>>> pop = synthetic(200, seed=1, as_of="2026-03-15")
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     _ = evaluate(pop, "2026-09-15")
>>> print(caught[0].message)
the synthetic population was made for 2026-03-15: its histories stop there, so on 2026-09-15 ...
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

__all__ = [
    "MARKER",
    "SyntheticDateWarning",
    "made_until",
    "synthetic_after_warning",
    "warn_if_after",
    "write_marker",
]

#: the file ``insurrules synthesize`` writes beside the tables
MARKER = "synthetic.json"
_KEY = "synthetic_as_of"


class SyntheticDateWarning(UserWarning):
    """A synthetic population is asked about after the day its histories stop."""


def synthetic_after_warning(made: dt.date, asked: dt.date) -> str:
    return (
        f"the synthetic population was made for {made}: its histories stop there, so on {asked} "
        "every person seems to have stopped paying (a decline that is not in the rules); "
        f"make it for the day asked about (as_of={asked})"
    )


def remember(population: Any, as_of: dt.date) -> None:
    """Record on a freshly made population the day its histories stop."""
    population.cache[_KEY] = as_of


def warn_if_after(population: Any, as_of: dt.date) -> None:
    """Warn when ``population`` is synthetic and ``as_of`` is after the day it was made for."""
    made = getattr(population, "cache", {}).get(_KEY)
    if made is not None and as_of > made:
        warnings.warn(synthetic_after_warning(made, as_of), SyntheticDateWarning, stacklevel=3)


def write_marker(folder: str | Path, scheme: str, persons: int, seed: int, as_of: dt.date) -> Path:
    """Write ``synthetic.json`` (what was made, for which day) into a population folder."""
    path = Path(folder) / MARKER
    document = {"scheme": scheme, "persons": persons, "seed": seed, "as_of": as_of.isoformat()}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path


def made_until(folder: str | Path) -> dt.date | None:
    """The ``as_of`` recorded in a folder's ``synthetic.json``, or None (real data)."""
    path = Path(folder) / MARKER
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return dt.date.fromisoformat(document["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
