"""A person's 72-month coverage timeline against one ``decide()`` per month.

Cases are the case documents a service sends (plain dicts, 72 months of payments, text months
and decimal-text amounts, each paid on the 21st), from ``bench_decide.make_cases``. For each
case: ``insurrules.timeline(case, "2020-01", "2025-12")`` (validation included), with the facts
known on each day (every state of knowledge, one per day a payment arrives, in one evaluation of
the routes over lanes) and with the facts of ``as_of`` (one state), against 72 ``decide()`` calls
(the 15th of each month); also the default reading its pieces one by one, as it does without
numpy. Also a fresh process end to end (start, import, read the JSON file, validate, timeline,
print) with its peak RSS.
Run: ``python benchmarks/bench_timeline.py [-n 200]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_decide import make_cases

import insurrules
from insurrules.coverage import kz as coverage_kz
from insurrules.months import YearMonth

MONTHS = [YearMonth(2020, 1) + k for k in range(72)]


def best(run: Callable[[], object]) -> float:
    """CPU seconds, best of three."""
    times = []
    for _ in range(3):
        c0 = time.process_time()
        run()
        times.append(time.process_time() - c0)
    return min(times)


def per_month(case: dict[str, Any]) -> list[insurrules.Decision]:
    return [insurrules.decide({**case, "as_of": f"{month}-15"}) for month in MONTHS]


def fresh_process(case: dict[str, Any]) -> tuple[float, float]:
    code = (
        "import json, sys, time, resource\n"
        "t = time.perf_counter()\n"
        "import insurrules\n"
        "case = json.load(open(sys.argv[1]))\n"
        "tl = insurrules.timeline(case, '2020-01', '2025-12')\n"
        "print(tl.strip())\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.json"
        path.write_text(json.dumps(case), encoding="utf-8")
        runs = []
        for _ in range(3):
            w0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
            ).stdout.splitlines()[-1]
            wall = time.perf_counter() - w0
            inner, peak = out.split()
            runs.append((wall, float(inner), int(peak)))
    best_wall, _inner, best_rss = min(runs)
    return best_wall, best_rss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="number of cases")
    args = parser.parse_args()
    cases = make_cases(args.n)
    insurrules.timeline(cases[0], "2020-01", "2025-12")  # warm caches (rules loaded once)

    changes = [len(insurrules.timeline(c, "2020-01", "2025-12").segments) for c in cases]
    results = {
        "timeline(), facts known on each day": best(
            lambda: [insurrules.timeline(c, "2020-01", "2025-12") for c in cases]
        ),
        "timeline(known='as_of'), one evaluation": best(
            lambda: [insurrules.timeline(c, "2020-01", "2025-12", known="as_of") for c in cases]
        ),
        "72 x decide(), one per month": best(lambda: [per_month(c) for c in cases]),
    }
    # without numpy (no ``population`` extra) the pieces of a timeline are read one by one
    with_numpy = coverage_kz._numpy
    coverage_kz._numpy = lambda: False
    try:
        results["timeline(), read one by one (no numpy)"] = best(
            lambda: [insurrules.timeline(c, "2020-01", "2025-12") for c in cases]
        )
    finally:
        coverage_kz._numpy = with_numpy
    base = results["72 x decide(), one per month"]
    print(f"cases: {args.n} kz-osms, 72-month payment histories, one core, CPU time (best of 3)")
    print(f"segments per timeline: {sum(changes) / len(changes):.0f} on average")
    for label, seconds in results.items():
        each = seconds / args.n * 1000
        print(f"{label:<44} {each:>8.2f} ms/case  ({base / seconds:>5.1f}x 72 decisions)")
    wall, rss = fresh_process(cases[0])
    print(
        f"fresh process (import, read, validate, timeline, print): {wall * 1000:.0f} ms wall, "
        f"peak RSS {rss:.0f} MiB (best of 3)"
    )


if __name__ == "__main__":
    main()
