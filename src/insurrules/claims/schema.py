"""The claims table: its columns, and the checks made before any claim is screened.

A claims table (one row per billed service) has the columns of
[`CLAIM_COLUMNS`][insurrules.claims.schema.CLAIM_COLUMNS]. Problems with the table itself (a missing
column, a column of a type that cannot hold its values exactly) are reported together in one
[`ClaimsTableError`][insurrules.claims.schema.ClaimsTableError] before any work. Problems in a row
(a date that is not a date, a negative amount, an unknown funding source) never drop the row: they
become an ``invalid`` flag whose reason names the field
([`prepare`][insurrules.claims.schema.prepare]).
"""

from __future__ import annotations

from typing import Final

import polars as pl

from insurrules.errors import InsurrulesError

__all__ = [
    "CLAIM_COLUMNS",
    "FUNDING",
    "ClaimsTableError",
    "prepare",
]

#: column -> what it holds. Money is exact: amounts are strings, integers or decimals, never
#: floats; person ids are strings because an IIN may start with zeros (born in 2000-2009).
CLAIM_COLUMNS: Final[dict[str, str]] = {
    "claim_id": "the claim's identifier in the billing system (string or integer)",
    "person_id": "the patient's IIN, 12 digits (string)",
    "service_date": "the day the service was given (date, or ISO YYYY-MM-DD string)",
    "service_code": "the billed service's code (string)",
    "provider": "the billing provider's code (string)",
    "amount": "the billed amount in tenge, at most 2 decimals (decimal, integer or string)",
    "funding": "who pays: 'osms' (the insurance fund) or 'guaranteed' (the free package, GOBMP)",
}

#: funding sources: the OSMS package, paid by the Social Health Insurance Fund for the insured
#: (Law 405-V art. 7), and the guaranteed volume of free care (GOBMP, Code on Health art. 196),
#: owed to everyone.
FUNDING: Final[tuple[str, ...]] = ("osms", "guaranteed")

_INTEGER = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_TEXT = (pl.String, pl.Categorical, pl.Enum)
_ACCEPTED: Final[dict[str, tuple[str, tuple[object, ...]]]] = {
    "claim_id": ("a string or integer", (*_TEXT, *_INTEGER)),
    "person_id": ("a string (an IIN keeps its leading zeros)", _TEXT),
    "service_date": ("a date or an ISO date string", (pl.Date, *_TEXT)),
    "service_code": ("a string or integer", (*_TEXT, *_INTEGER)),
    "provider": ("a string or integer", (*_TEXT, *_INTEGER)),
    "amount": (
        "a decimal, integer or string (floats are not exact money)",
        (pl.Decimal, pl.String, *_INTEGER),
    ),
    "funding": ("a string", _TEXT),
}

#: tenge are divided into 100 tiyn; more decimals would be rounded, so they are refused.
_AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: a 12-digit run (an IIN) echoed from a bad cell is masked like ``insurrules.errors.mask_id``
_TWELVE_DIGITS = r"(^|[^0-9])([0-9]{4})[0-9]{6}([0-9]{2})([^0-9]|$)"
#: scale of the exact amount column used internally
AMOUNT_DTYPE: Final = pl.Decimal(38, 2)


