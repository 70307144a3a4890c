"""``insurrules screen CLAIMS(.csv|.parquet) --population DIR [--out FILE]``.

Reads the claims (CSV cells are read as text, so ids keep their leading zeros and amounts stay
exact), screens them against the population in ``DIR`` (``Population.from_parquet``), prints
the summary, and writes every claim with its flags and reasons to ``--out`` (``.parquet`` keeps
the lists; ``.csv`` joins them with `` | ``). A progress bar goes to standard error on a terminal
(``--quiet``: none). Exit status: 0
when the claims were screened (flagged or not), 2 when the input cannot be screened (one line
per problem on standard error), 1 for anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from insurrules.cli_inputs import (
    CommandInputError,
    population_folder,
    readable_file,
    writable_file,
)
from insurrules.errors import mask_text
from insurrules.progress import ProgressBar

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ProgressBar", "read_claims", "run", "write_result"]

_EXIT_OK, _EXIT_INVALID = 0, 2
_READERS = (".csv", ".parquet")
_WRITERS = (".csv", ".parquet", ".ndjson")


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(mask_text(line), file=sys.stderr)
    return _EXIT_INVALID


def read_claims(path: Path) -> pl.DataFrame:
    """A claims file as a frame (CSV: every cell as text, checked by screening)."""
    import polars as pl

    if path.suffix.lower() == ".csv":
        return pl.read_csv(path, infer_schema=False)
    return pl.read_parquet(path)


def write_result(result: pl.DataFrame, path: Path) -> None:
    import polars as pl

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        result.write_parquet(path)
    elif suffix == ".ndjson":
        result.write_ndjson(path)
    else:
        result.with_columns(
            pl.col("flags").list.join(" | "), pl.col("reasons").list.join(" | ")
        ).write_csv(path)


def _check_inputs(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """The claims file, the population folder and ``--out``, checked before any work."""
    from insurrules.population.kz.tables import TABLES

    claims_path = Path(args.claims)
    if claims_path.suffix.lower() not in _READERS:
        raise CommandInputError([f"CLAIMS {claims_path}: expected a .csv or .parquet file"])
    kind = "parquet" if claims_path.suffix.lower() == ".parquet" else "text"
    readable_file(claims_path, f"CLAIMS {claims_path}", kind=kind)
    population_folder(args.population, f"--population {args.population}", TABLES)
    out_path = Path(args.out) if args.out else None
    if out_path is not None:
        if out_path.suffix.lower() not in _WRITERS:
            raise CommandInputError([f"--out {out_path}: expected .parquet, .csv or .ndjson"])
        writable_file(out_path, f"--out {out_path}")
    return claims_path, out_path


def run(args: argparse.Namespace, out: TextIO) -> int:
    import polars as pl

    from insurrules.claims.schema import ClaimsTableError
    from insurrules.claims.screen import screen
    from insurrules.claims.summary import summarize
    from insurrules.messages import languages
    from insurrules.population.kz.tables import Population, PopulationError

    claims_path, out_path = _check_inputs(args)
    spoken = languages("kz-osms")
    if args.lang not in spoken:
        return _fail([f"--lang: kz-osms messages are in {', '.join(spoken)}, not {args.lang!r}"])
    bar = ProgressBar(sys.stderr, live=False if args.quiet else None)
    bar("reading", 0.0)
    try:
        claims = read_claims(claims_path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        bar.close()
        return _fail([f"CLAIMS {claims_path}: cannot read ({type(exc).__name__}: {exc})"])
    try:
        population = Population.from_parquet(args.population)
    except PopulationError as exc:
        bar.close()
        return _fail([f"--population {args.population}: {p}" for p in exc.problems])
    except (OSError, pl.exceptions.PolarsError) as exc:
        bar.close()
        return _fail([f"--population {args.population}: cannot read ({exc})"])
    bar("reading", 1.0)
    try:
        result = screen(claims, population, progress=bar, lang=args.lang)
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
