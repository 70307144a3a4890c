"""BitOps against plain per-month definitions (the reference the array backend is also held to)."""

from __future__ import annotations

import functools
import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.timeline import NO_MONTH, BitOps, LaneOps

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


# -- LaneOps: each lane is what BitOps gives for that lane ---------------------------------------
LANE_LENGTHS = st.sampled_from([1, 5, 40, 63, 64, 65, 130])


@st.composite
def laned(draw: st.DrawFn, count: int = 2) -> tuple[LaneOps, list[list[int]]]:
    """A LaneOps and ``count`` timelines, each given lane by lane."""
    length = draw(LANE_LENGTHS)
    lanes = draw(st.integers(1, 5))
    one = st.integers(0, (1 << length) - 1)
    return LaneOps(ORIGIN, length, lanes), [
        draw(st.lists(one, min_size=lanes, max_size=lanes)) for _ in range(count)
    ]


def lanes_of(lo: LaneOps, x: int) -> list[int]:
    assert lo.split(x) == [lo.lane(x, k) for k in range(lo.lanes)]
    assert x & ~lo.full() == 0  # nothing outside the lanes (the bits past a frame)
    return lo.split(x)


@settings(max_examples=300)
@given(laned(), st.integers(0, 140), st.booleans(), st.data())
def test_lane_ops_equal_bit_ops_lane_by_lane(
    drawn: tuple[LaneOps, list[list[int]]], n: int, before: bool, data: st.DataObject
) -> None:
    lo, (xs, ys) = drawn
    one = lo.single
    x, y = lo.stack(xs), lo.stack(ys)
    assert lanes_of(lo, x) == xs
    first = data.draw(st.none() | st.integers(ORIGIN - 3, ORIGIN + lo.length + 3))
    last = data.draw(st.none() | st.integers(ORIGIN - 3, ORIGIN + lo.length + 3))
    same = {
        "empty": (lo.empty(), one.empty()),
        "full": (lo.full(), one.full()),
        "months": (lo.months(first, last), one.months(first, last)),
        "year_starts": (lo.year_starts(), one.year_starts()),
        "flag": (lo.flag(before), one.flag(before)),
        "from_months": (
            lo.from_months([ORIGIN + n, ORIGIN + n // 2]),
            one.from_months([ORIGIN + n, ORIGIN + n // 2]),
        ),
    }
    for name, (got, want) in same.items():
        assert lanes_of(lo, got) == [want] * lo.lanes, name
    k = n % (lo.length + 2)
    w = max(1, n)
    each = {
        "not_": (lo.not_(x), [one.not_(a) for a in xs]),
        "shift": (lo.shift(x, k, before), [one.shift(a, k, before) for a in xs]),
        "window_any": (lo.window_any(x, w), [one.window_any(a, w) for a in xs]),
        "window_all": (lo.window_all(x, w, before), [one.window_all(a, w, before) for a in xs]),
        "carry": (lo.carry(x, y, n), [one.carry(a, b, n) for a, b in zip(xs, ys, strict=True)]),
        "runs_reaching": (
            lo.runs_reaching(x, y, n % 14),
            [one.runs_reaching(a, b, n % 14) for a, b in zip(xs, ys, strict=True)],
        ),
        "runs_reaching, nothing skipped": (
            lo.runs_reaching(x, 0, n % 14),
            [one.runs_reaching(a, 0, n % 14) for a in xs],
        ),
        "known": (
            lo.known(xs),
            [functools.reduce(operator.or_, xs[: i + 1]) for i in range(lo.lanes)],
        ),
    }
    for name, (result, per_lane) in each.items():
        assert lanes_of(lo, result) == per_lane, name


@given(
    st.integers(1, 4).flatmap(
        lambda lanes: st.lists(
            st.lists(
                st.tuples(st.integers(ORIGIN, ORIGIN + 39), st.integers(ORIGIN - 5, ORIGIN + 39)),
                max_size=4,
            ),
            min_size=lanes,
            max_size=lanes,
        )
    ),
    st.integers(1, 6),
)
def test_lane_advance_windows_read_the_records_known_by_each_lane(
    new: list[list[tuple[int, int]]], n: int
) -> None:
    lo = LaneOps(ORIGIN, LENGTH, len(new))
    got = lanes_of(lo, lo.advance_windows(new, n))
    assert got == [
        lo.single.advance_windows([r for d in new[: k + 1] for r in d], n) for k in range(len(new))
    ]
