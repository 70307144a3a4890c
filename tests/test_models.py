"""Shared model pieces: trusted construction, months, dates and amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import insurrules
from insurrules.kz.case import KzPayment
from insurrules.months import YearMonth
from tests.builders import kz_case, payments


def test_trusted_construction_equals_model_construct_and_validation() -> None:
    values = {
        "month": YearMonth(2024, 5),
        "paid_on": dt.date(2024, 5, 20),
        "amount": Decimal("4250"),
        "payer": "self",
    }
    trusted = KzPayment._trusted(dict(values))
    assert trusted == KzPayment.model_construct(**values)  # type: ignore[arg-type]
    assert trusted == KzPayment.model_validate(
        {"month": "2024-05", "paid_on": "2024-05-20", "amount": "4250", "payer": "self"}
    )
    assert hash(trusted) == hash(KzPayment.model_validate(trusted.model_dump()))
    assert trusted.model_fields_set == set(values)


@pytest.mark.parametrize(
    "amount", [4250, "4250.00", Decimal("4250")], ids=["int", "str", "decimal"]
)
def test_amount_forms_all_decide_the_same(amount: object) -> None:
    case = kz_case("2024-05-25", payments("2023-06", "2024-05"))
    for p in case["payments"]:
        p["amount"] = amount
    assert insurrules.decide(case).basis == "contributions"


@pytest.mark.parametrize("amount", [4250.0, 4250.5, float("nan")])
def test_float_amounts_are_refused_with_a_clear_error(amount: float) -> None:
    case = kz_case("2024-05-25", payments("2024-05", "2024-05"))
    case["payments"][0]["amount"] = amount
    with pytest.raises(insurrules.InvalidCase) as info:
        insurrules.decide(case)
    assert info.value.problems == [
        {
            "path": "payments[0].amount",
            "reason": f'expected a decimal amount as text ("{amount!r}" if that is what was '
            f"meant), got the number {amount!r}: amounts are exact, never floats",
        }
    ]


def test_tuple_payments_and_models_decide_the_same() -> None:
    case = kz_case("2024-05-25", payments("2023-06", "2024-05"))
    as_tuple = {**case, "payments": tuple(case["payments"])}
    assert insurrules.decide(as_tuple) == insurrules.decide(case)
    parsed = insurrules.Case.model_validate(case)
    assert insurrules.decide(parsed) == insurrules.decide(case)


def test_year_month_arithmetic_and_text() -> None:
    m = YearMonth(2025, 11)
    assert str(m + 3) == "2026-02"
    assert (m + 3) - m == 3
    assert m - 11 == YearMonth(2024, 12)
    assert YearMonth.parse("2025-06").last_day() == dt.date(2025, 6, 30)
    assert YearMonth.of(dt.date(2024, 2, 29)).last_day() == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="YYYY-MM"):
        YearMonth.parse("2025-6")
    with pytest.raises(ValueError, match=r"1\.\.12"):
        YearMonth.parse("2025-13")


def test_level_on_with_many_levels_equals_a_scan_of_every_level() -> None:
    from insurrules.kz.case import KzPerson

    levels = [
        {
            "level": "ABCDE"[i % 5],
            "start": (dt.date(2000, 1, 1) + dt.timedelta(days=40 * i)).isoformat(),
            "end": (dt.date(2000, 1, 1) + dt.timedelta(days=40 * i + 29)).isoformat(),
        }
        for i in range(200)
    ][::-1]
    case = kz_case("2025-01-01", welfare_levels=levels)
    person = insurrules.Case.model_validate(case).person
    assert isinstance(person, KzPerson)
    for offset in range(0, 40 * 200 + 60, 7):
        day = dt.date(1999, 12, 1) + dt.timedelta(days=offset)
        scan = next(
            (
                w.level
                for w in person.welfare_levels
                if w.start <= day and (w.end is None or day <= w.end)
            ),
            None,
        )
        assert person.level_on(day) == scan
