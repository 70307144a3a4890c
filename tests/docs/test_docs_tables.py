"""The generated parameter pages say what the data says, and the mkdocs hook places them."""

from __future__ import annotations

import datetime as dt
import importlib.util
from types import ModuleType

import pytest

import insurrules
from insurrules import docs_tables
from insurrules.parameters import RuleSet
from tests.docs.doc_examples import ROOT


def _hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "insurrules_docs.py"
    spec = importlib.util.spec_from_file_location("insurrules_docs_hook", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["kz", "vn"])
def rules(request: pytest.FixtureRequest) -> RuleSet:
    rule_set: RuleSet = getattr(insurrules, request.param).rules()
    return rule_set


def test_every_dated_value_is_in_the_history_tables_with_source_and_flag(rules: RuleSet) -> None:
    text = docs_tables.parameter_tables(rules)
    lines = text.splitlines()
    for name, param in rules.parameters.items():
        assert f"`{name}` {{#{docs_tables.anchor(name)}}}" in text
        for entry in param.values:
            rows = [
                line
                for line in lines
                if line.startswith(f"| {entry.start} | ")
                and docs_tables.format_value(entry.value, param.unit).replace("|", "\\|") in line
                and entry.source.replace("|", "\\|") in line
            ]
            assert rows, f"{name} from {entry.start} is missing"
            assert any(("**unconfirmed**" in row) == entry.unconfirmed for row in rows), name


def test_law_on_a_date_shows_the_value_in_force_on_both_sides_of_a_change() -> None:
    rules = insurrules.kz.rules()

    def row(on: str) -> str:
        table = docs_tables.law_on(rules, on)
        return next(line for line in table.splitlines() if "`kz.grace.extended_months`" in line)

    assert "| — | 2020-01-01 |" in row("2025-12-31")
    assert "| 6 months | 2026-01-01 |" in row("2026-01-01")
    before = docs_tables.law_on(rules, dt.date(2020, 6, 1))
    assert "`kz.welfare.levels_covered`" in before and "not yet in law" in before


def test_switch_table_lists_each_decision_with_its_default_reading(rules: RuleSet) -> None:
    table = docs_tables.switch_table(rules)
    for name, param in rules.switches().items():
        default = docs_tables.format_value(param.values[-1].value)
        line = next(line for line in table.splitlines() if f"`{name}`" in line)
        assert f"**{param.decision}**" in line and f"`{default}`:" in line


def test_category_table_has_every_period(rules: RuleSet) -> None:
    table = docs_tables.category_table(rules)
    for cat in rules.categories:
        for period in cat.periods:
            assert f"| `{cat.code}` |" in table
            assert f"{period.start} – {period.end or 'open'}" in table


def test_hook_replaces_markers_keeping_the_indentation_of_tabs() -> None:
    hook = _hook()
    page = '=== "2026"\n\n    <!-- insurrules:law-on kz-osms 2026-01-01 kz-osms.md -->\n'
    out = hook.on_page_markdown(page, None, None, None)
    assert "<!--" not in out
    table = [line for line in out.splitlines() if "|" in line]
    assert table and all(line.startswith("    | ") for line in table)
    assert "(kz-osms.md#kz-grace-months)" in out


@pytest.mark.parametrize(
    ("marker", "error"),
    [
        ("<!-- insurrules:parameters xx-none -->", "unknown scheme"),
        ("<!-- insurrules:tables kz-osms -->", "unknown docs marker"),
    ],
)
def test_hook_fails_the_build_on_a_bad_marker(marker: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        _hook().on_page_markdown(marker, None, None, None)


def test_api_reference_shows_docstring_doctests_as_code() -> None:
    path = ROOT / "docs" / "hooks" / "griffe_doctests.py"
    spec = importlib.util.spec_from_file_location("griffe_doctests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Intro.\n\n>>> f(\n...   1)\n['id', 'status']\n\nAfter.\n    >>> g()\n    2"
    assert module.fence_doctests(text) == (
        "Intro.\n\n```pycon\n>>> f(\n...   1)\n['id', 'status']\n```\n\nAfter.\n"
        "    ```pycon\n    >>> g()\n    2\n    ```"
    )
