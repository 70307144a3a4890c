"""Command-line inputs are checked before any work: one line naming the argument, exit 2.

Files that are missing, folders, unreadable, binary, UTF-16 or not UTF-8; population folders
that are missing, empty or hold garbage Parquet; ``--out`` into a missing folder; a missing
optional extra; argparse errors in the user's words. Through ``main(argv)``, with standard error
a (fake) terminal, so that a progress bar started too early would show.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from insurrules.cli import main
from tests.builders import kz_case, payments

CASE = kz_case("2025-09-30", payments("2024-07", "2025-06"))


class Terminal:
    """Standard error as a terminal: progress bars draw (``_is_terminal``), ``text()`` reads it."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def text(self) -> str:
        return self.capsys.readouterr().err


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Terminal:
    monkeypatch.setattr("insurrules.progress._is_terminal", lambda stream: True)
    return Terminal(capsys)


@pytest.fixture
def population(tmp_path: Path) -> str:
    from insurrules.population import synthetic

    return str(synthetic(300, seed=2).to_parquet(tmp_path / "pop"))


def refused(argv: list[str], terminal: Terminal) -> str:
    """Run ``argv``; it must exit 2, print nothing on stdout and one line on stderr."""
    out = io.StringIO()
    assert main(argv, out=out) == 2
    assert out.getvalue() == ""
    lines = terminal.text().splitlines()
    assert len(lines) == 1, lines  # no progress bar, no "population: ..." before the refusal
    return lines[0]


# -- check: the case file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\xff\xfe{\x00}\x00", "UTF-16 text; save it as UTF-8"),
        ('{"scheme": "kz-osms"}'.encode("utf-16-be"), "UTF-16 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not UTF-8 text"),
        ('{"scheme": "kz-osms", "x": "é"}'.encode("latin-1"), "not UTF-8 text (byte 29 is 0xe9)"),
    ],
)
def test_check_refuses_files_that_are_not_utf8_text(
    tmp_path: Path, terminal: Terminal, content: bytes, said: str
) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(content)
    assert refused(["check", str(path)], terminal).startswith(f"{path}: {said}")


def test_check_refuses_a_folder_and_a_missing_file(tmp_path: Path, terminal: Terminal) -> None:
    assert refused(["check", str(tmp_path)], terminal) == f"{tmp_path}: is a folder, not a file"


def test_check_refuses_a_missing_file(tmp_path: Path, terminal: Terminal) -> None:
    missing = tmp_path / "nope.json"
    assert refused(["check", str(missing)], terminal) == f"{missing}: no such file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_check_refuses_an_unreadable_file(tmp_path: Path, terminal: Terminal) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    path.chmod(0)
    assert "cannot read" in refused(["check", str(path)], terminal)


def test_check_accepts_a_utf8_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode("utf-8"))
    out = io.StringIO()
    assert main(["check", str(path)], out=out) == 0
    assert "INSURED (grace period)" in out.getvalue()


# -- simulate and screen: folders and --out ------------------------------------------------------

SIMULATE = ["simulate", "--as-of", "2026-03-15", "--population"]


def test_simulate_refuses_a_missing_population_folder(tmp_path: Path, terminal: Terminal) -> None:
    where = tmp_path / "none"
    assert refused([*SIMULATE, str(where)], terminal) == f"--population {where}: no such folder"


def test_simulate_refuses_a_file_and_an_empty_folder(tmp_path: Path, terminal: Terminal) -> None:
    file = tmp_path / "persons.parquet"
    file.write_bytes(b"")
    assert "not a folder" in refused([*SIMULATE, str(file)], terminal)
    (tmp_path / "empty").mkdir()
    line = refused([*SIMULATE, str(tmp_path / "empty")], terminal)
    assert line.endswith("empty: no persons.parquet in the folder")


@pytest.mark.parametrize(
    "garbage",
    [b"not parquet at all", b"PAR1" + b"\x00" * 64 + b"PAR1", b""],
    ids=["text", "damaged-footer", "empty"],
)
def test_simulate_refuses_garbage_parquet_naming_the_table(
    population: str, terminal: Terminal, garbage: bytes
) -> None:
    Path(population, "payments.parquet").write_bytes(garbage)
    line = refused([*SIMULATE, population], terminal)
    assert line.startswith(f"--population {population} (payments.parquet): ")
    assert "Parquet file" in line


def test_simulate_refuses_out_into_a_missing_folder_before_the_work(
    tmp_path: Path, terminal: Terminal
) -> None:
    target = tmp_path / "missing" / "result.parquet"
    line = refused([*SIMULATE, "synthetic:1000", "--out", str(target)], terminal)
    assert line == f"--out {target}: the folder {target.parent} does not exist"


def test_simulate_refuses_out_that_is_a_folder(tmp_path: Path, terminal: Terminal) -> None:
    line = refused([*SIMULATE, "synthetic:1000", "--out", str(tmp_path)], terminal)
    assert line == f"--out {tmp_path}: is a folder; give a file name"


def test_simulate_refuses_a_reform_file_that_is_not_text(
    tmp_path: Path, terminal: Terminal
) -> None:
    reform = tmp_path / "reform.toml"
    reform.write_bytes(b"\x00\x01\x02")
    line = refused([*SIMULATE, "synthetic:100", "--reform", str(reform)], terminal)
    assert line == f"--reform {reform}: a binary file, not UTF-8 text"


