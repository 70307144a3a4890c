"""``examples/claims-sample.csv`` screens as docs/claims.md shows."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from insurrules.claims import screen, summarize
from insurrules.claims.cli import read_claims
from insurrules.population import Population

EXAMPLE = Path(__file__).parents[2] / "examples" / "claims-sample.csv"


def test_the_sample_claims_screen_as_documented() -> None:
    months = [f"{y}-{m:02d}" for y in range(2020, 2026) for m in range(1, 13)][:66]
    population = Population.from_frames(
        pl.DataFrame(
            {
                "id": ["870412445016", "150101500011"],
                "birth_date": ["1987-04-12", "2015-01-01"],
                "sex": ["female", "male"],
                "death_date": [None, "2026-02-10"],
            }
        ),
        pl.DataFrame(
            {
                "person_id": ["870412445016"] * len(months),
                "month": months,
                "paid_on": [f"{m}-20" for m in months],
                "amount": ["4250"] * len(months),
                "payer": ["self"] * len(months),
            }
        ),
    )
    screened = screen(read_claims(EXAMPLE), population)
    assert screened["flags"].to_list() == [
        [],
        ["duplicate"],
        ["not_insured"],
        ["deceased", "not_insured"],
        ["unknown_person"],
        ["double_financed"],
        ["double_financed"],
    ]
    assert str(summarize(screened).flagged_amount) == "47000.00"
