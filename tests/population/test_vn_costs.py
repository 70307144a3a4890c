"""What the state pays (card-months and cost by group) equals a count over decide()'s chain."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from unittest import mock

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import insurrules
from insurrules.population import compare
from insurrules.population.vn import chain
from insurrules.population.vn.engine import evaluate_vn, evaluate_with_costs
from insurrules.population.vn.synthesis import synthetic_vn
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.contributions import state_month, state_share_of
from insurrules.vn.decide import case_chain
from tests.population.vn_popgen import populations


def expected(pop: VnPopulation, pid: str, as_of: dt.date, rules: Any) -> dict[str, Any] | None:
    """The year's card-months, month by month over the chain decide() builds."""
    try:
        case = pop.case(pid, as_of)
    except ValidationError:
        return None
    chain, _ = case_chain(case, rules)
    death = case.person.death_date
    out: dict[str, Any] = {"state_months": 0, "state_cost": Decimal(0), "support_months": 0}
    out["support_cost"] = Decimal(0)
    for month in range(1, 13):
        first = dt.date(as_of.year, month, 1)
        if death is not None and first > death:
            continue
        state = next((c for c in chain.cards if c.kind == "state" and c.valid_on(first)), None)
        if state is not None:
            out["state_months"] += 1
            out["state_cost"] += state_month(first, rules)
        for c in chain.cards:
            if c.kind == "purchase" and c.payer == "supported" and c.valid_on(first):
                assert c.paid_on is not None and c.months is not None
                group = case.person.support_on(c.paid_on)
                assert group is not None
                out["support_months"] += 1
                try:
                    share = state_share_of(c.paid_on, c.months, group.code, rules=rules)
                except insurrules.RulesError:
                    share = Decimal(0)
                out["support_cost"] += share / c.months
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations())
def test_every_persons_state_months_and_cost_equal_a_count_over_the_chain(
    drawn: tuple[VnPopulation, dt.date],
) -> None:
    pop, as_of = drawn
    if as_of.year < 2020:  # no base salary in the data for the whole year
        return
    rules = insurrules.vn.rules()
    result, _ = evaluate_with_costs(pop, as_of, rules)
    for row in result.iter_rows(named=True):
        want = expected(pop, row["id"], as_of, rules)
        if want is None or row["error"] is not None:
            assert row["state_months"] is None
            continue
        got = {k: row[k] for k in want}
        assert got == want, pop.case(row["id"], as_of).model_dump_json()


def test_a_reform_of_the_near_poor_share_shows_its_cost_by_group() -> None:
    pop = synthetic_vn(3_000, seed=4, as_of="2026-03-15")
    reform = {"vn.support.near_poor": {"from 2025-07-01": "0.80"}}
    result = compare(pop, "2026-03-15", None, reform)
    groups = result.summary.combined.filter(pl.col("dimension") == "state_group")
    near = groups.filter(pl.col("value") == "near_poor").row(0, named=True)
    student = groups.filter(pl.col("value") == "student").row(0, named=True)
    assert near["state_months_baseline"] == near["state_months_reform"] > 0
    assert near["cost_reform"] > near["cost_baseline"]
    assert student["cost_reform"] == student["cost_baseline"]
    # 10 more percentage points of 4.5 % of the base salary on every card-month paid since the
    # reform's date (cards priced on their payment day, R3)
    _, costs = evaluate_with_costs(pop, "2026-03-15")
    assert costs is not None
    budget = result.summary.combined.filter(dimension="budget", value="state").row(0, named=True)
    assert budget["cost_baseline"] == sum(costs["cost"].to_list())
    assert budget["cost_reform"] - budget["cost_baseline"] == (
        near["cost_reform"] - near["cost_baseline"]
    )
    total = result.summary.combined.filter(dimension="total").row(0, named=True)
    assert total["cost_baseline"] == budget["cost_baseline"]
    cost = result.summary.cost.filter(budget="state").row(0, named=True)
    assert cost["cost_change"] == near["cost_reform"] - near["cost_baseline"]
    state_paid = groups.filter(pl.col("value") == "poor_household").row(0, named=True)
    assert state_paid["cost_unconfirmed"]  # vn.state.rate is flagged unconfirmed
    assert not near["cost_unconfirmed"]


REFORMS: list[dict[str, Any]] = [
    {"vn.support.near_poor": {"from 2025-07-01": "0.80"}},  # cards unchanged: chains reused
    {"vn.base_salary": {"from 2026-01-01": "2400000"}},  # cards unchanged: chains reused
    {"vn.card.waiting_days": {"from 2020-01-01": 60}},  # cards change: built again
]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(max_size=5), st.sampled_from(REFORMS))
def test_the_reform_side_of_compare_is_evaluate_under_the_reform(
    drawn: tuple[VnPopulation, dt.date], change: dict[str, Any]
) -> None:
    pop, as_of = drawn
    reform = insurrules.vn.rules().with_changes(change)
    result = compare(pop, as_of, None, reform)
    assert result.baseline.equals(evaluate_vn(pop, as_of, costs=True))
    assert result.reform.equals(evaluate_vn(pop, as_of, reform, costs=True))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(), st.sampled_from(REFORMS), st.randoms(use_true_random=False))
def test_a_population_taken_part_by_part_is_answered_as_a_whole(
    drawn: tuple[VnPopulation, dt.date], change: dict[str, Any], rnd: random.Random
) -> None:
    pop, as_of = drawn
    # records of different persons interleaved: a part's records are then picked, not sliced
    shuffled = VnPopulation(
        pop.persons,
        pop.payments.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(2**32)),
        pop.memberships.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(2**32)),
    )
    reform = insurrules.vn.rules().with_changes(change)
    whole = compare(shuffled, as_of, None, reform)
    with mock.patch.multiple(
        chain, PART_PERSONS=rnd.randint(1, max(1, len(shuffled) - 1)), PART_RECORDS=3
    ):
        assert len(chain.parts(shuffled)) > 1 or len(shuffled) == 1
        in_parts = compare(shuffled, as_of, None, reform)
    assert in_parts.baseline.equals(whole.baseline)
    assert in_parts.reform.equals(whole.reform)
    assert in_parts.per_person.equals(whole.per_person)
    assert in_parts.summary.combined.equals(whole.summary.combined)
