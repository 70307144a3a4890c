"""Benchmark: screen synthetic claims against a synthetic population (issue 6).

    .venv/bin/python benchmarks/bench_claims.py [--persons 1000000] [--claims 1000000]

Prints the time of each stage of :func:`insurrules.claims.screen` (reported through its
progress callback), the total, claims per second, and the peak memory of the process. The
target is 1 000 000 claims against 1 000 000 persons in at most 3 s on a 2-core machine; the
figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from insurrules.claims import screen
from insurrules.claims.summary import summarize
from insurrules.claims.synthetic import synthetic_claims
from insurrules.population import Population, synthetic


class Stages:
    """Wall time spent in each stage named by the progress callback."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.stage = ""
        self.spent: dict[str, float] = {}

    def __call__(self, stage: str, done: float) -> None:
        now = time.perf_counter()
        if self.stage:
            self.spent[self.stage] = self.spent.get(self.stage, 0.0) + now - self.last
        self.stage, self.last = stage, now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    as_of = dt.date(2026, 3, 15)

    t = time.perf_counter()
    population = synthetic(args.persons, seed=args.seed, as_of=as_of)
    print(f"population: {population!r} in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    made = synthetic_claims(
        population, args.claims, args.seed, start=dt.date(2025, 4, 1), end=dt.date(2026, 3, 15)
    )
    elapsed = time.perf_counter() - t
    print(f"claims: {made.claims.height:,} in {elapsed:.1f} s; injected {made.counts()}")

    # a fresh Population of the same tables: nothing the generator computed is reused
    fresh = Population(
        persons=population.persons,
        payments=population.payments,
        memberships=population.memberships,
        welfare_levels=population.welfare_levels,
        care_requests=population.care_requests,
    )
    stages = Stages()
    t = time.perf_counter()
    result = screen(made.claims, fresh, progress=stages)
    total = time.perf_counter() - t
    stages("end", 1.0)
    t = time.perf_counter()
    screen(made.claims, fresh)
    warm = time.perf_counter() - t
    t = time.perf_counter()
    summary = summarize(result)
    summary_time = time.perf_counter() - t

    found = (result["flags"] == made.expected["flags"]).sum()
    print(
        f"screen: {total:.2f} s for {result.height:,} claims "
        f"({result.height / total:,.0f} claims/s), target <= 3 s"
    )
    for stage, spent in stages.spent.items():
        print(f"  {stage:<10} {spent:6.2f} s")
    print(f"screen again, the population's record check cached: {warm:.2f} s")
    print(f"summary: {summary_time:.2f} s; flagged {summary.flagged:,} of {summary.claims:,}")
    print(f"rows matching the injected ground truth: {found:,} of {result.height:,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory (process): {peak:.2f} GB")


if __name__ == "__main__":
    main()
