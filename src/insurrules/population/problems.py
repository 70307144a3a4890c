"""The error of population tables that cannot be used as given (structural problems)."""

from __future__ import annotations

from insurrules.errors import InsurrulesError, mask_text

__all__ = ["PopulationError"]


class PopulationError(InsurrulesError, ValueError):
    """The population tables cannot be used as given; ``problems`` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = [mask_text(p) for p in problems]
        super().__init__(
            "invalid population tables:\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
