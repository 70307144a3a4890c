"""Hypothesis profiles for the fuzz suite.

``fuzz-short`` (the default, what CI runs) keeps the whole suite's addition to about half a
minute; ``fuzz-long`` is the on-demand hunt::

    HYPOTHESIS_PROFILE=fuzz-long .venv/bin/pytest tests/fuzz -q --hypothesis-show-statistics

(15 000 inputs for a test at scale 1, about 56 000 in all; the statistics print how many
each test tried); ``fuzz-medium`` (1 000) is a quick local hunt. Only tests
decorated with :func:`fuzz_settings` read the variable: the rest of the suite keeps its own
settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

F = TypeVar("F", bound=Callable[..., Any])

_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "database": None,
}

settings.register_profile("fuzz-short", max_examples=60, **_COMMON)
settings.register_profile("fuzz-medium", max_examples=1_000, **_COMMON)
settings.register_profile("fuzz-long", max_examples=15_000, **_COMMON)


def profile_name() -> str:
    name = os.environ.get("HYPOTHESIS_PROFILE", "")
    return name if name.startswith("fuzz-") else "fuzz-short"


def fuzz_settings(scale: float = 1.0) -> Callable[[F], F]:
    """The settings of the active fuzz profile; ``scale`` for tests that are costlier per input."""
    base = settings.get_profile(profile_name())
    return settings(base, max_examples=max(1, int(base.max_examples * scale)))
