"""vn.household_contributions: the ladder for household-form members only (R1, R2, R5; E8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from insurrules.errors import RulesError
from insurrules.vn import Member, household_contributions


def test_e8_household_of_three_renewing_for_twelve_months() -> None:
    bill = household_contributions([Member("A"), Member("B"), Member("C")], "2025-11-10", 12)
    assert [m.amount for m in bill.members] == [
        Decimal("1263600"),
        Decimal("884520"),
        Decimal("758160"),
    ]
    assert [m.rank for m in bill.members] == [1, 2, 3]
    assert bill.total == Decimal("2906280")


def test_ladder_applies_only_to_members_paying_in_household_form() -> None:
    bill = household_contributions(
        [
            {"name": "grandmother", "state_paid": "social_pension"},
            {"name": "mother"},
            {"name": "student", "support": "student"},
            {"name": "father"},
            {"name": "child", "state_paid": "child_under_6"},
        ],
        "2025-09-01",
        12,
    )
    forms = [(m.name, m.form, m.rank, m.amount) for m in bill.members]
    assert forms == [
        ("grandmother", "state_paid", None, Decimal(0)),
        ("mother", "household", 1, Decimal("1263600")),
        ("student", "supported", None, Decimal("631800")),
        ("father", "household", 2, Decimal("884520")),
        ("child", "state_paid", None, Decimal(0)),
    ]
    assert bill.total == Decimal("1263600") + Decimal("631800") + Decimal("884520")


def test_near_poor_household_members_all_pay_thirty_percent() -> None:
    bill = household_contributions([Member(support="near_poor")] * 4, "2024-07-01", 12)
    assert {m.amount for m in bill.members} == {Decimal("379080")}
    assert bill.total == 4 * Decimal("379080")


def test_e8_4_newcomer_ranked_after_members_who_joined_earlier_in_the_year() -> None:
    # E8.4: whether ranks count over the fiscal year is unconfirmed; already_joined lets the
    # caller choose. Paid 2026-06-01: the 2 340 000 base still applies (R3).
    alone = household_contributions([Member("new")], "2026-06-01", 12)
    fourth = household_contributions([Member("new")], "2026-06-01", 12, already_joined=3)
    assert alone.members[0].amount == Decimal("1263600")
    assert fourth.members[0].rank == 4
    assert fourth.members[0].amount == Decimal("631800")


def test_bill_after_the_2026_base_change() -> None:
    bill = household_contributions([Member(), Member()], "2026-07-01", 6)
    assert bill.total == Decimal("683100") + Decimal("478170")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([{"support": "rich"}], "members[0].support: unknown support group"),
        ([{}, {"state_paid": "nobody"}], "members[1].state_paid: unknown fully state-paid group"),
        ([{"state_paid": "militia"}], "members[0].state_paid: 'militia' is not state-paid"),
        ([{"support": "student", "state_paid": "militia"}], "members[0]: give either"),
        ([{"nickname": "x"}], "members[0]: unknown field(s) nickname"),
        ([{"top_up": 2}], "members[0].top_up:"),
        ([], "members: a household bill needs at least one member"),
    ],
)
def test_bad_members_are_named(members: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(RulesError) as info:
        household_contributions(members, "2025-01-10", 12)
    assert str(info.value).startswith(message)


def test_bad_period_and_date_name_the_argument() -> None:
    with pytest.raises(RulesError, match=r"^months:"):
        household_contributions([Member()], "2025-01-10", 9)
    with pytest.raises(RulesError, match=r"^paid_on:"):
        household_contributions([Member()], "2019-01-10", 12)
    with pytest.raises(RulesError, match=r"^already_joined:"):
        household_contributions([Member()], "2025-01-10", 12, already_joined=-1)
