"""A synthetic population asked about after the day it was made for warns (its fake decline)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
from pathlib import Path

import pytest

from insurrules.cli import main
from insurrules.population import compare, evaluate, synthetic, synthetic_vn
from insurrules.population.synthetic_date import SyntheticDateWarning, made_until

LONGER = {"kz.grace.months": {"from 2026-01-01": 4}}


def test_evaluate_after_the_day_warns_and_shows_the_decline_it_explains() -> None:
    pop = synthetic(2000, seed=5, as_of="2026-03-15")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        on_the_day = evaluate(pop, "2026-03-15")  # no warning on the day
        before = evaluate(pop, "2025-12-31")  # nor before it: later facts are ignored
    with pytest.warns(SyntheticDateWarning, match="made for 2026-03-15") as caught:
        later = evaluate(pop, "2027-03-15")
    assert "on 2027-03-15 every person seems to have stopped paying" in str(caught[0].message)
    insured = [(r["status"] == "insured").sum() for r in (before, on_the_day, later)]
    assert insured[2] < insured[1]  # the artefact the warning is about


def test_compare_and_vn_populations_warn_too() -> None:
    with pytest.warns(SyntheticDateWarning):
        compare(synthetic(300, seed=1, as_of="2026-03-15"), "2026-06-01", None, LONGER)
    with pytest.warns(SyntheticDateWarning, match="made for 2026-01-31"):
        evaluate(synthetic_vn(200, seed=1, as_of="2026-01-31"), "2026-03-15")


def test_a_real_population_does_not_warn() -> None:
    pop = synthetic(200, seed=1, as_of="2026-03-15")
    loaded = type(pop).from_frames(**dict(pop.tables()))  # as read from a fund's tables
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evaluate(loaded, "2027-01-01")


def test_simulate_warns_for_a_synthesized_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kz"
    assert main(["synthesize", "kz-osms", "500", str(folder)], out=io.StringIO()) == 0
    assert made_until(folder) == dt.date(2026, 3, 15)
    capsys.readouterr()
    argv = ["simulate", "--population", str(folder), "--as-of", "2026-09-15"]
    assert main(argv, out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert "warning: the synthetic population was made for 2026-03-15" in err
    argv[-1] = "2026-03-15"
    assert main(argv, out=io.StringIO()) == 0
    assert "warning" not in capsys.readouterr().err
