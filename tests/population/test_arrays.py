"""ArrayOps (population) against BitOps (one person): random timelines, every operation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.population.arrays import AdvanceRecords, ArrayOps
from insurrules.timeline import BitOps

ORIGIN = 2019 * 12 + 5  # any month: year_starts must not assume January
LENGTH = 130  # three 64-bit words: shifts must carry across words
PERSONS = 4

B = BitOps(ORIGIN, LENGTH)
A = ArrayOps(ORIGIN, LENGTH, PERSONS)

# many all-zero rows too: some operations work only on the persons with a month set
bits = st.one_of(st.just(0), st.integers(0, (1 << LENGTH) - 1), st.integers(0, 1 << 20))
rows_of_bits = st.lists(bits, min_size=PERSONS, max_size=PERSONS)
window = st.integers(0, LENGTH + 3)


def to_array(xs: list[int]) -> np.ndarray:
    return A.from_bool(
        np.array([[(x >> i) & 1 for i in range(LENGTH)] for x in xs], dtype=np.bool_)
    )


def to_bits(x: np.ndarray) -> list[int]:
    a = A.to_bool(x)
    return [sum(1 << i for i in range(LENGTH) if a[p, i]) for p in range(a.shape[0])]


SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(rows_of_bits, st.integers(1, LENGTH), st.booleans())
def test_shift_agrees(xs: list[int], k: int, before: bool) -> None:
    got = to_bits(A.shift(to_array(xs), k, before))
    assert got == [B.shift(x, k, before) for x in xs]


@SETTINGS
@given(rows_of_bits, window)
def test_window_any_agrees(xs: list[int], n: int) -> None:
    assert to_bits(A.window_any(to_array(xs), n)) == [B.window_any(x, n) for x in xs]


@SETTINGS
@given(rows_of_bits, st.integers(1, LENGTH + 2), st.booleans())
def test_window_all_agrees(xs: list[int], n: int, before: bool) -> None:
    got = to_bits(A.window_all(to_array(xs), n, before))
    assert got == [B.window_all(x, n, before) for x in xs]


@SETTINGS
@given(rows_of_bits, rows_of_bits, window)
def test_carry_agrees(xs: list[int], blocks: list[int], n: int) -> None:
    got = to_bits(A.carry(to_array(xs), to_array(blocks), n))
    assert got == [B.carry(x, b, n) for x, b in zip(xs, blocks, strict=True)]


@SETTINGS
@given(rows_of_bits, rows_of_bits, st.integers(1, LENGTH + 3))
def test_runs_reaching_agrees(xs: list[int], skips: list[int], n: int) -> None:
    got = to_bits(A.runs_reaching(to_array(xs), to_array(skips), n))
    assert got == [B.runs_reaching(x, s, n) for x, s in zip(xs, skips, strict=True)]


def test_constructors_agree() -> None:
    assert to_bits(A.empty()) == [B.empty()] * PERSONS
    assert to_bits(A.full()) == [B.full()] * PERSONS
    assert to_bits(A.year_starts()) == [B.year_starts()] * PERSONS
    x = to_array([0b1011, 0, B.full(), 5])
    assert to_bits(A.not_(x)) == [B.not_(v) for v in to_bits(x)]


@SETTINGS
@given(
    st.lists(st.integers(ORIGIN - 5, ORIGIN + LENGTH + 5), min_size=PERSONS, max_size=PERSONS),
    st.lists(st.integers(ORIGIN - 5, ORIGIN + LENGTH + 5), min_size=PERSONS, max_size=PERSONS),
    st.sampled_from(["months", "since", "until", "scalar"]),
)
def test_month_spans_agree(firsts: list[int], lasts: list[int], kind: str) -> None:
    if kind == "since":
        got = to_bits(A.since(np.array(firsts)))
        assert got == [B.since(f) for f in firsts]
    elif kind == "until":
        got = to_bits(A.until(np.array(lasts)))
        assert got == [B.until(v) for v in lasts]
    elif kind == "months":
        got = to_bits(A.months(np.array(firsts), np.array(lasts)))
        assert got == [B.months(f, v) for f, v in zip(firsts, lasts, strict=True)]
    else:
        got = to_bits(A.months(firsts[0], lasts[0]))
        assert got == [B.months(firsts[0], lasts[0])] * PERSONS


@SETTINGS
@given(st.lists(st.booleans(), min_size=PERSONS, max_size=PERSONS))
def test_flag_agrees(values: list[bool]) -> None:
    got = to_bits(A.flag(np.array(values)))
    assert got == [B.flag(v) for v in values]
    assert to_bits(A.flag(True)) == [B.flag(True)] * PERSONS


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, PERSONS - 1),
            st.integers(ORIGIN - 14, ORIGIN + LENGTH + 14),
            st.integers(-16, 3),
        ),
        max_size=60,
    ),
    st.integers(1, 13),
)
def test_advance_windows_agree(records: list[tuple[int, int, int]], n: int) -> None:
    recs = AdvanceRecords(
        [r for r, _, _ in records], [m for _, m, _ in records], [m + d for _, m, d in records]
    )
    got = to_bits(A.advance_windows(recs, n))
    want = [
        B.advance_windows([(m, m + d) for r, m, d in records if r == p], n) for p in range(PERSONS)
    ]
    assert got == want


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(0, PERSONS - 1),
            st.integers(ORIGIN - 5, ORIGIN + LENGTH + 5),
            st.integers(0, 12),
        ),
        max_size=12,
    )
)
def test_cells_and_spans_agree(spans: list[tuple[int, int, int]]) -> None:
    rows = [r for r, _, _ in spans]
    firsts = [f for _, f, _ in spans]
    lasts = [f + w for _, f, w in spans]
    got = to_bits(A.from_spans(rows, firsts, lasts))
    want = [0] * PERSONS
    for r, f, last in zip(rows, firsts, lasts, strict=True):
        want[r] |= B.months(f, last)
    assert got == want
    cells = to_bits(A.from_cells(rows, firsts))
    assert cells == [
        B.from_months(f for r, f in zip(rows, firsts, strict=True) if r == p)
        for p in range(PERSONS)
    ]


months_asked = st.integers(ORIGIN - 3, ORIGIN + LENGTH + 3)


@SETTINGS
@given(rows_of_bits, months_asked)
def test_reading_agrees(xs: list[int], month: int) -> None:
    a = to_array(xs)
    held = A.holds(a, month)
    last = A.last_at_or_before(a, month)
    lo, hi = A.run_around(a, month)
    for p, x in enumerate(xs):
        assert bool(held[p]) == B.holds(x, month)
        assert int(last[p]) == B.last_at_or_before(x, month)
        assert (int(lo[p]), int(hi[p])) == B.run_around(x, month)


@SETTINGS
@given(rows_of_bits, st.lists(months_asked, min_size=PERSONS, max_size=PERSONS))
def test_reading_at_a_month_per_person_agrees(xs: list[int], asked: list[int]) -> None:
    a = to_array(xs)
    months = np.array(asked, dtype=np.int64)
    held = A.holds_each(a, months)
    last = A.last_at_or_before(a, months)
    lo, hi = A.run_around(a, months)
    anything = A.any_each(a)
    for p, (x, m) in enumerate(zip(xs, asked, strict=True)):
        assert bool(held[p]) == B.holds_each(x, m)
        assert int(last[p]) == B.last_at_or_before(x, m)
        assert (int(lo[p]), int(hi[p])) == B.run_around(x, m)
        assert bool(anything[p]) == B.any_each(x)


@SETTINGS
@given(
    st.lists(rows_of_bits, min_size=0, max_size=4),
    st.lists(months_asked, min_size=PERSONS, max_size=PERSONS),
)
def test_first_holding_agrees(timelines: list[list[int]], asked: list[int]) -> None:
    got = A.first_holding([to_array(t) for t in timelines], np.array(asked, dtype=np.int64))
    for p, m in enumerate(asked):
        assert int(got[p]) == B.first_holding([t[p] for t in timelines], m)


@SETTINGS
@given(
    st.lists(st.booleans(), min_size=PERSONS, max_size=PERSONS),
    st.lists(st.booleans(), min_size=PERSONS, max_size=PERSONS),
    st.lists(st.integers(-5, 5), min_size=PERSONS, max_size=PERSONS),
    st.lists(st.integers(-5, 5), min_size=PERSONS, max_size=PERSONS),
)
def test_person_level_operations_agree(
    cond: list[bool], other: list[bool], a: list[int], b: list[int]
) -> None:
    c, o = np.array(cond), np.array(other)
    x, y = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
    where, unless = A.where(c, x, y), A.unless(c, o)
    later, earlier = A.later(x, y), A.earlier(x, y)
    for p in range(PERSONS):
        assert where[p] == B.where(cond[p], a[p], b[p])
        assert unless[p] == B.unless(cond[p], other[p])
        assert later[p] == B.later(a[p], b[p])
        assert earlier[p] == B.earlier(a[p], b[p])
    assert A.distinct(x) == sorted(set(a))
    assert all(B.distinct(v) == [v] for v in a)


@SETTINGS
@given(st.lists(months_asked, min_size=PERSONS, max_size=PERSONS))
def test_per_month_agrees(asked: list[int]) -> None:
    def law(m: int) -> tuple[int, int]:
        return m % 7, m // 12

    got = A.per_month(law, np.array(asked, dtype=np.int64))
    for p, m in enumerate(asked):
        assert tuple(int(col[p]) for col in got) == B.per_month(law, m)


def test_negative_shift_is_refused() -> None:
    with pytest.raises(ValueError, match="k >= 0"):
        A.shift(A.full(), -1)


@SETTINGS
@given(rows_of_bits, st.sampled_from(["empty", "months", "full"]), window)
def test_carry_with_one_block_for_all_agrees(xs: list[int], kind: str, n: int) -> None:
    """A block the same for every person (a broadcast constant, as the rules pass ``empty()``
    or a span of months) takes a path of its own."""
    block = {
        "empty": (A.empty(), B.empty()),
        "months": (A.months(ORIGIN + 60, ORIGIN + 70), B.months(ORIGIN + 60, ORIGIN + 70)),
        "full": (A.full(), B.full()),
    }[kind]
    got = to_bits(A.carry(to_array(xs), block[0], n))
    assert got == [B.carry(x, block[1], n) for x in xs]


_EDGES = [0, 1, 2, 2**32 - 1, 2**32, 2**53 - 1, 2**53, 2**53 + 1, 2**54 - 1, 2**63, 2**64 - 1]


@SETTINGS
@given(st.lists(st.one_of(st.integers(0, 2**64 - 1), st.sampled_from(_EDGES)), min_size=1))
def test_bit_length_is_that_of_each_integer(values: list[int]) -> None:
    from insurrules.population.arrays import _bit_length

    got = _bit_length(np.array(values, dtype=np.uint64))
    assert got.tolist() == [v.bit_length() for v in values]
    assert _bit_length(np.array(_EDGES, dtype=np.uint64)).tolist() == [
        v.bit_length() for v in _EDGES
    ]
