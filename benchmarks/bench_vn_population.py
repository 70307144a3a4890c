"""vn-bhyt population engine benchmark: evaluate_vn() speed at 10k, 100k and (if fast enough) 1M.

Run::

    .venv/bin/python benchmarks/bench_vn_population.py
    .venv/bin/python benchmarks/bench_vn_population.py --sizes 10000 100000 --max-seconds 120

Prints figures only (no assertions). Tables are synthetic (``synthetic_vn(n)``, about 6 years of
card histories) and built before timing; "validate" is the one-time row-level check per
population (``row_errors``), which later evaluations reuse. The 1M run is made only when the
100k run predicts it takes less than ``--max-seconds`` (evaluation is linear in persons).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

AS_OF = "2026-03-15"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def one(n: int) -> float:
    from insurrules.population.vn.engine import evaluate_vn
    from insurrules.population.vn.synthesis import synthetic_vn

    t = time.perf_counter()
    pop = synthetic_vn(n, seed=0, as_of=AS_OF)
    synth = time.perf_counter() - t
    t = time.perf_counter()
    errors = pop.row_errors
    validate = time.perf_counter() - t
    t = time.perf_counter()
    result = evaluate_vn(pop, AS_OF)
    evaluate = time.perf_counter() - t
    insured = (result["status"] == "insured").sum() / max(n, 1)
    print(
        f"{n:>9,} persons  {pop.payments.height:>10,} purchases  "
        f"synthetic {synth:6.2f} s  validate {validate:6.2f} s  evaluate {evaluate:7.2f} s  "
        f"= {n / evaluate:>9,.0f} persons/s (validate+evaluate {n / (validate + evaluate):,.0f}/s)"
        f"  insured {insured:.1%}  invalid {errors.is_not_null().sum()}  "
        f"peak RSS {_rss_mb():,.0f} MB",
        flush=True,
    )
    return evaluate + validate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--big", type=int, default=int(os.environ.get("INSURRULES_BENCH_MAX", 1_000_000))
    )
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args()
    per_person = 0.0
    for n in args.sizes:
        per_person = one(n) / n
    predicted = per_person * args.big
    if args.big and predicted < args.max_seconds:
        one(args.big)
    elif args.big:
        print(
            f"{args.big:>9,} persons  skipped: predicted {predicted:.0f} s of validate+evaluate "
            f"> {args.max_seconds:.0f} s"
        )


if __name__ == "__main__":
    main()
