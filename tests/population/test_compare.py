"""compare(): who changes under a reform, and what the state pays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import insurrules
from insurrules.population import Population, compare, evaluate, synthetic
from tests.population.popgen import AS_OF, build, populations
from tests.population.test_evaluate import one_person, self_payments


def test_shorter_run_keeps_a_lapsed_payer_insured() -> None:
    lapsed = one_person(payments=self_payments((2021, 9), 48))  # 2021-09..2025-08, 48 months
    steady = one_person(birth_date=dt.date(1985, 2, 2), payments=self_payments((2025, 1), 15))
    pop = build([lapsed, steady])
    reform = insurrules.Reform.from_dict(
        {
            "title": "36",
            "scheme": "kz-osms",
            "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},
        }
    )
    result = compare(pop, "2026-01-15", None, reform)
    assert result.per_person["id"].to_list() == [pop.persons["id"][0]]
    row = result.per_person.row(0, named=True)
    assert (row["status_baseline"], row["status_reform"], row["change"]) == (
        "not_insured",
        "insured",
        "newly_insured",
    )
    assert (row["grace_months_baseline"], row["grace_months_reform"]) == (3, 6)
    total = result.summary.combined.filter(pl.col("dimension") == "total").row(0, named=True)
    assert (total["persons"], total["newly_insured"], total["losing_cover"]) == (2, 1, 0)
    grace = result.summary.combined.filter(dimension="basis", value="grace_period").row(
        0, named=True
    )
    assert grace["newly_insured"] == 1
    region = result.summary.combined.filter(dimension="region")
    assert region["persons"].sum() == 2


def test_state_months_and_their_cost_by_budget() -> None:
    child = one_person(birth_date=dt.date(2015, 1, 1))
    de = one_person(
        birth_date=dt.date(1975, 1, 1),
        welfare_levels=[{"level": "E", "start": dt.date(2026, 1, 1), "end": None}],
        care_requests=[dt.date(2026, 3, 2)],
    )
    pop = build([child, de])
    result = compare(pop, "2026-03-15", None, {"kz.welfare.work_lookback_months": 2})
    budgets = {
        r["value"]: r
        for r in result.summary.combined.filter(dimension="budget").iter_rows(named=True)
    }
    assert budgets["republican"]["state_months_baseline"] == 12
    assert budgets["local"]["state_months_baseline"] == 10  # March to December
    rate = insurrules.kz.rules()["kz.state.monthly_contribution.local"].at(dt.date(2026, 1, 1))
    assert budgets["local"]["cost_baseline"] == rate * 10
    assert budgets["local"]["cost_unconfirmed"] is True
    total = result.summary.combined.filter(dimension="total").row(0, named=True)
    assert total["state_months_baseline"] == 22
    assert (
        total["cost_baseline"]
        == budgets["local"]["cost_baseline"] + budgets["republican"]["cost_baseline"]
    )
    assert isinstance(total["cost_baseline"], Decimal)


def test_compare_on_a_synthetic_population_is_consistent_with_evaluate() -> None:
    pop = synthetic(3000, seed=5, as_of="2026-03-15")
    reform = insurrules.kz.rules().with_changes({"kz.grace.months": {"from 2026-01-01": 1}})
    result = compare(pop, "2026-03-15", None, reform)
    assert result.baseline.equals(evaluate(pop, "2026-03-15"))
    assert result.reform.equals(evaluate(pop, "2026-03-15", reform))
    total = result.summary.combined.filter(dimension="total").row(0, named=True)
    assert total["newly_insured"] == 0  # a shorter grace never insures anyone
    assert total["losing_cover"] == (result.per_person["change"] == "losing_cover").sum() > 0
    assert total["insured_baseline"] - total["losing_cover"] == total["insured_reform"]


def test_plot_returns_a_figure() -> None:
    pytest.importorskip("matplotlib")
    pop = synthetic(500, seed=1)
    fig = compare(pop, "2026-03-15", None, {"kz.grace.months": {"from 2026-01-01": 1}}).plot()
    assert type(fig).__name__ == "Figure"
    assert len(fig.axes) == 2


def _state_months_of_one(pop: object, pid: str, as_of: dt.date) -> dict[str, int]:
    """The months of the year of ``as_of`` the state pays for, from one case's own routes."""
    from insurrules.kz.case import KzInput
    from insurrules.kz.facts import build_facts
    from insurrules.kz.law import routes
    from insurrules.kz.rules import default_rules

    case = pop.case(pid, as_of)  # type: ignore[attr-defined]
    frame = build_facts(KzInput.of(case), default_rules())
    r = routes(frame.facts, frame.ops, default_rules())
    ops = frame.ops
    out: dict[str, int] = {}
    for m in range(as_of.year * 12, as_of.year * 12 + 12):
        if not (ops.holds(frame.facts.alive, m) and ops.holds(frame.facts.born, m)):
            continue
        for cat in r.categories:
            if ops.holds(cat.months, m):
                out[cat.budget] = out.get(cat.budget, 0) + 1
                break
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(max_size=8), st.sampled_from(AS_OF))
def test_state_months_equal_each_case_s_own_routes(pop: Population, as_of: dt.date) -> None:
    from insurrules.population.kz.engine import evaluate_arrays

    result = evaluate_arrays(pop, as_of, extras=True)
    budgets = [c for c in result.columns if c.startswith("state_months_")]
    for row in result.iter_rows(named=True):
        if row["error"] is not None:
            assert all(row[c] == 0 for c in budgets)
            continue
        want = _state_months_of_one(pop, row["id"], as_of)
        got = {c.removeprefix("state_months_"): row[c] for c in budgets if row[c]}
        assert got == want


