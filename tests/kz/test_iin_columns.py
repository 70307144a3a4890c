"""The column IIN check equals :func:`insurrules.kz.iin.parse_iin` on every string."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from insurrules.kz.iin import IinInfo, check_digit, iin_problem, make_iin, parse_iin
from insurrules.kz.iin_columns import check_digits, iin_columns, iin_frame, iin_valid


def _parsed(value: str) -> IinInfo | None:
    try:
        return parse_iin(value)
    except ValueError:
        return None


made = st.builds(
    make_iin,
    st.dates(dt.date(1800, 1, 1), dt.date(2099, 12, 31)),
    st.sampled_from(["male", "female"]),
    st.integers(0, 9999),
)
twelve = st.text(alphabet="0123456789", min_size=12, max_size=12)
mutated = st.tuples(made, st.integers(0, 11), st.sampled_from("0123456789٥５x ")).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]
)
anything = st.text(max_size=14)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(made, twelve, mutated, anything), min_size=1, max_size=40))
def test_column_check_equals_parse_iin(values: list[str]) -> None:
    frame = pl.DataFrame({"id": values}, schema={"id": pl.String})
    got = frame.select(iin_columns("id")).unnest("id").to_dicts()
    for value, row in zip(values, got, strict=True):
        info = _parsed(value)
        assert row["valid"] is (info is not None)
        assert row["birth_date"] == (info.birth_date if info else None)
        assert row["male"] == ((info.sex == "male") if info else None)
    assert frame.select(iin_valid("id"))["id"].to_list() == [_parsed(v) is not None for v in values]


def test_non_ascii_digits_are_not_an_iin() -> None:
    good = make_iin(dt.date(1987, 4, 12), "female", 4501)
    arabic = good.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert _parsed(arabic) is None
    assert pl.DataFrame({"id": [arabic, good]}).select(iin_valid("id"))["id"].to_list() == [
        False,
        True,
    ]


def test_problem_text_comes_from_parse_iin_and_is_masked() -> None:
    good = make_iin(dt.date(1987, 4, 12), "female", 4501)
    assert iin_problem(good) is None
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    problem = iin_problem(bad)
    assert problem is not None
    assert "check digit" in problem
    assert bad not in problem


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=11, max_size=11), min_size=1, max_size=50))
def test_check_digits_equal_check_digit(firsts: list[str]) -> None:
    digits = np.array([[int(c) for c in f] for f in firsts], dtype=np.int64)
    expected = [-1 if (d := check_digit(f)) is None else d for f in firsts]
    assert check_digits(digits).tolist() == expected


def test_synthetic_ids_are_valid_iins() -> None:
    from insurrules.population import synthetic

    ids = synthetic(3_000, seed=5, as_of="2026-03-15").persons["id"].to_list()
    assert all(_parsed(i) is not None for i in ids)
    assert len(set(ids)) == len(ids)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(made, mutated, st.none(), anything), min_size=1, max_size=30), st.data())
def test_column_check_of_a_slice_with_nulls_equals_parse_iin(
    values: list[str | None], data: st.DataObject
) -> None:
    """Nulls are no IIN, and a series that starts inside its buffer (a slice: its texts need not
    start on a word boundary) reads as any other."""
    start = data.draw(st.integers(0, len(values) - 1))
    series = pl.Series("id", ["x", *values], dtype=pl.String).slice(1 + start)
    got = iin_frame(series).to_dicts()
    for value, row in zip(values[start:], got, strict=True):
        info = None if value is None else _parsed(value)
        assert row["valid"] is (info is not None)
        assert row["birth_date"] == (info.birth_date if info else None)
        assert row["male"] == ((info.sex == "male") if info else None)
