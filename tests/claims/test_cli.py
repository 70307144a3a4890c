"""``insurrules screen CLAIMS --population DIR [--out FILE]``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from insurrules.cli import main
from tests.builders import payments, person
from tests.claims.helpers import claims, population_of
from tests.fake_tty import FakeTerminal

ANNA: dict[str, Any] = {
    "person": person("1987-04-12", "female"),
    "payments": payments("2023-01", "2026-06"),
}
A = ANNA["person"]["id"]


@pytest.fixture
def population_dir(tmp_path: Path) -> str:
    return str(population_of(ANNA).to_parquet(tmp_path / "population"))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def table() -> pl.DataFrame:
    return claims(
        {"person_id": A, "service_date": "2025-03-10", "funding": "osms", "amount": "100"},
        {"person_id": A, "service_date": "2025-03-10", "funding": "osms", "amount": "100"},
        {"person_id": "000000000000", "service_date": "2025-03-11", "amount": "50.25"},
        {"person_id": A, "service_date": "2025-03-40", "amount": "1"},
    )


def test_screen_a_csv_prints_the_summary_and_writes_the_flags(
    tmp_path: Path, population_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "claims.csv"
    table().write_csv(source)
    out_file = tmp_path / "screened.csv"
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = io.StringIO()
    code = main(
        ["screen", str(source), "--population", population_dir, "--out", str(out_file)], out
    )
    err = terminal.getvalue()
    assert code == 0, err
    assert "claims screened: 4 totalling 251.25" in out.getvalue()
    assert "claims flagged:  3 totalling 151.25" in out.getvalue()
    assert "reading" in err and "flags" in err and "100%" in err  # the progress bar
    written = pl.read_csv(out_file, infer_schema=False)
    assert written["flags"].to_list() == ["", "duplicate", "unknown_person", "invalid"]
    assert written["person_id"][2] == "000000000000"  # leading zeros kept


def test_screen_a_parquet_keeps_the_lists(
    tmp_path: Path, population_dir: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "claims.parquet"
    table().write_parquet(source)
    out_file = tmp_path / "screened.parquet"
    code, _, err = run(
        ["screen", str(source), "--population", population_dir, "--out", str(out_file)], capsys
    )
    assert code == 0, err
    assert pl.read_parquet(out_file)["flags"].to_list() == [
        [],
        ["duplicate"],
        ["unknown_person"],
        ["invalid"],
    ]


def test_a_table_that_cannot_be_screened_lists_every_problem_and_exits_2(
    tmp_path: Path, population_dir: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "claims.csv"
    table().drop("funding", "provider").write_csv(source)
    code, out, err = run(["screen", str(source), "--population", population_dir], capsys)
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if "missing column" in line]
    assert [line.split(": ")[1] for line in lines] == ["provider", "funding"]
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["screen", "nowhere.csv", "--population", "."], "no such file"),
        (["screen", "claims.xlsx", "--population", "."], "expected a .csv or .parquet"),
    ],
)
def test_bad_paths_exit_2(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2
    assert said in err


def test_a_missing_population_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "claims.csv"
    table().write_csv(source)
    code, _, err = run(["screen", str(source), "--population", str(tmp_path / "none")], capsys)
    assert code == 2
    assert "--population" in err and "none: no such folder" in err


def test_no_progress_bar_off_a_terminal_or_with_quiet(
    tmp_path: Path, population_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "claims.csv"
    table().write_csv(source)
    piped = io.StringIO()  # not a terminal: a log file, a pipe
    monkeypatch.setattr("sys.stderr", piped)
    assert main(["screen", str(source), "--population", population_dir], io.StringIO()) == 0
    assert piped.getvalue() == ""
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    argv = ["screen", str(source), "--population", population_dir, "--quiet"]
    assert main(argv, io.StringIO()) == 0
    assert terminal.getvalue() == ""