def test_screen_checks_claims_population_and_out_first(
    tmp_path: Path, population: str, terminal: Terminal
) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_bytes("claim_id,person_id\n".encode("utf-16"))
    line = refused(["screen", str(claims), "--population", population], terminal)
    assert line == f"CLAIMS {claims}: UTF-16 text; save it as UTF-8"
    claims.write_text("claim_id,person_id\n", encoding="utf-8")
    line = refused(["screen", str(claims), "--population", str(tmp_path / "no")], terminal)
    assert line == f"--population {tmp_path / 'no'}: no such folder"
    out = tmp_path / "gone" / "screened.csv"
    line = refused(["screen", str(claims), "--population", population, "--out", str(out)], terminal)
    assert line == f"--out {out}: the folder {out.parent} does not exist"
    parquet = tmp_path / "claims.parquet"
    parquet.write_text("a,b\n", encoding="utf-8")
    line = refused(["screen", str(parquet), "--population", population], terminal)
    assert line == f"CLAIMS {parquet}: not a Parquet file"


# -- a missing optional extra --------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--population", "synthetic:10", "--as-of", "2026-03-15"],
        ["screen", "claims.csv", "--population", "pop"],
        ["synthesize", "kz-osms", "10", "pop"],
    ],
    ids=["simulate", "screen", "synthesize"],
)
def test_without_the_population_extra_the_command_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, terminal: Terminal, argv: list[str]
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "polars", None)  # as if not installed
    line = refused(argv, terminal)
    assert line == (
        f"insurrules {argv[0]} needs the 'population' extra (polars is not installed):"
        " pip install 'insurrules[population]'"
    )


# -- usage errors in the user's words ------------------------------------------------------------


def usage_error(argv: list[str], terminal: Terminal) -> str:
    assert main(argv, out=io.StringIO()) == 2
    printed = terminal.text()
    assert printed.startswith("usage: insurrules")  # the usage, then the one line
    return printed.splitlines()[-1]


def test_a_missing_argument_is_named_as_shown_in_the_usage(terminal: Terminal) -> None:
    assert usage_error(["schema"], terminal) == (
        "insurrules schema: missing DOCUMENT (case or decision)"
    )


def test_a_missing_case_is_named(terminal: Terminal) -> None:
    assert usage_error(["check"], terminal) == (
        "insurrules check: missing CASE (path to CASE.json, or - to read standard input)"
    )


def test_a_missing_option_is_named(terminal: Terminal) -> None:
    message = usage_error(["simulate", "--population", "synthetic:5"], terminal)
    assert message == "insurrules simulate: missing --as-of (the date asked about (YYYY-MM-DD))"


def test_an_unknown_command_is_named(terminal: Terminal) -> None:
    assert usage_error(["synthesise"], terminal) == (
        "insurrules: unknown command 'synthesise' "
        "(choose from check, schema, law-changes, fhir, timeline, simulate, screen, synthesize)"
    )


def test_a_wrong_choice_is_named(terminal: Terminal) -> None:
    message = usage_error(["synthesize", "kz", "10", "pop"], terminal)
    assert message == "insurrules synthesize: unknown SCHEME 'kz' (choose from kz-osms, vn-bhyt)"


# -- check: edge cases of the case document ------------------------------------------------------


def write_bytes(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "case.json"
    path.write_bytes(data)
    return str(path)


def test_check_takes_one_case_and_says_so_for_a_list(tmp_path: Path, terminal: Terminal) -> None:
    path = write_bytes(tmp_path, json.dumps([CASE, CASE]).encode())
    assert refused(["check", path], terminal) == (
        f"{path}: a JSON list of 2 documents; check decides one case document"
        " (one file per case, or insurrules.decide_many for a list)"
    )


def test_check_of_an_empty_object_says_scheme_is_missing(
    tmp_path: Path, terminal: Terminal
) -> None:
    line = refused(["check", write_bytes(tmp_path, b"{}")], terminal)
    assert line.startswith("scheme: Field required")


def test_check_refuses_duplicate_keys(tmp_path: Path, terminal: Terminal) -> None:
    text = json.dumps(CASE).replace('"as_of": ', '"as_of": "2026-01-01", "as_of": ', 1)
    line = refused(["check", write_bytes(tmp_path, text.encode())], terminal)
    assert line == "as_of: duplicate key: given 2 times (a document names each key once)"


def test_check_refuses_broken_json_naming_the_file(tmp_path: Path, terminal: Terminal) -> None:
    path = write_bytes(tmp_path, b'{"scheme": ')
    assert refused(["check", path], terminal).startswith(f"{path}: not valid JSON")


def test_check_json_explain_has_decision_trace_and_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import insurrules

    path = write_bytes(tmp_path, json.dumps(CASE).encode())
    out = io.StringIO()
    assert main(["check", path, "--json", "--explain"], out=out) == 0
    document = json.loads(out.getvalue())
    assert list(document) == ["decision", "trace", "changes"]
    assert document["decision"] == insurrules.decide(CASE).model_dump(mode="json")
    assert set(document["trace"][0]) == {
        "month",
        "insured",
        "basis",
        "paid",
        "due",
        "state_category",
    }