class ClaimsTableError(InsurrulesError, ValueError):
    """The claims table cannot be screened as given; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("claims table: " + "; ".join(problems))
        self.problems: tuple[str, ...] = tuple(problems)


def _accepted(dtype: pl.DataType, allowed: tuple[object, ...]) -> bool:
    return any(dtype == a or (isinstance(a, type) and isinstance(dtype, a)) for a in allowed)


def check_table(claims: object) -> pl.DataFrame:
    """The claims as a polars frame, or
    [`ClaimsTableError`][insurrules.claims.schema.ClaimsTableError] listing every problem."""
    if isinstance(claims, pl.LazyFrame):
        claims = claims.collect()
    if not isinstance(claims, pl.DataFrame):
        raise ClaimsTableError([f"expected a polars DataFrame, got {type(claims).__name__}"])
    problems: list[str] = []
    schema = claims.schema
    for name, (wanted, allowed) in _ACCEPTED.items():
        if name not in schema:
            problems.append(f"{name}: missing column ({CLAIM_COLUMNS[name]})")
        elif not _accepted(schema[name], allowed):
            problems.append(f"{name}: column of type {schema[name]}, expected {wanted}")
    taken = [c for c in ("flags", "reasons") if c in schema]
    for name in taken:
        problems.append(f"{name}: the input already has this column, which screening adds")
    if problems:
        raise ClaimsTableError(problems)
    return claims


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def prepare(claims: object) -> pl.DataFrame:
    """The normalised working table, one row per claim in input order.

    Columns: ``row`` (position in the input), ``claim_id``, ``person_id``, ``service_code``,
    ``provider``, ``funding`` (strings), ``service_date`` (``Date``, null when invalid),
    ``amount`` (``Decimal(38, 2)``, null when invalid) and ``invalid`` (the reason naming each bad
    field, null when the row is valid).
    """
    table = check_table(claims)
    date_dtype = table.schema["service_date"]
    amount_dtype = table.schema["amount"]

    if date_dtype == pl.Date:
        service_date = pl.col("service_date")
        bad_date = pl.col("service_date").is_null()
    else:
        raw = _text("service_date")
        parsed = raw.str.to_date("%Y-%m-%d", strict=False)
        service_date = pl.when(raw.str.contains(_DATE_PATTERN)).then(parsed)
        bad_date = service_date.is_null()

    if isinstance(amount_dtype, pl.Decimal):
        scaled = pl.col("amount").cast(AMOUNT_DTYPE, strict=False)
        # a decimal with more than 2 places would be rounded by the cast: refuse it instead
        exact = scaled.cast(amount_dtype, strict=False) == pl.col("amount")
        amount = pl.when(exact).then(scaled)
        amount_text = pl.col("amount").cast(pl.String)
        well_formed = exact.fill_null(False)
    else:
        amount_text = _text("amount")
        well_formed = amount_text.str.contains(_AMOUNT_PATTERN).fill_null(False)
        amount = pl.when(well_formed).then(amount_text.cast(AMOUNT_DTYPE, strict=False))
    negative = amount < 0

    checks: list[pl.Expr] = [
        pl.when(pl.col("claim_id").is_null()).then(pl.lit("claim_id: missing")),
        pl.when(pl.col("person_id").is_null()).then(pl.lit("person_id: missing")),
        pl.when(bad_date).then(
            pl.when(pl.col("service_date").is_null())
            .then(pl.lit("service_date: missing"))
            .otherwise(
                pl.format(
                    "service_date: {} is not a date (YYYY-MM-DD)",
                    _text("service_date").str.slice(0, 40),
                )
            )
        ),
        pl.when(pl.col("service_code").is_null()).then(pl.lit("service_code: missing")),
        pl.when(pl.col("provider").is_null()).then(pl.lit("provider: missing")),
        pl.when(pl.col("amount").is_null())
        .then(pl.lit("amount: missing"))
        .when(~well_formed)
        .then(
            pl.format(
                "amount: {} is not an amount in tenge (digits, at most 2 decimals)",
                amount_text.str.slice(0, 40),
            )
        )
        .when(negative)
        .then(pl.format("amount: {} is negative", amount_text)),
        pl.when(pl.col("funding").is_null())
        .then(pl.lit("funding: missing"))
        .when(_text("funding").is_in(FUNDING).not_())
        .then(
            pl.format(
                "funding: {} is not one of osms, guaranteed", _text("funding").str.slice(0, 40)
            )
        ),
    ]
    funding_ok = _text("funding").is_in(FUNDING)
    bad = pl.any_horizontal(
        pl.col("claim_id").is_null(),
        pl.col("person_id").is_null(),
        bad_date,
        pl.col("service_code").is_null(),
        pl.col("provider").is_null(),
        pl.col("amount").is_null() | ~well_formed | negative.fill_null(False),
        ~funding_ok.fill_null(False),
    )
    work = table.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        _text("claim_id").alias("claim_id"),
        _text("person_id").alias("person_id"),
        service_date.alias("service_date"),
        _text("service_code").alias("service_code"),
        _text("provider").alias("provider"),
        pl.when(amount >= 0).then(amount).alias("amount"),
        pl.when(funding_ok).then(_text("funding")).alias("funding"),
        bad.alias("bad"),
    )
    # the reasons are written only for the few bad rows, not formatted for every claim
    invalid = pl.concat_list(checks).list.drop_nulls().list.join("; ")
    texts = (
        table.with_row_index("row")
        .filter(work["bad"])
        .select(
            "row",
            invalid.str.replace_all(_TWELVE_DIGITS, "${1}${2}******${3}${4}").alias("invalid"),
        )
    )
    return work.drop("bad").join(texts, on="row", how="left", maintain_order="left")
