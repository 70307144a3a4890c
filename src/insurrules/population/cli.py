"""``insurrules simulate``: evaluate a population on a date, optionally under a reform.

::

    insurrules simulate --population synthetic:1000000 --as-of 2026-03-15
    insurrules simulate --population data/kz-2026/ --as-of 2026-03-15 \\
        --reform examples/reform-grace-36.toml --out result.parquet

``--population`` is ``synthetic:N`` (the calibrated synthetic population, ``--seed``) or a
directory written by ``Population.to_parquet`` (``VnPopulation.to_parquet`` with ``--scheme
vn-bhyt``; a vn-bhyt reform file implies it). Progress goes to stderr on long runs; a summary
table goes to stdout. With ``--out`` the per-person result is written as Parquet (under a reform:
the reform's result with ``status_baseline``, ``basis_baseline`` and ``change`` added).
Exit status: 0 done, 2 invalid input (one line per problem on stderr).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from insurrules.cli_inputs import (
    CommandInputError,
    population_folder,
    readable_file,
    writable_file,
)
from insurrules.errors import RulesError, mask_text
from insurrules.progress import ProgressBar

if TYPE_CHECKING:
    from insurrules.population.kz.tables import Population
    from insurrules.population.vn.tables import VnPopulation

__all__ = ["run"]

_PROGRESS_FROM = 200_000  # persons: below this a run takes a moment, no bar needed


def _load(
    spec: str, as_of: dt.date, seed: int, scheme: str, bar: ProgressBar
) -> Population | VnPopulation:
    from insurrules.population.kz.synthesis import synthetic
    from insurrules.population.kz.tables import Population
    from insurrules.population.vn.synthesis import synthetic_vn
    from insurrules.population.vn.tables import VnPopulation

    bar("loading", 0.0)
    if spec.startswith("synthetic:"):
        count = _synthetic_count(spec)
        if scheme == "vn-bhyt":
            return synthetic_vn(count, seed=seed, as_of=as_of)
        return synthetic(count, seed=seed, as_of=as_of)
    if scheme == "vn-bhyt":
        return VnPopulation.from_parquet(spec)
    return Population.from_parquet(spec)


def _synthetic_count(spec: str) -> int:
    count = spec.split(":", 1)[1].replace("_", "")
    if not count.isascii() or not count.isdigit() or int(count) <= 0:
        raise CommandInputError([f"--population: expected synthetic:N with N > 0, got {spec!r}"])
    return int(count)


def _check_inputs(args: argparse.Namespace, scheme: str) -> None:
    """Every file and folder the command is given, checked before any work."""
    from insurrules.population.kz.tables import TABLES
    from insurrules.population.vn.tables import VN_TABLES

    if args.population.startswith("synthetic:"):
        _synthetic_count(args.population)
    else:
        tables = VN_TABLES if scheme == "vn-bhyt" else TABLES
        population_folder(args.population, f"--population {args.population}", tables)
    if args.out:
        writable_file(args.out, f"--out {args.out}")


def _table(rows: Sequence[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        out.write(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
            + "\n"
        )
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def run(args: argparse.Namespace, out: TextIO) -> int:
    import polars as pl

    from insurrules.population.comparison import compare
    from insurrules.population.kz.engine import evaluate_arrays
    from insurrules.population.kz.tables import Population, PopulationError
    from insurrules.population.synthetic_date import SyntheticDateWarning, synthetic_after_warning
    from insurrules.population.vn.engine import evaluate_vn
    from insurrules.population.vn.tables import VnPopulation
    from insurrules.reform import Reform

    err = sys.stderr
    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        err.write(f"--as-of: expected a date YYYY-MM-DD, got {args.as_of!r}\n")
        return 2
    bar = ProgressBar(err, live=False if args.quiet else None)
    try:
        if args.reform:
            readable_file(args.reform, f"--reform {args.reform}")
        reform = Reform.from_file(args.reform) if args.reform else None
        scheme = args.scheme or (reform.scheme if reform is not None else "kz-osms")
        if reform is not None and reform.scheme != scheme:
            raise RulesError(f"--reform: the reform is for {reform.scheme}, not {scheme}")
        _check_inputs(args, scheme)
        made_until = _synthetic_until(args.population, as_of)
        started = time.perf_counter()
        population = _load(args.population, as_of, args.seed, scheme, bar)
        bar("loading", 1.0)
        n = len(population)
        if isinstance(population, Population):
            bar("checking", 0.0)
            from insurrules.population.kz.index import build_index

            build_index(population)
            bar("checking", 1.0)
        if not args.quiet:
            bar.close()
            err.write(f"population: {n:,} persons ({time.perf_counter() - started:.1f} s)\n")
        if made_until is not None and as_of > made_until:
            err.write(f"warning: {synthetic_after_warning(made_until, as_of)}\n")
        progress = bar.counter("evaluating") if n >= _PROGRESS_FROM else None
        started = time.perf_counter()
        if reform is None:
            bar("evaluating", 0.0)
            result = (
                evaluate_vn(population, as_of)  # the vn engine: the columnar card chain
                if isinstance(population, VnPopulation)
                else evaluate_arrays(population, as_of, progress=progress)
            )
            bar("evaluating", 1.0)
            bar.close()
            elapsed = time.perf_counter() - started
            counts = result.group_by("status", "basis").len().sort("len", descending=True)
            out.write(f"\n{n:,} persons on {as_of} ({elapsed:.1f} s)\n\n")
            rows: list[tuple[str, ...]] = [("status", "basis", "persons", "share")]
            for status, basis, count in counts.iter_rows():
                rows.append(
                    (
                        str(status),
                        str(basis or "-"),
                        f"{count:,}",
                        f"{100 * count / max(n, 1):.1f} %",
                    )
                )
            _table(rows, out)
        else:
            bar("comparing", 0.0)
            with warnings.catch_warnings():  # said above, once
                warnings.simplefilter("ignore", SyntheticDateWarning)
                comparison = compare(population, as_of, None, reform)
            bar("comparing", 1.0)
            bar.close()
            elapsed = time.perf_counter() - started
            out.write(f"\nreform: {reform.title} ({args.reform})\n")
            out.write(f"{n:,} persons on {as_of} ({elapsed:.1f} s)\n\n")
            out.write(comparison.summary.to_text(["total", "by_basis", "cost"]) + "\n")
            base = comparison.baseline
            result = comparison.reform.with_columns(
                base["status"].alias("status_baseline"),
                base["basis"].alias("basis_baseline"),
                pl.when(base["status"] != pl.col("status"))
                .then(
                    pl.when(pl.col("status") == "insured")
                    .then(pl.lit("newly_insured"))
                    .otherwise(pl.lit("losing_cover"))
                )
                .alias("change"),
            )
        if args.out:
            result.write_parquet(args.out)
            out.write(f"\nwritten: {args.out}\n")
    except CommandInputError:
        bar.close()
        raise
    except PopulationError as exc:
        bar.close()
        for problem in exc.problems:
            err.write(f"{problem}\n")
        return 2
    except RulesError as exc:
        err.write(mask_text(str(exc)) + "\n")
        return 2
    except OSError as exc:
        err.write(f"{exc.filename or args.population}: {exc.strerror or exc}\n")
        return 2
    return 0


def _synthetic_until(spec: str, as_of: dt.date) -> dt.date | None:
    """The day a synthetic population's histories end: ``as_of`` itself for ``synthetic:N``,
    the ``as_of`` recorded by ``insurrules synthesize`` in a folder, else None."""
    if spec.startswith("synthetic:"):
        return as_of
    from insurrules.population.synthetic_date import made_until

    return made_until(spec)
