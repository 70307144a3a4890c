"""Small builders for vn-bhyt case documents used across the vn tests."""

from __future__ import annotations

from typing import Any

#: a 12-digit personal identification number (any 12 digits: no check digit in vn-bhyt)
PERSON_ID = "079123456789"


def purchase(
    paid_on: str, months: int = 12, payer: str = "household", amount: str = "1263600"
) -> dict[str, Any]:
    return {"paid_on": paid_on, "months": months, "amount": amount, "payer": payer}


def vn_case(
    as_of: str,
    payments: list[dict[str, Any]] | None = None,
    *,
    birth_date: str = "1980-05-05",
    sex: str = "female",
    **person: Any,
) -> dict[str, Any]:
    return {
        "scheme": "vn-bhyt",
        "as_of": as_of,
        "person": {"id": PERSON_ID, "birth_date": birth_date, "sex": sex, **person},
        "payments": payments or [],
    }


#: E8's household card history: a first card 2023-11-21..2024-11-20 (paid 2023-10-22, 30-day
#: wait), renewed on time on 2024-11-10 for 2024-11-21..2025-11-20 (E7's "valid household card").
E8_HISTORY = [purchase("2023-10-22"), purchase("2024-11-10")]
