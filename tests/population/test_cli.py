"""insurrules simulate: summary table, reform comparison, Parquet output, clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from insurrules.cli import main
from insurrules.population import evaluate, synthetic

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_simulate_synthetic_prints_a_summary_and_writes_parquet(tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "result.parquet"
    code = main(
        [
            "simulate",
            "--population",
            "synthetic:2000",
            "--as-of",
            "2026-03-15",
            "--out",
            str(target),
        ],
        out=out,
    )
    assert code == 0
    text = out.getvalue()
    assert "2,000 persons on 2026-03-15" in text and "state_funded" in text
    written = pl.read_parquet(target)
    assert written.equals(evaluate(synthetic(2000, as_of="2026-03-15"), "2026-03-15"))


def test_simulate_with_a_reform_reads_a_population_directory(tmp_path: Path) -> None:
    synthetic(1500, seed=3).to_parquet(tmp_path / "pop")
    out = io.StringIO()
    code = main(
        [
            "simulate",
            "--population",
            str(tmp_path / "pop"),
            "--as-of",
            "2026-03-15",
            "--reform",
            str(EXAMPLES / "reform-grace-36.toml"),
            "--out",
            str(tmp_path / "r.pq"),
        ],
        out=out,
    )
    assert code == 0
    assert "reform: Six-month grace after 36 paid months" in out.getvalue()
    assert "budget" in out.getvalue()
    result = pl.read_parquet(tmp_path / "r.pq")
    assert {"status_baseline", "basis_baseline", "change"} <= set(result.columns)


def test_simulate_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--population", "synthetic:zero", "--as-of", "2026-03-15"]) == 2
    assert "synthetic:N" in capsys.readouterr().err
    assert main(["simulate", "--population", "synthetic:10", "--as-of", "15.03.2026"]) == 2
    assert "--as-of" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\nscheme = "kz-osms"\n[changes]\n"kz.nope" = 1\n')
    assert (
        main(
            [
                "simulate",
                "--population",
                "synthetic:10",
                "--as-of",
                "2026-03-15",
                "--reform",
                str(bad),
            ]
        )
        == 2
    )
    assert "unknown parameter 'kz.nope'" in capsys.readouterr().err
    assert main(["simulate", "--population", str(tmp_path / "none"), "--as-of", "2026-03-15"]) == 2
    assert "none: no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["simulate", "--population", str(tmp_path / "empty"), "--as-of", "2026-03-15"]) == 2
    assert "no persons.parquet" in capsys.readouterr().err


def test_simulate_a_vn_population_under_a_vn_reform(tmp_path: Path) -> None:
    from insurrules.population import evaluate_vn, synthetic_vn

    synthetic_vn(1200, seed=4).to_parquet(tmp_path / "vn")
    out = io.StringIO()
    code = main(
        [
            "simulate",
            "--population",
            str(tmp_path / "vn"),
            "--as-of",
            "2026-03-15",
            "--reform",
            str(EXAMPLES / "reform-vn-wait-90.toml"),
            "--out",
            str(tmp_path / "r.pq"),
        ],
        out=out,
    )
    assert code == 0, out.getvalue()
    assert "reform: A 90-day wait after an interruption" in out.getvalue()
    result = pl.read_parquet(tmp_path / "r.pq")
    baseline = evaluate_vn(synthetic_vn(1200, seed=4), "2026-03-15")
    assert result["status_baseline"].equals(baseline["status"].alias("status_baseline"))
    out = io.StringIO()
    code = main(
        [
            "simulate",
            "--population",
            "synthetic:800",
            "--scheme",
            "vn-bhyt",
            "--as-of",
            "2026-03-15",
        ],
        out=out,
    )
    assert code == 0 and "800 persons on 2026-03-15" in out.getvalue()


def test_a_reform_for_another_scheme_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "simulate",
            "--population",
            "synthetic:100",
            "--scheme",
            "kz-osms",
            "--as-of",
            "2026-03-15",
            "--reform",
            str(EXAMPLES / "reform-vn-wait-90.toml"),
        ],
        out=io.StringIO(),
    )
    assert code == 2
    assert "the reform is for vn-bhyt, not kz-osms" in capsys.readouterr().err
