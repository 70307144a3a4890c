"""A stand-in terminal: a text buffer that says it is a TTY (progress bars draw only on one)."""

from __future__ import annotations

import io


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True
