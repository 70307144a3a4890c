"""Card chain arithmetic (R7, R8, R9, R12; E7, E8, E9) and the D-1..D-3 switches."""

from __future__ import annotations

import datetime as dt

import pytest

import insurrules
from insurrules.parameters import RuleSet
from insurrules.vn import child_card_end
from insurrules.vn.cards import (
    Chain,
    Purchase,
    StateSpan,
    build_chain,
    continuity_deadline,
    within_continuity,
)
from insurrules.vn.rules import default_rules
from tests.vn.builders import purchase, vn_case

D = dt.date
RULES = default_rules()


def _chain(
    *purchases: tuple[str, int], spans: tuple[StateSpan, ...] = (), rules: RuleSet = RULES
) -> Chain:
    bought = [
        Purchase(i, dt.date.fromisoformat(day), months, "household")
        for i, (day, months) in enumerate(purchases)
    ]
    return build_chain(bought, spans, rules)


# -- R9: children under 6 ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("born", "end"),
    [
        (D(2020, 3, 15), D(2026, 9, 30)),  # E9: before 30 Sep -> 30 Sep of the 72-month year
        (D(2020, 11, 10), D(2026, 11, 30)),  # E9: after 30 Sep -> end of the 72-month month
        (D(2020, 9, 29), D(2026, 9, 30)),
        (D(2020, 9, 30), D(2026, 9, 30)),  # exactly 30 Sep: "on or before" (vn.md)
        (D(2020, 10, 1), D(2026, 10, 31)),
        (D(2020, 1, 1), D(2026, 9, 30)),
        (D(2019, 12, 31), D(2025, 12, 31)),
        (D(2020, 2, 29), D(2026, 9, 30)),
    ],
)
def test_child_card_ends_by_r9(born: dt.date, end: dt.date) -> None:
    assert child_card_end(born, RULES) == end


def test_child_born_before_and_after_30_september_through_decide() -> None:
    early = insurrules.decide(vn_case("2026-09-30", birth_date="2020-09-30"))
    late = insurrules.decide(vn_case("2026-10-01", birth_date="2020-10-01"))
    assert (early.status, early.insured_until) == ("insured", D(2026, 9, 30))
    assert (late.status, late.insured_until) == ("insured", D(2026, 10, 31))
    after = insurrules.decide(vn_case("2026-10-01", birth_date="2020-09-30"))
    assert after.status == "not_insured"


# -- R7/R8 and E7: start and end dates --------------------------------------------------------
def test_e7_valid_card_renewed_starts_the_day_after_the_old_end() -> None:
    chain = _chain(("2023-10-22", 12), ("2024-11-10", 12), ("2025-11-14", 12))
    spans = [(c.valid_from, c.valid_to, c.entry) for c in chain.cards]
    assert spans == [
        (D(2023, 11, 21), D(2024, 11, 20), "first"),
        (D(2024, 11, 21), D(2025, 11, 20), "continuous"),
        (D(2025, 11, 21), D(2026, 11, 20), "continuous"),
    ]


def test_e7_card_expired_less_than_3_months_ago_starts_on_the_payment() -> None:
    card = _chain(("2024-08-20", 12), ("2025-11-14", 12)).cards[1]
    assert (card.valid_from, card.entry, card.waited) == (D(2025, 11, 14), "late", False)


def test_e7_no_card_or_long_gap_waits_30_days() -> None:
    assert _chain(("2025-11-14", 12)).cards[0].valid_from == D(2025, 12, 14)
    card = _chain(("2024-06-01", 12), ("2025-11-14", 12)).cards[1]
    assert (card.valid_from, card.entry, card.waited) == (D(2025, 12, 14), "restart", True)


