"""Reforms as data: TOML files and RuleSet.with_changes, validated before anything runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import insurrules
from insurrules import Reform, RulesError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reform.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_reform_lowers_the_run_for_the_six_month_grace_from_2026() -> None:
    rules = Reform.from_file(EXAMPLES / "reform-grace-36.toml").apply()
    param = rules["kz.grace.extended_after_months"]
    assert param.at(dt.date(2025, 12, 31)) is None
    assert param.at(dt.date(2026, 1, 1)) == 36
    assert "reform-grace-36.toml" in param.values[-1].source
    assert "kz.grace.extended_after_months" in rules.version(dt.date(2026, 3, 1))


def test_dated_values_apply_from_their_date_only() -> None:
    rules = Reform.from_file(EXAMPLES / "reform-grace-4-months.toml").apply()
    assert rules["kz.grace.months"].at(dt.date(2026, 6, 30)) == 3
    assert rules["kz.grace.months"].at(dt.date(2026, 7, 1)) == 4
    assert rules["kz.grace.extended_months"].at(dt.date(2026, 7, 1)) == 8


def test_the_baseline_is_left_unchanged() -> None:
    Reform.from_file(EXAMPLES / "reform-grace-36.toml").apply()
    assert insurrules.kz.rules()["kz.grace.extended_after_months"].at(dt.date(2026, 1, 1)) == 60


def test_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "t"\nscheme = "kz-osms"\n[changes]\n"kz.grace.month" = 4\n')
    with pytest.raises(RulesError) as info:
        Reform.from_file(path)
    text = str(info.value)
    assert str(path) in text and "'kz.grace.month'" in text and "kz.grace.months" in text


def test_wrong_type_and_bad_date_are_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'title = "t"\nscheme = "kz-osms"\n[changes]\n"kz.grace.months" = "four"\n'
        '"kz.grace.extended_months" = { "from 2026-02-30" = 8 }\n',
    )
    with pytest.raises(RulesError) as info:
        Reform.from_file(path)
    text = str(info.value)
    assert "kz.grace.months: expected a whole number" in text
    assert "kz.grace.extended_months" in text and "2026-02-30" in text


def test_a_reform_that_changes_nothing_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "t"\nscheme = "kz-osms"\n[changes]\n"kz.grace.months" = 3\n')
    with pytest.raises(RulesError, match="nothing changes"):
        Reform.from_file(path)
    with pytest.raises(RulesError, match="at least one parameter"):
        insurrules.kz.rules().with_changes({})


def test_missing_parts_and_bad_toml_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="title: required"):
        Reform.from_file(write(tmp_path, 'scheme = "kz-osms"\n[changes]\n"kz.grace.months" = 4\n'))
    with pytest.raises(RulesError, match="not valid TOML"):
        Reform.from_file(write(tmp_path, "title = \n"))
    with pytest.raises(RulesError, match="cannot read"):
        Reform.from_file(tmp_path / "missing.toml")
    with pytest.raises(RulesError, match="unknown top-level"):
        Reform.from_dict(
            {"title": "t", "scheme": "kz-osms", "chnages": {}, "changes": {"kz.grace.months": 4}}
        )


def test_reform_for_another_scheme_is_refused() -> None:
    reform = Reform.from_dict(
        {"title": "t", "scheme": "kz-osms", "changes": {"kz.grace.months": 4}}
    )
    other = insurrules.RuleSet(scheme="vn-bhyt", title="x", parameters={})
    with pytest.raises(RulesError, match="the reform is for kz-osms"):
        reform.apply(other)


def test_switches_are_reformable_like_numbers() -> None:
    rules = insurrules.kz.rules().with_changes({"kz.interpretation.state_months_in_run": "count"})
    assert rules["kz.interpretation.state_months_in_run"].values[-1].value == "count"
    with pytest.raises(RulesError, match="expected one of"):
        insurrules.kz.rules().with_changes({"kz.interpretation.state_months_in_run": "maybe"})
