"""``insurrules synthesize SCHEME N DIR``: a population folder the other commands read."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from insurrules.cli import main
from insurrules.population import (
    Population,
    VnPopulation,
    evaluate,
    synthetic,
    synthetic_vn,
)


def synthesize(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["synthesize", *argv], out=out), out.getvalue()


def test_kz_folder_reads_back_as_the_synthetic_population(tmp_path: Path) -> None:
    folder = tmp_path / "kz"
    code, printed = synthesize("kz-osms", "1_500", str(folder), "--seed", "4")
    assert code == 0
    assert (
        f"kz-osms: 1,500 synthetic persons (seed 4, histories to 2026-03-15) written to {folder}"
        in printed
    )
    back = Population.from_parquet(folder)
    made = synthetic(1500, seed=4, as_of="2026-03-15")
    for name, table in made.tables():
        assert getattr(back, name).equals(table), name
    assert evaluate(back, "2026-03-15").equals(evaluate(made, "2026-03-15"))
    assert json.loads((folder / "synthetic.json").read_text()) == {
        "scheme": "kz-osms",
        "persons": 1500,
        "seed": 4,
        "as_of": "2026-03-15",
    }


def test_vn_folder_reads_back_as_synthetic_vn(tmp_path: Path) -> None:
    folder = tmp_path / "vn"
    code, _ = synthesize("vn-bhyt", "800", str(folder), "--seed", "2", "--as-of", "2025-12-31")
    assert code == 0
    back = VnPopulation.from_parquet(folder)
    made = synthetic_vn(800, seed=2, as_of="2025-12-31")
    for name, table in made.tables():
        assert getattr(back, name).equals(table), name


def test_the_folder_runs_through_simulate(tmp_path: Path) -> None:
    folder = tmp_path / "kz"
    assert synthesize("kz-osms", "1000", str(folder))[0] == 0
    out = io.StringIO()
    argv = ["simulate", "--population", str(folder), "--as-of", "2026-03-15"]
    assert main(argv, out=out) == 0
    assert "1,000 persons on 2026-03-15" in out.getvalue()


def test_a_folder_that_is_not_empty_is_refused_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kz"
    assert synthesize("kz-osms", "100", str(folder))[0] == 0
    capsys.readouterr()
    assert synthesize("kz-osms", "100", str(folder))[0] == 2
    assert capsys.readouterr().err == (
        f"DIR {folder}: the folder is not empty (choose a new one, or pass --force)\n"
    )
    assert synthesize("kz-osms", "200", str(folder), "--force")[0] == 0
    assert len(Population.from_parquet(folder)) == 200


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["kz-osms", "0", "{tmp}/p"],
            "argument N: expected a whole number of persons > 0, got '0'",
        ),
        (["kz-osms", "many", "{tmp}/p"], "argument N: expected a whole number of persons > 0"),
        (["kz-osms", "10", "{tmp}/no/p"], "DIR {tmp}/no/p: the folder {tmp}/no does not exist"),
        (["kz-osms", "10", "{tmp}/file"], "DIR {tmp}/file: exists and is not a folder"),
        (["kz-osms", "10", "{tmp}/p", "--as-of", "2026-13-01"], "--as-of: expected a date"),
    ],
)
def test_bad_arguments_exit_2_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    (tmp_path / "file").write_text("x")
    code, printed = synthesize(*(a.format(tmp=tmp_path) for a in argv))
    assert code == 2 and printed == ""
    assert said.format(tmp=tmp_path) in capsys.readouterr().err.splitlines()[-1]
