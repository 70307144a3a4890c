"""vn-bhyt parameters as data: sourced, dated, D-1..D-3 switches, groups in step with the model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from insurrules import RulesError, vn
from insurrules.parameters import RuleSet
from insurrules.vn.case import STATE_GROUPS
from insurrules.vn.rules import SUPPORT_GROUPS, support_share

D = dt.date


def test_rules_is_the_vn_rule_set() -> None:
    rules = vn.rules()
    assert isinstance(rules, RuleSet)
    assert rules.scheme == "vn-bhyt"
    assert rules.version(D(2026, 7, 1)) == "vn-bhyt 2026-07-01"
    assert rules.version(D(2026, 6, 30)) == "vn-bhyt 2025-07-01"


def test_every_value_has_a_source_and_dates_are_ordered() -> None:
    rules = vn.rules()
    for name in rules:
        param = rules[name]
        assert param.description, name
        starts = [v.start for v in param.values]
        assert starts == sorted(starts), name
        for value in param.values:
            assert value.source.strip(), f"{name} from {value.start} has no source"
    for category in rules.categories:
        assert category.periods, category.code
        assert all(p.budget == "state" and p.source for p in category.periods)


def test_every_d_decision_of_vn_md_is_a_switch_with_its_default() -> None:
    switches = vn.rules().switches()
    assert sorted(p.decision or "" for p in switches.values()) == ["D-1", "D-2", "D-3"]
    assert all(name.startswith("vn.interpretation.") for name in switches)
    defaults = {p.decision: p.values[-1].value for p in switches.values()}
    assert defaults == {"D-1": "same_day_inclusive", "D-2": "ignore", "D-3": True}
    for param in switches.values():
        assert param.choices
        assert str(param.values[-1].value).lower() in {str(c).lower() for c in param.choices}


def test_base_salary_history_p1() -> None:
    base = vn.rules()["vn.base_salary"]
    assert [(v.start, v.value) for v in base.values] == [
        (D(2019, 7, 1), Decimal("1490000")),
        (D(2023, 7, 1), Decimal("1800000")),
        (D(2024, 7, 1), Decimal("2340000")),
        (D(2026, 7, 1), Decimal("2530000")),
    ]
    assert base.values[0].unconfirmed  # decree number of the 2019 value unconfirmed


@pytest.mark.parametrize(
    ("group", "before", "after"),
    [
        ("near_poor", Decimal("0.70"), Decimal("0.70")),
        ("student", Decimal("0.30"), Decimal("0.50")),
        ("agri_average", Decimal("0.30"), Decimal("0.30")),
        ("near_poor_poor_area", Decimal(1), None),
        ("near_poor_poor_commune", None, Decimal(1)),
        ("ethnic_minority_transition", None, Decimal("0.70")),
    ],
)
def test_support_shares_on_both_sides_of_2025_07_01(
    group: str, before: Decimal | None, after: Decimal | None
) -> None:
    rules = vn.rules()
    for day, expected in ((D(2025, 6, 30), before), (D(2025, 7, 1), after)):
        if expected is None:
            with pytest.raises(RulesError, match=f"support: '{group}' is not a support group"):
                support_share(rules, group, day)
        else:
            assert support_share(rules, group, day) == expected


def test_groups_agree_with_the_case_model() -> None:
    rules = vn.rules()
    assert set(rules.category_codes) == set(STATE_GROUPS)
    assert {n.removeprefix("vn.support.") for n in rules if n.startswith("vn.support.")} >= set(
        SUPPORT_GROUPS
    )
    assert [c.code for c in rules.categories if c.derived] == ["child_under_6"]


def test_state_groups_added_on_2025_07_01() -> None:
    rules = vn.rules()
    for code in ("survivor_allowance_75", "near_poor_survivor_70_75", "social_pension", "militia"):
        assert rules.category(code).period_on(D(2025, 6, 30)) is None
        assert rules.category(code).period_on(D(2025, 7, 1)) is not None
    assert rules.category("poor_household").period_on(D(2015, 1, 1)) is not None


def test_card_constants() -> None:
    rules = vn.rules()
    on = D(2025, 1, 1)
    assert rules.value("vn.card.waiting_days", on) == 30
    assert rules.value("vn.card.continuity_months", on) == 3
    assert rules.value("vn.card.five_years", on) == 5
    assert rules.value("vn.child.age_months", on) == 72
    assert rules.value("vn.household.periods", on) == ("3", "6", "12")
    assert "employer" not in rules.value("vn.card.waiting_payers", on)


def test_unknown_reform_key_is_refused() -> None:
    with pytest.raises(RulesError, match="unknown parameter"):
        vn.rules().with_changes({"vn.interpretation.three_month": "same_day_exclusive"})
    with pytest.raises(RulesError, match="expected one of"):
        vn.rules().with_changes({"vn.interpretation.three_months": "ninety_days"})
