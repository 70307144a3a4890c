"""A claims table that cannot be screened is refused whole, with every problem listed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from insurrules.claims import ClaimsTableError, screen
from insurrules.claims.schema import prepare
from tests.builders import person
from tests.claims.helpers import claims, population_of

A = person("1987-04-12", "female")["id"]
POP = population_of({"person": person("1987-04-12", "female"), "payments": []})


def test_missing_columns_and_wrong_types_are_listed_together_before_any_work() -> None:
    table = (
        claims({"person_id": A, "service_date": "2025-03-10"})
        .drop("provider")
        .with_columns(
            pl.lit(12.5).alias("amount"),
            pl.lit(870412445016).alias("person_id"),
            pl.lit(dt.datetime(2025, 3, 10)).alias("service_date"),
        )
    )
    with pytest.raises(ClaimsTableError) as caught:
        screen(table, POP)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "person_id",
        "service_date",
        "provider",
        "amount",
    ]
    assert "floats are not exact money" in problems[3]
    assert "leading zeros" in problems[0]


def test_not_a_table_and_a_table_already_screened_are_refused() -> None:
    with pytest.raises(ClaimsTableError, match="expected a polars DataFrame"):
        screen([{"claim_id": 1}], POP)
    screened = screen(claims({"person_id": A, "service_date": "2025-03-10"}), POP)
    with pytest.raises(ClaimsTableError, match="flags: the input already has this column"):
        screen(screened, POP)


def test_prepare_types_the_columns_and_keeps_bad_rows() -> None:
    work = prepare(
        claims(
            {"person_id": A, "service_date": "2025-03-10", "amount": "10.5"},
            {"person_id": A, "service_date": "2025-02-29", "amount": "-1"},
        )
    )
    assert work["row"].to_list() == [0, 1]
    assert work["service_date"].to_list() == [dt.date(2025, 3, 10), None]
    assert [str(a) if a is not None else None for a in work["amount"]] == ["10.50", None]
    assert work["invalid"].to_list() == [
        None,
        "service_date: 2025-02-29 is not a date (YYYY-MM-DD); amount: -1 is negative",
    ]


def test_a_lazy_frame_is_accepted() -> None:
    table = claims({"person_id": A, "service_date": "2025-03-10"})
    assert screen(table.lazy(), POP)["flags"].to_list() == [[]]
