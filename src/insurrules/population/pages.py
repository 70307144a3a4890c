"""Small memory pages for the engines' arrays.

numpy advises the kernel to back each array of 4 MB or more with transparent huge pages. Where
the kernel honours that advice only when asked (``/sys/kernel/mm/transparent_hugepage/enabled``
set to ``madvise``, a common default), each first touch of such an array faults in and clears
2 MB at once, and the kernel may compact memory first to find them. The engines make arrays of
tens of millions of records, most of them touched once or twice: on a 1 M-person extract the
advice cost about 1.5 s of system time in an `evaluate()` of 4 to 5 s (measured 7 Dec 2026:
system time 3.1–3.5 s with it, 1.7 s without; benchmarks/bench_population.py). So the engines
turn the advice off while they build their arrays (`small_pages`) and put back what was there
before. Only where the kernel decides on its own (``always``) or never uses huge pages does the
advice change nothing either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["small_pages", "with_small_pages"]

P = ParamSpec("P")
R = TypeVar("R")


def _numpy_setter() -> Callable[[bool], bool] | None:
    """numpy's switch of the advice (it returns the previous setting), where numpy has one."""
    import importlib

    for where in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            setter: Callable[[bool], bool] | None = getattr(
                importlib.import_module(where), "_set_madvise_hugepage", None
            )
        except ImportError:  # pragma: no cover - numpy 1.x has no numpy._core
            continue
        if setter is not None:
            return setter
    return None  # pragma: no cover - a numpy without the switch


_lock = threading.Lock()
_depth = 0  # engine calls running now (the setting is the process's: the last one restores it)
_before = True


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy's huge page advice off within the block (and nested or concurrent blocks)."""
    global _depth, _before
    setter = _numpy_setter()
    if setter is None:  # pragma: no cover - a numpy without the switch
        yield
        return
    with _lock:
        if _depth == 0:
            _before = setter(False)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                setter(_before)


def with_small_pages(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run within `small_pages`."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with small_pages():
            return func(*args, **kwargs)

    return run