def test_compare_a_vn_population_by_status() -> None:
    from insurrules.population import evaluate_vn, synthetic_vn

    pop = synthetic_vn(1500, seed=2)
    longer_wait = {"vn.card.waiting_days": {"from 2025-01-01": 90}}
    result = compare(pop, "2026-03-15", None, longer_wait)
    reform = insurrules.vn.rules().with_changes(longer_wait)
    assert result.baseline.equals(evaluate_vn(pop, "2026-03-15", costs=True))
    assert result.reform.equals(evaluate_vn(pop, "2026-03-15", reform, costs=True))
    total = result.summary.combined.filter(dimension="total").row(0, named=True)
    change = result.per_person["change"]
    assert total["losing_cover"] == (change == "losing_cover").sum() > 0
    assert total["newly_insured"] == (change == "newly_insured").sum()
    assert total["insured_baseline"] == (result.baseline["status"] == "insured").sum()
    # what the state pays: the budget row sums the group rows (tests/population/test_vn_costs.py)
    budget = result.summary.combined.filter(dimension="budget").row(0, named=True)
    groups = result.summary.combined.filter(dimension="state_group")
    assert total["state_months_baseline"] == budget["state_months_baseline"] > 0
    assert budget["state_months_baseline"] == groups["state_months_baseline"].sum()


REFORMS: list[dict[str, object]] = [
    {"kz.grace.extended_after_months": {"from 2026-01-01": 36}},  # grace only: routes reused
    {"kz.grace.months": {"from 2024-01-01": 4}},
    {"kz.interpretation.state_months_in_run": "count"},
    {"kz.interpretation.grace_after_state_category": True},
    {"kz.debt.window_months": {"from 2024-01-01": 6}},  # not the grace: evaluated again
]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations(max_size=8), st.sampled_from(AS_OF[4:]), st.sampled_from(REFORMS))
def test_the_reform_side_of_compare_is_evaluate_under_the_reform(
    pop: Population, as_of: dt.date, changes: dict[str, object]
) -> None:
    reform = insurrules.kz.rules().with_changes(changes)
    result = compare(pop, as_of, None, reform)
    assert result.baseline.equals(evaluate(pop, as_of))
    assert result.reform.equals(evaluate(pop, as_of, reform))
