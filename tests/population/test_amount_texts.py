"""Amount texts are read on their bytes exactly as the model's pattern reads them."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from insurrules.models import AMOUNT_PATTERN
from insurrules.population.values import _plain, amounts, unvouched_amounts

#: texts made of the characters an amount is made of, and of near misses
PIECES = st.text(alphabet="0123456789.", max_size=24)
NEAR = st.text(alphabet="0123456789.,-+e \n٣", max_size=24)
TEXT = st.one_of(PIECES, NEAR, st.text(max_size=8), st.none())


def by_pattern(values: list[str | None]) -> list[bool]:
    """The model's pattern (pydantic and polars both use Rust's regex crate: ``$`` is the end)."""
    series = pl.Series(values, dtype=pl.String)
    return series.str.contains(AMOUNT_PATTERN).fill_null(False).to_list()


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=30), st.integers(0, 3))
@example(["1" * 15, "1" * 16, "1.123456", "1.1234567", "1" * 15 + ".123456", ".5", "5.", "1..2"], 0)
@example(["0", "", "12\n", "1.2.3", "٣"], 1)
def test_amount_texts_on_bytes_are_those_the_pattern_accepts(
    values: list[str | None], skip: int
) -> None:
    want = by_pattern(values)
    for kind in (pa.string(), pa.large_string(), pa.string_view()):
        column = pa.array(["x"] * skip + values, type=kind).slice(skip)
        assert _plain(column).tolist() == want
        assert amounts(column).tolist() == want
        coded = column.dictionary_encode()
        unvouched = unvouched_amounts(coded)
        assert (unvouched is None) == all(want)
        if unvouched is not None:
            assert unvouched.tolist() == [not ok for ok in want]


def test_a_null_is_no_amount_whatever_its_slot_holds() -> None:
    """Arrow lets a null's slot hold bytes: "123" behind a null is still no amount."""
    data = pa.py_buffer(b"123456")
    offsets = pa.py_buffer(bytes(pa.array([0, 3, 6], type=pa.int32()).buffers()[1]))
    validity = pa.py_buffer(bytes([0b01]))  # the second value is null
    column = pa.StringArray.from_buffers(2, offsets, data, validity)
    assert column.to_pylist() == ["123", None]
    assert _plain(column).tolist() == [True, False]
