"""The case model's verdict on persons the columnar screen cannot vouch for.

Whatever a population's screen does not vouch for is decided here, person by person, by the same
validation [`insurrules.decide`][insurrules.api.decide] runs
([`insurrules.case.parse_case`][insurrules.case.parse_case]); the person's row ``error`` is the
model's own error lines ([`insurrules.errors.error_lines`][insurrules.errors.error_lines]), joined
with ``"; "``. So a row error reads exactly as the error of ``decide()`` on that person's case, and
no second list of rules of validity exists. A crash inside the model on some hostile value becomes
that person's error too: one person never takes the others down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from insurrules.case import Case, parse_case
from insurrules.errors import error_lines, mask_id, mask_text

__all__ = ["Verdict", "judge", "masked"]

#: any run of 12 or more digits (any script): what could be an id, whatever field it came in
_LONG_RUN = re.compile(r"\d{12,}")

#: a person's verdict: the validated case, or the error text (never both)
Verdict = tuple[Case | None, str | None]


def masked(text: str) -> str:
    """``text`` with every 12-digit id masked, and any longer digit run too."""
    return _LONG_RUN.sub(lambda m: mask_id(m.group(0)), mask_text(text))


def judge(documents: Iterable[dict[str, Any]]) -> Iterator[Verdict]:
    """The case model's verdict on each case document, in order."""
    for document in documents:
        try:
            yield parse_case(document), None
        except ValidationError as exc:
            yield None, masked("; ".join(error_lines(exc)))
        except Exception as exc:
            yield None, f"(case): the case could not be checked ({type(exc).__name__})"
