"""Parameters as data: every value sourced and dated, switches documented, reforms validated."""

from __future__ import annotations

import datetime as dt

import pytest

from insurrules import RulesError, kz
from insurrules.kz.case import KZ_MEMBERSHIP_CODES
from insurrules.months import YearMonth


def test_every_value_has_a_source_and_dates_are_ordered() -> None:
    rules = kz.rules()
    for name in rules:
        param = rules[name]
        assert param.description, name
        starts = [v.start for v in param.values]
        assert starts == sorted(starts), name
        for value in param.values:
            assert value.source.strip(), f"{name} from {value.start} has no source"


def test_every_d_decision_of_kz_md_is_a_switch_with_choices() -> None:
    switches = kz.rules().switches()
    assert sorted(p.decision or "" for p in switches.values()) == [f"D-{i}" for i in range(1, 7)]
    for param in switches.values():
        assert param.choices, param.name
        assert str(param.values[-1].value).lower() in {str(c).lower() for c in param.choices}


def test_unconfirmed_points_are_flagged() -> None:
    rules = kz.rules()
    assert rules["kz.grace.months"].values[0].unconfirmed
    assert rules["kz.mzp"].entry(dt.date(2017, 5, 1)).unconfirmed  # type: ignore[union-attr]
    assert rules.category("targeted_social_assistance").periods[0].unconfirmed


def test_model_codes_agree_with_the_data() -> None:
    rules = kz.rules()
    given = {c.code for c in rules.categories if not c.derived}
    assert given == set(KZ_MEMBERSHIP_CODES)


def test_values_on_both_sides_of_2026() -> None:
    rules = kz.rules()
    assert rules["kz.grace.extended_months"].at(dt.date(2025, 12, 31)) is None
    assert rules["kz.grace.extended_months"].at(dt.date(2026, 1, 1)) == 6
    assert rules["kz.cap.employer_mzp"].at_month(YearMonth(2026, 1)) == 40


def test_rules_version_names_the_latest_change() -> None:
    rules = kz.rules()
    assert rules.version(dt.date(2026, 3, 15)) == "kz-osms 2026-01-01"
    assert rules.version(dt.date(2022, 10, 1)) == "kz-osms 2022-09-05"


def test_with_changes_dated_values() -> None:
    base = kz.rules()
    reformed = base.with_changes({"kz.grace.months": {"from 2026-07-01": 9}})
    assert reformed["kz.grace.months"].at(dt.date(2026, 6, 30)) == 3
    assert reformed["kz.grace.months"].at(dt.date(2026, 7, 1)) == 9
    assert base["kz.grace.months"].at(dt.date(2026, 7, 1)) == 3  # the original is untouched
    assert "reformed: kz.grace.months" in reformed.version(dt.date(2026, 8, 1))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "at least one"),
        ({"kz.grace.monthz": 4}, "unknown parameter 'kz.grace.monthz'.*kz.grace.months"),
        ({"kz.grace.months": "four"}, "whole number"),
        ({"kz.grace.months": 3}, "nothing changes"),
        ({"kz.grace.months": {"from 2026-13-01": 4}}, "not an ISO date"),
        ({"kz.interpretation.prepaid_old_debt": "forgiven"}, "bypassed, cancelled"),
        ({"kz.rate.self": 0.05}, "no floats"),
    ],
)
def test_bad_reforms_are_refused_before_anything_runs(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(RulesError, match=message):
        kz.rules().with_changes(changes)
