"""The vn-bhyt population engine equals decide() on every row (same card rules, whole tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.errors import RulesError
from insurrules.parameters import RuleSet
from insurrules.population.kz.tables import PopulationError
from insurrules.population.tableset import RESULT_COLUMNS
from insurrules.population.vn.engine import evaluate_vn
from insurrules.population.vn.tables import VnPopulation
from tests.population.vn_popgen import build, populations

PID = "079082007731"


def decided(pop: VnPopulation, pid: str, as_of: dt.date, rules: Any) -> dict[str, Any] | None:
    try:
        case = pop.case(pid, as_of)
    except ValidationError:
        return None
    d = insurrules.decide(case, rules)
    return {
        "status": d.status,
        "basis": d.basis,
        "state_category": d.state_funded.category if d.state_funded else None,
        "budget": d.state_funded.budget if d.state_funded else None,
        "grace_months": d.grace_months,
        "insured_from": d.insured_from,
        "insured_until": d.insured_until,
        "renew_by": d.renew_by,
    }


def assert_equal_to_decide(pop: VnPopulation, as_of: dt.date, rules: RuleSet | None = None) -> None:
    result = evaluate_vn(pop, as_of, rules)
    assert result.columns == list(RESULT_COLUMNS)
    assert result["id"].to_list() == pop.persons["id"].to_list()
    for row in result.iter_rows(named=True):
        want = decided(pop, row["id"], as_of, rules)
        if want is None:  # decide() refuses the case: the row says why, and is kept
            assert row["status"] is None
            assert row["error"]
            continue
        assert row["error"] is None
        got = {k: row[k] for k in want}
        assert got == want, pop.case(row["id"], as_of).model_dump_json()


@settings(max_examples=70, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations())
def test_every_row_equals_decide(drawn: tuple[VnPopulation, dt.date]) -> None:
    pop, as_of = drawn
    assert_equal_to_decide(pop, as_of)


SWITCHES: list[dict[str, Any]] = [
    {"vn.interpretation.three_months": "same_day_exclusive"},
    {"vn.interpretation.fiscal_year": "within_year"},
    {"vn.interpretation.state_card_transfer": False},
    {"vn.card.waiting_days": {"from 2020-01-01": 60}},
    {"vn.card.continuity_months": {"from 2019-01-01": 6}},
    {"vn.child.age_months": {"from 2015-01-01": 84}},
    {"vn.card.waiting_payers": {"from 2021-01-01": ["household", "supported"]}},
    {"vn.interpretation.state_card_transfer": {"from 2022-01-01": False}},
    {"vn.interpretation.fiscal_year": {"from 2020-06-01": "within_year"}},
]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(max_size=5), st.sampled_from(SWITCHES))
def test_every_row_equals_decide_under_switches_and_reforms(
    drawn: tuple[VnPopulation, dt.date], change: dict[str, Any]
) -> None:
    pop, as_of = drawn
    assert_equal_to_decide(pop, as_of, insurrules.vn.rules().with_changes(change))


def one(payments: Sequence[tuple[Any, ...]] = (), **person: Any) -> VnPopulation:
    """One person (born 1982 unless said) with purchases ``(paid_on, months[, payer])``."""
    memberships = person.pop("memberships", [])
    row = {
        "id": PID,
        "birth_date": dt.date.fromisoformat(person.pop("birth_date", "1982-08-14")),
        "sex": "male",
        "death_date": person.pop("death_date", None),
        "household_rank": 1,
    }
    return build(
        [
            {
                "person": row,
                "payments": [
                    {
                        "paid_on": dt.date.fromisoformat(day),
                        "months": months,
                        "amount": "1263600",
                        "payer": payer,
                    }
                    for day, months, payer in ((*p, "household")[:3] for p in payments)
                ],
                "memberships": memberships,
            }
        ]
    )


def row(pop: VnPopulation, as_of: str, rules: RuleSet | None = None) -> dict[str, Any]:
    out: dict[str, Any] = evaluate_vn(pop, as_of, rules).row(0, named=True)
    return out


def test_first_card_waits_30_days() -> None:
    pop = one([("2025-03-01", 12)])
    assert row(pop, "2025-03-30")["status"] == "not_insured"
    insured = row(pop, "2025-03-31")
    assert (insured["status"], insured["basis"], insured["insured_from"]) == (
        "insured",
        "card",
        dt.date(2025, 3, 31),
    )
    assert insured["insured_until"] == insured["renew_by"] == dt.date(2026, 3, 30)
    assert insured["grace_months"] is None


def test_late_renewal_on_both_sides_of_the_3_month_limit() -> None:
    # the first card runs 2024-02-01..2025-01-31; continuity needs payment by 2025-04-30 (D-1)
    at_limit = one([("2024-01-02", 12), ("2025-04-30", 12)])
    past = one([("2024-01-02", 12), ("2025-05-01", 12)])
    kept = row(at_limit, "2025-05-10")
    assert (kept["status"], kept["insured_from"]) == ("insured", dt.date(2025, 4, 30))
    lost = row(past, "2025-05-10")
    assert lost["status"] == "not_insured"  # a new 30-day wait: valid from 2025-05-31
    assert row(past, "2025-05-31")["insured_from"] == dt.date(2025, 5, 31)
    exclusive = insurrules.vn.rules().with_changes(
        {"vn.interpretation.three_months": "same_day_exclusive"}
    )
    assert row(at_limit, "2025-05-10", exclusive)["status"] == "not_insured"


def test_child_is_state_paid_until_the_r9_end_then_buys_a_card() -> None:
    # born 2019-10-15 (after 30 Sep): free card to the end of the 72-month month, 2025-10-31
    pop = one([("2025-11-20", 12)], birth_date="2019-10-15")
    child = row(pop, "2025-10-31")
    assert (child["basis"], child["state_category"], child["budget"]) == (
        "state_funded",
        "child_under_6",
        "state",
    )
    assert child["insured_until"] == dt.date(2025, 10, 31)
    gap = row(pop, "2025-11-10")
    assert gap["status"] == "not_insured"  # within 3 months after the free card (D-3): no wait
    bought = row(pop, "2025-11-20")
    assert (bought["basis"], bought["insured_from"]) == ("card", dt.date(2025, 11, 20))


def test_supported_member_and_a_state_paid_period() -> None:
    pop = one(
        [("2024-03-01", 12, "supported")],
        memberships=[
            {"code": "near_poor", "start": dt.date(2024, 1, 1), "end": None},
            {"code": "poor_household", "start": dt.date(2025, 6, 1), "end": dt.date(2025, 12, 31)},
        ],
    )
    assert row(pop, "2024-04-15")["basis"] == "card"
    poor = row(pop, "2025-07-01")
    assert (poor["basis"], poor["state_category"]) == ("state_funded", "poor_household")
    # the bought card 2024-03-31..2025-03-30, then a gap, then the state-paid period
    assert poor["insured_from"] == dt.date(2025, 6, 1)


def test_death_ends_cover() -> None:
    pop = one([("2024-01-02", 12)], death_date=dt.date(2024, 6, 1))
    assert row(pop, "2024-05-01")["insured_until"] == dt.date(2024, 6, 1)
    assert row(pop, "2024-06-02")["status"] == "not_insured"


def test_purchases_after_as_of_are_ignored() -> None:
    pop = one([("2024-01-02", 12), ("2025-01-20", 12)])
    assert row(pop, "2025-01-19")["insured_until"] == dt.date(2025, 1, 31)
    assert row(pop, "2025-01-20")["insured_until"] == dt.date(2026, 1, 31)


def test_invalid_rows_are_kept_with_the_reason_and_the_id_masked() -> None:
    pop = build(
        [
            {
                "person": {"id": "079082007731", "birth_date": dt.date(1990, 1, 1), "sex": "x"},
                "payments": [],
                "memberships": [{"code": f"code {PID}", "start": dt.date(2020, 1, 1)}],
            },
            {
                "person": {"id": "079082007732", "birth_date": dt.date(1990, 1, 1), "sex": "male"},
                "payments": [],
                "memberships": [],
            },
        ]
    )
    result = evaluate_vn(pop, "2025-01-01")
    bad, good = result.row(0, named=True), result.row(1, named=True)
    assert bad["status"] is None
    assert "person.sex" in bad["error"] and "person.memberships[0].code" in bad["error"]
    assert PID not in bad["error"]
    assert good["status"] == "not_insured" and good["error"] is None


def test_bad_as_of_and_rules_of_another_scheme_are_refused() -> None:
    pop = one([("2024-01-02", 12)])
    with pytest.raises(PopulationError, match="too early"):
        evaluate_vn(pop, "2014-12-31")
    with pytest.raises(PopulationError, match="as_of"):
        evaluate_vn(pop, "2025-13-01")
    with pytest.raises(RulesError, match="kz-osms"):
        evaluate_vn(pop, "2025-01-01", insurrules.kz.rules())


def test_a_reform_changes_the_result() -> None:
    pop = one([("2025-03-01", 12)])
    assert row(pop, "2025-04-15")["status"] == "insured"
    longer_wait = insurrules.vn.rules().with_changes(
        {"vn.card.waiting_days": {"from 2025-01-01": 60}}
    )
    assert row(pop, "2025-04-15", longer_wait)["status"] == "not_insured"


def test_empty_population() -> None:
    pop = VnPopulation.from_frames(
        pl.DataFrame(schema={"id": pl.String, "birth_date": pl.Date, "sex": pl.String})
    )
    result = evaluate_vn(pop, "2025-01-01")
    assert result.height == 0 and result.columns == list(RESULT_COLUMNS)


def test_on_equal_ends_the_state_paid_card_is_the_previous_card() -> None:
    # a bought card and a poor-household period both end on 2025-06-30; the renewal two weeks
    # later is judged against the state-paid card (D-3 transfer), as decide() reports it
    later = one(
        [("2024-06-01", 12), ("2025-07-14", 12)],
        memberships=[
            {"code": "poor_household", "start": dt.date(2025, 1, 1), "end": dt.date(2025, 6, 30)}
        ],
    )
    case = later.case(PID, "2025-07-20")
    codes = insurrules.decide(case).reason_codes()
    assert "vn.card.transfer_from_state" in codes
    assert row(later, "2025-07-20")["insured_from"] == dt.date(2025, 7, 14)


def test_evaluate_takes_a_vn_population_too() -> None:
    from insurrules.population import evaluate, evaluate_vn, synthetic_vn

    pop = synthetic_vn(200, seed=4)
    result = evaluate(pop, "2026-03-15")
    assert result.equals(evaluate_vn(pop, "2026-03-15"))
    assert set(result["status"].drop_nulls()) == {"insured", "not_insured"}
