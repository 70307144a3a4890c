"""``examples/claims-sample.csv`` screens as docs/claims.md shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurrules.claims import screen, summarize
from insurrules.claims.cli import read_claims
from insurrules.population import Population
from tests.claims.sample_population import FOLDER, sample_population

EXAMPLE = Path(__file__).parents[2] / "examples" / "claims-sample.csv"


def test_the_sample_claims_screen_as_documented() -> None:
    population = sample_population()
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


def test_the_shipped_population_folder_holds_the_sample_persons() -> None:
    shipped = Population.from_parquet(FOLDER)
    sample = sample_population()
    for name in shipped.TABLE_NAMES:
        assert getattr(shipped, name).equals(getattr(sample, name)), name


def test_the_readme_screen_command_flags_the_sample_claims(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from insurrules.cli import main

    status = main(["screen", str(EXAMPLE), "--population", str(FOLDER)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "claims flagged:  6 totalling 47,000.00" in printed
