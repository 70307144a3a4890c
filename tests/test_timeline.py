"""BitOps against plain per-month definitions (the reference the array backend is also held to)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.timeline import NO_MONTH, BitOps

LENGTH = 40
ORIGIN = 1000
bits = st.integers(min_value=0, max_value=(1 << LENGTH) - 1)
ops = BitOps(ORIGIN, LENGTH)


def at(x: int, i: int) -> bool:
    return 0 <= i < LENGTH and bool((x >> i) & 1)


@given(bits, st.integers(1, 14))
def test_window_any(x: int, n: int) -> None:
    out = ops.window_any(x, n)
    for i in range(LENGTH):
        assert at(out, i) == any(at(x, j) for j in range(i - n + 1, i + 1))


@given(bits, st.integers(1, 14), st.booleans())
def test_window_all(x: int, n: int, before: bool) -> None:
    out = ops.window_all(x, n, before=before)
    for i in range(LENGTH):
        expected = all(at(x, j) if j >= 0 else before for j in range(i - n + 1, i + 1))
        assert at(out, i) == expected


@given(bits, st.integers(0, 8), st.booleans())
def test_shift(x: int, k: int, before: bool) -> None:
    out = ops.shift(x, k, before=before)
    for i in range(LENGTH):
        assert at(out, i) == (at(x, i - k) if i - k >= 0 else before)


@given(bits, bits, st.integers(0, 12))
def test_carry(x: int, block: int, n: int) -> None:
    out = ops.carry(x, block, n)
    for i in range(LENGTH):
        expected = any(
            at(x, j) and not any(at(block, k) for k in range(j + 1, i + 1))
            for j in range(max(0, i - n), i + 1)
        )
        assert at(out, i) == expected


@given(bits, bits, st.integers(1, 12))
def test_runs_reaching(x: int, skip: int, n: int) -> None:
    out = ops.runs_reaching(x, skip, n)
    for i in range(LENGTH):
        counted = [j for j in range(i, -1, -1) if not at(skip, j)][:n]
        expected = len(counted) == n and all(at(x, j) for j in counted)
        assert at(out, i) == expected


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(ORIGIN, ORIGIN + 39), st.integers(ORIGIN - 5, ORIGIN + 39))),
    st.integers(1, 6),
)
def test_advance_windows(records: list[tuple[int, int]], n: int) -> None:
    out = ops.advance_windows(records, n)
    for i in range(LENGTH):
        p = ORIGIN + i
        expected = all(any(m == p + k and a < p for m, a in records) for k in range(n))
        assert at(out, i) == expected


@given(bits, st.integers(0, LENGTH - 1))
def test_run_around_and_last(x: int, i: int) -> None:
    run = ops.run_around(x, ORIGIN + i)
    if not at(x, i):
        assert run == (NO_MONTH, NO_MONTH)
    else:
        lo, hi = run[0] - ORIGIN, run[1] - ORIGIN
        assert all(at(x, j) for j in range(lo, hi + 1))
        assert lo == 0 or not at(x, lo - 1)
        assert hi == LENGTH - 1 or not at(x, hi + 1)
    last = ops.last_at_or_before(x, ORIGIN + i)
    ones = [j for j in range(i + 1) if at(x, j)]
    assert last == (ORIGIN + ones[-1] if ones else NO_MONTH)


def test_year_starts_are_januaries() -> None:
    frame = BitOps(2020 * 12 + 5, 30)  # June 2020 .. November 2022
    assert frame.months_in(frame.year_starts()) == [2021 * 12, 2022 * 12]
