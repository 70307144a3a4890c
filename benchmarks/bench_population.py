"""Population engine benchmark: evaluate() and compare() speed and memory, and how they scale.

Run::

    .venv/bin/python benchmarks/bench_population.py            # 1M persons + scaling to 5M
    .venv/bin/python benchmarks/bench_population.py --max 1000000

Prints figures only (no assertions). Each population size runs in a fresh subprocess so that its
peak resident memory (``ru_maxrss``) is its own. Tables are synthetic (``synthetic(n)``, 72-month
histories) and built before timing; "validate+index" is the one-time work per population
(row-level checks, person row of each record) that later evaluations reuse.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

AS_OF = "2026-03-15"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def one(n: int, with_compare: bool) -> dict[str, Any]:
    import insurrules
    from insurrules.population import compare, evaluate, synthetic

    t = time.perf_counter()
    pop = synthetic(n, seed=0, as_of=AS_OF, history_months=72)
    synth = time.perf_counter() - t
    rss_tables = _rss_mb()
    t = time.perf_counter()
    errors = pop.row_errors
    validate = time.perf_counter() - t
    t = time.perf_counter()
    first = evaluate(pop, AS_OF)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    result = evaluate(pop, AS_OF)
    warm = time.perf_counter() - t
    out: dict[str, Any] = {
        "persons": n,
        "payments": pop.payments.height,
        "synthetic_s": synth,
        "validate_s": validate,
        "evaluate_cold_s": cold,
        "evaluate_s": warm,
        "persons_per_s": n / warm,
        "rss_tables_mb": rss_tables,
        "rss_peak_mb": _rss_mb(),
        "insured_share": (result["status"] == "insured").sum() / max(n, 1),
        "invalid_rows": int(errors.is_not_null().sum()),
        "same": first.equals(result),
    }
    if with_compare:
        reform = insurrules.Reform.from_dict(
            {
                "title": "36 months",
                "scheme": "kz-osms",
                "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},
            }
        )
        t = time.perf_counter()
        comparison = compare(pop, AS_OF, None, reform)
        out["compare_s"] = time.perf_counter() - t
        out["newly_insured"] = int(
            comparison.summary.filter(dimension="total")["newly_insured"].item()
        )
        out["rss_peak_mb"] = _rss_mb()
    return out


def run_sub(n: int, with_compare: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", str(n)] + (["--compare"] if with_compare else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=5_000_000, help="largest population size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.compare)))
        return

    headline = min(1_000_000, args.max)
    r = run_sub(headline, with_compare=True)
    once = r["validate_s"] + r["evaluate_cold_s"] - r["evaluate_s"]
    print(
        f"evaluate(): {r['persons']:,} synthetic persons, {r['payments']:,} payment records "
        f"(72-month histories), as_of {AS_OF}"
    )
    print(f"  synthetic()            {r['synthetic_s']:8.2f} s")
    print(f"  validate+index (once)  {once:8.2f} s")
    print(
        f"  evaluate()             {r['evaluate_s']:8.2f} s  = {r['persons_per_s']:,.0f} persons/s"
    )
    print(
        f"  compare() (36 months)  {r['compare_s']:8.2f} s  ({r['newly_insured']:,} newly insured)"
    )
    print(
        f"  peak RSS               {r['rss_peak_mb']:8.0f} MB (tables alone: "
        f"{r['rss_tables_mb']:.0f} MB)"
    )
    print(f"  insured                {100 * r['insured_share']:8.1f} %")
    print()
    print(
        f"{'persons':>10} {'payments':>12} {'evaluate s':>11} {'persons/s':>11} "
        f"{'validate+index s':>17} {'peak RSS MB':>12}"
    )
    for n in (10_000, 100_000, 1_000_000, 2_000_000, 5_000_000):
        if n > args.max:
            break
        s = r if n == headline else run_sub(n, with_compare=False)
        once = s["validate_s"] + s["evaluate_cold_s"] - s["evaluate_s"]
        print(
            f"{s['persons']:>10,} {s['payments']:>12,} {s['evaluate_s']:>11.2f} "
            f"{s['persons_per_s']:>11,.0f} {once:>17.2f} {s['rss_peak_mb']:>12,.0f}"
        )


if __name__ == "__main__":
    main()
