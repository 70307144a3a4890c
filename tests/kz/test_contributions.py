"""``kz.contribution`` (R2): rates by payer and month, caps, MZP, pre-obligation and refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from insurrules import RulesError, kz
from insurrules.months import YearMonth


@pytest.mark.parametrize(
    ("year", "amount"),
    [
        (2020, "2125"),
        (2021, "2125"),
        (2022, "3000"),
        (2023, "3500"),
        (2024, "4250"),
        (2026, "4250"),
    ],
)
def test_self_payer_amounts_by_year(year: int, amount: str) -> None:
    assert kz.contribution("self", dt.date(year, 6, 1)) == Decimal(amount)


@pytest.mark.parametrize(
    ("year", "amount"), [(2020, "2975"), (2022, "4200"), (2023, "4900"), (2025, "5950")]
)
def test_entrepreneur_amounts_by_year(year: int, amount: str) -> None:
    assert kz.contribution("entrepreneur", YearMonth(year, 3)) == Decimal(amount)


def test_entrepreneurs_owed_nothing_in_2018_2019() -> None:
    explained = kz.contribution_explained("entrepreneur", "2019-12")
    assert explained.amount == 0 and "owed no" in explained.reason
    assert kz.contribution("entrepreneur", "2020-01") == Decimal("2975")


def test_employee_rate_rises_from_1_to_2_percent_in_2021() -> None:
    assert kz.contribution("employee", "2020-12", income=100000) == Decimal("1000")
    assert kz.contribution("employee", "2021-01", income=100000) == Decimal("2000")


def test_employer_rate_history() -> None:
    income = Decimal(100000)
    assert kz.contribution("employer", "2019-12", income) == Decimal("1500")
    assert kz.contribution("employer", "2021-12", income) == Decimal("2000")
    assert kz.contribution("employer", "2022-01", income) == Decimal("3000")


def test_caps_rise_in_2026() -> None:
    big = 10_000_000
    assert kz.contribution("employee", "2025-12", big) == Decimal("17000")
    assert kz.contribution("employee", "2026-01", big) == Decimal("34000")
    assert kz.contribution("employer", "2025-12", big) == Decimal("25500")
    assert kz.contribution("employer", "2026-01", big) == Decimal("102000")


def test_amounts_are_exact_decimals_never_rounded() -> None:
    # 2018: 1.5 % of 10 MZP cap (282 840) = 4 242.6
    assert kz.contribution("employer", "2018-05", income=10**7) == Decimal("4242.6")
    assert kz.contribution("employee", "2020-05", income="12345.67") == Decimal("123.4567")


def test_unconfirmed_or_missing_minimum_wage_is_refused() -> None:
    with pytest.raises(RulesError, match="2017 is unconfirmed"):
        kz.contribution("employer", "2017-09", income=100000)
    with pytest.raises(RulesError, match="2027 is not in the data"):
        kz.contribution("self", "2027-01")


@pytest.mark.parametrize(
    ("payer", "on", "income", "message"),
    [
        ("employee", "2024-01", None, "income: required"),
        ("self", "2024-01", 1000, "income: not used"),
        ("employee", "2024-01", -5, "non-negative"),
        ("employee", "2024-01", 1.5, "no floats|Decimal"),
        ("boss", "2024-01", None, "payer: expected"),
        ("self", "2016-01", None, "start with 2017-07"),
        ("self", "24/01/2024", None, "on: expected"),
    ],
)
def test_bad_arguments_are_named(payer: str, on: str, income: object, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        kz.contribution(payer, on, income)  # type: ignore[arg-type]
