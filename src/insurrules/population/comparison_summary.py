"""What a comparison says, as separate labelled tables: ``Comparison.summary``.

Every count says which side it is: ``_baseline`` (the rules compared against, by default those
in force) or ``_reform``. Tables are polars frames with exact numbers (money as ``Decimal``);
printing the summary, or showing it in a notebook, formats them (thousands separators, money to
the tenge cent).

* ``total``: one row — ``persons``, ``invalid`` (records that fail the checks; on neither side),
  ``insured_baseline``, ``insured_reform``, ``newly_insured``, ``losing_cover``, ``changed``
  (insured on both sides, or on neither, but with another basis, end date...), ``unchanged``;
* ``by_basis``: per basis of cover (``none`` for the uninsured), ``persons_baseline`` and
  ``persons_reform`` holding it, ``change`` (reform minus baseline), ``newly_insured`` (counted
  under their reform basis) and ``losing_cover`` (under their baseline basis);
* ``by_category``: the same per state-paid category (persons in no category are not listed);
* ``by_region``: per region of the persons table (empty when it has no ``region`` column):
  ``persons``, ``insured_baseline``, ``insured_reform``, ``newly_insured``, ``losing_cover``;
* ``cost``: per budget, then a ``total`` row: ``persons_baseline`` / ``persons_reform`` the
  budget pays for on ``as_of``, ``state_months_*`` it pays in the calendar year of ``as_of``,
  ``cost_*`` (tenge, ``Decimal``), ``cost_change``, and ``unconfirmed``: the cost rests on a
  per-person amount the rules flag unconfirmed (``kz.state.monthly_contribution.<budget>``).

``combined`` is the former single table (one row per ``dimension`` and ``value``), kept for
code written against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any, ClassVar

import polars as pl

__all__ = ["ComparisonSummary", "count_cells", "format_amount", "format_count"]

_SIDES = ("baseline", "reform")
#: what the tables count persons by, on each side (with ``change`` and ``region``)
_COUNTED_BY = ("status", "basis", "state_category", "budget")


def count_cells(joined: pl.DataFrame) -> pl.DataFrame:
    """Persons (``n``) per distinct combination of what the tables count by.

    This is the one pass over the population: every table of the summary and of ``combined`` is
    a sum over these cells (a few hundred rows for a million persons), not another group-by of
    text columns over every person.
    """
    keys = [pl.col(f"{c}_{s}") for c in _COUNTED_BY for s in _SIDES] + [pl.col("change")]
    if "region" in joined.columns:
        keys.append(pl.col("region").cast(pl.String))
    return joined.group_by(keys).agg(pl.len().cast(pl.Int64).alias("n"))


def format_count(value: Any) -> str:
    return "-" if value is None else f"{int(value):,}"


def format_amount(value: Any) -> str:
    """Tenge with thousands separators, to the cent: ``4,135,320,602.00``."""
    if value is None:
        return "-"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


@dataclass(frozen=True, repr=False)
class ComparisonSummary:
    """The labelled tables of a comparison (see the module docstring for every column)."""

    total: pl.DataFrame
    by_basis: pl.DataFrame
    by_category: pl.DataFrame
    by_region: pl.DataFrame
    cost: pl.DataFrame
    combined: pl.DataFrame
    #: the scheme's money and what its unconfirmed costs rest on (vn-bhyt: đồng, vn.state.rate)
    currency: str = "tenge"
    note: str = ""

    TABLES: ClassVar[tuple[str, ...]] = ("total", "by_basis", "by_category", "by_region", "cost")
    TITLES: ClassVar[dict[str, str]] = {
        "total": "All persons",
        "by_basis": "By basis of cover (persons holding it under each rule set)",
        "by_category": "By state-paid category (persons in it under each rule set)",
        "by_region": "By region",
        "cost": "State contributions in the year, by budget (tenge)",
    }

    @classmethod
    def of(
        cls,
        cells: pl.DataFrame,
        combined: pl.DataFrame,
        *,
        currency: str = "tenge",
        note: str = "",
    ) -> ComparisonSummary:
        """The tables from the persons counted per cell ([`count_cells`][insurrules.population.
        comparison_summary.count_cells] of the per-person comparison) and the combined table
        ``compare`` builds."""
        n, change = pl.col("n"), pl.col("change")
        valid = cells.filter(change != "invalid")
        total = cells.select(
            n.sum().alias("persons"),
            n.filter(change == "invalid").sum().alias("invalid"),
            *(
                n.filter(pl.col(f"status_{s}") == "insured").sum().alias(f"insured_{s}")
                for s in _SIDES
            ),
            *(n.filter(change == c).sum().alias(c) for c in _CHANGES),
        ).cast(pl.Int64)
        return cls(
            total=total,
            by_basis=_sides(valid, "basis", keep_none=True),
            by_category=_sides(valid, "state_category", keep_none=False),
            by_region=_by_region(cells),
            cost=_cost(valid, combined),
            combined=combined,
            currency=currency,
            note=note,
        )

    def tables(self) -> list[tuple[str, pl.DataFrame]]:
        return [(name, getattr(self, name)) for name in self.TABLES]

    def __repr__(self) -> str:
        row = self.total.row(0, named=True)
        return (
            f"ComparisonSummary(persons={row['persons']:,}, newly_insured="
            f"{row['newly_insured']:,}, losing_cover={row['losing_cover']:,}; tables: "
            + ", ".join(self.TABLES)
            + ")"
        )

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, names: list[str] | None = None) -> str:
        """The tables ``names`` (default: all but empty ones) as titled text tables."""
        parts = []
        for name, frame in self.tables():
            if frame.height == 0 or (names is not None and name not in names):
                continue
            rows = _formatted(frame)
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            lines = [
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(r, widths, strict=True))
                )
                for r in rows
            ]
            lines.insert(1, "  ".join("-" * w for w in widths))
            parts.append(f"{self._title(name)} — summary.{name}\n" + "\n".join(lines))
        if self.unconfirmed:
            parts.append(self.note or UNCONFIRMED_NOTE)
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        out = []
        for name, frame in self.tables():
            if frame.height == 0:
                continue
            head, *body = _formatted(frame)
            cells = "".join(f"<th>{escape(c)}</th>" for c in head)
            rows = "".join(
                "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in body
            )
            out.append(
                f"<p><b>{escape(self._title(name))}</b> <code>summary.{name}</code></p>"
                f"<table><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>"
            )
        if self.unconfirmed:
            out.append(f"<p><i>{escape(self.note or UNCONFIRMED_NOTE)}</i></p>")
        return "<div>" + "".join(out) + "</div>"

    def _title(self, name: str) -> str:
        return self.TITLES[name].replace("(tenge)", f"({self.currency})")

    @property
    def unconfirmed(self) -> bool:
        """A cost rests on a per-person amount flagged unconfirmed in the rules."""
        return bool(self.cost.height and self.cost["unconfirmed"].any())


_CHANGES = ("newly_insured", "losing_cover", "changed", "unchanged")

UNCONFIRMED_NOTE = (
    "costs rest on per-person state contributions flagged unconfirmed in the rules "
    "(kz.state.monthly_contribution.<budget>)"
)


def _sides(valid: pl.DataFrame, column: str, *, keep_none: bool) -> pl.DataFrame:
    """Persons per value of ``column`` under each rule set, and the changes counted there."""
    n, change = pl.col("n"), pl.col("change")
    counts = [
        valid.group_by(pl.col(f"{column}_{s}").fill_null("none").alias(column)).agg(
            n.sum().alias(f"persons_{s}")
        )
        for s in _SIDES
    ]
    newly = (
        valid.filter(change == "newly_insured")
        .group_by(pl.col(f"{column}_reform").fill_null("none").alias(column))
        .agg(n.sum().alias("newly_insured"))
    )
    losing = (
        valid.filter(change == "losing_cover")
        .group_by(pl.col(f"{column}_baseline").fill_null("none").alias(column))
        .agg(n.sum().alias("losing_cover"))
    )
    values = pl.concat([c.select(column) for c in counts]).unique()
    table = values
    for part in (*counts, newly, losing):
        table = table.join(part, on=column, how="left")
    table = table.with_columns(
        pl.col("persons_baseline", "persons_reform", "newly_insured", "losing_cover")
        .fill_null(0)
        .cast(pl.Int64)
    ).with_columns((pl.col("persons_reform") - pl.col("persons_baseline")).alias("change"))
    if not keep_none:
        table = table.filter(pl.col(column) != "none")
    return table.select(
        column, "persons_baseline", "persons_reform", "change", "newly_insured", "losing_cover"
    ).sort(column)


def _by_region(cells: pl.DataFrame) -> pl.DataFrame:
    schema = {
        "region": pl.String,
        "persons": pl.Int64,
        "insured_baseline": pl.Int64,
        "insured_reform": pl.Int64,
        "newly_insured": pl.Int64,
        "losing_cover": pl.Int64,
    }
    if "region" not in cells.columns:
        return pl.DataFrame(schema=schema)
    n, change = pl.col("n"), pl.col("change")
    return (
        cells.group_by(pl.col("region").fill_null("none"))
        .agg(
            n.sum().alias("persons"),
            *(
                n.filter(pl.col(f"status_{s}") == "insured").sum().alias(f"insured_{s}")
                for s in _SIDES
            ),
            n.filter(change == "newly_insured").sum().alias("newly_insured"),
            n.filter(change == "losing_cover").sum().alias("losing_cover"),
        )
        .sort("region")
        .cast(schema)  # type: ignore[arg-type]
    )


def _cost(valid: pl.DataFrame, combined: pl.DataFrame) -> pl.DataFrame:
    money = pl.Decimal(precision=24, scale=2)
    schema: dict[str, Any] = {
        "budget": pl.String,
        "persons_baseline": pl.Int64,
        "persons_reform": pl.Int64,
        "state_months_baseline": pl.Int64,
        "state_months_reform": pl.Int64,
        "cost_baseline": money,
        "cost_reform": money,
        "cost_change": money,
        "unconfirmed": pl.Boolean,
    }
    budgets = combined.filter(pl.col("dimension") == "budget")
    if budgets.height == 0:
        return pl.DataFrame(schema=schema)
    rows: list[dict[str, Any]] = []
    for r in budgets.iter_rows(named=True):
        row: dict[str, Any] = {"budget": r["value"]}
        for s in _SIDES:
            row[f"persons_{s}"] = int(valid.filter(pl.col(f"budget_{s}") == r["value"])["n"].sum())
            row[f"state_months_{s}"] = r[f"state_months_{s}"]
            row[f"cost_{s}"] = r[f"cost_{s}"]
        row["unconfirmed"] = bool(r["cost_unconfirmed"]) and bool(
            row["state_months_baseline"] or row["state_months_reform"]
        )
        rows.append(row)
    total: dict[str, Any] = {"budget": "total", "unconfirmed": any(r["unconfirmed"] for r in rows)}
    for key in ("persons", "state_months", "cost"):
        for s in _SIDES:
            values = [r[f"{key}_{s}"] for r in rows]
            total[f"{key}_{s}"] = None if None in values else sum(values)
    rows.append(total)
    for row in rows:
        before, after = row["cost_baseline"], row["cost_reform"]
        row["cost_change"] = None if before is None or after is None else after - before
    return pl.DataFrame(rows, schema=schema)


def _formatted(frame: pl.DataFrame) -> list[list[str]]:
    """The header and the rows as text: counts with separators, money to the cent."""
    head = list(frame.columns)
    body = []
    for row in frame.iter_rows():
        cells = []
        for name, value in zip(head, row, strict=True):
            if isinstance(value, bool):
                cells.append("yes" if value else "no")
            elif name.startswith("cost"):
                cells.append(format_amount(value))
            elif isinstance(value, int):
                cells.append(format_count(value))
            else:
                cells.append("-" if value is None else str(value))
        body.append(cells)
    return [head, *body]
