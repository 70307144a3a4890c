"""Decisions per second for ``insurrules.decide()`` on kz-osms cases with 72-month histories.

Cases are plain dicts (validation included), as a service would send them. Also prints the time
of ``import insurrules`` in a fresh interpreter. Run: ``python benchmarks/bench_decide.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time
from typing import Any, Literal

import insurrules
from insurrules.kz.iin import make_iin
from insurrules.months import YearMonth


def make_cases(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    cases = []
    first = YearMonth(2020, 1)
    for i in range(n):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 55))
        sex: Literal["male", "female"] = "male" if rnd.random() < 0.5 else "female"
        gap = rnd.randrange(0, 72) if rnd.random() < 0.3 else None
        payer = rnd.choice(["employer", "self", "entrepreneur"])
        pays = []
        for k in range(72):
            if k == gap:
                continue
            month = first + k
            pays.append(
                {
                    "month": str(month),
                    "paid_on": (month.first_day() + dt.timedelta(days=20)).isoformat(),
                    "amount": "4250",
                    "payer": payer,
                }
            )
        as_of = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 540))
        cases.append(
            {
                "scheme": "kz-osms",
                "as_of": as_of.isoformat(),
                "person": {
                    "id": make_iin(born, sex, i % 9000),
                    "birth_date": born.isoformat(),
                    "sex": sex,
                },
                "payments": pays,
            }
        )
    return cases


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import insurrules; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5000, help="number of cases")
    args = parser.parse_args()
    cases = make_cases(args.n)
    insurrules.decide(cases[0])  # warm caches (rules loaded once)

    t0 = time.perf_counter()
    for case in cases:
        insurrules.decide(case)
    elapsed = time.perf_counter() - t0

    parsed = [insurrules.Case.model_validate(c) for c in cases]
    t1 = time.perf_counter()
    for c in parsed:
        insurrules.decide(c)
    rules_only = time.perf_counter() - t1

    t2 = time.perf_counter()
    insurrules.decide_many(cases)
    batch = time.perf_counter() - t2

    print(f"cases: {args.n} kz-osms, 72-month payment histories, one core")
    print(
        f"decide() from dicts (validation included): {args.n / elapsed:,.0f} decisions/s "
        f"({elapsed / args.n * 1e6:.0f} us each)"
    )
    print(f"decide() on validated Case models:          {args.n / rules_only:,.0f} decisions/s")
    print(f"decide_many() from dicts:                   {args.n / batch:,.0f} decisions/s")
    print(f"import insurrules: {import_time() * 1000:.1f} ms (best of 5, fresh interpreter)")


if __name__ == "__main__":
    main()
