"""Memory for the engines' arrays: small pages, and freed memory kept for the next part.

**Small pages.** numpy advises the kernel to back each array of 4 MB or more with transparent huge
pages. Where the kernel honours that advice only when asked (``/sys/kernel/mm/
transparent_hugepage/enabled`` set to ``madvise``, a common default), each first touch of such an
array faults in and clears 2 MB at once, and the kernel may compact memory first to find them.
The engines make arrays of tens of millions of records, most of them touched once or twice: on a
1 M-person extract the advice cost about 1.5 s of system time in an `evaluate()` of 4 to 5 s
(measured 7 Dec 2026: system time 3.1–3.5 s with it, 1.7 s without;
benchmarks/bench_population.py). So the engines turn the advice off while they build their
arrays and put back what was there before. Only where the kernel decides on its own (``always``)
or never uses huge pages does the advice change nothing either way.

**Freed memory kept** (glibc only). The engines read a table part by part, each part's arrays
freed before the next part's are made. glibc hands freed memory back to the kernel as soon as
more than 128 kB of it lies at the top of a heap, and serves blocks above its (moving) threshold
with fresh mappings: on two threads most parts' arrays were then fresh memory, faulted in page by
page. While an engine runs, glibc is told to keep up to 1 GB of freed memory and to serve blocks
up to 256 MB from its heaps; afterwards it is given the settings its own dynamic threshold reaches
after freeing any large block (blocks from 32 MB mapped, freed memory above 64 MB given back,
glibc 2.36 ``malloc/malloc.c``: ``DEFAULT_MMAP_THRESHOLD_MAX``) and the memory kept is given back
(``malloc_trim``). On a 1 M-person extract: page faults 445 000 → 300 000, system time 1.3 → 0.9 s,
an `evaluate()` about 0.25 s shorter, peak memory about 200 MB higher (measured 7 Dec 2026,
benchmarks/bench_population.py, five runs each). A process that tunes glibc's allocator itself
(any of ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``,
``MALLOC_MMAP_MAX_`` or a ``glibc.malloc`` tunable in ``GLIBC_TUNABLES`` when it started) is
left as it is.
Setting only one of these by hand is worse than none: glibc then stops moving its threshold
and maps every block above 128 kB (an `evaluate()` of 3.5 s took 10 s).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, wraps
from typing import ParamSpec, TypeVar

__all__ = ["engine_memory", "with_engine_memory"]

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


# mallopt(3) parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
_MB = 1 << 20
#: while an engine runs: freed memory kept for the next part
HELD = ((M_MMAP_THRESHOLD, 256 * _MB), (M_TRIM_THRESHOLD, 1024 * _MB), (M_TOP_PAD, 64 * _MB))
#: afterwards: where glibc's dynamic threshold settles once a large block is freed (32 MB on
#: 64-bit, trimming above twice that), and its default top pad (128 kB, mallopt(3))
AFTER = ((M_MMAP_THRESHOLD, 32 * _MB), (M_TRIM_THRESHOLD, 64 * _MB), (M_TOP_PAD, 128 * 1024))
#: the environment through which a process tunes glibc's allocator itself
OWN_TUNING = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)


class Allocator:
    """glibc's ``mallopt`` and ``malloc_trim``."""

    def __init__(self, mallopt: Callable[[int, int], int], trim: Callable[[int], int]) -> None:
        self.mallopt, self.trim = mallopt, trim

    def hold(self) -> None:
        for param, value in HELD:
            self.mallopt(param, value)

    def release(self) -> None:
        for param, value in AFTER:
            self.mallopt(param, value)
        self.trim(0)


def started_with() -> Mapping[str, str]:
    """The environment the process started with, which glibc read: a variable set later (as
    Dask's ``distributed`` sets ``MALLOC_TRIM_THRESHOLD_`` for the workers it will start) tunes
    only processes started after it."""
    try:
        with open("/proc/self/environ", "rb") as f:
            block = f.read()
    except OSError:  # pragma: no cover - no /proc: the environment as it is now
        return dict(os.environ)
    pairs = (item.partition(b"=") for item in block.split(b"\0") if item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, _, v in pairs}


def find_glibc(environ: Mapping[str, str] | None = None) -> Allocator | None:
    """glibc's allocator, unless this is another C library or the process tunes it itself
    (``environ``: the environment it started with, by default read from ``/proc``)."""
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not a glibc system
        return None
    if not version or not version.startswith("glibc"):  # pragma: no cover - musl, ...
        return None
    if environ is None:
        environ = started_with()
    if any(name in environ for name in OWN_TUNING):
        return None
    if "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        return None
    libc = ctypes.CDLL(None)
    mallopt, trim = libc.mallopt, libc.malloc_trim
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return Allocator(mallopt, trim)


_glibc = cache(find_glibc)


_lock = threading.Lock()
_depth = 0  # engine calls running now (the settings are the process's: the last one restores)
_before = True
_held: Allocator | None = None


@contextmanager
def engine_memory() -> Iterator[None]:
    """Within the block (and nested or concurrent blocks): numpy's huge page advice off, and
    glibc keeping freed memory; both put back when the last block ends."""
    global _depth, _before, _held
    with _lock:
        if _depth == 0:
            setter = _numpy_setter()
            if setter is not None:
                _before = setter(False)
            _held = _glibc()
            if _held is not None:
                _held.hold()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                setter = _numpy_setter()
                if setter is not None:
                    setter(_before)
                if _held is not None:
                    _held.release()
                    _held = None


def with_engine_memory(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run within `engine_memory`."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with engine_memory():
            return func(*args, **kwargs)

    return run
