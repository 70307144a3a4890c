"""vn-bhyt population benchmark: from Parquet to answers in a fresh process, and compare().

Run::

    .venv/bin/python benchmarks/bench_vn_population.py                  # 100k and 1M
    INSURRULES_BENCH_MAX=5000000 .venv/bin/python benchmarks/bench_vn_population.py  # and 5M

Prints figures only (no assertions). For each size one subprocess builds the synthetic
population (``synthetic_vn(n)``, about 6 years of card histories) and writes it to Parquet in
the contract's own types (text ids and codes, decimal-text amounts, dates); a second, fresh
subprocess then times, end to end, what a user runs: import, ``VnPopulation.from_parquet``
(read and structural check), the row-level check (``row_errors``) and ``evaluate()``; then a
second ``evaluate()`` (warm) and ``compare()`` with a reform of the near-poor support share
(baseline and reform evaluated, costs by budget), printed as a multiple of the warm
``evaluate()``. Peak RSS is the fresh process's high-water mark (``ru_maxrss``: loading
included). Sizes above ``INSURRULES_BENCH_MAX`` (default 1 000 000) are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

AS_OF = "2026-03-15"
SIZES = (100_000, 1_000_000, 5_000_000)
REFORM = {"vn.support.near_poor": {"from 2026-01-01": "0.80"}}


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write(n: int, directory: str) -> dict[str, Any]:
    from insurrules.population.vn.synthesis import synthetic_vn

    t = time.perf_counter()
    pop = synthetic_vn(n, seed=0, as_of=AS_OF)
    synth = time.perf_counter() - t
    pop.to_parquet(directory)
    return {"synthetic": synth, "purchases": pop.payments.height}


def run(directory: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    from insurrules.population import compare, evaluate
    from insurrules.population.vn.tables import VnPopulation

    imported = time.perf_counter()
    pop = VnPopulation.from_parquet(directory)
    loaded = time.perf_counter()
    errors = pop.row_errors
    checked = time.perf_counter()
    result = evaluate(pop, AS_OF)
    answered = time.perf_counter()
    t = time.perf_counter()
    evaluate(pop, AS_OF)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    comparison = compare(pop, AS_OF, None, REFORM)
    compared = time.perf_counter() - t
    cost = comparison.summary.cost.filter(budget="state")
    return {
        "n": len(pop),
        "import": imported - t0,
        "load": loaded - imported,
        "check": checked - loaded,
        "evaluate": answered - checked,
        "total": answered - t0,
        "warm": warm,
        "compare": compared,
        "insured": int((result["status"] == "insured").sum()) / max(len(pop), 1),
        "invalid": int(errors.is_not_null().sum()),
        "cost_change": str(
            cost["cost_reform"].item() - cost["cost_baseline"].item() if cost.height else None
        ),
        "peak_mb": _maxrss_mb(),
    }


def _child(mode: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, f"--{mode}", *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument(
        "--max", type=int, default=int(os.environ.get("INSURRULES_BENCH_MAX", 1_000_000))
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per size (best)")
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        print(json.dumps(write(int(args.write[0]), args.write[1])))
        return
    if args.run:
        print(json.dumps(run(args.run)))
        return
    print(f"vn-bhyt population, as_of {AS_OF}; best of {args.runs} fresh processes per size")
    for n in args.sizes:
        if n > args.max:
            print(f"{n:>10,} persons  skipped (above INSURRULES_BENCH_MAX={args.max:,})")
            continue
        with tempfile.TemporaryDirectory(prefix="insurrules-vn-bench-") as directory:
            made = _child("write", str(n), directory)
            runs = [_child("run", directory) for _ in range(args.runs)]
        best = min(runs, key=lambda r: r["total"])
        totals = sorted(r["total"] for r in runs)
        print(
            f"{n:>10,} persons {made['purchases']:>11,} purchases  "
            f"Parquet->answers {best['total']:6.2f} s (runs {totals[0]:.2f}-{totals[-1]:.2f}) "
            f"= {n / best['total']:>9,.0f} persons/s  "
            f"[import {best['import']:.2f}, load {best['load']:.2f}, check {best['check']:.2f}, "
            f"evaluate {best['evaluate']:.2f}]  warm evaluate {best['warm']:.2f} s  "
            f"compare {best['compare']:.2f} s = {best['compare'] / best['warm']:.2f} x evaluate  "
            f"peak RSS {best['peak_mb']:,.0f} MB  insured {best['insured']:.1%}  "
            f"invalid {best['invalid']}  reform cost change {best['cost_change']} VND",
            flush=True,
        )


if __name__ == "__main__":
    main()
