"""Hypothesis strategies for valid kz-osms case documents, edge months included."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from insurrules.kz.case import KZ_MEMBERSHIP_CODES
from insurrules.kz.iin import make_iin
from insurrules.months import YearMonth

#: months where the law changes: the generators lean on them
EDGE_MONTHS = ["2020-06", "2020-07", "2022-03", "2022-09", "2022-10", "2025-12", "2026-01"]
PAYERS = ["employer", "employee", "self", "entrepreneur", "platform", "esp"]
FULL = ["citizen", "kandas", "permanent_resident"]


@st.composite
def dates(draw: st.DrawFn, lo: dt.date, hi: dt.date) -> dt.date:
    if draw(st.integers(0, 3)) == 0:
        edge = YearMonth.parse(draw(st.sampled_from(EDGE_MONTHS)))
        day = draw(st.sampled_from([edge.first_day(), edge.last_day()]))
        if lo <= day <= hi:
            return day
    return draw(st.dates(min_value=lo, max_value=hi))


@st.composite
def kz_cases(draw: st.DrawFn, residencies: list[str] | None = None) -> dict[str, Any]:
    born = draw(dates(dt.date(1950, 1, 1), dt.date(2024, 12, 31)))
    sex = draw(st.sampled_from(["male", "female"]))
    as_of = draw(dates(max(dt.date(2020, 1, 1), born), dt.date(2027, 12, 31)))
    first_month = max(YearMonth(2019, 1), YearMonth.of(born))
    span = YearMonth(2027, 12) - first_month
    pay_months = draw(st.sets(st.integers(0, max(span, 0)), max_size=40))
    runs = draw(st.lists(st.tuples(st.integers(0, max(span, 0)), st.integers(1, 72)), max_size=2))
    for run_start, length in runs:
        pay_months |= {run_start + i for i in range(length) if run_start + i <= span}
    payments = []
    for offset in sorted(pay_months):
        month = first_month + offset
        lag = draw(st.sampled_from([0, 0, 5, 19, 40, -20, -200, 100]))
        paid_on = max(month.first_day() + dt.timedelta(days=lag), born)
        payments.append(
            {
                "month": str(month),
                "paid_on": paid_on.isoformat(),
                "amount": "4250",
                "payer": draw(st.sampled_from(PAYERS)),
            }
        )
    memberships = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(dates(born, dt.date(2027, 6, 30)))
        end = draw(st.none() | dates(start, dt.date(2028, 6, 30)))
        memberships.append(
            {
                "code": draw(st.sampled_from(KZ_MEMBERSHIP_CODES)),
                "start": start.isoformat(),
                "end": end.isoformat() if end else None,
            }
        )
    welfare = []
    if draw(st.booleans()):
        start = draw(dates(max(born, dt.date(2024, 1, 1)), dt.date(2027, 6, 30)))
        welfare.append({"level": draw(st.sampled_from("CDE")), "start": start.isoformat()})
    requests = [
        d.isoformat()
        for d in draw(
            st.lists(dates(max(born, dt.date(2025, 10, 1)), dt.date(2027, 12, 31)), max_size=2)
        )
    ]
    death = None
    if draw(st.integers(0, 5)) == 0:
        death = draw(dates(max(born, dt.date(2020, 1, 1)), dt.date(2028, 1, 1))).isoformat()
    residency = draw(st.sampled_from(residencies or [*FULL, "eaeu_worker", "temporary_resident"]))
    return {
        "scheme": "kz-osms",
        "as_of": as_of.isoformat(),
        "person": {
            "id": make_iin(born, sex, draw(st.integers(0, 9999))),  # type: ignore[arg-type]
            "birth_date": born.isoformat(),
            "sex": sex,
            "death_date": death,
            "residency": residency,
            "memberships": memberships,
            "welfare_levels": welfare,
            "care_requests": sorted(set(requests)),
        },
        "payments": payments,
    }
