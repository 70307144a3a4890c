"""What changed in the law between two dates: read from the parameter history, through the API,
the CLI (``law-changes`` and ``check --explain``) and the docs table."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import insurrules
from insurrules import RulesError, docs_tables
from insurrules.changes import Change, law_changes, recent_changes
from insurrules.cli import main
from insurrules.parameters import RuleSet
from tests.builders import kz_case, payments
from tests.vn.builders import purchase, vn_case


def by_name(changes: list[Change]) -> dict[str, Change]:
    return {c.name: c for c in changes}


def test_2026_reform_lists_the_six_month_grace_local_categories_welfare_levels_and_caps() -> None:
    changes = by_name(law_changes("kz-osms", "2025-12-31", "2026-01-01"))
    grace = changes["kz.grace.extended_months"]
    assert (grace.old, grace.new, grace.effective) == (None, 6, dt.date(2026, 1, 1))
    assert "Law 206-VIII" in grace.source
    assert changes["kz.grace.extended_after_months"].new == 60
    assert changes["kz.welfare.levels_covered"].new == ("D", "E")
    cap = changes["kz.cap.employer_mzp"]
    assert (cap.old, cap.new) == (10, 40) and "art. 27 p. 2-2" in cap.source
    unemployed = changes["registered_unemployed"]
    assert (unemployed.kind, unemployed.old, unemployed.new) == ("category", "republican", "local")
    assert (changes["welfare_level_de"].old, changes["welfare_level_de"].new) == (None, "local")
    assistance = changes["targeted_social_assistance"]
    assert (assistance.old, assistance.new) == ("republican", None) and assistance.unconfirmed
    d6 = changes["kz.interpretation.de_new_request_each_year"]
    assert (d6.kind, d6.decision, d6.new) == ("switch", "D-6", True)


def test_a_value_restated_with_a_new_source_is_not_a_change() -> None:
    # the minimum wage is 85 000 in 2025 and in 2026: a new budget law, the same value
    names = {c.name for c in law_changes("kz-osms", "2025-12-31", "2026-01-01")}
    assert "kz.mzp" not in names
    assert "kz.mzp" in {c.name for c in law_changes("kz-osms", "2023-12-31", "2024-01-01")}


def test_the_interval_excludes_since_and_includes_until() -> None:
    assert law_changes("kz-osms", "2026-01-01", "2026-06-30") == []
    assert law_changes("kz-osms", "2025-12-31", "2025-12-31") == []
    assert law_changes("kz-osms", "2025-06-30", "2025-12-31") == []
    assert {c.effective for c in law_changes("vn-bhyt", "2026-06-30", "2026-07-01")} == {
        dt.date(2026, 7, 1)
    }


def test_vn_2025_lists_new_state_groups_and_support_shares() -> None:
    changes = by_name(law_changes("vn-bhyt", "2025-06-30", "2025-07-01"))
    assert {"survivor_allowance_75", "social_pension", "militia"} <= set(changes)
    student = changes["vn.support.student"]
    assert (str(student.old), str(student.new)) == ("0.30", "0.50")
    assert changes["vn.support.near_poor_poor_area"].new is None
    assert "vn.support.near_poor" not in changes  # 70 % under both decrees


def test_a_reform_is_read_the_same_way() -> None:
    reform = insurrules.kz.rules().with_changes({"kz.grace.months": {"from 2026-07-01": 9}})
    (change,) = law_changes(reform, "2026-06-30", "2026-07-01")
    assert (change.name, change.old, change.new, change.source) == (
        "kz.grace.months",
        3,
        9,
        "reform",
    )


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-01-01", "2025-01-01", "until .* is before since"),
        ("2026-13-01", "2027-01-01", "since: expected an ISO date"),
        ("2026-01-01", "20270101", "until: expected an ISO date"),
    ],
)
def test_bad_intervals_are_refused(since: str, until: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        law_changes("kz-osms", since, until)


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(RulesError, match="known: kz-osms, vn-bhyt"):
        law_changes("xx-none", "2025-01-01", "2026-01-01")


def _value(rules: RuleSet, name: str, on: dt.date) -> Any:
    entry = rules[name].entry(on)
    return None if entry is None else entry.value


def _budget(rules: RuleSet, code: str, on: dt.date) -> str | None:
    period = rules.category(code).period_on(on)
    return None if period is None else period.budget


DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=60, deadline=None)
@given(scheme=st.sampled_from(["kz-osms", "vn-bhyt"]), a=DAYS, b=DAYS)
def test_changes_are_exactly_the_values_that_differ_across_the_interval(
    scheme: str, a: dt.date, b: dt.date
) -> None:
    since, until = min(a, b), max(a, b)
    rules = insurrules.kz.rules() if scheme == "kz-osms" else insurrules.vn.rules()
    changes = law_changes(scheme, since, until)
    day = dt.timedelta(days=1)
    for change in changes:
        assert since < change.effective <= until
        read = _budget if change.kind == "category" else _value
        assert read(rules, change.name, change.effective - day) == change.old
        assert read(rules, change.name, change.effective) == change.new
    names = {c.name for c in changes}
    for name in rules.parameters:
        if _value(rules, name, since) != _value(rules, name, until):
            assert name in names, name
    for code in rules.category_codes:
        if _budget(rules, code, since) != _budget(rules, code, until):
            assert code in names, code
    assert [c.effective for c in changes] == sorted(c.effective for c in changes)


def test_explanation_lists_changes_of_the_last_twelve_months() -> None:
    case = kz_case("2026-03-15", payments("2024-01", "2026-02"))
    explanation = insurrules.explain(case)
    assert explanation.changes == tuple(recent_changes("kz-osms", dt.date(2026, 3, 15)))
    assert "kz.grace.extended_months" in {c.name for c in explanation.changes}
    later = insurrules.explain({**case, "as_of": "2027-01-02"})
    assert "kz.grace.extended_months" not in {c.name for c in later.changes}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_cli_law_changes_lists_the_2026_reform(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["law-changes", "kz-osms", "2025-12-31", "2026-01-01"], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "kz-osms: 14 changes in force after 2025-12-31, up to 2026-01-01"
    assert "  2026-01-01  kz.grace.extended_months: — → 6 months" in lines
    assert "  2026-01-01  kz.cap.employer_mzp: 10 × MZP → 40 × MZP" in lines
    assert "  2026-01-01  category welfare_level_de: — → local budget" in lines


def test_cli_law_changes_json_equals_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["law-changes", "vn-bhyt", "2025-01-01", "2026-12-31", "--json"], capsys)
    assert code == 0
    expected = [c.to_json() for c in law_changes("vn-bhyt", "2025-01-01", "2026-12-31")]
    assert json.loads(out) == expected
    assert expected[-1]["name"] == "vn.base_salary" and expected[-1]["new"] == "2530000"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["law-changes", "kz-osms", "2025-12-31", "2026-02-30"], "until: expected an ISO date"),
        (["law-changes", "xx", "2025-12-31", "2026-01-01"], "unknown scheme 'xx'"),
        (["law-changes", "kz-osms", "2026-01-01", "2025-01-01"], "is before since"),
    ],
)
def test_cli_law_changes_bad_input_exits_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_check_explain_has_a_changes_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(kz_case("2026-03-15", payments("2024-01", "2026-02"))))
    code, out, _ = run(["check", str(path), "--explain"], capsys)
    assert code == 0
    assert "  changes in the law in the 12 months up to 2026-03-15:" in out
    assert "    - 2026-01-01  kz.grace.extended_months: — → 6 months [Law 405-V art. 5" in out
    code, out, _ = run(["check", str(path), "--explain", "--json"], capsys)
    document = json.loads(out)
    assert document["changes"] == [
        c.to_json() for c in recent_changes("kz-osms", dt.date(2026, 3, 15))
    ]


def test_check_explain_without_recent_changes_has_no_changes_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    case = vn_case("2020-09-01", [purchase("2019-10-01", 12)])
    assert recent_changes("vn-bhyt", dt.date(2020, 9, 1)) == []
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    code, out, _ = run(["check", str(path), "--explain"], capsys)
    assert code == 0 and "changes in the law" not in out


def test_docs_table_has_one_row_per_change_with_its_source() -> None:
    rules = insurrules.kz.rules()
    table = docs_tables.changes_table(rules, "2025-12-31", "2026-01-01", "kz-osms.md")
    rows = table.splitlines()[2:]
    changes = law_changes(rules, "2025-12-31", "2026-01-01")
    assert len(rows) == len(changes)
    for row, change in zip(rows, changes, strict=True):
        assert row.startswith(f"| {change.effective} | ")
        assert f"`{change.name}`" in row and change.source.replace("|", "\\|") in row
    assert "| not in law | 6 months |" in table
    empty = docs_tables.changes_table(rules, "2026-01-01", "2026-06-30")
    assert "no change in this interval" in empty
