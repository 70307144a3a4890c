"""What an auditor reads first: flagged claims and amounts by flag, provider and month.

Amounts are summed exactly (``Decimal``); a claim whose amount is invalid counts as a claim but
adds nothing to an amount. A claim with several flags counts once under each of its flags, and
once in the ``flagged`` totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from insurrules.claims.schema import AMOUNT_DTYPE, prepare

__all__ = ["ClaimsSummary", "summarize"]


@dataclass(frozen=True)
class ClaimsSummary:
    """Counts and amounts of a screened claims table.

    ``by_flag``: ``flag, claims, amount`` (every flag of [`FLAGS`][insurrules.claims.screen.FLAGS],
    zero rows included). ``by_provider`` and ``by_month`` (``month`` as ``YYYY-MM``, null for an
    invalid date): ``provider|month, claims, amount, flagged, flagged_amount``, then ``<flag>`` and
    ``<flag>_amount`` for every flag.
    """

    claims: int
    amount: Decimal
    flagged: int
    flagged_amount: Decimal
    by_flag: pl.DataFrame
    by_provider: pl.DataFrame
    by_month: pl.DataFrame

    def __repr__(self) -> str:  # the tables themselves: .by_flag, .by_provider, .by_month
        return (
            f"ClaimsSummary(claims={self.claims:,}, amount={self.amount:,.2f},"
            f" flagged={self.flagged:,}, flagged_amount={self.flagged_amount:,.2f})"
        )

    def to_text(self, top: int = 10) -> str:
        """A plain-text report: totals, the flags, the ``top`` providers and every month."""
        lines = [
            f"claims screened: {self.claims:,} totalling {_money(self.amount)}",
            f"claims flagged:  {self.flagged:,} totalling {_money(self.flagged_amount)}",
            "",
            f"{'flag':<16} {'claims':>10} {'amount':>18}",
        ]
        for flag, claims, amount in self.by_flag.iter_rows():
            lines.append(f"{flag:<16} {claims:>10,} {_money(amount):>18}")
        lines += ["", f"providers by flagged amount (top {top}):"]
        lines.append(f"{'provider':<16} {'claims':>10} {'flagged':>10} {'flagged amount':>18}")
        ranked = self.by_provider.filter(pl.col("flagged") > 0).sort(
            ["flagged_amount", "flagged", "provider"], descending=[True, True, False]
        )
        for row in ranked.head(top).iter_rows(named=True):
            lines.append(
                f"{row['provider'] or '(missing)':<16} {row['claims']:>10,} "
                f"{row['flagged']:>10,} {_money(row['flagged_amount']):>18}"
            )
        lines += ["", "by month:"]
        lines.append(f"{'month':<16} {'claims':>10} {'flagged':>10} {'flagged amount':>18}")
        for row in self.by_month.iter_rows(named=True):
            lines.append(
                f"{row['month'] or '(no date)':<16} {row['claims']:>10,} "
                f"{row['flagged']:>10,} {_money(row['flagged_amount']):>18}"
            )
        return "\n".join(lines)


def _money(value: Decimal | None) -> str:
    return f"{value or Decimal(0):,.2f}"


def _total(frame: pl.DataFrame, column: str) -> Decimal:
    value = frame[column].sum()
    return Decimal(0) if value is None else Decimal(value)


def summarize(screened: pl.DataFrame) -> ClaimsSummary:
    """Summarise the result of [`screen`][insurrules.claims.screen.screen]."""
    from insurrules.claims.screen import FLAGS

    if "flags" not in screened.columns:
        raise ValueError("flags: not a screened table (run insurrules.claims.screen first)")
    work = (
        prepare(screened.drop("flags", "reasons", strict=False))
        .select(
            "provider",
            pl.col("service_date").dt.strftime("%Y-%m").alias("month"),
            pl.col("amount").fill_null(0).cast(AMOUNT_DTYPE),
        )
        .with_columns(screened["flags"])
    )
    zero = pl.lit(0, dtype=AMOUNT_DTYPE)
    has = {flag: pl.col("flags").list.contains(flag) for flag in FLAGS}
    flagged = pl.col("flags").list.len() > 0

    def cube(key: str) -> pl.DataFrame:
        aggs: list[pl.Expr] = [
            pl.len().cast(pl.Int64).alias("claims"),
            pl.col("amount").sum().alias("amount"),
            flagged.sum().cast(pl.Int64).alias("flagged"),
            pl.when(flagged).then("amount").otherwise(zero).sum().alias("flagged_amount"),
        ]
        for flag, expr in has.items():
            aggs.append(expr.sum().cast(pl.Int64).alias(flag))
            aggs.append(pl.when(expr).then("amount").otherwise(zero).sum().alias(f"{flag}_amount"))
        return work.group_by(key).agg(aggs).sort(key, nulls_last=True)

    exploded = work.select("amount", pl.col("flags")).explode("flags").drop_nulls("flags")
    by_flag = (
        pl.DataFrame({"flag": list(FLAGS)})
        .join(
            exploded.group_by("flags").agg(
                pl.len().cast(pl.Int64).alias("claims"), pl.col("amount").sum()
            ),
            left_on="flag",
            right_on="flags",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("claims").fill_null(0), pl.col("amount").fill_null(zero))
    )
    return ClaimsSummary(
        claims=work.height,
        amount=_total(work, "amount"),
        flagged=int(work.select(flagged.sum()).item()),
        flagged_amount=_total(work.filter(flagged), "amount"),
        by_flag=by_flag,
        by_provider=cube("provider"),
        by_month=cube("month"),
    )
