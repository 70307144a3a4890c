"""``insurrules synthesize SCHEME N DIR``: write a synthetic population folder.

::

    insurrules synthesize kz-osms 100000 kz-population --seed 1
    insurrules synthesize vn-bhyt 20000 vn-population --as-of 2026-03-15

Writes the tables of [`synthetic`][insurrules.population.kz.synthesis.synthetic] (kz-osms) or
[`synthetic_vn`][insurrules.population.vn.synthesis.synthetic_vn] (vn-bhyt) as
``DIR/<table>.parquet`` — the layout ``Population.from_parquet`` / ``VnPopulation.from_parquet``
read, and that ``insurrules simulate --population DIR`` and ``insurrules screen --population DIR``
take — and ``DIR/synthetic.json`` (scheme, persons, seed, ``as_of``), so that a later evaluation of
the folder after ``as_of`` warns. ``DIR`` must be new or empty (``--force``: write into it anyway).
The same seed gives the same persons. Exit status: 0 written, 2 invalid input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import TextIO

from insurrules.cli_inputs import CommandInputError, new_folder
from insurrules.progress import ProgressBar

__all__ = ["run"]


def run(args: argparse.Namespace, out: TextIO) -> int:
    from insurrules.population.kz.synthesis import synthetic
    from insurrules.population.synthetic_date import write_marker
    from insurrules.population.vn.synthesis import synthetic_vn

    try:
        as_of = dt.date.fromisoformat(args.as_of)
    except ValueError:
        raise CommandInputError(
            [f"--as-of: expected a date YYYY-MM-DD, got {args.as_of!r}"]
        ) from None
    folder = new_folder(args.folder, f"DIR {args.folder}", replace=args.force)
    bar = ProgressBar(sys.stderr, live=False if args.quiet else None)
    started = time.perf_counter()
    bar("synthesizing", 0.0)
    make = synthetic_vn if args.scheme == "vn-bhyt" else synthetic
    tables = list(make(args.persons, seed=args.seed, as_of=as_of).tables())
    bar("synthesizing", 1.0)
    folder.mkdir(parents=True, exist_ok=True)
    for done, (name, table) in enumerate(tables, start=1):
        table.write_parquet(folder / f"{name}.parquet")
        bar("writing", done / len(tables))
    write_marker(folder, args.scheme, args.persons, args.seed, as_of)
    bar.close()
    elapsed = time.perf_counter() - started
    out.write(
        f"{args.scheme}: {args.persons:,} synthetic persons (seed {args.seed}, histories to "
        f"{as_of}) written to {folder} in {elapsed:.1f} s\n"
    )
    for name, table in tables:
        out.write(f"  {name + '.parquet':<24}{table.height:>12,} rows\n")
    return 0
