"""The CLI through ``main(argv)``: output, ``--json``, ``--explain`` and exit statuses."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import insurrules
from insurrules.cli import main
from tests.builders import kz_case, payments

IIN = "870412445016"


def write(tmp_path: Path, case: Any, name: str = "case.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(case), encoding="utf-8")
    return str(path)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    err = capsys.readouterr().err
    return code, out.getvalue(), err


W1 = kz_case("2025-09-30", payments("2020-01", "2025-06"))


def test_check_prints_a_human_decision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", write(tmp_path, W1)], capsys)
    assert code == 0 and err == ""
    assert "INSURED (grace period)" in out
    assert "until 2025-09-30" in out
    assert "kz.grace.standard" in out
    assert IIN not in out


def test_check_json_equals_decide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", write(tmp_path, W1), "--json"], capsys)
    assert code == 0
    assert json.loads(out) == insurrules.decide(W1).model_dump(mode="json")


def test_not_insured_is_still_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {**W1, "as_of": "2025-10-01"}
    code, out, _ = run(["check", write(tmp_path, case)], capsys)
    assert code == 0 and "NOT INSURED" in out


def test_explain_shows_sources_and_months(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", write(tmp_path, W1), "--explain"], capsys)
    assert code == 0
    assert "source: Law 405-V art. 5 p. 2" in out
    assert "2025-06   yes      contributions" in out
    assert "2025-10   no" in out


def test_explain_json_has_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", write(tmp_path, W1), "--explain", "--json"], capsys)
    document = json.loads(out)
    assert code == 0 and document["decision"]["status"] == "insured"
    assert {"month": "2025-07", "insured": True, "basis": "grace_period"}.items() <= (
        next(r for r in document["trace"] if r["month"] == "2025-07").items()
    )


def test_invalid_input_exits_2_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = json.loads(json.dumps(W1))
    bad["person"]["id"] = "870412445017"
    bad["payments"][0]["amount"] = "-5"
    code, out, err = run(["check", write(tmp_path, bad)], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines == [
        "person.id: IIN 8704******17 has an invalid check digit",
        "payments[0].amount: an amount cannot be negative, got -5",
    ]
    assert "Traceback" not in err


def test_unreadable_and_non_json_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["check", str(tmp_path / "missing.json")], capsys)
    assert code == 2 and "missing.json: no such file" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run(["check", str(broken)], capsys)
    assert code == 2 and "not valid JSON" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check"], capsys)
    assert code == 2 and "usage" in err


def test_internal_error_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"failure for {IIN}")

    monkeypatch.setattr("insurrules.api.explain", boom)
    code, _, err = run(["check", write(tmp_path, W1)], capsys)
    assert code == 1
    assert "internal error" in err and IIN not in err and "Traceback" not in err


def test_schema_command_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "decision"], capsys)
    assert code == 0 and json.loads(out)["title"] == "Decision"
    code, out, _ = run(["schema", "case"], capsys)
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "Case"
    assert "kz-osms" in out and "vn-bhyt" in out


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "insurrules", "check", write(tmp_path, W1), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["basis"] == "grace_period"


def test_stdin_is_read_with_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(W1)))
    code, out, _ = run(["check", "-", "--json"], capsys)
    assert code == 0 and json.loads(out)["status"] == "insured"