@pytest.mark.parametrize(
    ("paid", "start", "end"),
    [
        ("2025-11-10", D(2025, 11, 21), D(2026, 11, 20)),  # E8.1
        ("2026-01-15", D(2026, 1, 15), D(2027, 1, 14)),  # E8.2
        ("2026-03-10", D(2026, 4, 9), D(2027, 4, 8)),  # E8.3
    ],
)
def test_e8_renewal_dates(paid: str, start: dt.date, end: dt.date) -> None:
    card = _chain(("2023-10-22", 12), ("2024-11-10", 12), (paid, 12)).cards[-1]
    assert (card.valid_from, card.valid_to) == (start, end)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2025, 1, 31), 3, D(2025, 4, 29)),  # 31 Jan + 3 months = 30 Apr (clamped) - 1 day
        (D(2024, 11, 30), 3, D(2025, 2, 27)),  # 30 Nov + 3 months = 28 Feb (clamped)
        (D(2023, 8, 31), 6, D(2024, 2, 28)),  # 29 Feb 2024 - 1 day
        (D(2024, 2, 29), 12, D(2025, 2, 27)),
    ],
)
def test_month_arithmetic_clamps_to_month_end(start: dt.date, months: int, end: dt.date) -> None:
    paid = start - dt.timedelta(days=30)
    card = _chain((paid.isoformat(), months)).cards[0]
    assert (card.valid_from, card.valid_to) == (start, end)


# -- D-1: the 3-month limit -------------------------------------------------------------------
def test_d1_default_paying_on_the_same_day_three_months_later_is_continuous() -> None:
    end = D(2025, 11, 20)
    assert continuity_deadline(end, RULES) == D(2026, 2, 20)
    assert within_continuity(end, D(2026, 2, 20), RULES)
    assert not within_continuity(end, D(2026, 2, 21), RULES)
    assert continuity_deadline(D(2025, 11, 30), RULES) == D(2026, 2, 28)


def test_d1_exclusive_reading_makes_exactly_three_months_wait() -> None:
    rules = RULES.with_changes({"vn.interpretation.three_months": "same_day_exclusive"})
    history = (("2023-10-22", 12), ("2024-11-10", 12))
    default = _chain(*history, ("2026-02-20", 12)).cards[-1]
    exclusive = _chain(*history, ("2026-02-20", 12), rules=rules).cards[-1]
    assert (default.entry, default.valid_from) == ("late", D(2026, 2, 20))
    assert (exclusive.entry, exclusive.valid_from) == ("restart", D(2026, 3, 22))
    assert _chain(*history, ("2026-02-19", 12), rules=rules).cards[-1].entry == "late"


# -- D-2: the fiscal year ---------------------------------------------------------------------
def test_d2_default_ignores_the_year_boundary() -> None:
    card = _chain(("2024-08-01", 12), ("2026-03-15", 12)).cards[-1]  # old end 2025-08-30
    assert card.entry == "restart"


def test_d2_within_year_counts_only_the_gap_inside_the_payment_year() -> None:
    rules = RULES.with_changes({"vn.interpretation.fiscal_year": "within_year"})
    card = _chain(("2024-08-01", 12), ("2026-03-15", 12), rules=rules).cards[-1]
    assert (card.entry, card.valid_from, card.waited) == ("late", D(2026, 3, 15), False)
    later = _chain(("2024-08-01", 12), ("2026-04-01", 12), rules=rules).cards[-1]
    assert later.entry == "restart"
    # the 5-year clock knows no fiscal year: the 6-month gap still breaks it
    chain = _chain(("2024-08-01", 12), ("2026-03-15", 12), rules=rules)
    assert chain.chain_start[-1] == D(2026, 3, 15)


# -- D-3: transfer from a fully state-paid card -------------------------------------------------
POOR = StateSpan("poor_household", D(2023, 1, 1), D(2025, 12, 31), "test")


def test_d3_default_state_card_counts_as_previous() -> None:
    chain = _chain(("2025-12-15", 12), spans=(POOR,))
    card = chain.cards[-1]
    assert (card.entry, card.valid_from, card.previous_kind) == (
        "continuous",
        D(2026, 1, 1),
        "state",
    )
    assert chain.chain_start[-1] == D(2023, 1, 1)


