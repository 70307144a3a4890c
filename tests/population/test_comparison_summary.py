"""``Comparison.summary``: labelled tables, each count of one side; short reprs; the plot."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
import pytest

import insurrules
from insurrules.population import Population, compare, synthetic, synthetic_vn
from insurrules.population.comparison import Comparison

LONGER = insurrules.Reform.from_dict(
    {
        "title": "Longer grace",
        "scheme": "kz-osms",
        "changes": {"kz.grace.months": {"from 2026-07-01": 4}},
    }
)


@pytest.fixture(scope="module")
def result() -> Comparison:
    return compare(synthetic(4_000, seed=7, as_of="2026-10-15"), "2026-10-15", None, LONGER)


def counts(frame: pl.DataFrame, column: str) -> dict[str, int]:
    grouped = frame.group_by(pl.col(column).fill_null("none")).len()
    return dict(grouped.iter_rows())


def test_by_basis_counts_each_side_from_its_own_result(result: Comparison) -> None:
    valid = result.baseline["error"].is_null()
    by_basis = {r["basis"]: r for r in result.summary.by_basis.iter_rows(named=True)}
    for side, frame in (("baseline", result.baseline), ("reform", result.reform)):
        want = counts(frame.filter(valid), "basis")
        got = {b: r[f"persons_{side}"] for b, r in by_basis.items() if r[f"persons_{side}"]}
        assert got == want
    for row in by_basis.values():
        assert row["change"] == row["persons_reform"] - row["persons_baseline"]


def test_changes_add_up_to_the_total(result: Comparison) -> None:
    total = result.summary.total.row(0, named=True)
    assert total["newly_insured"] > 0  # the longer grace insures someone on this day
    assert result.summary.by_basis["newly_insured"].sum() == total["newly_insured"]
    assert result.summary.by_basis["losing_cover"].sum() == total["losing_cover"] == 0
    assert result.summary.by_region["newly_insured"].sum() == total["newly_insured"]
    assert result.summary.by_region["persons"].sum() == total["persons"] == 4_000
    parts = ("invalid", "newly_insured", "losing_cover", "changed", "unchanged")
    assert sum(total[p] for p in parts) == total["persons"]
    insured = (result.reform["status"] == "insured").sum()
    assert total["insured_reform"] == insured


def test_by_category_lists_categories_only(result: Comparison) -> None:
    categories = result.summary.by_category["state_category"].to_list()
    assert "none" not in categories and "child" in categories
    want = counts(result.baseline.filter(pl.col("state_category").is_not_null()), "state_category")
    got = dict(result.summary.by_category.select("state_category", "persons_baseline").iter_rows())
    assert got == want


def test_cost_rows_and_total_are_exact_and_flag_unconfirmed(result: Comparison) -> None:
    cost = result.summary.cost
    assert cost["budget"].to_list()[-1] == "total"
    budgets = cost.filter(pl.col("budget") != "total")
    total = cost.filter(pl.col("budget") == "total").row(0, named=True)
    for column in ("persons_baseline", "state_months_reform", "cost_baseline", "cost_reform"):
        assert total[column] == sum(budgets[column].to_list())
    for row in cost.iter_rows(named=True):
        assert isinstance(row["cost_baseline"], Decimal)
        assert row["cost_change"] == row["cost_reform"] - row["cost_baseline"]
    combined = result.summary.combined.filter(dimension="budget")
    assert budgets["cost_reform"].to_list() == combined["cost_reform"].to_list()
    rules = result.baseline_rules
    flagged = any(
        rules[f"kz.state.monthly_contribution.{b}"].entry(result.as_of).unconfirmed  # type: ignore[union-attr]
        for b in budgets["budget"].to_list()
    )
    assert result.summary.unconfirmed == flagged


def test_printed_summary_formats_money_and_names_each_table(result: Comparison) -> None:
    text = str(result.summary)
    for name in ("summary.total", "summary.by_basis", "summary.by_category", "summary.cost"):
        assert name in text
    total = result.summary.cost.filter(budget="total").row(0, named=True)
    assert f"{total['cost_reform']:,.2f}" in text  # 123,456,789.00
    html = result.summary._repr_html_()
    assert "<table>" in html and "summary.by_region" in html


def test_reprs_are_short(result: Comparison) -> None:
    shown: dict[str, Any] = {
        "comparison": result,
        "summary": result.summary,
        "rules": result.reform_rules,
        "population": synthetic(100, seed=1),
        "reform": LONGER,
    }
    for name, value in shown.items():
        assert len(repr(value)) < 400, (name, repr(value)[:200])
    assert repr(result).startswith("Comparison(kz-osms on 2026-10-15: 4,000 persons, ")
    assert "kz.grace.months" in repr(result)


def test_plot_has_readable_text_and_the_unconfirmed_note(result: Comparison) -> None:
    pytest.importorskip("matplotlib")
    figure = result.plot()
    assert len(figure.axes) == 2
    texts = [t for ax in figure.axes for t in ax.texts] + list(figure.texts)
    labels = [t for ax in figure.axes for t in (*ax.get_xticklabels(), ax.title)]
    assert min(t.get_fontsize() for t in texts + labels) >= 10
    notes = " ".join(t.get_text() for t in texts)
    assert ("flagged unconfirmed" in notes) == result.summary.unconfirmed


def test_plot_drops_empty_panels() -> None:
    pytest.importorskip("matplotlib")
    population = synthetic(500, seed=1, as_of="2026-03-15")
    later = {"kz.grace.months": {"from 2030-01-01": 4}}  # nothing changes in 2026
    unchanged = compare(population, "2026-03-15", None, later)
    assert unchanged.summary.total["changed"].item() == 0
    assert [ax.get_title() for ax in unchanged.plot().axes] == [
        "State contributions in 2026, by budget"
    ]
    vn_later = {"vn.card.waiting_days": {"from 2030-01-01": 90}}
    vn = compare(synthetic_vn(300, seed=2), "2026-03-15", None, vn_later)
    figure = vn.plot()  # vn-bhyt has its state costs by budget too (population/vn/costs.py)
    assert [ax.get_title() for ax in figure.axes] == ["State contributions in 2026, by budget"]
    # each scheme's costs in its own money, with its own unconfirmed note
    assert figure.axes[0].get_ylabel() == "million đồng"
    notes = " ".join(t.get_text() for t in figure.axes[0].texts)
    assert "đồng" in notes and "tenge" not in notes
    assert "vn.state.rate" in notes
    assert result_axes_label(synthetic(300, seed=2)) == "million tenge"


def result_axes_label(population: Population) -> str:
    later = {"kz.grace.months": {"from 2030-01-01": 4}}
    return str(compare(population, "2026-03-15", None, later).plot().axes[0].get_ylabel())


def test_reprs_of_cases_and_explanations_stay_short() -> None:
    months = [f"{y}-{m:02d}" for y in range(2020, 2026) for m in range(1, 13)]
    case = {
        "scheme": "kz-osms",
        "as_of": "2025-12-25",
        "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
        "payments": [
            {"month": m, "paid_on": f"{m}-20", "amount": "4250", "payer": "self"} for m in months
        ],
    }
    parsed = insurrules.Case.model_validate(case)
    assert len(repr(parsed)) < 800 and "... 69 more ..." in repr(parsed)
    assert "8704******16" in repr(parsed) and "870412445016" not in repr(parsed)
    explained = insurrules.explain(case)
    assert repr(explained).startswith("Explanation(kz-osms on 2025-12-25: insured (contributions)")
    assert len(repr(explained)) < 200


def test_reprs_of_timelines_and_claims_objects_stay_short() -> None:
    from insurrules.claims import screen, summarize, synthetic_claims

    case = {
        "scheme": "kz-osms",
        "as_of": "2025-09-15",
        "person": {"id": "870412445016", "birth_date": "1987-04-12", "sex": "female"},
        "payments": [
            {
                "month": f"2024-{m:02d}",
                "paid_on": f"2024-{m:02d}-20",
                "amount": "4250",
                "payer": "self",
            }
            for m in range(1, 13)
        ],
    }
    timeline = insurrules.timeline(case, "2024-01-01", "2025-12-31")
    assert repr(timeline).startswith("Timeline(kz-osms 2024-01-01..2025-12-31")
    population = synthetic(300, seed=1)
    made = synthetic_claims(population, 100, 1)
    summary = summarize(screen(made.claims, population))
    for value in (timeline, made, summary):
        assert len(repr(value)) < 200, repr(value)[:300]
    assert repr(made).startswith("SyntheticClaims(100 claims, ")
    assert repr(summary).startswith("ClaimsSummary(claims=100, amount=")


def test_changes_by_basis_are_counted_on_the_side_that_holds_the_basis() -> None:
    shorter = compare(
        synthetic(4_000, seed=7, as_of="2026-10-15"),
        "2026-10-15",
        None,
        {"kz.grace.months": {"from 2026-07-01": 1}},
    )
    people = shorter.per_person
    losing = people.filter(pl.col("change") == "losing_cover")
    assert losing.height > 0  # a one-month grace ends some people's cover on this day
    by_basis = {r["basis"]: r for r in shorter.summary.by_basis.iter_rows(named=True)}
    assert {b: r["losing_cover"] for b, r in by_basis.items() if r["losing_cover"]} == counts(
        losing, "basis_baseline"
    )
    newly = people.filter(pl.col("change") == "newly_insured")
    assert {b: r["newly_insured"] for b, r in by_basis.items() if r["newly_insured"]} == counts(
        newly, "basis_reform"
    )
    by_category = shorter.summary.by_category
    valid = shorter.baseline["error"].is_null()
    for side, frame in (("baseline", shorter.baseline), ("reform", shorter.reform)):
        want = counts(frame.filter(valid), "state_category")
        want.pop("none", None)
        assert dict(by_category.select("state_category", f"persons_{side}").iter_rows()) == want


def test_every_count_is_an_int64_in_every_table(result: Comparison) -> None:
    """The counts are sums over the counted cells: one integer type whatever the table."""
    tables = [frame for _, frame in result.summary.tables()] + [result.summary.combined]
    for frame in tables:
        for name, dtype in frame.schema.items():
            if name.startswith(("persons", "insured", "newly", "losing", "state_months")) or (
                name in ("invalid", "changed", "unchanged", "change") and dtype != pl.String
            ):
                assert dtype == pl.Int64, (name, dtype)


def test_region_counts_equal_direct_counts_of_the_results() -> None:
    pop = synthetic(3_000, seed=11, as_of="2026-10-15")
    result = compare(pop, "2026-10-15", None, LONGER)
    regions = pop.persons["region"].fill_null("none")
    valid = result.baseline["error"].is_null()
    for row in result.summary.by_region.iter_rows(named=True):
        here = regions == row["region"]
        assert row["persons"] == here.sum()
        for side, frame in (("baseline", result.baseline), ("reform", result.reform)):
            insured = (frame["status"] == "insured") & here
            assert row[f"insured_{side}"] == insured.sum()
        was = (result.baseline["status"] == "insured") & valid & here
        now = (result.reform["status"] == "insured") & valid & here
        assert row["newly_insured"] == (now & ~was).sum()
        assert row["losing_cover"] == (was & ~now).sum()
