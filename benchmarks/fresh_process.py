"""Bytecode for insurrules, written before the benchmarks time a fresh process.

A package installed by pip has its modules compiled at install time; a source checkout run with
``PYTHONDONTWRITEBYTECODE`` set (as on our machines) would otherwise compile every module of
insurrules again in each fresh process, and the benchmarks would time the compiler
(about 30 ms of ``import insurrules``, more for the population engine).
"""

from __future__ import annotations

import compileall
from pathlib import Path

import insurrules


def compile_insurrules() -> None:
    """Write the bytecode of every insurrules module (``__pycache__``, as pip does)."""
    compileall.compile_dir(Path(insurrules.__file__).parent, quiet=1)
