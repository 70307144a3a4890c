"""Reform values are bounded to legal ranges; reform files never crash; decisions cite a reform by
its title and file name only (issue 14, issue 15)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules import RulesError, kz, vn
from insurrules.reform import Reform
from tests.builders import kz_case, payments


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kz.grace.months": 1_000_000}, r"from 0 to 240 months, got 1000000"),
        ({"kz.grace.months": 10**18}, r"from 0 to 240 months"),
        ({"kz.grace.months": 10**5000}, r"from 0 to 240 months, got an integer of about"),
        ({"kz.grace.months": -1}, r"from 0 to 240"),
        ({"kz.grace.months": True}, "whole number"),
        ({"kz.debt.window_months": {"from 2026-01-01": 10**9}}, "from 0 to 240"),
        ({"kz.rate.self": "1.5"}, "from 0 to 1"),
        ({"kz.rate.self": "NaN"}, "from 0 to 1"),
        ({"kz.rate.self": "1" * 5000}, "decimal number"),
        ({"kz.rate.self": "0.1234567"}, "at most 6 decimals"),
        ({"kz.rate.self": "1_0"}, "decimal number"),
        ({"kz.mzp": "1e999999"}, "from 0 to"),
        ({"kz.grace.months": {"from 9999-12-31": 4}}, "outside 1800-01-01..2100-12-31"),
        ({"kz.grace.months": {"from 2026-01-01T00:00": 4}}, "not an ISO date"),
        ({"kz.grace.months": [{"from": dt.datetime(2026, 1, 1), "value": 4}]}, "date-time"),
        (
            {
                "kz.grace.months": {f"from 2026-01-{d:02d}": 4 for d in range(1, 29)}
                | {f"from 2027-{m:02d}-01": 5 for m in range(1, 13)}
                | {f"from 2028-{m:02d}-{d:02d}": 6 for m in range(1, 13) for d in range(1, 8)}
            },
            "at most 100 dated values",
        ),
        ({"kz.prepaid.payers": ["self"] * 1000}, "at most 100"),
        ({"kz.contributions.first_month": "9999-01"}, "outside"),
        ({"kz.interpretation.prepaid_old_debt": ["x"]}, "dated change"),
        ({"kz.interpretation.prepaid_old_debt": {"x": 1}}, "expected one of"),
        ({12: 3}, "unknown parameter 12"),
    ],
)
def test_out_of_range_reform_values_are_clear_errors(
    changes: dict[Any, object], message: str
) -> None:
    start = time.perf_counter()
    with pytest.raises(RulesError, match=message):
        kz.rules().with_changes(changes)
    assert time.perf_counter() - start < 5  # refused before any work, never minutes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vn.household.ladder": ["1", "0.7", "9"]}, "shares from 0 to 1"),
        ({"vn.household.periods": ["3", "6", "100000"]}, "whole months 1..240"),
        ({"vn.household.periods": []}, "numbers written as text"),
        ({"vn.household.ladder": []}, "numbers written as text"),
        ({"vn.child.school_year_end": []}, "numbers written as text"),
        ({"vn.child.school_year_end": ["9"]}, "a month and a day"),
        ({"vn.child.school_year_end": ["13", "40"]}, "a real month and day"),
        ({"vn.household.periods": ["3", "x"]}, "numbers written as text"),
        ({"vn.card.waiting_days": 10**7}, "from 0 to 3660 days"),
    ],
)
def test_vn_reform_values_are_bounded(changes: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        vn.rules().with_changes(changes)


def test_a_school_year_cut_off_reform_is_accepted() -> None:
    rules = vn.rules().with_changes({"vn.child.school_year_end": ["8", "31"]})
    assert rules["vn.child.school_year_end"].values[-1].value == ("8", "31")


def test_the_longest_legal_grace_still_decides_quickly() -> None:
    rules = kz.rules().with_changes({"kz.grace.months": 240})
    case = kz_case("2025-06-15", payments("2022-01", "2024-12"))
    assert insurrules.decide(case, rules).status == "insured"


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe t\x00", "not UTF-8"),
        ("title = [1, 2]\nscheme = 'kz-osms'\n[changes]\n'kz.grace.months' = 4", "title"),
        ("title = \"x\\ny\"\nscheme = 'kz-osms'\n[changes]\n'kz.grace.months' = 4", "one line"),
        ("title = 't'\nscheme = 'xx'\n[changes]\n'kz.grace.months' = 4", "unknown scheme"),
        ("title = 't'\nscheme = 'kz-osms'\nchanges = 5", "changes"),
        ("title = 't'\nscheme = 'kz-osms'\n[changes]\n'kz.grace.months' = 1e400", "whole number"),
        ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply|not valid TOML"),
    ],
)
def test_bad_reform_files_are_clear_errors(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = _write(tmp_path, "r.toml", content)
    with pytest.raises(RulesError, match=message):
        Reform.from_file(path)


def test_a_reform_file_that_is_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        Reform.from_file(tmp_path)


def test_decisions_cite_the_reform_by_title_and_file_name_never_a_path(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "grace.toml",
        "title = 'Four months of grace'\nscheme = 'kz-osms'\n[changes]\n'kz.grace.months' = 4\n",
    )
    reform = Reform.from_file(path)
    case = kz_case("2025-03-15", payments("2023-01", "2024-12"))
    decision = insurrules.decide(case, reform.apply())
    text = decision.model_dump_json()
    assert "reform: Four months of grace (grace.toml)" in text
    assert str(tmp_path) not in text
