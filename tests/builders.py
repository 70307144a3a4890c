"""Small builders for kz-osms case documents used across the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from insurrules.kz.iin import make_iin
from insurrules.months import YearMonth

Sex = Literal["male", "female"]


def person(
    birth_date: str = "1987-04-12",
    sex: Sex = "female",
    *,
    serial: int = 4501,
    **extra: Any,
) -> dict[str, Any]:
    born = dt.date.fromisoformat(birth_date)
    return {"id": make_iin(born, sex, serial), "birth_date": birth_date, "sex": sex, **extra}


def months(first: str, last: str) -> list[str]:
    lo, hi = YearMonth.parse(first), YearMonth.parse(last)
    return [str(lo + i) for i in range(hi - lo + 1)]


def payments(
    first: str,
    last: str,
    payer: str = "self",
    *,
    paid_on: str | None = None,
    amount: str = "4250",
    skip: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """One record per month ``first..last``; paid on the 20th of that month unless ``paid_on``."""
    out = []
    for m in months(first, last):
        if m in skip:
            continue
        day = paid_on or f"{m}-20"
        out.append({"month": m, "paid_on": day, "amount": amount, "payer": payer})
    return out


def kz_case(
    as_of: str,
    pays: list[dict[str, Any]] | None = None,
    **person_fields: Any,
) -> dict[str, Any]:
    birth = person_fields.pop("birth_date", "1987-04-12")
    sex = person_fields.pop("sex", "female")
    return {
        "scheme": "kz-osms",
        "as_of": as_of,
        "person": person(birth, sex, **person_fields),
        "payments": pays or [],
    }
