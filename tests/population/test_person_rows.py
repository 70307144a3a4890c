"""Records find their person's row: ids of 12 digits by number, any other id by text, the same."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.population.tableset import PersonRows, digit_keys

TWELVE = re.compile(r"[0-9]{12}")
#: ids of the right form, and near misses: other lengths, other scripts' digits, signs, spaces
DIGITS = st.text(alphabet="0123456789", min_size=12, max_size=12)
NEAR = st.one_of(
    st.text(alphabet="0123456789", min_size=11, max_size=13),
    st.text(alphabet="0123456789٠١+- x", min_size=12, max_size=12),
    st.just("+12345678901"),
    st.just(" 12345678901"),
    st.just("٠١٢٣٤٥"),  # 12 bytes of Arabic-Indic digits
)


def expected(ids: list[str | None], records: list[str | None]) -> list[int]:
    where = {pid: i for i, pid in enumerate(ids) if pid is not None}
    return [-1 if r is None else where.get(r, -1) for r in records]


def forms(values: list[str | None]) -> list[pa.Array | pa.ChunkedArray]:
    """The ways a column of ids reaches the lookup: text, large text, views, Parquet
    dictionaries, chunks of a table."""
    plain = pa.array(values, type=pa.string())
    half = len(values) // 2
    return [
        plain,
        plain.cast(pa.large_string()),
        plain.cast(pa.string_view()),
        plain.dictionary_encode(),
        pa.chunked_array([plain[:half], plain[half:]], type=pa.string()),
        pa.chunked_array(
            [plain[:half].dictionary_encode(), plain[half:].dictionary_encode()],
        ),
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(DIGITS, NEAR), min_size=1, max_size=30, unique=True),
    st.lists(st.one_of(DIGITS, NEAR, st.none()), max_size=40),
    st.data(),
)
def test_every_record_finds_the_row_of_its_id_whatever_the_ids_look_like(
    ids: list[str], strangers: list[str | None], data: st.DataObject
) -> None:
    records = [
        data.draw(st.sampled_from(ids)) if data.draw(st.booleans()) else s for s in strangers
    ]
    lookup = PersonRows(pl.Series(ids, dtype=pl.String))
    assert lookup.by_number == all(TWELVE.fullmatch(i) for i in ids)
    want = expected(list(ids), records)
    for column in forms(records):
        assert lookup.rows(column).tolist() == want
    assert lookup.look_up(pl.Series(records, dtype=pl.String)).tolist() == want


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(DIGITS, NEAR, st.none()), max_size=30))
def test_digit_keys_are_the_numbers_of_exactly_twelve_ascii_digits(
    values: list[str | None],
) -> None:
    for column in forms(values):
        keys, keyed = digit_keys(column)
        for value, key, is_keyed in zip(values, keys.tolist(), keyed.tolist(), strict=True):
            assert is_keyed == bool(value is not None and TWELVE.fullmatch(value))
            if is_keyed:
                assert value is not None and key == int(value)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(DIGITS, st.sampled_from(["012345678901", "7", "x" * 12])), min_size=1))
def test_repeated_counts_the_ids_given_more_than_once(ids: list[str]) -> None:
    lookup = PersonRows(pl.Series(ids, dtype=pl.String))
    assert lookup.repeated() == sum(1 for i in set(ids) if ids.count(i) > 1)


def test_a_sliced_column_is_read_from_its_offset() -> None:
    ids = [f"{i:012d}" for i in range(10)]
    lookup = PersonRows(pl.Series(ids))
    column = pa.array(["x", *ids[::-1]], type=pa.large_string()).slice(1)
    assert lookup.rows(column).tolist() == list(range(9, -1, -1))
    assert np.array_equal(digit_keys(column)[0], np.arange(9, -1, -1))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(DIGITS, min_size=1, max_size=30, unique=True),
    st.data(),
)
def test_records_in_the_persons_order_find_their_rows(ids: list[str], data: st.DataObject) -> None:
    """A part of an extract whose ids are those of consecutive persons (no search is made then),
    or nearly so: one id changed, a stranger at the end, one person past the last."""
    start = data.draw(st.integers(0, len(ids) - 1))
    stop = data.draw(st.integers(start + 1, len(ids) + 1))
    run = ids[start:stop]
    if stop > len(ids):
        run.append(data.draw(DIGITS))
    if data.draw(st.booleans()):
        run[data.draw(st.integers(0, len(run) - 1))] = data.draw(st.one_of(DIGITS, NEAR))
    repeats = data.draw(st.lists(st.integers(1, 3), min_size=len(run), max_size=len(run)))
    records: list[str | None] = [i for i, n in zip(run, repeats, strict=True) for _ in range(n)]
    lookup = PersonRows(pl.Series(ids, dtype=pl.String))
    want = expected(list(ids), records)
    for column in forms(records):
        assert lookup.rows(column).tolist() == want
