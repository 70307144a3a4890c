"""Compare a population under two rule sets: who changes, and what it costs the budgets.

>>> import insurrules
>>> from insurrules.population import compare, synthetic
>>> pop = synthetic(3_000, seed=2, as_of="2026-03-15")
>>> reform = insurrules.Reform.from_dict({"title": "36 months", "scheme": "kz-osms",
...     "changes": {"kz.grace.extended_after_months": {"from 2026-01-01": 36}}})
>>> result = compare(pop, "2026-03-15", None, reform)
>>> result
Comparison(kz-osms on 2026-03-15: 3,000 persons, ... newly insured, 0 losing cover, ...)
>>> result.summary.by_basis.columns
['basis', 'persons_baseline', 'persons_reform', 'change', 'newly_insured', 'losing_cover']
>>> result.summary.total["losing_cover"].item()
0

Costs use ``kz.state.monthly_contribution.<budget>`` (tenge per person per month; some values
are flagged unconfirmed in ``kz/parameters.toml``, and ``summary.cost["unconfirmed"]`` says so
per budget).
They count the months of the calendar year of ``as_of`` in which the state pays for a person,
as far as the facts known on ``as_of`` reach (memberships with a known end, the 18th
birthday, D/E cover to December...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from insurrules.errors import RulesError
from insurrules.kz.rules import default_rules
from insurrules.parameters import RuleSet
from insurrules.population.comparison_summary import ComparisonSummary, count_cells
from insurrules.population.kz.engine import evaluate_each
from insurrules.population.kz.tables import Population
from insurrules.population.synthetic_date import warn_if_after
from insurrules.population.tableset import RESULT_COLUMNS, as_of_date

if TYPE_CHECKING:
    from insurrules.population.vn.tables import VnPopulation
from insurrules.reform import Reform

__all__ = ["Comparison", "compare"]

#: what a reform may change for a person (``renew_by`` always equals ``insured_until``)
_COMPARED = tuple(c for c in RESULT_COLUMNS if c not in ("id", "renew_by", "error"))


@dataclass(frozen=True)
class Comparison:
    """The result of [`compare`][insurrules.population.comparison.compare].

    ``per_person``: one row per person whose result differs, with ``<column>_baseline`` and
    ``<column>_reform`` and ``change`` (``newly_insured``, ``losing_cover`` or ``changed``).
    ``summary``: a [`ComparisonSummary`][insurrules.population.comparison_summary.ComparisonSummary]
    of labelled tables — ``summary.total``, ``.by_basis``, ``.by_category``, ``.by_region``,
    ``.cost`` — each count named for its side (``_baseline`` or ``_reform``); ``print(summary)``
    formats them. ``summary.combined`` is the former single table (one row per ``dimension`` —
    ``total``, ``basis``, ``state_category``, ``region``, ``budget`` — and ``value``).
    ``baseline`` and ``reform``: the full [`evaluate`][insurrules.population.evaluate] results.
    """

    as_of: dt.date
    baseline_rules: RuleSet
    reform_rules: RuleSet
    baseline: pl.DataFrame
    reform: pl.DataFrame
    per_person: pl.DataFrame
    summary: ComparisonSummary

    def __repr__(self) -> str:
        total = self.summary.total.row(0, named=True)
        changed = ", ".join(self.reform_rules.changed) or "nothing"
        return (
            f"Comparison({self.reform_rules.scheme} on {self.as_of}: {total['persons']:,} persons,"
            f" {total['newly_insured']:,} newly insured, {total['losing_cover']:,} losing cover,"
            f" {total['changed']:,} otherwise changed; reform changes {changed})"
        )

    def _repr_html_(self) -> str:  # Jupyter; the rendering lives in insurrules.notebook
        from insurrules.notebook import comparison_html

        return comparison_html(self)

    def plot(self) -> Any:
        """A matplotlib ``Figure``: status changes by basis, and state cost by budget.

        A panel with nothing to show is left out (no status changes; no budgets, as for
        vn-bhyt); when both are empty the figure says so. Costs that rest on a per-person
        amount flagged unconfirmed in the rules are marked. Needs the ``plot`` extra
        (``pip install insurrules[plot]``).
        """
        from insurrules.population.comparison_plot import comparison_figure

        return comparison_figure(self)


def _resolve(
    rules: RuleSet | Reform | Mapping[str, Any] | None,
    base: RuleSet | None,
    scheme: str = "kz-osms",
) -> RuleSet:
    if rules is None:
        return base or _scheme_rules(scheme)
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, Reform):
        return rules.apply(base or _scheme_rules(scheme))
    if isinstance(rules, Mapping):
        return (base or _scheme_rules(scheme)).with_changes(rules)
    raise RulesError(f"expected a RuleSet, a Reform or a mapping of changes, got {type(rules)}")


def _scheme_rules(scheme: str) -> RuleSet:
    if scheme == "vn-bhyt":
        from insurrules.vn.rules import default_rules as vn_rules

        return vn_rules()
    return default_rules()


def _rate(rules: RuleSet, budget: str, year: int) -> tuple[Decimal | None, bool]:
    name = f"kz.state.monthly_contribution.{budget}"
    if name not in rules:
        return None, True
    entry = rules[name].entry(dt.date(year, 1, 1))
    if entry is None or entry.value is None:
        return None, True
    return Decimal(entry.value), entry.unconfirmed


def _vn_money(vn: bool) -> dict[str, str]:
    if not vn:
        return {}
    from insurrules.population.vn.costs import UNCONFIRMED_NOTE

    return {"currency": "đồng", "note": UNCONFIRMED_NOTE}


def _ids_and_region(population: Population | VnPopulation) -> pl.DataFrame:
    """``id`` (and ``region``, when the persons table has one) of every person, in order."""
    from insurrules.population.vn.tables import VnPopulation

    if (
        isinstance(population, VnPopulation)
        and "region" not in population.sources["persons"].schema
    ):
        # the ids as evaluate_vn read them: the persons table is not read again into its
        # schema's types (a second pass over every column) for one column already in memory
        return population.loaded.persons.ids.alias("id").to_frame()
    return population.persons.select(
        "id", *(["region"] if "region" in population.persons.columns else [])
    )


def compare(
    population: Population | VnPopulation,
    as_of: dt.date | str,
    baseline: RuleSet | Reform | Mapping[str, Any] | None,
    reform: RuleSet | Reform | Mapping[str, Any],
) -> Comparison:
    """Evaluate ``population`` on ``as_of`` under ``baseline`` (``None``: the rules in force) and
    under ``reform`` (a [`RuleSet`][insurrules.parameters.RuleSet], a
    [`Reform`][insurrules.reform.Reform] applied to the baseline, or a mapping of changes for
    ``RuleSet.with_changes``), and compare.

    A vn-bhyt population ([`VnPopulation`][insurrules.population.vn.tables.VnPopulation]) is
    compared by status, basis and category, and by what the state pays in the year of ``as_of``
    (`insurrules.population.vn.costs`): a ``budget`` row ``state`` (card-months and cost, đồng)
    and one ``state_group`` row per group the state pays for (fully state-paid groups and the
    state's share for support groups); ``baseline``/``reform`` carry the per-person cost columns.
    """
    day = as_of_date(as_of)
    warn_if_after(population, day)
    base_rules = _resolve(baseline, None, population.scheme)
    reform_rules = _resolve(reform, base_rules, population.scheme)
    vn_groups: tuple[pl.DataFrame | None, pl.DataFrame | None] | None = None
    if population.scheme == "vn-bhyt":
        from insurrules.population.vn.engine import evaluate_each as evaluate_vn_each

        (before, before_groups), (after, after_groups) = evaluate_vn_each(
            population,  # type: ignore[arg-type]
            day,
            [base_rules, reform_rules],
        )
        vn_groups = (before_groups, after_groups)
    else:
        assert isinstance(population, Population)
        before, after = evaluate_each(population, day, [base_rules, reform_rules], extras=True)
    budgets = [
        c.removeprefix("state_months_") for c in before.columns if c.startswith("state_months_")
    ]

    joined = (
        before.select(*_COMPARED, "error")
        .rename({c: f"{c}_baseline" for c in _COMPARED})
        .hstack(after.select(*_COMPARED).rename({c: f"{c}_reform" for c in _COMPARED}))
    )
    joined = pl.concat([_ids_and_region(population), joined], how="horizontal")
    was = pl.col("status_baseline") == "insured"
    now = pl.col("status_reform") == "insured"
    differs = pl.any_horizontal(
        pl.col(f"{c}_baseline").ne_missing(pl.col(f"{c}_reform")) for c in _COMPARED
    )
    joined = joined.with_columns(
        pl.when(pl.col("error").is_not_null())
        .then(pl.lit("invalid"))
        .when(~was & now)
        .then(pl.lit("newly_insured"))
        .when(was & ~now)
        .then(pl.lit("losing_cover"))
        .when(differs)
        .then(pl.lit("changed"))
        .otherwise(pl.lit("unchanged"))
        .alias("change")
    )
    per_person = joined.filter(pl.col("change").is_in(["newly_insured", "losing_cover", "changed"]))

    cells = count_cells(joined)
    n, change = pl.col("n"), pl.col("change")
    counts = [
        n.filter(change == "newly_insured").sum().alias("newly_insured"),
        n.filter(change == "losing_cover").sum().alias("losing_cover"),
        n.filter(change.is_in(["unchanged", "changed"])).sum().alias("unchanged"),
        n.filter(change == "invalid").sum().alias("invalid"),
        n.sum().alias("persons"),
        n.filter(pl.col("status_baseline") == "insured").sum().alias("insured_baseline"),
        n.filter(pl.col("status_reform") == "insured").sum().alias("insured_reform"),
    ]
    frames = [
        cells.select(pl.lit("total").alias("dimension"), pl.lit("all").alias("value"), *counts)
    ]
    keys = {
        "basis": pl.coalesce("basis_reform", "basis_baseline"),
        "state_category": pl.coalesce("state_category_reform", "state_category_baseline"),
    }
    if "region" in cells.columns:
        keys["region"] = pl.col("region")
    frames.extend(
        cells.group_by(key.fill_null("none").alias("value"))
        .agg(counts)
        .select(pl.lit(dim).alias("dimension"), pl.all())
        .sort("value")
        for dim, key in keys.items()
    )
    budget_rows = []
    total_months = {"baseline": 0, "reform": 0}
    total_cost: dict[str, Decimal | None] = {"baseline": Decimal(0), "reform": Decimal(0)}
    unconfirmed_any = False
    for budget in budgets:
        row: dict[str, Any] = {"dimension": "budget", "value": budget}
        for label, res, rules in (
            ("baseline", before, base_rules),
            ("reform", after, reform_rules),
        ):
            months = int(res[f"state_months_{budget}"].sum())
            rate, unconfirmed = _rate(rules, budget, day.year)
            cost = None if rate is None else rate * months
            row[f"state_months_{label}"] = months
            row[f"cost_{label}"] = cost
            total_months[label] += months
            previous = total_cost[label]
            total_cost[label] = None if previous is None or cost is None else previous + cost
            unconfirmed_any = unconfirmed_any or (unconfirmed and months > 0)
            row["cost_unconfirmed"] = row.get("cost_unconfirmed", False) or unconfirmed
        budget_rows.append(row)
    group_rows: list[dict[str, Any]] = []
    if vn_groups is not None:  # vn-bhyt: card-months and costs read from the card chains
        from insurrules.population.vn.costs import cost_rows

        vn_budget, group_rows = cost_rows(*vn_groups, base_rules, reform_rules)
        budget_rows.append(vn_budget)
        budgets = ["state"]
        for label in ("baseline", "reform"):
            total_months[label] = vn_budget[f"state_months_{label}"]
            total_cost[label] = vn_budget[f"cost_{label}"]
        unconfirmed_any = vn_budget["cost_unconfirmed"]
    money = pl.Decimal(precision=24, scale=2)
    extra_schema: dict[str, Any] = {
        "state_months_baseline": pl.Int64,
        "cost_baseline": money,
        "state_months_reform": pl.Int64,
        "cost_reform": money,
        "cost_unconfirmed": pl.Boolean,
    }
    budget_frame = pl.DataFrame(
        budget_rows, schema={"dimension": pl.String, "value": pl.String, **extra_schema}
    )
    summary = pl.concat(frames, how="vertical_relaxed").with_columns(
        pl.lit(None, dtype=dtype).alias(name) for name, dtype in extra_schema.items()
    )
    summary = summary.with_columns(
        pl.when(pl.col("dimension") == "total")
        .then(pl.lit(value, dtype=extra_schema[name]))
        .otherwise(pl.col(name))
        .alias(name)
        for name, value in (
            ("state_months_baseline", total_months["baseline"] if budgets else None),
            ("cost_baseline", total_cost["baseline"] if budgets else None),
            ("state_months_reform", total_months["reform"] if budgets else None),
            ("cost_reform", total_cost["reform"] if budgets else None),
            ("cost_unconfirmed", unconfirmed_any if budgets else None),
        )
    )
    budget_counts = (
        cells.group_by(pl.coalesce("budget_reform", "budget_baseline").alias("value"))
        .agg(counts)
        .drop_nulls("value")
    )
    budget_frame = budget_frame.join(budget_counts, on="value", how="left").with_columns(
        pl.col(c).fill_null(0)
        for c in (
            "newly_insured",
            "losing_cover",
            "unchanged",
            "invalid",
            "persons",
            "insured_baseline",
            "insured_reform",
        )
    )
    summary = pl.concat([summary, budget_frame.select(summary.columns)], how="vertical_relaxed")
    if group_rows:
        groups = pl.DataFrame(
            group_rows, schema={"dimension": pl.String, "value": pl.String, **extra_schema}
        )
        summary = pl.concat([summary, groups], how="diagonal_relaxed").select(summary.columns)
    return Comparison(
        as_of=day,
        baseline_rules=base_rules,
        reform_rules=reform_rules,
        baseline=before.drop([c for c in before.columns if c.startswith("state_months_")]),
        reform=after.drop([c for c in after.columns if c.startswith("state_months_")]),
        per_person=per_person,
        summary=ComparisonSummary.of(cells, summary, **_vn_money(vn_groups is not None)),
    )
