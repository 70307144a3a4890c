"""Flagged counts and amounts by flag, provider and month."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from insurrules.claims import FLAGS, screen
from insurrules.claims.summary import summarize
from tests.builders import payments, person
from tests.claims.helpers import claims, population_of

ANNA: dict[str, Any] = {
    "person": person("1987-04-12", "female"),
    "payments": payments("2023-01", "2026-06"),
}
POP = population_of(ANNA)
A = ANNA["person"]["id"]
STRANGER = person("1999-09-09", "male", serial=4242)["id"]


def _screened() -> pl.DataFrame:
    return screen(
        claims(
            {"person_id": A, "service_date": "2025-03-10", "provider": "P1", "amount": "100.50"},
            {"person_id": A, "service_date": "2025-03-10", "provider": "P1", "amount": "100.50"},
            {
                "person_id": STRANGER,
                "service_date": "2025-04-01",
                "provider": "P2",
                "amount": "1000",
            },
            {
                "person_id": A,
                "service_date": "1980-01-01",
                "provider": "P2",
                "amount": "7",
                "claim_id": "c0",
            },
            {"person_id": A, "service_date": "bad", "provider": "P1", "amount": "5"},
        ),
        POP,
    )


def test_totals_and_by_flag() -> None:
    screened = _screened()
    assert screened["flags"].to_list() == [
        [],
        ["duplicate"],
        ["unknown_person"],
        ["before_birth", "duplicate"],
        ["invalid"],
    ]
    summary = summarize(screened)
    assert (summary.claims, summary.flagged) == (5, 4)
    assert summary.amount == Decimal("1213.00")
    assert summary.flagged_amount == Decimal("1112.50")
    by_flag = {f: (n, a) for f, n, a in summary.by_flag.iter_rows()}
    assert list(by_flag) == list(FLAGS)
    assert by_flag["duplicate"] == (2, Decimal("107.50"))
    assert by_flag["unknown_person"] == (1, Decimal("1000"))
    assert by_flag["before_birth"] == (1, Decimal("7"))
    assert by_flag["invalid"] == (1, Decimal("5"))
    assert by_flag["deceased"] == (0, Decimal("0"))


def test_by_provider_and_month() -> None:
    summary = summarize(_screened())
    p = {r["provider"]: r for r in summary.by_provider.iter_rows(named=True)}
    assert (p["P1"]["claims"], p["P1"]["flagged"], p["P1"]["flagged_amount"]) == (
        3,
        2,
        Decimal("105.50"),
    )
    assert (p["P2"]["unknown_person"], p["P2"]["before_birth_amount"]) == (1, Decimal("7"))
    months = {r["month"]: r for r in summary.by_month.iter_rows(named=True)}
    assert set(months) == {"1980-01", "2025-03", "2025-04", None}
    assert months["2025-03"]["duplicate"] == 1
    assert months[None]["invalid"] == 1
    text = summary.to_text()
    assert "claims flagged:  4 totalling 1,112.50" in text
    assert "P2" in text
