"""Population engine benchmark: evaluate() and compare() speed and memory, and how they scale.

Run::

    .venv/bin/python benchmarks/bench_population.py              # up to 1M persons (make bench)
    .venv/bin/python benchmarks/bench_population.py --max 5000000  # to 5M (make bench-large)

Prints figures only (no assertions). Two measurements:

**Extracts in the contract's text types, end to end** (the first table printed): for each of
100 000, 1 000 000 and 5 000 000 persons (up to ``--max``), :func:`~insurrules.population.kz.
synthesis.write_extract` writes a Parquet extract as a fund's analyst would get it (months
``"2025-06"``, amounts with tiyn ``"19126.02"``, payers and ids as text, dates as dates; an
employer and an employee record per month for employees, about 50 records per person), and a
fresh process runs ``Population.from_parquet(dir)`` then ``evaluate()``: Parquet to result
table, every one-time step included. Its wall time (process start to result, imports included)
and peak RSS (``ru_maxrss`` of the child, from ``os.wait4``) are printed.

**Native types, evaluate() warm and compare()**: for each size, one subprocess builds the synthetic
population (``synthetic(n)``, 72-month histories; its time is printed) and writes it to Parquet
in a temporary directory; a second, fresh subprocess reads it back (``Population.from_parquet``)
and measures ``evaluate()`` with the tables already in memory, so that the synthesis peak does not
count. "once" is the one-time work per population that later evaluations reuse (reading and
screening the records,
person row of each record, the per-population index): first call minus a warm call. Peak RSS is
the high-water mark from the end of loading (reset through ``/proc/self/clear_refs`` where Linux
allows it, otherwise ``ru_maxrss``, which includes loading).
A size whose estimated peak (scaled from the largest size run) exceeds ``--mem-mb`` (default:
80 % of the memory available at the start) is skipped, with a note.
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
from pathlib import Path
from typing import Any

AS_OF = "2026-03-15"
SIZES = (10_000, 100_000, 1_000_000, 2_000_000, 5_000_000)
TEXT_SIZES = (100_000, 1_000_000, 5_000_000)


def _status_mb(field: str) -> float | None:
    """``VmRSS``/``VmHWM`` of this process in MB (Linux), else None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _reset_peak() -> bool:
    """Start a new high-water mark at the current RSS (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _status_mb("VmHWM") is not None


def _available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def write(n: int, directory: str) -> dict[str, Any]:
    from insurrules.population import synthetic

    t = time.perf_counter()
    pop = synthetic(n, seed=0, as_of=AS_OF, history_months=72)
    synth = time.perf_counter() - t
    peak = _maxrss_mb()
    pop.to_parquet(directory)
    return {
        "persons": len(pop),
        "payments": len(pop.sources["payments"]),
        "synthetic_s": synth,
        "synthetic_peak_mb": peak,
    }


def measure(directory: str, with_compare: bool) -> dict[str, Any]:
    import insurrules
    from insurrules.population import Population, compare, evaluate

    t = time.perf_counter()
    pop = Population.from_parquet(directory)
    load = time.perf_counter() - t
    load_peak = _maxrss_mb()
    rss_loaded = _status_mb("VmRSS") or load_peak
    reset = _reset_peak()
    t = time.perf_counter()
    first = evaluate(pop, AS_OF)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        result = evaluate(pop, AS_OF)
        warm.append(time.perf_counter() - t)
    n = len(pop)
    out: dict[str, Any] = {
        "persons": n,
        "payments": len(pop.sources["payments"]),
        "load_s": load,
        "load_peak_mb": load_peak,
        "rss_loaded_mb": rss_loaded,
        "evaluate_cold_s": cold,
        "evaluate_s": min(warm),
        "persons_per_s": n / min(warm),
        "insured_share": int((result["status"] == "insured").sum()) / max(n, 1),
        "invalid_persons": int(result["error"].is_not_null().sum()),
        "same": first.equals(result),
        "peak_since_load": reset,
    }
    if with_compare:
        reform = insurrules.Reform.from_dict(
            {
                "title": "36 months",
                "scheme": "kz-osms",
                "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},
            }
        )
        times = []
        for _ in range(3):  # as evaluate(): the best of three, on a shared machine
            t = time.perf_counter()
            comparison = compare(pop, AS_OF, None, reform)
            times.append(time.perf_counter() - t)
        out["compare_s"] = min(times)
        out["compare_ratio"] = min(times) / min(warm)
        out["newly_insured"] = int(comparison.summary.total["newly_insured"].item())
    out["rss_peak_mb"] = (_status_mb("VmHWM") if reset else None) or _maxrss_mb()
    return out


def write_text(n: int, directory: str) -> dict[str, Any]:
    from insurrules.population.kz.synthesis import write_extract

    t = time.perf_counter()
    write_extract(directory, n, seed=0, as_of=AS_OF, history_months=72, text=True)
    return {"write_s": time.perf_counter() - t}


def end_to_end(directory: str, started: float) -> dict[str, Any]:
    """Parquet to result table in this (fresh) process; ``started``: the parent's clock when it
    started the process (imports are part of the time)."""
    import numpy as np

    from insurrules.population import Population, evaluate

    t = time.perf_counter()
    pop = Population.from_parquet(directory)
    loaded = time.perf_counter()
    result = evaluate(pop, AS_OF)
    done = time.perf_counter()
    total = time.time() - started  # the result table is there: what follows only reports
    return {
        "persons": result.height,
        "payments": len(pop.sources["payments"]),
        "month_type": str(pop.sources["payments"].schema["month"]),
        # the first record only (its row group): not a second read of 51 M amounts
        "amount_example": str(pop.sources["payments"].take(np.zeros(1, np.int64))["amount"][0])
        if len(pop.sources["payments"])
        else "",
        "from_parquet_s": loaded - t,
        "evaluate_s": done - loaded,
        "total_s": total,
        "invalid": int(result["error"].is_not_null().sum()),
        "insured_share": int((result["status"] == "insured").sum()) / max(result.height, 1),
    }


def run_text(n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench_population_text_{n}_") as tmp:
        written = _sub("--write-text", str(n), tmp)
        best: dict[str, Any] | None = None
        runs = 3 if n <= 1_000_000 else 1
        for _ in range(runs):  # a shared machine: the best of three
            measured, peak = _child_peak("--end-to-end", tmp)
            measured["peak_mb"] = peak
            if best is None or measured["total_s"] < best["total_s"]:
                best = measured
        assert best is not None
        best["runs"] = runs
        best["extract_mb"] = sum(f.stat().st_size for f in Path(tmp).rglob("*.parquet")) / 2**20
    return {**written, **best}


def _child_peak(*args: str) -> tuple[dict[str, Any], float]:
    """:func:`_child`, the peak RSS from ``wait4`` of that very child."""
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args, "--started", repr(started)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"bench_population {' '.join(args)} failed:\n{err}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result, usage.ru_maxrss / 1024  # Linux: KiB


def _print_text(done: dict[int, dict[str, Any]]) -> None:
    print(
        "End to end, Parquet extract in the contract's text types -> result table, fresh process "
        "(time from process start; peak RSS of the process)"
    )
    print(
        f"{'persons':>10} {'payments':>12} {'extract MB':>11} {'from_parquet s':>15} "
        f"{'evaluate s':>11} {'total s':>8} {'peak RSS MB':>12}  best of"
    )
    for s in done.values():
        print(
            f"{s['persons']:>10,} {s['payments']:>12,} {s['extract_mb']:>11,.0f} "
            f"{s['from_parquet_s']:>15.2f} {s['evaluate_s']:>11.2f} {s['total_s']:>8.2f} "
            f"{s['peak_mb']:>12,.0f}  {s['runs']}"
        )
    print()


def _sub(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"bench_population {' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_size(n: int, with_compare: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench_population_{n}_") as tmp:
        built = _sub("--write", str(n), tmp)
        measured = _sub("--measure", tmp, *(["--compare"] if with_compare else []))
    return {**built, **measured}


def _too_big(n: int, done: dict[int, dict[str, Any]], limit_mb: float | None) -> str | None:
    """Why size ``n`` is skipped: its peak, scaled from the largest size run, would not fit."""
    if not done or limit_mb is None:
        return None
    base = max(done)
    r = done[base]
    need = max(r["synthetic_peak_mb"], r["rss_peak_mb"], r["load_peak_mb"]) * n / base
    if need > limit_mb:
        return f"skipped: needs about {need:,.0f} MB, limit {limit_mb:,.0f} MB"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max",
        type=int,
        default=int(os.environ.get("INSURRULES_BENCH_MAX", 1_000_000)),
        help="largest population size (default: $INSURRULES_BENCH_MAX, else 1 000 000)",
    )
    parser.add_argument(
        "--mem-mb", type=float, help="skip sizes estimated to need more (default: 80%% available)"
    )
    parser.add_argument("--write", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--write-text", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--end-to-end", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    parser.add_argument(
        "--skip-native", action="store_true", help="only the text-typed end-to-end runs"
    )
    parser.add_argument(
        "--text-sizes",
        type=int,
        nargs="+",
        default=list(TEXT_SIZES),
        help="sizes of the text-typed end-to-end runs (default: 100 000, 1 000 000, 5 000 000)",
    )
    parser.add_argument("--measure", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--compare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        print(json.dumps(write(int(args.write[0]), args.write[1])))
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.compare)))
        return
    if args.write_text:
        print(json.dumps(write_text(int(args.write_text[0]), args.write_text[1])))
        return
    if args.end_to_end:
        print(json.dumps(end_to_end(args.end_to_end, args.started or time.time())))
        return

    from fresh_process import compile_insurrules

    compile_insurrules()  # the fresh processes timed below import insurrules as installed
    text_done = {n: run_text(n) for n in args.text_sizes if n <= args.max}
    _print_text(text_done)
    if args.skip_native:
        return

    headline = min(1_000_000, args.max)
    available = _available_mb()
    limit = args.mem_mb or (0.8 * available if available is not None else None)
    done: dict[int, dict[str, Any]] = {}
    sizes = sorted({n for n in SIZES if n <= args.max} | {headline})
    for n in sizes:
        if n > headline and (why := _too_big(n, done, limit)):
            print(f"{n:>10,} {why}", file=sys.stderr)
            continue
        done[n] = run_size(n, with_compare=n == headline)
        if n == headline:
            _print_headline(done[n])
    print()
    print(
        f"{'persons':>10} {'payments':>12} {'synthetic s':>12} {'evaluate s':>11} "
        f"{'persons/s':>11} {'once (validate+index) s':>24} {'loaded MB':>10} {'peak RSS MB':>12}"
    )
    for n in sizes:
        if n not in done:
            print(f"{n:>10,} (skipped: not enough memory)")
            continue
        s = done[n]
        once = s["evaluate_cold_s"] - s["evaluate_s"]
        print(
            f"{s['persons']:>10,} {s['payments']:>12,} {s['synthetic_s']:>12.2f} "
            f"{s['evaluate_s']:>11.2f} {s['persons_per_s']:>11,.0f} {once:>24.2f} "
            f"{s['rss_loaded_mb']:>10,.0f} {s['rss_peak_mb']:>12,.0f}"
        )
    if not all(s["same"] for s in done.values()):
        print("WARNING: a warm evaluate() differed from the first", file=sys.stderr)


def _print_headline(r: dict[str, Any]) -> None:
    once = r["evaluate_cold_s"] - r["evaluate_s"]
    peak_from = "since loading" if r["peak_since_load"] else "ru_maxrss, includes loading"
    print(
        f"evaluate(): {r['persons']:,} synthetic persons, {r['payments']:,} payment records "
        f"(72-month histories), as_of {AS_OF}"
    )
    print(
        f"  synthetic()            {r['synthetic_s']:8.2f} s  (peak RSS "
        f"{r['synthetic_peak_mb']:,.0f} MB, separate process)"
    )
    print(
        f"  from_parquet()         {r['load_s']:8.2f} s  (RSS {r['rss_loaded_mb']:,.0f} MB "
        f"after loading, peak {r['load_peak_mb']:,.0f} MB; payments read when indexed)"
    )
    print(
        f"  once (validate+index)  {once:8.2f} s  (first evaluate() {r['evaluate_cold_s']:.2f} s)"
    )
    print(
        f"  evaluate() warm        {r['evaluate_s']:8.2f} s  = {r['persons_per_s']:,.0f} "
        "persons/s (min of 3)"
    )
    print(
        f"  compare() (36 months)  {r['compare_s']:8.2f} s  = {r['compare_ratio']:.2f} x "
        f"evaluate() (min of 3; {r['newly_insured']:,} newly insured)"
    )
    print(f"  peak RSS               {r['rss_peak_mb']:8,.0f} MB (evaluate + compare, {peak_from})")
    print(
        f"  insured                {100 * r['insured_share']:8.1f} %  "
        f"({r['invalid_persons']:,} persons with invalid records)"
    )


if __name__ == "__main__":
    main()
