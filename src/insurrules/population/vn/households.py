"""A household's renewal priced for a date: each member's form, ladder rank and amount.

Where the persons table gives a ``household_id``, the members of one household are read in the
order of the table, and their places on the household ladder (R2) are derived as
`insurrules.vn.household_contributions` derives them — by calling it, once per distinct
household make-up: members of a fully state-paid group on the day (their state-paid card is
valid, the child card included) pay nothing and take no rank; members of a support group
covering the day pay their share off the ladder; the others are ranked 1, 2, 3... A person
without a ``household_id`` is a household of one. The single-member ``household_rank`` column,
which a case document carries, is left as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from insurrules.parameters import RuleSet
from insurrules.population.tableset import as_of_date
from insurrules.population.vn.engine import evaluate_vn
from insurrules.population.vn.tables import VnPopulation
from insurrules.vn.household import Member, household_contributions
from insurrules.vn.rules import SUPPORT_GROUPS, default_rules

__all__ = ["household_renewal"]


def household_renewal(
    population: VnPopulation,
    on: dt.date | str,
    months: int = 12,
    rules: RuleSet | None = None,
) -> pl.DataFrame:
    """Per person, in input order: ``id``, ``household_id``, ``form`` (``household``,
    ``supported`` or ``state_paid``), ``rank`` (the derived place on the ladder; null off it),
    ``support_group``, ``state_group`` and ``amount`` (what the member pays for a card of
    ``months`` bought on ``on``, đồng). A person whose records are invalid gets nulls and the
    ``error``. Group by ``household_id`` and sum ``amount`` for the household's bill.

    >>> from insurrules.population.vn.synthesis import synthetic_vn
    >>> view = household_renewal(synthetic_vn(200, seed=3), "2026-03-15")
    >>> view.columns
    ['id', 'household_id', 'form', 'rank', 'support_group', 'state_group', 'amount', 'error']
    """
    day = as_of_date(on)
    rule_set = rules or default_rules()
    decided = evaluate_vn(population, day, rule_set)
    persons = population.persons
    household = (
        persons["household_id"].cast(pl.String)
        if "household_id" in persons.columns
        else pl.Series("household_id", [None] * persons.height, dtype=pl.String)
    )
    mem = population.memberships.with_columns(
        pl.Series("_row", population.record_rows()["memberships"])
    )
    support = (
        mem.filter(
            pl.col("code").cast(pl.String).is_in(list(SUPPORT_GROUPS))
            & (pl.col("start") <= day)
            & (pl.col("end").is_null() | (pl.col("end") >= day))
        )
        .group_by("_row")
        .agg(pl.col("code").cast(pl.String).first().alias("support_group"))
    )
    frame = (
        pl.DataFrame(
            {
                "_row": pl.int_range(persons.height, eager=True, dtype=pl.Int64),
                "id": persons["id"].cast(pl.String),
                "household_id": household,
                "state_group": decided["state_category"],
                "error": decided["error"],
            }
        )
        .join(support, on="_row", how="left", maintain_order="left")
        .with_columns(
            # a person alone in a household of their own when no household is given
            pl.coalesce("household_id", pl.lit("\x00") + pl.col("_row").cast(pl.String)).alias(
                "_household"
            ),
            pl.when(pl.col("error").is_not_null())
            .then(None)
            .when(pl.col("state_group").is_not_null())
            .then(pl.lit("P:") + pl.col("state_group"))
            .when(pl.col("support_group").is_not_null())
            .then(pl.lit("S:") + pl.col("support_group"))
            .otherwise(pl.lit("H"))
            .alias("_member"),
        )
    )
    valid = frame.filter(pl.col("_member").is_not_null())
    shapes = valid.group_by("_household", maintain_order=True).agg(
        pl.col("_row"), pl.col("_member").str.join("|").alias("_shape")
    )
    bills: dict[str, list[tuple[str, int | None, Any]]] = {}
    for shape in shapes["_shape"].unique().to_list():
        members = [_member(code) for code in shape.split("|")]
        bill = household_contributions(members, day, months, rules=rule_set)
        bills[shape] = [(m.form, m.rank, m.amount) for m in bill.members]
    priced = shapes.select(
        pl.col("_row"),
        pl.col("_shape")
        .replace_strict(
            {k: [f for f, _, _ in v] for k, v in bills.items()}, return_dtype=pl.List(pl.String)
        )
        .alias("form"),
        pl.col("_shape")
        .replace_strict(
            {k: [r for _, r, _ in v] for k, v in bills.items()}, return_dtype=pl.List(pl.Int64)
        )
        .alias("rank"),
        pl.col("_shape")
        .replace_strict(
            {k: [str(a) for _, _, a in v] for k, v in bills.items()},
            return_dtype=pl.List(pl.String),
        )
        .alias("amount"),
    ).explode("_row", "form", "rank", "amount")
    return (
        frame.join(priced, on="_row", how="left", maintain_order="left")
        .with_columns(pl.col("amount").cast(pl.Decimal(24, 0)))
        .select(
            "id", "household_id", "form", "rank", "support_group", "state_group", "amount", "error"
        )
    )


def _member(code: str) -> Member:
    kind, _, group = code.partition(":")
    if kind == "P":
        return Member(state_paid=group)
    if kind == "S":
        return Member(support=group)
    return Member()
