"""Decisions per second for ``insurrules.decide()`` on kz-osms cases with 72-month histories.

Cases are what a service sends: plain dicts (validation included), or the JSON bytes of the same
documents for ``decide_json``. The validation and the rules are also timed apart (the rules on
already validated input), so each part's cost shows. Also prints the time of
``import insurrules`` in a fresh interpreter. Run: ``python benchmarks/bench_decide.py``
(under ``flock /tmp/insurrules-bench.lock`` on a shared machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, Literal

from fresh_process import compile_insurrules

import insurrules
from insurrules.case import load_case_json, scheme_module, validate_input
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
        # what a fund's records hold: an employer pays 2 % of a salary that changes from month
        # to month (amounts with cents, rarely two alike); the self-employed pay a fixed rate
        salary = rnd.randrange(85_000, 1_500_000)
        pays = []
        for k in range(72):
            if k == gap:
                continue
            month = first + k
            pays.append(
                {
                    "month": str(month),
                    "paid_on": (month.first_day() + dt.timedelta(days=20)).isoformat(),
                    "amount": f"{salary * rnd.randrange(900, 1100) / 50_000:.2f}"
                    if payer == "employer"
                    else "4250",
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
    """``import insurrules`` in a fresh interpreter, the best of five, its bytecode written first
    (as an installed package has it: `fresh_process`)."""
    compile_insurrules()
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

    def rate(run: Callable[[], object]) -> tuple[float, float]:
        """Best of three: decisions per second by wall clock and by this process's CPU time."""
        best_wall = best_cpu = 0.0
        for _ in range(3):
            w0, c0 = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            best_wall, best_cpu = max(best_wall, args.n / wall), max(best_cpu, args.n / cpu)
        return best_wall, best_cpu

    parsed = [insurrules.Case.model_validate(c) for c in cases]
    bodies = [json.dumps(c).encode() for c in cases]
    inputs = [validate_input(c) for c in cases]
    kz = scheme_module("kz-osms")
    results = {
        "decide() from dicts (validation included)": rate(
            lambda: [insurrules.decide(c) for c in cases]
        ),
        "decide_json() from bytes": rate(lambda: [insurrules.decide_json(b) for b in bodies]),
        "decide() on validated Case models": rate(lambda: [insurrules.decide(c) for c in parsed]),
        "decide_many() from dicts": rate(lambda: insurrules.decide_many(cases)),
        "  part: validation alone (decide's input)": rate(
            lambda: [validate_input(c) for c in cases]
        ),
        "  part: rules alone (on validated input)": rate(
            lambda: [kz.decide_case(i) for i in inputs]
        ),
        "  part: JSON reading alone (load_case_json)": rate(
            lambda: [load_case_json(b) for b in bodies]
        ),
        "Case.model_validate() (models, for explain)": rate(
            lambda: [insurrules.Case.model_validate(c) for c in cases]
        ),
    }
    print(f"cases: {args.n} kz-osms, 72-month payment histories, one core (best of 3)")
    for label, (wall, cpu) in results.items():
        print(f"{label:<46} {wall:>8,.0f}/s wall  {cpu:>8,.0f}/s cpu  ({1e6 / cpu:,.0f} us)")
    print(f"import insurrules: {import_time() * 1000:.1f} ms (best of 5, fresh interpreter)")


if __name__ == "__main__":
    main()
