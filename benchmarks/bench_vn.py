"""Decisions per second for ``insurrules.decide()`` on vn-bhyt cases, and contributions per second.

Cases are plain dicts (validation included), as a collection agent's service would send them: a
person with 1-8 card purchases over 2019-2026 (renewed on time, late, or after a long gap), some
in a support group or a poor household, some children. Run: ``python benchmarks/bench_vn.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any

import insurrules
from insurrules.vn import contribution, household_contributions


def make_cases(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    cases = []
    for i in range(n):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 75))
        memberships: list[dict[str, Any]] = []
        payer = "household"
        if rnd.random() < 0.2:
            start = max(born, dt.date(2019, 1, 1)).isoformat()
            memberships.append({"code": "near_poor", "start": start, "end": "2029-12-31"})
            payer = "supported"
        elif rnd.random() < 0.1 and born.year < 2015:
            memberships.append(
                {"code": "poor_household", "start": "2016-01-01", "end": "2019-12-31"}
            )
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rnd.randrange(0, 400))
        payments = []
        for _ in range(rnd.randrange(1, 9)):
            if day < born:
                break
            months = rnd.choice([3, 6, 12])
            payments.append(
                {"paid_on": day.isoformat(), "months": months, "amount": "0", "payer": payer}
            )
            day += dt.timedelta(days=rnd.choice([20, 80, 170, 350, 400, 500]))
        as_of = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1000))
        cases.append(
            {
                "scheme": "vn-bhyt",
                "as_of": as_of.isoformat(),
                "person": {
                    "id": f"{i:012d}",
                    "birth_date": born.isoformat(),
                    "sex": rnd.choice(["male", "female"]),
                    "memberships": memberships,
                },
                "payments": payments,
            }
        )
    return cases


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds * 1e6 / count:,.1f} µs each)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5000, help="number of cases")
    args = parser.parse_args()
    cases = make_cases(args.n)
    insurrules.decide(cases[0])  # import and load the rules once

    start = time.perf_counter()
    singles = [insurrules.decide(c) for c in cases]
    print(f"decide():      {args.n} cases  {_rate(args.n, time.perf_counter() - start)}")

    start = time.perf_counter()
    batch = insurrules.decide_many(cases)
    print(f"decide_many(): {args.n} cases  {_rate(args.n, time.perf_counter() - start)}")
    assert batch == singles
    insured = sum(d.status == "insured" for d in singles)
    print(f"  insured on as_of: {insured} of {args.n}")

    days = [dt.date(2019, 7, 1) + dt.timedelta(days=k % 2700) for k in range(args.n * 4)]
    start = time.perf_counter()
    for k, day in enumerate(days):
        contribution(day, (3, 6, 12)[k % 3], rank=k % 6 + 1)
    print(f"contribution(): {len(days)} calls  {_rate(len(days), time.perf_counter() - start)}")

    members = [{}, {}, {"support": "student"}, {"state_paid": "child_under_6"}, {}]
    start = time.perf_counter()
    for day in days[: args.n]:
        household_contributions(members, day, 12)
    print(
        f"household_contributions(): {args.n} bills of 5  "
        f"{_rate(args.n, time.perf_counter() - start)}"
    )


if __name__ == "__main__":
    main()
