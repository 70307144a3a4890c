"""vn.contribution: the E1 table, both sides of each base-salary change, support, bad arguments."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.errors import RulesError
from insurrules.vn import contribution
from insurrules.vn.contributions import ladder_share

ROWS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "contribution_amounts.json").read_text(encoding="utf-8")
)["rows"]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['paid_on']}-{r['source']}" for r in ROWS])
def test_amount_matches_table(row: dict[str, Any]) -> None:
    amount = contribution(
        row["paid_on"],
        row["months"],
        rank=row.get("rank", 1),
        support=row.get("support"),
        top_up=Decimal(row.get("top_up", "0")),
    )
    assert amount == Decimal(row["amount"])
    assert isinstance(amount, Decimal)


def test_official_e1_table_twelve_months_at_2340000() -> None:
    assert [contribution(dt.date(2025, 1, 1), 12, rank) for rank in range(1, 6)] == [
        Decimal("1263600"),
        Decimal("884520"),
        Decimal("758160"),
        Decimal("631800"),
        Decimal("505440"),
    ]


def test_public_name_through_package() -> None:
    assert insurrules.vn.contribution("2024-07-01", 12) == Decimal("1263600")
    assert str(contribution("2024-07-01", 12, 2)) == "884520"  # whole đồng, no ".000"


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (dt.date(2023, 7, 1), Decimal("804600"), Decimal("972000")),
        (dt.date(2024, 7, 1), Decimal("972000"), Decimal("1263600")),
        (dt.date(2026, 7, 1), Decimal("1263600"), Decimal("1366200")),
    ],
)
def test_base_salary_on_the_payment_date_decides(
    change: dt.date, before: Decimal, after: Decimal
) -> None:
    assert contribution(change - dt.timedelta(days=1), 12) == before
    assert contribution(change, 12) == after


def test_supported_member_is_off_the_ladder() -> None:
    ranks = {contribution("2024-07-01", 12, rank, support="near_poor") for rank in (1, 2, 5)}
    assert ranks == {Decimal("379080")}


def test_student_support_rises_from_30_to_50_percent_on_2025_07_01() -> None:
    assert contribution("2025-06-30", 12, support="student") == Decimal("884520")
    assert contribution("2025-07-01", 12, support="student") == Decimal("631800")


def test_ladder_share_fifth_and_later() -> None:
    on = dt.date(2025, 1, 1)
    assert [ladder_share(r, on) for r in (1, 2, 3, 4, 5, 6, 50)] == [
        Decimal("1"),
        Decimal("0.7"),
        Decimal("0.6"),
        Decimal("0.5"),
        Decimal("0.4"),
        Decimal("0.4"),
        Decimal("0.4"),
    ]


def test_a_reform_of_the_rate_changes_the_amount() -> None:
    reform = insurrules.vn.rules().with_changes({"vn.household.rate": {"from 2026-01-01": "0.05"}})
    assert contribution("2025-12-31", 12, rules=reform) == Decimal("1263600")
    assert contribution("2026-01-01", 12, rules=reform) == Decimal("1404000")


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"months": 4}, "months:"),
        ({"months": 1}, "months:"),
        ({"months": "12"}, "months:"),
        ({"months": True}, "months:"),
        ({"rank": 0}, "rank:"),
        ({"rank": -1}, "rank:"),
        ({"rank": True}, "rank:"),
        ({"rank": 1.0}, "rank:"),
        ({"support": "poor"}, "support: unknown support group 'poor'"),
        ({"support": "near_poor_poor_commune"}, "support: 'near_poor_poor_commune' is not"),
        ({"paid_on": "2019-06-30"}, "paid_on: 2019-06-30 is before the first base salary"),
        ({"paid_on": "30/06/2024"}, "paid_on: expected a date"),
        ({"paid_on": dt.datetime(2025, 1, 1, 10, 0)}, "paid_on: expected a date, got a date-time"),
        ({"top_up": Decimal("1.5")}, "top_up:"),
        ({"top_up": Decimal("-0.1")}, "top_up:"),
        ({"top_up": 0.2}, "top_up:"),
        ({"top_up": Decimal("0.5"), "support": "near_poor"}, "top_up: the state's share"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, Any], names: str) -> None:
    args: dict[str, Any] = {"paid_on": "2025-01-10", "months": 12, **kwargs}
    with pytest.raises(RulesError) as info:
        contribution(**args)
    assert str(info.value).startswith(names)
    assert isinstance(info.value, ValueError)


def test_abolished_support_group_names_its_period() -> None:
    with pytest.raises(RulesError, match=r"2018-12-01\.\.2025-06-30"):
        contribution("2025-07-01", 12, support="near_poor_poor_area")
