"""The assertions every fuzz test makes, whatever the target (shared with population fuzzing)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import insurrules
from insurrules.errors import InvalidCase

#: a run of 12 or more ASCII digits: an unmasked identifier (masked ones keep 6 digits at most)
_RUN = re.compile(r"[0-9]{12,}")
#: generous: a hang detector, not a performance test (benchmarks measure speed)
TIME_LIMIT = 10.0


def assert_no_unmasked_id(*outputs: Any) -> None:
    """No output (text, or anything whose repr is text) holds 12 or more digits in a row."""
    for output in outputs:
        text = output if isinstance(output, str) else repr(output)
        found = _RUN.search(text)
        assert found is None, f"unmasked digits {found.group(0)[:4]}... in {text[:300]!r}"


def assert_clean_error(exc: BaseException) -> None:
    """An ``InvalidCase`` whose every problem has a one-line path and a one-line reason, with
    nothing unmasked anywhere, not even in ``errors()`` or the exception's chain."""
    assert isinstance(exc, InvalidCase), f"{type(exc).__name__}: {exc!s:.300}"
    problems = exc.problems
    assert problems, "an invalid case names at least one problem"
    for problem in problems:
        assert problem["path"] and "\n" not in problem["path"], problem
        assert problem["reason"].strip() and "\n" not in problem["reason"], problem
    for err in exc.errors():
        assert err["input"] is None
    assert exc.__cause__ is None and exc.__context__ is None
    assert len(exc.lines) == len(problems)
    assert_no_unmasked_id(str(exc), repr(exc), exc.errors(), problems, exc.lines)


@contextmanager
def bounded_time(what: str = "input") -> Iterator[None]:
    start = time.perf_counter()
    yield
    spent = time.perf_counter() - start
    assert spent < TIME_LIMIT, f"{what} took {spent:.1f} s"


def decision_or_clean_error(run: Callable[[], Any]) -> Any:
    """``run()``'s decision (checked for leaks), or its ``InvalidCase`` (checked clean)."""
    with bounded_time():
        try:
            result = run()
        except InvalidCase as exc:
            assert_clean_error(exc)
            return exc
    assert isinstance(result, insurrules.Decision | list | insurrules.Explanation), type(result)
    assert_no_unmasked_id(
        result.model_dump_json() if hasattr(result, "model_dump_json") else result
    )
    return result
