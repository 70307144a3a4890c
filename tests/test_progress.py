"""Progress bars: drawn on a terminal (a fake TTY here), never in a pipe or with ``--quiet``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from insurrules.cli import main
from insurrules.progress import ProgressBar
from tests.fake_tty import FakeTerminal


def test_the_bar_redraws_one_line_per_stage() -> None:
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, width=10)
    bar("loading", 0.0)
    bar("loading", 0.5)
    bar("loading", 0.5)  # the same percentage: not redrawn
    bar("evaluating", 1.0)
    bar.close()
    lines = terminal.getvalue().split("\n")
    assert [line.count("\r") for line in lines] == [2, 1, 0]
    assert "loading      [#####-----]  50%" in lines[0]
    assert "evaluating   [##########] 100%" in lines[1]


def test_off_a_terminal_nothing_is_written() -> None:
    piped = io.StringIO()
    bar = ProgressBar(piped)
    bar("loading", 0.3)
    bar.counter("evaluating")(5, 10)
    bar.close()
    assert piped.getvalue() == ""


SIMULATE = ["simulate", "--population", "synthetic:3000", "--as-of", "2026-03-15"]


def test_simulate_shows_loading_checking_evaluating_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(SIMULATE, out=io.StringIO()) == 0
    drawn = terminal.getvalue()
    for stage in ("loading", "checking", "evaluating"):
        assert f"\r{stage:<12} [" in drawn
    assert "100%" in drawn


def test_simulate_quiet_and_piped_draw_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main([*SIMULATE, "--quiet"], out=io.StringIO()) == 0
    assert terminal.getvalue() == ""
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    assert main(SIMULATE, out=io.StringIO()) == 0
    assert "\r" not in piped.getvalue() and "[#" not in piped.getvalue()


def test_a_large_population_shows_the_engines_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("insurrules.population.cli._PROGRESS_FROM", 1000)
    calls: list[tuple[int, int]] = []
    real = ProgressBar.counter

    def spy(self: ProgressBar, stage: str) -> object:
        tell = real(self, stage)

        def wrapped(done: int, total: int) -> None:
            calls.append((done, total))
            tell(done, total)

        return wrapped

    monkeypatch.setattr(ProgressBar, "counter", spy)
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(SIMULATE, out=io.StringIO()) == 0
    assert calls and calls[-1] == (3000, 3000)


def test_synthesize_shows_its_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    argv = ["synthesize", "kz-osms", "500", str(tmp_path / "p")]
    assert main(argv, out=io.StringIO()) == 0
    assert "\rsynthesizing" in terminal.getvalue() and "\rwriting" in terminal.getvalue()
