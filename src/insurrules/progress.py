"""The progress bar of the long-running commands (``simulate``, ``screen``, ``synthesize``).

Drawn on standard error, in place, and only on a terminal: when standard error is a file or a
pipe (a log, CI, ``2>/dev/null``) or with ``--quiet``, nothing is written, so logs hold only
the answer and the problems.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``bar(stage, fraction)`` redraws one line: the stage, a bar, the percentage, the time.

    ``live``: draw at all (default: when ``stream`` is a terminal). A new stage starts a new line.
    """

    def __init__(self, stream: TextIO, *, live: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.live = _is_terminal(stream) if live is None else live
        self.stage = ""
        self.shown = -1
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: float) -> None:
        if not self.live:
            return
        percent = int(max(0.0, min(done, 1.0)) * 100)
        if stage == self.stage and percent == self.shown:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage, self.shown = stage, percent
        filled = self.width * percent // 100
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r{stage:<12} [{bar}] {percent:3d}%  {elapsed:6.1f} s")
        self.stream.flush()

    def counter(self, stage: str) -> Callable[[int, int], None]:
        """The bar as a ``progress(done, total)`` callback (the population engine's form)."""

        def tell(done: int, total: int) -> None:
            self(stage, done / max(total, 1))

        return tell

    def close(self) -> None:
        """End the bar's line, so that what follows starts on a fresh one."""
        if self.live and self.stage:
            self.stream.write("\n")
            self.stream.flush()
        self.stage, self.shown = "", -1


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or a stand-in stream
        return False
