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
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from insurrules.errors import RulesError, mask_text

__all__ = ["run", "setup"]

_PROGRESS_FROM = 200_000  # persons: below this a run takes a moment, no bar needed


def setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--population",
        required=True,
        help="synthetic:N for a synthetic population of N persons, or a Parquet directory",
    )
    parser.add_argument("--as-of", required=True, help="the date asked about (YYYY-MM-DD)")
    parser.add_argument("--reform", help="a reform TOML file (see examples/reform-*.toml)")
    parser.add_argument("--out", help="write the per-person result to this Parquet file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic population")
    parser.add_argument(
        "--scheme",
        choices=("kz-osms", "vn-bhyt"),
        help="the population's scheme (default: the reform's, else kz-osms)",
    )


def _bar(err: TextIO, label: str) -> Callable[[int, int], None]:
    start = time.perf_counter()

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        rate = done / max(time.perf_counter() - start, 1e-9)
        err.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:>10,}/{total:,} "
            f"({rate:,.0f} persons/s)"
        )
        if done >= total:
            err.write("\n")
        err.flush()

    return show


def _load(spec: str, as_of: dt.date, seed: int, scheme: str) -> Any:
    from insurrules.population.kz.synthesis import synthetic
    from insurrules.population.kz.tables import Population
    from insurrules.population.vn.synthesis import synthetic_vn
    from insurrules.population.vn.tables import VnPopulation

    if spec.startswith("synthetic:"):
        count = spec.split(":", 1)[1].replace("_", "")
        if not count.isdigit() or int(count) <= 0:
            raise RulesError(f"--population: expected synthetic:N with N > 0, got {spec!r}")
        if scheme == "vn-bhyt":
            return synthetic_vn(int(count), seed=seed, as_of=as_of)
        return synthetic(int(count), seed=seed, as_of=as_of)
    if scheme == "vn-bhyt":
        return VnPopulation.from_parquet(spec)
    return Population.from_parquet(spec)


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
    from insurrules.population.evaluation import evaluate
    from insurrules.population.kz.engine import evaluate_arrays
    from insurrules.population.kz.tables import PopulationError
    from insurrules.reform import Reform

    err = sys.stderr
    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        err.write(f"--as-of: expected a date YYYY-MM-DD, got {args.as_of!r}\n")
        return 2
    try:
        reform = Reform.from_file(args.reform) if args.reform else None
        scheme = args.scheme or (reform.scheme if reform is not None else "kz-osms")
        if reform is not None and reform.scheme != scheme:
            raise RulesError(f"--reform: the reform is for {reform.scheme}, not {scheme}")
        started = time.perf_counter()
        population = _load(args.population, as_of, args.seed, scheme)
        n = len(population)
        err.write(f"population: {n:,} persons ({time.perf_counter() - started:.1f} s)\n")
        progress = _bar(err, "evaluating") if n >= _PROGRESS_FROM else None
        started = time.perf_counter()
        if reform is None:
            result = (
                evaluate(population, as_of)  # the vn engine: person by person, no progress
                if scheme == "vn-bhyt"
                else evaluate_arrays(population, as_of, progress=progress)
            )
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
            comparison = compare(population, as_of, None, reform)
            elapsed = time.perf_counter() - started
            out.write(f"\nreform: {reform.title} ({args.reform})\n")
            out.write(f"{n:,} persons on {as_of} ({elapsed:.1f} s)\n\n")
            table: list[tuple[str, ...]] = [
                (
                    "dimension",
                    "value",
                    "persons",
                    "newly insured",
                    "losing cover",
                    "state months (base)",
                    "state months (reform)",
                    "cost (base)",
                    "cost (reform)",
                )
            ]
            for r in comparison.summary.iter_rows(named=True):
                if r["dimension"] not in ("total", "basis", "budget"):
                    continue
                table.append(
                    (
                        r["dimension"],
                        str(r["value"]),
                        f"{r['persons']:,}",
                        f"{r['newly_insured']:,}",
                        f"{r['losing_cover']:,}",
                        _opt(r["state_months_baseline"]),
                        _opt(r["state_months_reform"]),
                        _opt(r["cost_baseline"]),
                        _opt(r["cost_reform"]),
                    )
                )
            _table(table, out)
            if comparison.summary["cost_unconfirmed"].any():
                out.write("\ncosts use per-person amounts flagged unconfirmed in the rules\n")
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
    except PopulationError as exc:
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


def _opt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.0f}"
