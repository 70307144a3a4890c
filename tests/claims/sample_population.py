"""The two persons ``examples/claims-sample.csv`` is about, as shipped in
``examples/claims-population/`` (the folder the README's ``insurrules screen`` reads).

Regenerate the folder after changing them: ``.venv/bin/python -m tests.claims.sample_population``;
``test_example.py`` proves the shipped folder equals these tables.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from insurrules.population import Population

FOLDER = Path(__file__).parents[2] / "examples" / "claims-population"


def sample_population() -> Population:
    """A self-payer paying since 2020-01 (66 months), and a child who died on 2026-02-10."""
    months = [f"{y}-{m:02d}" for y in range(2020, 2026) for m in range(1, 13)][:66]
    return Population.from_frames(
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


if __name__ == "__main__":
    print(sample_population().to_parquet(FOLDER))
