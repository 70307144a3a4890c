"""insurrules: health-insurance eligibility rules as code.

>>> import insurrules
>>> insurrules.decide({
...     "scheme": "kz-osms", "as_of": "2026-03-15",
...     "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female",
...                "welfare_levels": [{"level": "D", "start": "2026-01-01"}],
...                "care_requests": ["2026-03-02"]},
... }).state_funded
StateFunded(category='welfare_level_de', budget='local')

Schemes: ``kz-osms`` ([`insurrules.kz`][insurrules.kz]) and ``vn-bhyt``
([`insurrules.vn`][insurrules.vn]), imported on first use so ``import insurrules`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# ``insurrules.timeline`` is the coverage timeline function, and also the name of the submodule
# of monthly bit-set operations the rules use. That submodule is imported first (it needs nothing
# else): a submodule already imported is never set on its package again, so the package's
# ``timeline`` stays the function while ``from insurrules.timeline import BitOps`` keeps working.
import insurrules.timeline as _timeline_operations  # noqa: F401
from insurrules._version import __version__
from insurrules.api import Explanation, decide, decide_json, decide_many, explain
from insurrules.case import Case
from insurrules.coverage import Timeline, timeline
from insurrules.errors import InsurrulesError, InvalidCase, RulesError
from insurrules.models import Decision, Reason, StateFunded
from insurrules.months import YearMonth
from insurrules.parameters import RuleSet

if TYPE_CHECKING:
    from insurrules.changes import Change, law_changes

__all__ = [
    "Case",
    "Change",
    "Decision",
    "Explanation",
    "InsurrulesError",
    "InvalidCase",
    "Reason",
    "RuleSet",
    "RulesError",
    "StateFunded",
    "Timeline",
    "YearMonth",
    "__version__",
    "decide",
    "decide_json",
    "decide_many",
    "explain",
    "law_changes",
    "timeline",
]

if TYPE_CHECKING:  # what the lazy attributes below are, for type checkers
    from insurrules import claims as claims
    from insurrules import kz as kz
    from insurrules import population as population
    from insurrules import reform as reform
    from insurrules import vn as vn
    from insurrules.reform import Reform as Reform

_LAZY = {"kz", "vn", "population", "claims", "reform"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"insurrules.{name}")
    if name == "Reform":
        return importlib.import_module("insurrules.reform").Reform
    if name in ("law_changes", "Change"):
        return getattr(importlib.import_module("insurrules.changes"), name)
    raise AttributeError(f"module 'insurrules' has no attribute {name!r}")
