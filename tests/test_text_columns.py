"""Rows of bytes read as digits and numbers: the same as reading each text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.text_columns import ascii_digits, digit_numbers, fixed_width

#: bytes near the digits (either side, and their high-bit twins), and any byte
NEAR_DIGITS = st.sampled_from([0x2F, 0x30, 0x35, 0x39, 0x3A, 0xB0, 0xB9, 0x00, 0xFF])
BYTE = st.one_of(NEAR_DIGITS, st.integers(0x30, 0x39), st.integers(0, 255))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(BYTE, min_size=12, max_size=12), min_size=1, max_size=20))
def test_digits_and_numbers_of_byte_rows_are_those_of_the_texts(rows: list[list[int]]) -> None:
    array = np.array(rows, dtype=np.uint8)
    digits, numbers = ascii_digits(array), digit_numbers(array)
    for row, is_digits, number in zip(rows, digits.tolist(), numbers.tolist(), strict=True):
        text = bytes(row)
        assert is_digits == all(0x30 <= b <= 0x39 for b in row)
        if is_digits:
            assert number == int(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=14)), max_size=20),
    st.integers(0, 3),
    st.sampled_from([pa.string(), pa.large_string(), pa.string_view()]),
)
def test_fixed_width_finds_exactly_the_texts_of_that_many_bytes(
    values: list[str | None], skip: int, kind: pa.DataType
) -> None:
    column = pa.array(["-" * 5] * skip + values, type=kind).slice(skip)
    where, rows = fixed_width(column, 12)
    want = [i for i, v in enumerate(values) if v is not None and len(v.encode()) == 12]
    assert where.tolist() == want
    assert [bytes(r) for r in rows.tolist()] == [values[i].encode() for i in want]  # type: ignore[union-attr]


def test_a_null_is_not_a_text_whatever_its_slot_holds() -> None:
    data = pa.py_buffer(b"123456789012" * 2)
    offsets = pa.py_buffer(bytes(pa.array([0, 12, 24], type=pa.int32()).buffers()[1]))
    column = pa.StringArray.from_buffers(2, offsets, data, pa.py_buffer(bytes([0b10])))
    where, rows = fixed_width(column, 12)
    assert where.tolist() == [1]
    assert bytes(rows[0].tolist()) == b"123456789012"