def test_d3_off_the_first_bought_card_after_a_state_card_waits() -> None:
    rules = RULES.with_changes({"vn.interpretation.state_card_transfer": False})
    card = _chain(("2025-12-15", 12), spans=(POOR,), rules=rules).cards[-1]
    assert (card.entry, card.valid_from, card.waited) == ("first", D(2026, 1, 14), True)


def test_d3_switch_through_decide() -> None:
    case = vn_case(
        "2026-01-05",
        [purchase("2025-12-15")],
        memberships=[{"code": "poor_household", "start": "2023-01-01", "end": "2025-12-31"}],
    )
    rules = RULES.with_changes({"vn.interpretation.state_card_transfer": False})
    assert insurrules.decide(case).status == "insured"
    off = insurrules.decide(case, rules=rules)
    assert off.status == "not_insured"
    assert off.details["valid_from"] == "2026-01-14"
    assert "vn-bhyt" in off.rules_version
    assert "reformed: vn.interpretation.state_card_transfer" in off.rules_version


# -- R12: the 5-year clock --------------------------------------------------------------------
def test_five_year_clock_survives_a_late_renewal_and_restarts_after_a_long_gap() -> None:
    late = _chain(("2023-10-22", 12), ("2024-11-10", 12), ("2026-01-15", 12))
    long = _chain(("2023-10-22", 12), ("2024-11-10", 12), ("2026-03-10", 12))
    assert late.chain_start[-1] == D(2023, 11, 21)
    assert long.chain_start[-1] == D(2026, 4, 9)


def test_five_years_reached_is_reported() -> None:
    history = [purchase(f"{year}-11-10") for year in range(2020, 2026)]
    decision = insurrules.decide(vn_case("2025-12-20", [purchase("2019-10-22"), *history]))
    assert decision.details["continuous_since"] == "2019-11-21"
    assert decision.details["five_years_on"] == "2024-11-21"
    assert "vn.continuity.reached" in decision.reason_codes()


def test_d2_within_year_message_names_the_year_deadline_and_the_restarted_clock() -> None:
    rules = RULES.with_changes({"vn.interpretation.fiscal_year": "within_year"})
    case = vn_case("2026-03-20", [purchase("2024-08-01"), purchase("2026-03-15")])
    decision = insurrules.decide(case, rules=rules)
    assert decision.reason_codes()[0] == "vn.card.gap_not_covered"
    message = decision.reasons[0].message
    assert "by 2026-03-31" in message
    assert "the 5-year clock restarts" in message
    assert decision.details["continuous_since"] == "2026-03-15"
    default = insurrules.decide(case)
    assert default.status == "not_insured"
    assert default.reason_codes()[0] == "vn.card.waiting_period"


def test_of_two_state_paid_groups_from_one_day_the_law_s_first_is_reported_in_any_order() -> None:
    """Two fully state-paid groups whose cards start on the same day: the decision names the
    group the law lists first (R1), whatever the order of the membership records."""
    import itertools

    import insurrules
    from insurrules.vn.rules import default_rules

    memberships = [
        {"code": "near_poor_survivor_70_75", "start": "2015-01-01", "end": None},
        {"code": "near_poor", "start": "2025-06-30", "end": "2025-06-30"},
        {"code": "survivor_allowance_75", "start": "2015-01-01", "end": None},
    ]
    law = default_rules().category_codes
    first = min(("near_poor_survivor_70_75", "survivor_allowance_75"), key=law.index)
    for order in itertools.permutations(memberships):
        decision = insurrules.decide(
            {
                "scheme": "vn-bhyt",
                "as_of": "2025-09-29",
                "person": {
                    "id": "079000000002",
                    "birth_date": "1965-01-14",
                    "sex": "male",
                    "memberships": list(order),
                },
            }
        )
        assert decision.state_funded is not None
        assert decision.state_funded.category == first
