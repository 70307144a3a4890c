"""Texts of one width in an Arrow column, read as rows of bytes.

Both schemes' personal ids are 12 ASCII digits. A table holds millions of them, and they are
checked and turned into numbers far faster as a matrix of bytes than one string at a time: a
column whose texts all have that width *is* such a matrix (its data buffer, reshaped, not copied).
Nothing here is a rule: [`insurrules.kz.iin_columns`][insurrules.kz.iin_columns] and
[`insurrules.population.tableset.digit_keys`][insurrules.population.tableset.digit_keys] build on
it, each held to its own definition by property tests.

Text (``string``) and large text columns are read straight from their buffers; any other form (a
string view) is cast to large text first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["ascii_digits", "digit_numbers", "fixed_width", "given", "text_bytes"]

Ints = npt.NDArray[np.int64]
Bytes = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

#: ASCII "0" in each byte of a 32-bit word, and what finds a byte outside "0".."9" (below, by
#: the borrow of ``word - _ZEROS``; above, by the carry of ``word + _PAST_NINES``; or not ASCII)
_ZEROS, _PAST_NINES, _HIGH_BITS = 0x30303030, 0x46464646, 0x80808080


def given(arr: pa.Array) -> Bools:
    """Where ``arr`` holds a value (not null), from its validity bits (pyarrow's own conversion
    of a boolean array imports pandas, a third of a second)."""
    n = len(arr)
    if arr.null_count == 0:
        return np.ones(n, dtype=np.bool_)
    if pa.types.is_null(arr.type):
        return np.zeros(n, dtype=np.bool_)
    validity = arr.buffers()[0]
    assert validity is not None
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    present: Bools = bits[arr.offset : arr.offset + n].view(np.bool_)
    return present


def text_bytes(column: pa.Array) -> tuple[Ints | npt.NDArray[np.int32], Bytes]:
    """The ``len + 1`` offsets of a text column's values into its data, and the data."""
    kind = column.type
    if pa.types.is_string(kind):
        wide: Any = np.int32
    elif pa.types.is_large_string(kind):
        wide = np.int64
    else:  # a string view (or anything castable): the one form read through a copy
        column = column.cast(pa.large_string())
        wide = np.int64
    n = len(column)
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=wide)[column.offset : column.offset + n + 1]
    raw = np.frombuffer(buffers[2] or b"", dtype=np.uint8)
    return offsets, raw


def fixed_width(column: pa.Array, width: int) -> tuple[Ints, Bytes]:
    """The positions of the values of ``column`` (a text array) that are texts of exactly
    ``width`` bytes (not null), and those texts as the rows of a ``(k, width)`` byte array.

    When every value is such a text, the rows are the column's own data, not a copy.
    """
    n = len(column)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, width), dtype=np.uint8)
    offsets, raw = text_bytes(column)
    lengths = np.diff(offsets)
    shaped: Bools = lengths == width
    if column.null_count:
        shaped &= given(column)
    if bool(shaped.all()):
        first = int(offsets[0])
        return np.arange(n, dtype=np.int64), raw[first : first + width * n].reshape(n, width)
    where = np.flatnonzero(shaped)
    starts = offsets[:-1].take(where).astype(np.int64)
    rows: Bytes = raw[starts[:, None] + np.arange(width)]
    return where, rows


def _words(rows: Bytes) -> npt.NDArray[np.uint32]:
    """Each row of a ``(k, 4 w)`` byte array as ``w`` 32-bit words (first byte lowest)."""
    contiguous = np.ascontiguousarray(rows)
    words: npt.NDArray[np.uint32] = contiguous.view("<u4")
    return words


def ascii_digits(rows: Bytes) -> Bools:
    """Which rows of a ``(k, 4 w)`` byte array are all ASCII digits: four bytes tested at once."""
    words = _words(rows)
    bad = words - np.uint32(_ZEROS)
    bad |= words + np.uint32(_PAST_NINES)
    bad |= words
    bad &= np.uint32(_HIGH_BITS)
    # the words of a row joined column by column (a reduction along rows of three words
    # costs ten times more)
    joined = bad[:, 0].copy()
    for j in range(1, bad.shape[1]):
        joined |= bad[:, j]
    found: Bools = joined == 0
    return found


def digit_numbers(rows: Bytes) -> Ints:
    """The number each row of a ``(k, 4 w)`` byte array of ASCII digits spells (``w`` at most
    4: up to 16 digits); any number where a row is not all digits (see `ascii_digits`)."""
    words = _words(rows) - np.uint32(_ZEROS)  # a digit's value in each byte
    # per word, the first byte is the most significant digit: pairs of bytes into two-digit
    # numbers (in bytes 0 and 2), then the pair into a four-digit number (in the low 16 bits)
    pairs = words * np.uint32(10)
    pairs += words >> np.uint32(8)
    pairs &= np.uint32(0x00FF00FF)
    quads = pairs * np.uint32(100)
    quads += pairs >> np.uint32(16)
    quads &= np.uint32(0xFFFF)
    out: Ints = np.zeros(rows.shape[0], dtype=np.int64)
    for j in range(words.shape[1]):
        out *= 10_000
        out += quads[:, j]
    return out
