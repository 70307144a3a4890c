"""``insurrules screen CLAIMS(.csv|.parquet) --population DIR [--out FILE]``.

Reads the claims (CSV cells are read as text, so ids keep their leading zeros and amounts stay
exact), screens them against the population in ``DIR`` (``Population.from_parquet``), prints
the summary, and writes every claim with its flags and reasons to ``--out`` (``.parquet`` keeps
the lists; ``.csv`` joins them with `` | ``). Progress goes to standard error. Exit status: 0
when the claims were screened (flagged or not), 2 when the input cannot be screened (one line
per problem on standard error), 1 for anything else.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

import polars as pl

from insurrules.claims.schema import ClaimsTableError
from insurrules.claims.screen import screen
from insurrules.claims.summary import summarize
from insurrules.errors import mask_text

__all__ = ["run", "setup"]

_EXIT_OK, _EXIT_INVALID = 0, 2
_READERS = (".csv", ".parquet")
_WRITERS = (".csv", ".parquet", ".ndjson")


def setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("claims", help="claims table: .csv or .parquet")
    parser.add_argument(
        "--population",
        required=True,
        metavar="DIR",
        help="directory of population tables (persons.parquet, payments.parquet, ...)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="write every claim with flags and reasons (.parquet/.csv)"
    )
    parser.add_argument(
        "--top", type=int, default=10, help="providers shown in the summary (default 10)"
    )


class ProgressBar:
    """A one-line progress bar on ``stream``, redrawn in place on a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.live = stream.isatty()
        self.stage = ""
        self.shown = -1
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: float) -> None:
        percent = int(max(0.0, min(done, 1.0)) * 100)
        if stage == self.stage and (percent == self.shown or (not self.live and percent < 100)):
            return
        if stage != self.stage and self.stage and self.live:
            self.stream.write("\n")
        self.stage, self.shown = stage, percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        line = f"{stage:<10} [{bar}] {percent:3d}%  {elapsed:6.1f}s"
        if self.live:
            self.stream.write("\r" + line)
        elif percent in (0, 100):
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.stage:
            self.stream.write("\n")
            self.stream.flush()


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(mask_text(line), file=sys.stderr)
    return _EXIT_INVALID


def read_claims(path: Path) -> pl.DataFrame:
    """A claims file as a frame (CSV: every cell as text, checked by screening)."""
    if path.suffix.lower() == ".csv":
        return pl.read_csv(path, infer_schema=False)
    return pl.read_parquet(path)


def write_result(result: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        result.write_parquet(path)
    elif suffix == ".ndjson":
        result.write_ndjson(path)
    else:
        result.with_columns(
            pl.col("flags").list.join(" | "), pl.col("reasons").list.join(" | ")
        ).write_csv(path)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.population.kz.tables import Population, PopulationError

    claims_path = Path(args.claims)
    if claims_path.suffix.lower() not in _READERS:
        return _fail([f"{claims_path}: expected a .csv or .parquet claims file"])
    if not claims_path.is_file():
        return _fail([f"{claims_path}: no such file"])
    out_path = Path(args.out) if args.out else None
    if out_path is not None and out_path.suffix.lower() not in _WRITERS:
        return _fail([f"--out {out_path}: expected a .parquet, .csv or .ndjson file"])
    bar = ProgressBar(sys.stderr)
    bar("reading", 0.0)
    try:
        claims = read_claims(claims_path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        return _fail([f"{claims_path}: cannot read ({type(exc).__name__}: {exc})"])
    try:
        population = Population.from_parquet(args.population)
    except PopulationError as exc:
        return _fail([f"--population {args.population}: {p}" for p in exc.problems])
    except (OSError, pl.exceptions.PolarsError) as exc:
        return _fail([f"--population {args.population}: cannot read ({exc})"])
    bar("reading", 1.0)
    try:
        result = screen(claims, population, progress=bar)
    except ClaimsTableError as exc:
        bar.close()
        return _fail([f"{claims_path}: {p}" for p in exc.problems])
    bar.close()
    summary = summarize(result)
    out.write(summary.to_text(top=args.top) + "\n")
    if out_path is not None:
        write_result(result, out_path)
        out.write(f"\nwrote {result.height:,} screened claims to {out_path}\n")
    return _EXIT_OK


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - via insurrules.cli
    parser = argparse.ArgumentParser(prog="insurrules screen")
    setup(parser)
    return run(parser.parse_args(argv), sys.stdout)
